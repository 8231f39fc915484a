"""Setup, retries, unload, devices, sensors, restarts, a damaged store, secrets kept out of logs."""

from __future__ import annotations

import logging
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.compat import own_device
from custom_components.tuya_ota.const import DOMAIN
from tests.timetravel import START_INSTANTS, Clock
from tuya_sim import TuyaCloudSimulator

from .actions import every_card_shows_versions, install, queue_idle, refresh, shows_progress
from .home import ACCESS_SECRET, FAILING_ENTITY, PLUG, PLUG_ENTITY


async def test_setup_fails_then_retries(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: TuyaCloudSimulator
) -> None:
    """A cloud error at setup retries later instead of failing for good."""
    sim.fail_next("/members", http_status=500)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_with_bad_credentials_asks_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: TuyaCloudSimulator
) -> None:
    """Wrong credentials at setup start reauthentication."""
    sim.access_secret = "rotatedsecret00000000000000000001"
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    assert [flow["context"]["source"] for flow in hass.config_entries.flow.async_progress()] == [
        "reauth"
    ]


async def test_unload_leaves_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, clock: Clock
) -> None:
    """Unload stops timers and tasks; the entry can be removed and its store goes too."""
    await install(hass, PLUG_ENTITY)
    store = init_integration.runtime_data.store
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert PLUG in store.jobs()  # kept for the next setup
    assert clock.timers_of("tuya_ota") == []
    assert await hass.config_entries.async_remove(init_integration.entry_id)


async def test_device_registry(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Each Tuya device is one device, plus one service device for the home's summary."""
    device = own_device(hass, init_integration.entry_id, PLUG)
    assert device is not None
    assert device.name == "Kitchen Plug"
    assert device.manufacturer == "Tuya"
    assert device.model == "Smart Plug"


async def test_summary_sensors(
    hass: HomeAssistant, init_integration: MockConfigEntry, clock: Clock
) -> None:
    """Counts of updates available and queued/running follow the queue."""
    available = "sensor.test_home_updates_available"
    running = "sensor.test_home_updates_queued_or_running"
    assert hass.states.get(available).state == "7"
    assert hass.states.get(running).state == "0"
    await install(hass, PLUG_ENTITY)
    assert hass.states.get(running).state == "1"
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert hass.states.get(available).state == "6"
    assert hass.states.get(running).state == "0"


async def test_restart_shows_last_versions_at_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator
) -> None:
    """After a restart the stored versions show before any firmware read."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    sim.reset_calls()
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(PLUG_ENTITY).attributes["installed_version"] == "1.0.0"
    assert sim.call_count("/firmware") == 0
    assert sim.call_count() <= 5


@pytest.mark.entry_options(pilot_per_product=False)  # devices of one product
async def test_secrets_never_logged(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A whole session at DEBUG: setup, install, errors, token refresh, reauth."""
    caplog.set_level(logging.DEBUG)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert await clock.advance(60, until=every_card_shows_versions(config_entry))
    await install(hass, PLUG_ENTITY, FAILING_ENTITY)
    assert await clock.advance(60, until=shows_progress(hass, PLUG_ENTITY, at_least=20))
    sim.expire_tokens()
    sim.fail_next("/progress", http_status=500)
    assert await clock.advance(3600, until=queue_idle(config_entry))
    sim.fail_next("/devices", code=1106)
    await refresh(hass, config_entry)
    sim.access_secret = "rotatedsecret00000000000000000001"
    sim.revoke_refresh_tokens()
    sim.expire_tokens()
    await refresh(hass, config_entry)
    secrets = [ACCESS_SECRET, "plugsecretlocalkey", *sim.issued_tokens()]
    assert len(secrets) > 3
    for secret in secrets:
        assert secret not in caplog.text


# The request's timeout runs on the loop's clock: time ticks on from a chosen instant.
@pytest.mark.freeze_time(START_INSTANTS[0], tick=True)
async def test_cloud_timeout_at_setup_retries(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: TuyaCloudSimulator
) -> None:
    """A cloud that does not answer in time: setup is retried later, nothing hangs."""
    sim.delay_next(2.0, "/members")
    config_entry.add_to_hass(hass)
    with patch("custom_components.tuya_ota.REQUEST_TIMEOUT_S", 0.2):
        await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    await sim.stop()  # releases the held request


@pytest.mark.parametrize(
    "stored",
    [
        "garbage",
        {"firmware": "x", "jobs": 5},
        {
            "firmware": {PLUG: {"checked_at": "soon", "channels": []}, "x": {"channels": [1]}},
            "jobs": {PLUG: {"channels": "0"}},
        },
        {"firmware": {PLUG: {"checked_at": 1.0, "channels": [{"unknown": 1}]}}, "jobs": {}},
    ],
)
async def test_damaged_store_is_ignored(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    clock: Clock,
    stored: object,
) -> None:
    """A damaged stored state never blocks the setup; the firmware is read again."""
    hass_storage[f"{DOMAIN}.{config_entry.entry_id}"] = {"version": 1, "data": stored}
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert await clock.advance(60, until=every_card_shows_versions(config_entry))
    assert hass.states.get(PLUG_ENTITY).attributes["installed_version"] == "1.0.0"


async def test_unreadable_store_is_logged_and_ignored(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A stored state the disk cannot give back is logged; the setup reads firmware afresh."""
    config_entry.add_to_hass(hass)
    with patch("homeassistant.helpers.storage.Store.async_load", side_effect=OSError("I/O error")):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert await clock.advance(60, until=every_card_shows_versions(config_entry))
    assert "Ignoring unreadable stored firmware state: I/O error" in caplog.text
    assert hass.states.get(PLUG_ENTITY).attributes["installed_version"] == "1.0.0"


async def test_home_without_devices(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """A home without devices sets up, reads no firmware and has nothing to update."""
    for device in sim.devices:
        sim.remove_device(device.device_id)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await clock.advance(60)
    assert config_entry.state is ConfigEntryState.LOADED
    assert hass.states.async_entity_ids("update") == []
    assert hass.states.get("sensor.test_home_updates_available").state == "0"
    assert sim.call_count("/firmware") == 0
