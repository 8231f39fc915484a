"""The home's summary sensors: updates available, and updates queued or running."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from .conftest import PLUG_ENTITY, Advance, install, run_until_idle

AVAILABLE = "sensor.test_home_updates_available"
RUNNING = "sensor.test_home_updates_queued_or_running"


@pytest.mark.parametrize("init_integration", [Platform.SENSOR], indirect=True)
async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every summary sensor's registry entry and state."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_counts_follow_the_queue(
    hass: HomeAssistant, init_integration: MockConfigEntry, advance: Advance
) -> None:
    """Counts of updates available and queued/running follow the queue."""
    assert hass.states.get(AVAILABLE).state == "7"
    assert hass.states.get(RUNNING).state == "0"
    await install(hass, PLUG_ENTITY)
    assert hass.states.get(RUNNING).state == "1"
    await run_until_idle(hass, init_integration, advance)
    assert hass.states.get(AVAILABLE).state == "6"
    assert hass.states.get(RUNNING).state == "0"
