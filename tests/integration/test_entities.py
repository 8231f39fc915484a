"""Every entity of each platform, as Home Assistant registers and shows it (snapshots)."""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion
from syrupy.types import PropertyPath, SerializableData

from tests.conftest import plain_attribute_names

CLOUD_CALLS_ENTITY = "sensor.test_home_cloud_calls_this_month"


def calls_counted_elsewhere(data: SerializableData, path: PropertyPath) -> SerializableData:
    """The month's call count hangs on the instant a test starts at and how it moves time.

    The snapshots keep the sensor, not its count: test_call_budget.py counts the calls.
    """
    if (
        isinstance(data, Mapping)
        and data.get("entity_id") == CLOUD_CALLS_ENTITY
        and "state" in data
    ):
        return plain_attribute_names(type(data)({**data, "state": "counted elsewhere"}), path)
    return plain_attribute_names(data, path)


@pytest.mark.parametrize("init_integration", [Platform.SENSOR, Platform.UPDATE], indirect=True)
async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Each entity's registry entry and state, one platform at a time."""
    await snapshot_platform(
        hass,
        entity_registry,
        snapshot.with_defaults(matcher=calls_counted_elsewhere),
        init_integration.entry_id,
    )
