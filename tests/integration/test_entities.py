"""Every entity of each platform, as Home Assistant registers and shows it (snapshots)."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion


@pytest.mark.parametrize("init_integration", [Platform.SENSOR, Platform.UPDATE], indirect=True)
async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Each entity's registry entry and state, one platform at a time."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
