"""The queue's edge cases: refusals found at start, updates started elsewhere, timeouts."""

from __future__ import annotations

import time

from homeassistant.components.update import ATTR_IN_PROGRESS
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.const import DOMAIN, UPDATE_SAFETY_LIMIT
from tests.timetravel import Clock
from tests.update_events import FinishedUpdates
from tuya_sim import SimDevice, SimFirmware, TuyaCloudSimulator

from .actions import every_card_shows_versions, install, queue_idle, refresh
from .home import DIMMER, DIMMER_ENTITY, FAILING_ENTITY, HOME_ID, PLUG, PLUG_ENTITY


async def test_cloud_error_at_start(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator
) -> None:
    """The re-read before the start fails: a translated error, no start call."""
    sim.fail_next("/firmware", http_status=500)
    with pytest.raises(HomeAssistantError) as err:
        await install(hass, PLUG_ENTITY)
    assert err.value.translation_key == "start_failed"
    assert sim.start_calls == []
    assert hass.states.get(PLUG_ENTITY).attributes[ATTR_IN_PROGRESS] is False


@pytest.mark.parametrize("answers_offline", ["start", "re-read"])
async def test_device_offline_for_the_cloud(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    answers_offline: str,
) -> None:
    """The list still says online, the start call or the re-read before it answers 2001:
    refused as offline."""
    if answers_offline == "start":
        sim.set_online(PLUG, online=False)
    else:
        sim.fail_next(f"{PLUG}/firmware", code=2001)
    with pytest.raises(HomeAssistantError) as err:
        await install(hass, PLUG_ENTITY)
    assert err.value.translation_key == "refused_offline"
    assert sim.start_calls == []


async def test_nothing_left_after_reread(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator
) -> None:
    """Firmware withdrawn since the last read: refused, and the entity turns up to date."""
    firmware = sim.get_device(PLUG).firmware[0]
    firmware.version = firmware.current_version
    firmware.upgrade_status = 0
    with pytest.raises(HomeAssistantError) as err:
        await install(hass, PLUG_ENTITY)
    assert err.value.translation_key == "refused_up_to_date"
    assert hass.states.get(PLUG_ENTITY).state == STATE_OFF


async def test_one_channel_refused_other_runs(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """When one of several channels does not start, the others still update."""
    sim.fail_next("/firmware/9", code=1109)
    finished = FinishedUpdates(hass)
    await install(hass, DIMMER_ENTITY)
    assert [channel for device, channel, _ in sim.start_calls if device == DIMMER] == [0]
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert finished.results == ["success"]
    state = hass.states.get(DIMMER_ENTITY)
    assert state.attributes["installed_version"] == "Main 2.1.0 / MCU 1.0.4"
    assert state.attributes["latest_version"] == "Main 2.1.0 / MCU 1.0.5"


async def test_queued_device_goes_offline(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """A queued job whose device goes offline is dropped when its turn comes."""
    init_integration.runtime_data.queue.max_parallel = 1
    await install(hass, DIMMER_ENTITY)
    await install(hass, PLUG_ENTITY)
    assert hass.states.get(PLUG_ENTITY).attributes[ATTR_IN_PROGRESS] is True
    sim.set_online(PLUG, online=False)
    await refresh(hass, init_integration)
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert PLUG not in {device for device, _, _ in sim.start_calls}


async def test_update_started_in_the_app_is_followed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """An update the cloud reports running is shown in progress and followed to its end."""
    assert await async_setup_component(hass, "homeassistant", {})
    finished = FinishedUpdates(hass)
    await init_integration.runtime_data.client.start_firmware_update(PLUG, 0)
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: PLUG_ENTITY}, blocking=True
    )
    assert hass.states.get(PLUG_ENTITY).attributes[ATTR_IN_PROGRESS] is True
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert finished.results == ["success"]
    assert hass.states.get(PLUG_ENTITY).state == STATE_OFF


async def test_update_the_cloud_never_ends_times_out(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """The cloud reports updating forever: only the safety limit ends the job, as timeout."""
    sim.add_device(
        HOME_ID,
        SimDevice(
            device_id="bf00000000000000stuck",
            name="Stuck Plug",
            firmware=[
                SimFirmware(
                    channel=0,
                    current_version="1.0.0",
                    version="1.1.0",
                    update_seconds=None,
                    timeout_s=None,
                )
            ],
        ),
    )
    await refresh(hass, init_integration)
    await clock.advance(5)
    finished = FinishedUpdates(hass)
    await install(hass, "update.stuck_plug_firmware")
    started = time.time()
    limit = UPDATE_SAFETY_LIMIT.total_seconds()
    assert not await clock.advance(limit - 60, until=finished.any_ended)
    assert hass.states.get("update.stuck_plug_firmware").attributes[ATTR_IN_PROGRESS] is True
    assert await clock.advance(3600, until=finished.any_ended)
    assert finished.results == ["timeout"]
    assert limit <= time.time() - started <= limit + 60
    assert hass.states.get("update.stuck_plug_firmware").attributes[ATTR_IN_PROGRESS] is False


async def test_firmware_reads_back_off_after_errors(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """A failing cloud pauses the schedule instead of hammering it; reads then resume."""
    sim.fail_next("/firmware", http_status=500, count=3)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await clock.advance(30)
    assert sim.call_count("/firmware") == 1
    # Three failures pause the reads 60, 120 and 240 s; then every card shows its versions.
    assert await clock.advance(60 + 120 + 240 + 30, until=every_card_shows_versions(config_entry))
    assert hass.states.get(FAILING_ENTITY).attributes["installed_version"] == "1.0.0"


async def test_update_all_is_for_admins(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_read_only_user: object,
) -> None:
    """A user who is not an administrator may not start firmware updates."""
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "update_all",
            {},
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),  # type: ignore[attr-defined]
        )


async def test_update_all_unknown_or_unloaded_entry(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A wrong entry id and an unloaded entry give clear errors."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "update_all", {"config_entry_id": "nope"}, blocking=True
        )
    assert err.value.translation_key == "entry_not_found"
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "update_all", {"config_entry_id": init_integration.entry_id}, blocking=True
        )
    assert err.value.translation_key == "entry_not_loaded"
