"""Where the firmware entities live: on the core tuya integration's device when it has one.

The same tests run on Home Assistant 2025.4 (a device may carry several config entries) and on
2026.8 and later (a device belongs to one config entry, entities link to other entries'
devices), including an installation upgraded from before 2026.8.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    category_registry as cr,
    device_registry as dr,
    entity_registry as er,
    floor_registry as fr,
    issue_registry as ir,
    label_registry as lr,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.compat import (
    ONE_CONFIG_ENTRY_PER_DEVICE,
    core_tuya_device,
    own_device,
)
from custom_components.tuya_ota.const import DOMAIN
from tests.timetravel import Clock

from .actions import every_card_shows_versions
from .home import DIMMER, PLUG, PLUG_ENTITY

BEFORE_2026_8 = Path(__file__).parent / "fixtures" / "registries_before_2026_8.json"
CORE_ENTRY_ID = "01JR0TUYACORE0000000000000"
OUR_ENTRY_ID = "01JR0TUYAOTA00000000000000"


def _devices_of(hass: HomeAssistant, entry_id: str) -> list[dr.DeviceEntry]:
    return dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)


def _twins(hass: HomeAssistant, entry_id: str) -> list[dr.DeviceEntry]:
    """Devices of this entry, other than the core device itself, with tuya identifiers."""
    core = core_tuya_device(hass, PLUG)
    return [
        device
        for device in _devices_of(hass, entry_id)
        if any(domain == "tuya" for domain, _ in device.identifiers)
        and (core is None or device.id != core.id)
    ]


def _only_core_entry_on(device: dr.DeviceEntry, core_entry_id: str, our_entry_id: str) -> bool:
    """From 2026.8 the core device is the core entry's alone; before, it carries both."""
    if ONE_CONFIG_ENTRY_PER_DEVICE:
        return bool(device.config_entry_id == core_entry_id)  # type: ignore[attr-defined,unused-ignore]
    return device.config_entries == {core_entry_id, our_entry_id}


async def test_entity_on_core_device_and_no_twin(
    hass: HomeAssistant, config_entry: MockConfigEntry, clock: Clock
) -> None:
    """A device the core tuya integration has shows the firmware on its own device page."""
    tuya_entry = MockConfigEntry(domain="tuya", title="Smart Life")
    tuya_entry.add_to_hass(hass)
    core_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=tuya_entry.entry_id, identifiers={("tuya", PLUG)}, name="Kitchen Plug"
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert await clock.advance(60, until=every_card_shows_versions(config_entry))

    entity = er.async_get(hass).async_get(PLUG_ENTITY)
    assert entity is not None
    assert entity.device_id == core_device.id
    assert own_device(hass, config_entry.entry_id, PLUG) is None
    assert _twins(hass, config_entry.entry_id) == []
    core_after = core_tuya_device(hass, PLUG)
    assert core_after is not None
    assert _only_core_entry_on(core_after, tuya_entry.entry_id, config_entry.entry_id)
    # A device the core integration lacks still gets a device of this entry.
    dimmer = own_device(hass, config_entry.entry_id, DIMMER)
    assert dimmer is not None
    assert dimmer.name == "Hall Dimmer"
    state = hass.states.get(PLUG_ENTITY)
    assert state is not None
    assert state.attributes["latest_version"] == "1.1.0"


async def _load_registries(hass: HomeAssistant) -> None:
    """Load the registries from storage, as Home Assistant does when it starts."""
    if (setup := getattr(dr, "async_setup", None)) is not None:  # 2026.8 and later
        setup(hass)
    await ar.async_load(hass)
    await cr.async_load(hass)
    await fr.async_load(hass)
    await lr.async_load(hass)
    await dr.async_load(hass)
    await er.async_load(hass)
    await ir.async_load(hass)


# Loading the registries by hand arms the device registry's cleanup debouncer.
@pytest.mark.parametrize(("load_registries", "expected_lingering_timers"), [(False, True)])
async def test_upgrade_from_before_2026_8(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    clock: Clock,
) -> None:
    """An installation made on 2025.4 keeps its entity ids and ends with no twin device.

    The stored registries are those 2025.4 left: the core device carried both entries. From
    2026.8 Home Assistant splits such a device at load, one per entry; the integration moves
    its entity back onto the core device and removes its twin.
    """
    stored = json.loads(BEFORE_2026_8.read_text())
    hass_storage.update(stored)
    tuya_entry = MockConfigEntry(domain="tuya", title="Smart Life", entry_id=CORE_ENTRY_ID)
    tuya_entry.add_to_hass(hass)
    ours = MockConfigEntry(
        domain=DOMAIN,
        title=config_entry.title,
        unique_id=config_entry.unique_id,
        data=dict(config_entry.data),
        entry_id=OUR_ENTRY_ID,
    )
    ours.add_to_hass(hass)
    await _load_registries(hass)
    entity_ids_before = {
        item["entity_id"]
        for item in stored["core.entity_registry"]["data"]["entities"]
        if item["config_entry_id"] == OUR_ENTRY_ID
    }

    assert await hass.config_entries.async_setup(ours.entry_id)
    await hass.async_block_till_done()
    assert await clock.advance(60, until=every_card_shows_versions(ours))

    entities = er.async_get(hass)
    assert entity_ids_before <= {
        e.entity_id for e in er.async_entries_for_config_entry(entities, OUR_ENTRY_ID)
    }
    core_device = core_tuya_device(hass, PLUG)
    assert core_device is not None
    assert core_device.name == "Kitchen Plug"
    plug = entities.async_get(PLUG_ENTITY)
    assert plug is not None
    assert plug.device_id == core_device.id
    assert _twins(hass, OUR_ENTRY_ID) == []
    assert _only_core_entry_on(core_device, CORE_ENTRY_ID, OUR_ENTRY_ID)
    # The core integration's own entity stays where it was.
    switch = entities.async_get("switch.kitchen_plug_socket_1")
    assert switch is not None
    assert switch.device_id == core_device.id
    state = hass.states.get(PLUG_ENTITY)
    assert state is not None
    assert state.attributes["latest_version"] == "1.1.0"
