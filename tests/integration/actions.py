"""What the tests do to the running integration, and what they wait for as a user would.

The waits are a clock's ``until``: each says what a user would see (a card showing progress
or a version, the queue idle, every card showing its versions).
"""

from __future__ import annotations

from collections.abc import Callable
import time

from homeassistant.components.update import (
    ATTR_IN_PROGRESS,
    ATTR_INSTALLED_VERSION,
    ATTR_UPDATE_PERCENTAGE,
    DOMAIN as UPDATE_DOMAIN,
    SERVICE_INSTALL,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

type Until = Callable[[], bool]


async def refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()


async def install(hass: HomeAssistant, *entity_ids: str) -> None:
    await hass.services.async_call(
        UPDATE_DOMAIN, SERVICE_INSTALL, {ATTR_ENTITY_ID: list(entity_ids)}, blocking=True
    )


def queue_idle(entry: MockConfigEntry) -> Until:
    """No update of the home is queued or running."""
    return lambda: entry.runtime_data.queue.active_count == 0


def every_card_shows_versions(entry: MockConfigEntry) -> Until:
    """Every device's card shows its versions and no firmware read is due now.

    So the first reads are done, and so are those of the devices of a group that a first
    read found an offer for.
    """
    firmware = entry.runtime_data.firmware
    return lambda: all(due > time.time() for due in firmware.next_reads().values())


def shows_progress(hass: HomeAssistant, entity_id: str, at_least: float = 0) -> Until:
    """The card shows an update running at ``at_least`` percent or more."""

    def showing() -> bool:
        attributes = hass.states.get(entity_id).attributes  # type: ignore[union-attr]
        percentage = attributes[ATTR_UPDATE_PERCENTAGE]
        return percentage is not None and percentage >= at_least

    return showing


def shows_installed(hass: HomeAssistant, entity_id: str, version: str) -> Until:
    """The card shows ``version`` installed and no update running."""

    def showing() -> bool:
        attributes = hass.states.get(entity_id).attributes  # type: ignore[union-attr]
        return attributes[ATTR_INSTALLED_VERSION] == version and not attributes[ATTR_IN_PROGRESS]

    return showing
