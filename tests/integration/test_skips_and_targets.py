"""update_all honours Home Assistant's Skip and takes its targets; so does the blueprint."""

from __future__ import annotations

from typing import Any

from homeassistant.components.update import DOMAIN as UPDATE_DOMAIN, SERVICE_SKIP
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    floor_registry as fr,
    label_registry as lr,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.const import DOMAIN
from tests.timetravel import Clock
from tuya_sim import TuyaCloudSimulator

from .actions import queue_idle
from .home import (
    CURRENT,
    DIMMER,
    DIMMER_ENTITY,
    FAILING,
    FAILING_ENTITY,
    OFFLINE,
    PLUG,
    PLUG_ENTITY,
    SLEEPY,
    ZIGBEE_A,
    ZIGBEE_B,
)
from .test_blueprint import run_through_the_night, use_night_blueprint

# Every device of the test home with an update to install now (the garden bulb is offline).
INSTALLABLE = {PLUG, DIMMER, ZIGBEE_A, ZIGBEE_B, FAILING, SLEEPY}


async def update_all(hass: HomeAssistant, **data: Any) -> dict[str, dict[str, Any]]:
    """Call the action and return its rows keyed by Tuya device id."""
    response = await hass.services.async_call(
        DOMAIN, "update_all", data, blocking=True, return_response=True
    )
    assert response is not None
    rows: dict[str, dict[str, Any]] = response["devices"]  # type: ignore[assignment]
    return {row["tuya_device_id"]: row for row in rows.values()}


def queued(rows: dict[str, dict[str, Any]]) -> set[str]:
    return {device_id for device_id, row in rows.items() if row["result"] == "queued"}


def ha_device_id(hass: HomeAssistant, entity_id: str) -> str:
    entry = er.async_get(hass).async_get(entity_id)
    assert entry is not None
    assert entry.device_id is not None
    return entry.device_id


# --- skipped versions -----------------------------------------------------------------


async def test_skipped_version_is_not_installed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """Skip in Home Assistant, then update_all: that device is skipped, no start reaches it."""
    await hass.services.async_call(
        UPDATE_DOMAIN, SERVICE_SKIP, {ATTR_ENTITY_ID: PLUG_ENTITY}, blocking=True
    )
    assert hass.states.get(PLUG_ENTITY).state == "off"
    rows = await update_all(hass)
    assert rows[PLUG]["result"] == "skipped"
    assert rows[PLUG]["reason"] == "skipped_version"
    assert rows[PLUG]["to_version"] == "1.1.0"
    assert queued(rows) == INSTALLABLE - {PLUG}
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert PLUG not in {device_id for device_id, _, _ in sim.start_calls}
    assert hass.states.get(PLUG_ENTITY).attributes["installed_version"] == "1.0.0"


async def test_newer_version_unskips(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """A version newer than the skipped one is offered and installed again, as in core."""
    await hass.services.async_call(
        UPDATE_DOMAIN, SERVICE_SKIP, {ATTR_ENTITY_ID: PLUG_ENTITY}, blocking=True
    )
    sim.publish_firmware(PLUG, 0, "1.2.0")
    assert await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: PLUG_ENTITY}, blocking=True
    )
    state = hass.states.get(PLUG_ENTITY)
    assert state.state == "on"
    assert state.attributes["skipped_version"] is None  # Home Assistant drops the old skip
    rows = await update_all(hass, entity_id=PLUG_ENTITY)
    assert rows[PLUG]["result"] == "queued"
    assert rows[PLUG]["to_version"] == "1.2.0"
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert hass.states.get(PLUG_ENTITY).attributes["installed_version"] == "1.2.0"


# --- targets --------------------------------------------------------------------------


