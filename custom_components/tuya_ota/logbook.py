"""Each finished firmware update as a line of the logbook, on the device's update entity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_FRIENDLY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_UPDATE_FINISHED

# Logbook lines are English in Home Assistant's own integrations too: the logbook has no
# translation step for the messages integrations describe.
MESSAGES = {
    "success": "updated {from_version} → {to_version}",
    "failed": "update failed ({from_version} → {to_version})",
    "timeout": "update timed out ({from_version} → {to_version})",
}


def describe_update_finished(hass: HomeAssistant, event: Event) -> dict[str, str]:
    """The logbook line of one ``tuya_ota_update_finished`` event."""
    data = event.data
    entity_id = data.get("entity_id") or ""
    state = hass.states.get(entity_id) if entity_id else None
    name = state.attributes.get(ATTR_FRIENDLY_NAME) if state is not None else None
    template = MESSAGES.get(data.get("result", ""), "update ended: {result}")
    line = {
        LOGBOOK_ENTRY_NAME: str(name or entity_id or data.get("tuya_device_id", DOMAIN)),
        LOGBOOK_ENTRY_MESSAGE: template.format(
            from_version=data.get("from_version") or "?",
            to_version=data.get("to_version") or "?",
            result=data.get("result"),
        ),
    }
    if entity_id:
        line[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
    return line


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe the integration's events for the logbook."""
    async_describe_event(
        DOMAIN, EVENT_UPDATE_FINISHED, lambda event: describe_update_finished(hass, event)
    )
