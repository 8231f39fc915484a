"""Faults survived: cloud errors, garbage, expired tokens, rate limits, offline and gone devices."""

from __future__ import annotations

import itertools
import logging

from homeassistant.components.update import (
    ATTR_IN_PROGRESS,
)
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.compat import own_device
from tests.timetravel import DAY_S, Clock
from tests.update_events import FinishedUpdates
from tuya_sim import SimDevice, SimFirmware, TuyaCloudSimulator

from .actions import every_card_shows_versions, install, queue_idle, refresh, shows_progress
from .home import (
    CURRENT,
    CURRENT_ENTITY,
    FAILING,
    FAILING_ENTITY,
    HOME_ID,
    PLUG,
    PLUG_ENTITY,
    SLEEPY,
)


@pytest.mark.parametrize(
    "fault",
    [
        {"http_status": 500},
        {"http_status": 502, "body": b"<html>Bad gateway</html>"},
        {"code": 500},
        {"http_status": 200, "body": b"not json at all"},
        {"http_status": 200, "body": b'{"success": true, "result": "nonsense"}'},
        {"http_status": 200, "body": b'{"success": true, "result": [{"name": 5}]}'},
        {"http_status": 200, "body": b'{"result": []}'},
        {"http_status": 429},
        {"code": 1110},
    ],
)
async def test_cloud_fault_makes_entities_unavailable_then_recovers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    caplog: pytest.LogCaptureFixture,
    fault: dict[str, object],
) -> None:
    """Errors and garbage make entities unavailable, logged once; the next refresh recovers."""
    sim.fail_next("/devices", count=2, **fault)  # type: ignore[arg-type]
    await refresh(hass, init_integration)
    await refresh(hass, init_integration)
    assert hass.states.get(PLUG_ENTITY).state == STATE_UNAVAILABLE
    assert init_integration.state is ConfigEntryState.LOADED
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and "Error" in r.message]
    assert len(errors) == 1
    await refresh(hass, init_integration)
    assert hass.states.get(PLUG_ENTITY).state == STATE_ON


async def test_token_expiry_mid_update(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """An access token that expires during an update is refreshed once; the update ends well."""
    finished = FinishedUpdates(hass)
    await install(hass, PLUG_ENTITY)
    assert await clock.advance(60, until=shows_progress(hass, PLUG_ENTITY, at_least=20))
    sim.expire_tokens()
    refreshes = sim.call_count("/v1.0/token/")
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert sim.call_count("/v1.0/token/") == refreshes + 1
    assert finished.results == ["success"]
    assert hass.states.get(PLUG_ENTITY).state == STATE_OFF


async def test_expiry_storm_makes_one_refresh(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """Many calls failing with 1010 together lead to a single refresh."""
    assert await async_setup_component(hass, "homeassistant", {})
    sim.expire_tokens()
    refreshes = sim.call_count("/v1.0/token/")
    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {ATTR_ENTITY_ID: [PLUG_ENTITY, FAILING_ENTITY, CURRENT_ENTITY]},
        blocking=True,
    )
    assert sim.call_count("/v1.0/token/") == refreshes + 1


async def test_wrong_secret_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator
) -> None:
    """A secret the cloud no longer accepts starts reauthentication; devices are kept."""
    assert await async_setup_component(hass, "homeassistant", {})
    sim.access_secret = "rotatedsecret00000000000000000001"
    sim.expire_tokens()
    sim.revoke_refresh_tokens()
    await refresh(hass, init_integration)
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert er.async_get(hass).async_get(PLUG_ENTITY) is not None