async def test_entity_target(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Only the named firmware entities are considered; the others are not in the answer."""
    rows = await update_all(hass, entity_id=[PLUG_ENTITY, "update.desk_lamp_firmware"])
    assert set(rows) == {PLUG, CURRENT}
    assert queued(rows) == {PLUG}
    assert rows[CURRENT]["reason"] == "up_to_date"


async def test_device_target(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A Home Assistant device: its firmware entity, though firmware is a config entity."""
    rows = await update_all(hass, device_id=ha_device_id(hass, DIMMER_ENTITY))
    assert set(rows) == {DIMMER}
    assert queued(rows) == {DIMMER}


async def test_area_target(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Devices in the area, an entity placed there itself, not one placed elsewhere."""
    areas = ar.async_get(hass)
    garage, hall = areas.async_create("Garage"), areas.async_create("Hall")
    devices = dr.async_get(hass)
    devices.async_update_device(ha_device_id(hass, FAILING_ENTITY), area_id=garage.id)
    devices.async_update_device(ha_device_id(hass, DIMMER_ENTITY), area_id=garage.id)
    entities = er.async_get(hass)
    entities.async_update_entity(DIMMER_ENTITY, area_id=hall.id)  # the entity is elsewhere
    entities.async_update_entity(PLUG_ENTITY, area_id=garage.id)  # the entity alone is here
    rows = await update_all(hass, area_id=garage.id)
    assert set(rows) == {FAILING, PLUG}
    assert queued(rows) == {FAILING, PLUG}


async def test_floor_target(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A floor stands for its areas."""
    floor = fr.async_get(hass).async_create("Ground floor")
    kitchen = ar.async_get(hass).async_create("Kitchen", floor_id=floor.floor_id)
    dr.async_get(hass).async_update_device(ha_device_id(hass, PLUG_ENTITY), area_id=kitchen.id)
    rows = await update_all(hass, floor_id=floor.floor_id)
    assert set(rows) == {PLUG}


async def test_label_target(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A label on an entity, on a device or on an area."""
    label = lr.async_get(hass).async_create("Night")
    er.async_get(hass).async_update_entity(PLUG_ENTITY, labels={label.label_id})
    dr.async_get(hass).async_update_device(
        ha_device_id(hass, DIMMER_ENTITY), labels={label.label_id}
    )
    attic = ar.async_get(hass).async_create("Attic", labels={label.label_id})
    dr.async_get(hass).async_update_device(ha_device_id(hass, FAILING_ENTITY), area_id=attic.id)
    rows = await update_all(hass, label_id=label.label_id)
    assert set(rows) == {PLUG, DIMMER, FAILING}
    assert queued(rows) == {PLUG, DIMMER, FAILING}


@pytest.mark.parametrize(
    "target",
    [{"entity_id": []}, {"entity_id": "none"}, {"area_id": "no_such_area"}, {"label_id": []}],
)
async def test_target_resolving_to_nothing_queues_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, target: dict[str, Any]
) -> None:
    """A target given but naming none of the firmware entities: nothing at all happens."""
    assert await update_all(hass, **target) == {}
    assert init_integration.runtime_data.queue.active_count == 0


async def test_entity_target_all_is_every_entity(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """entity_id: all, as in Home Assistant's own targets."""
    rows = await update_all(hass, entity_id="all")
    assert queued(rows) == INSTALLABLE
    assert rows[OFFLINE]["reason"] == "offline"


async def test_hidden_entity_only_when_named(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A hidden entity is left out of a device target, as Home Assistant does, unless named."""
    er.async_get(hass).async_update_entity(DIMMER_ENTITY, hidden_by=er.RegistryEntryHider.USER)
    assert await update_all(hass, device_id=ha_device_id(hass, DIMMER_ENTITY)) == {}
    rows = await update_all(hass, entity_id=DIMMER_ENTITY)
    assert queued(rows) == {DIMMER}


# --- the blueprint --------------------------------------------------------------------


async def run_blueprint_at_night(
    hass: HomeAssistant, clock: Clock, entry: MockConfigEntry, **inputs: Any
) -> list[ServiceCall]:
    """Set up the blueprint with these inputs, let it run at 03:00, return the notifications."""
    notifications = await use_night_blueprint(hass, entry, only_when_updates=False, **inputs)
    await run_through_the_night(clock, entry, notifications)
    return notifications


@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_blueprint_garage_but_never_local_only(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """Everything in the garage at 3 am, never the devices labelled local-only."""
    garage = ar.async_get(hass).async_create("Garage")
    local_only = lr.async_get(hass).async_create("local-only")
    devices = dr.async_get(hass)
    for entity_id in (FAILING_ENTITY, PLUG_ENTITY, DIMMER_ENTITY):
        devices.async_update_device(ha_device_id(hass, entity_id), area_id=garage.id)
    devices.async_update_device(ha_device_id(hass, PLUG_ENTITY), labels={local_only.label_id})
    notifications = await run_blueprint_at_night(
        hass,
        clock,
        init_integration,
        only_areas=[garage.id],
        never_labels=[local_only.label_id],
    )
    assert {device_id for device_id, _, _ in sim.start_calls} == {FAILING, DIMMER}
    message = notifications[0].data["message"]
    assert message.startswith("1 updated, 1 failed.")
    assert "Hall Dimmer" in message
    assert "Kitchen Plug" not in message


@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_blueprint_area_without_firmware_updates_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """An area that holds no firmware entity: nothing is updated (not everything)."""
    empty = ar.async_get(hass).async_create("Empty room")
    notifications = await run_blueprint_at_night(
        hass, clock, init_integration, only_areas=[empty.id]
    )
    assert sim.start_calls == []
    assert notifications[0].data["message"].startswith("0 updated, 0 failed.")


@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_blueprint_label_only(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """Only the devices with a label, the label on the firmware entity itself."""
    night = lr.async_get(hass).async_create("night")
    er.async_get(hass).async_update_entity(PLUG_ENTITY, labels={night.label_id})
    await run_blueprint_at_night(hass, clock, init_integration, only_labels=[night.label_id])
    assert {device_id for device_id, _, _ in sim.start_calls} == {PLUG}
