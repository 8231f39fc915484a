"""Bulk updates: one queue per home, "Update all", the update_all action, a restart mid-run."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.components.update import ATTR_IN_PROGRESS, ATTR_UPDATE_PERCENTAGE
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.const import DOMAIN
from tests.conftest import StartSimulator
from tests.timetravel import Clock
from tests.update_events import FinishedUpdates
from tuya_sim import SimDevice, SimFirmware, TuyaCloudSimulator

from .actions import install, queue_idle
from .home import HOME_ID, simulator_with_owner_home

UPDATE_SECONDS = 60.0
WIFI = [f"bf0000000000000wifi{i:02d}" for i in range(8)]
SUBS = [f"bf00000000000000sub{i:02d}" for i in range(4)]
OFFLINE = WIFI[6]
FAILING = WIFI[7]


@pytest.fixture
async def sim(start_simulator: StartSimulator) -> TuyaCloudSimulator:
    """A home of twelve devices: eight Wi-Fi (one offline, one failing), four sub-devices.

    Each is a product of its own, so that no product waits for a pilot of its own: the
    pilots are test_pilots.py's.
    """
    simulator = simulator_with_owner_home()
    for device_id in WIFI + SUBS:
        simulator.add_device(
            HOME_ID,
            SimDevice(
                device_id=device_id,
                name=f"Device {device_id[-5:]}",
                product_id=f"product{device_id[-5:]}",
                online=device_id != OFFLINE,
                sub=device_id in SUBS,
                firmware=[
                    SimFirmware(
                        channel=3 if device_id in SUBS else 0,
                        current_version="1.0.0",
                        version="2.0.0",
                        update_seconds=UPDATE_SECONDS,
                        fail_at_percent=50 if device_id == FAILING else None,
                    )
                ],
            ),
        )
    return await start_simulator(simulator)


def entity_of(hass: HomeAssistant, device_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("update", DOMAIN, device_id)
    assert entity_id is not None
    return entity_id


async def test_install_all_twelve(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """One install call with every entity, as the frontend's "Update all" sends it."""
    finished = FinishedUpdates(hass)
    entity_ids = [entity_of(hass, device_id) for device_id in WIFI + SUBS]
    await install(hass, *entity_ids)
    # Three start at once; the rest show queued: in progress without a percentage.
    assert len(sim.start_calls) == 3
    queued = [
        hass.states.get(entity_id)
        for entity_id in entity_ids
        if entity_id != entity_of(hass, OFFLINE)
    ]
    assert all(state.attributes[ATTR_IN_PROGRESS] is True for state in queued)
    assert sum(state.attributes[ATTR_UPDATE_PERCENTAGE] is None for state in queued) >= 8
    assert hass.states.get("sensor.test_home_updates_queued_or_running").state == "11"

    assert await clock.advance(3600, until=queue_idle(init_integration))

    assert sim.max_concurrent_updates() == 3
    assert sim.max_concurrent_updates(sub_only=True) == 1
    assert OFFLINE not in {call[0] for call in sim.start_calls}
    results = {event.data["tuya_device_id"]: event.data["result"] for event in finished.events}
    assert len(finished.events) == 11 == len(results)
    assert results.pop(FAILING) == "failed"
    assert set(results.values()) == {"success"}
    for device_id in WIFI + SUBS:
        state = hass.states.get(entity_of(hass, device_id))
        if device_id == OFFLINE:
            assert state.state == STATE_UNAVAILABLE
        elif device_id == FAILING:
            assert state.state == STATE_ON
            assert state.attributes[ATTR_IN_PROGRESS] is False
        else:
            assert state.state == STATE_OFF
            assert state.attributes["installed_version"] == "2.0.0"
    assert hass.states.get("sensor.test_home_updates_queued_or_running").state == "0"
    assert hass.states.get("sensor.test_home_updates_available").state == "2"


async def test_update_all_without_wait(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """The response lists every device as queued or skipped with a reason."""
    sim.set_online(WIFI[0], online=True)
    response = await hass.services.async_call(
        DOMAIN, "update_all", {}, blocking=True, return_response=True
    )
    devices: dict[str, dict[str, Any]] = response["devices"]
    by_tuya_id = {row["tuya_device_id"]: (key, row) for key, row in devices.items()}
    assert set(by_tuya_id) == set(WIFI + SUBS)
    key, offline = by_tuya_id[OFFLINE]
    assert offline["result"] == "skipped"
    assert offline["reason"] == "offline"
    queued = [row for _, row in by_tuya_id.values() if row["result"] == "queued"]
    assert len(queued) == 11
    row = by_tuya_id[WIFI[0]][1]
    assert row["from_version"] == "1.0.0"
    assert row["to_version"] == "2.0.0"
    assert row["entity_id"] == entity_of(hass, WIFI[0])
    registry_entry = er.async_get(hass).async_get(row["entity_id"])
    assert by_tuya_id[WIFI[0]][0] == registry_entry.device_id

    # A second call while they run: everything is skipped as in progress.
    response = await hass.services.async_call(
        DOMAIN,
        "update_all",
        {"config_entry_id": init_integration.entry_id},
        blocking=True,
        return_response=True,
    )
    reasons = {row["reason"] for row in response["devices"].values()}
    assert reasons == {"in_progress", "offline"}
    assert await clock.advance(3600, until=queue_idle(init_integration))


async def test_update_all_with_wait(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """With wait, the answer comes when every update has ended, with each result.

    The call waits on time itself (Home Assistant may run it as a task of its own).
    """
    clock.tasks_may_wait_on_time = True
    call = asyncio.ensure_future(
        hass.services.async_call(
            DOMAIN, "update_all", {"wait": True}, blocking=True, return_response=True
        )
    )
    await asyncio.sleep(0)
    assert await clock.advance(3600, until=queue_idle(init_integration))
    response = await call
    results = {row["tuya_device_id"]: row["result"] for row in response["devices"].values()}
    assert results.pop(FAILING) == "failed"
    assert results.pop(OFFLINE) == "skipped"
    assert set(results.values()) == {"success"}


async def test_restart_mid_run(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """Unloading and setting up again follows running updates and keeps the queue."""
    finished = FinishedUpdates(hass)
    await hass.services.async_call(DOMAIN, "update_all", {}, blocking=True, return_response=True)
    assert await clock.advance(600, until=finished.any_ended)
    running_before = set(sim.updating_devices())
    assert running_before
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await clock.advance(20)  # the cloud goes on while Home Assistant is down
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    for device_id in running_before:
        assert hass.states.get(entity_of(hass, device_id)).attributes[ATTR_IN_PROGRESS] is True
    assert await clock.advance(3600, until=queue_idle(init_integration))

    results = [event.data["tuya_device_id"] for event in finished.events]
    assert sorted(results) == sorted(set(WIFI + SUBS) - {OFFLINE})
    assert sim.max_concurrent_updates() <= 3
    for device_id in set(WIFI + SUBS) - {OFFLINE, FAILING}:
        assert hass.states.get(entity_of(hass, device_id)).state == STATE_OFF
    starts = [call[0] for call in sim.start_calls]
    assert len(starts) == len(set(starts))  # nothing started twice
