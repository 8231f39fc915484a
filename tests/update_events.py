"""The ``tuya_ota_update_finished`` events a test or benchmark waits for and reads."""

from __future__ import annotations

from homeassistant.core import Event, HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.tuya_ota.const import EVENT_UPDATE_FINISHED


class FinishedUpdates:
    """Every update-finished event fired from its creation on, and their results in order."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.events: list[Event] = async_capture_events(hass, EVENT_UPDATE_FINISHED)

    @property
    def results(self) -> list[str]:
        """Each finished update's result (success, failed, timeout, ...), in firing order."""
        return [event.data["result"] for event in self.events]

    def any_ended(self) -> bool:
        """Whether an update has finished yet: a clock's ``until`` waiting for the first."""
        return bool(self.events)