async def test_rate_limited_bulk_slows_down(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """Rate-limited starts are retried after a back-off; nothing fails, nothing hammers."""
    finished = FinishedUpdates(hass)
    sim.fail_next("/firmware", code=1110, count=4)
    await install(hass, PLUG_ENTITY, CURRENT_ENTITY.replace("desk_lamp", "hall_dimmer"))
    limited = [call for call in sim.calls if call.code == 1110]
    assert len(limited) <= 4
    assert await clock.advance(3600, until=queue_idle(init_integration))
    limited = [call for call in sim.calls if call.code == 1110]
    assert len(limited) == 4
    # Each device backs off on its own: its own retries are spaced, not those of two devices.
    for path in {call.path for call in limited}:
        times = [call.time for call in limited if call.path == path]
        assert all(later - earlier >= 0.9 for earlier, later in itertools.pairwise(times))
    assert sorted(finished.results) == ["success", "success"]


async def test_clock_skew_is_retried(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One 1013 answer is retried with a fresh timestamp and logged with what to check."""
    sim.fail_next("/firmware", code=1013, count=1)
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: PLUG_ENTITY}, blocking=True
    ) if await async_setup_component(hass, "homeassistant", {}) else None
    assert "clock" in caplog.text
    assert sim.start_calls == []


async def test_offline_mid_update_times_out_and_queue_goes_on(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """A device that goes offline during its update ends as timeout; the queue goes on."""
    await hass.config_entries.async_reload(init_integration.entry_id)  # max_parallel stays 3
    await hass.async_block_till_done()
    finished = FinishedUpdates(hass)
    await install(hass, PLUG_ENTITY)
    assert await clock.advance(60, until=shows_progress(hass, PLUG_ENTITY, at_least=20))
    sim.set_online(PLUG, online=False)
    await refresh(hass, init_integration)
    assert hass.states.get(PLUG_ENTITY).state == STATE_UNAVAILABLE
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert finished.results == ["timeout"]
    sim.set_online(PLUG, online=True)
    await refresh(hass, init_integration)
    state = hass.states.get(PLUG_ENTITY)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_IN_PROGRESS] is False
    await install(hass, FAILING_ENTITY)
    assert [call[0] for call in sim.start_calls][-1] == FAILING


async def test_device_removed_and_added(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """A device gone from two lists in a row loses its entity and device; a new one appears."""
    assert own_device(hass, init_integration.entry_id, CURRENT) is not None
    sim.remove_device(CURRENT)
    sim.add_device(
        HOME_ID,
        SimDevice(
            device_id="bf000000000000newplug",
            name="New Plug",
            firmware=[SimFirmware(channel=0, current_version="1.0.0", version="1.5.0")],
        ),
    )
    await refresh(hass, init_integration)
    assert hass.states.get(CURRENT_ENTITY).state == STATE_UNAVAILABLE  # missing once: kept
    await refresh(hass, init_integration)
    assert await clock.advance(60, until=every_card_shows_versions(init_integration))
    assert er.async_get(hass).async_get(CURRENT_ENTITY) is None
    assert hass.states.get(CURRENT_ENTITY) is None
    assert own_device(hass, init_integration.entry_id, CURRENT) is None
    state = hass.states.get("update.new_plug_firmware")
    assert state is not None
    assert state.state == STATE_ON


async def test_firmware_read_of_gone_device_refreshes_list(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
) -> None:
    """A firmware read answering 2010 (device gone) refreshes the list, which drops it."""
    assert await async_setup_component(hass, "homeassistant", {})
    sim.remove_device(FAILING)
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: FAILING_ENTITY}, blocking=True
    )
    await hass.async_block_till_done()
    await refresh(hass, init_integration)
    assert hass.states.get(FAILING_ENTITY) is None
    assert sim.start_calls == []


async def test_update_entity_cloud_error(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failed on-demand read is reported, and the last known firmware stays."""
    assert await async_setup_component(hass, "homeassistant", {})
    sim.fail_next("/firmware", http_status=500)
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: PLUG_ENTITY}, blocking=True
    )
    assert "Error talking to the Tuya cloud" in caplog.text or "fails" in caplog.text
    assert hass.states.get(PLUG_ENTITY).state == STATE_ON


async def test_update_entity_reads_firmware_now(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
) -> None:
    """homeassistant.update_entity reads that one device's firmware at once."""
    assert await async_setup_component(hass, "homeassistant", {})
    sim.publish_firmware(CURRENT, 0, "4.1.0", desc="New")
    sim.reset_calls()
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: CURRENT_ENTITY}, blocking=True
    )
    assert [call.path for call in sim.calls] == [f"/v2.0/cloud/thing/{CURRENT}/firmware"]
    assert hass.states.get(CURRENT_ENTITY).attributes["latest_version"] == "4.1.0"


def update_cards(hass: HomeAssistant) -> dict[str, tuple[str, dict[str, object]]]:
    return {
        state.entity_id: (state.state, dict(state.attributes))
        for state in hass.states.async_all("update")
    }


async def test_scheduled_read_of_an_offline_device_keeps_its_firmware(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """A scheduled read answering 2001 (offline) keeps what the cards show; that device is
    read again on a later slot, not at once."""
    shown = update_cards(hass)
    sim.reset_calls()
    sim.fail_next("/firmware", code=2001)

    def reads_of_the_offline_device() -> list[int]:
        reads = [call for call in sim.calls if call.kind == "firmware"]
        return [call.code for call in reads if call.path == reads[0].path] if reads else []

    assert await clock.advance(DAY_S, until=lambda: reads_of_the_offline_device() != [])
    assert update_cards(hass) == shown
    # The longest gap between two reads of a device: its slow slot plus one firmware period.
    tracker = init_integration.runtime_data.firmware
    longest_gap = tracker.slow_period_s + tracker.period_s
    offline_at = clock.now()
    assert await clock.advance(longest_gap, until=lambda: len(reads_of_the_offline_device()) > 1)
    assert reads_of_the_offline_device() == [2001, 0]
    assert clock.now() - offline_at > 3600


async def test_offline_follower_of_an_offer_is_not_read_again_and_again(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """A new offer has the rest of its group read once; one that answers offline waits for
    its own slot instead of being read again every half second."""
    assert await async_setup_component(hass, "homeassistant", {})
    sim.publish_firmware(PLUG, 0, "1.3.0")
    sim.fail_next(f"/{SLEEPY}/firmware", code=2001, count=1000)
    sim.reset_calls()
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: PLUG_ENTITY}, blocking=True
    )
    await clock.advance(600)
    assert [call.code for call in sim.calls if call.path.endswith(f"/{SLEEPY}/firmware")] == [2001]


async def test_scheduled_read_of_a_gone_device_reads_the_list(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """A scheduled read answering 2010 (device gone) reads the device list at once."""
    sim.reset_calls()
    sim.fail_next("/firmware", code=2010)
    await clock.advance(DAY_S)
    gone = next(index for index, call in enumerate(sim.calls) if call.kind == "firmware")
    assert sim.calls[gone].code == 2010
    listed = sim.calls[gone + 1 : gone + 3]
    assert [call.kind for call in listed] == ["members", "devices"]
    assert {call.time for call in listed} == {sim.calls[gone].time}
