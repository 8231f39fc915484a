"""What the tests do to the running integration: install, refresh, wait for the queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from homeassistant.components.update import DOMAIN as UPDATE_DOMAIN, SERVICE_INSTALL
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

type Advance = Callable[[float], Awaitable[None]]


async def refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()


async def install(hass: HomeAssistant, *entity_ids: str) -> None:
    await hass.services.async_call(
        UPDATE_DOMAIN, SERVICE_INSTALL, {ATTR_ENTITY_ID: list(entity_ids)}, blocking=True
    )


async def run_until_idle(hass: HomeAssistant, entry: MockConfigEntry, advance: Advance) -> None:
    for _ in range(3600):
        if entry.runtime_data.queue.active_count == 0:
            return
        await advance(1)
    pytest.fail("the queue never emptied")
