"""The monthly call budget: every call counted and shown, scheduled reads kept inside it.

Also the role read before an install's first start call: with the device list read only
every few hours, an install asks the cloud for the role right before it starts anything.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
import math
import time

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.budget import CallBudget
from custom_components.tuya_ota.const import (
    CONF_FIRMWARE_CHECK_HOURS,
    CONF_MAX_PARALLEL,
    CONF_MONTHLY_CALL_BUDGET,
    CONF_SCAN_INTERVAL_MINUTES,
    DOMAIN,
)
from custom_components.tuya_ota.storage import TuyaOtaStore
from tests.timetravel import DAY_S, Clock, Highest
from tuya_sim import SimDevice, SimFirmware, TuyaCloudSimulator

from .actions import install, queue_idle
from .home import (
    FAILING,
    HOME_ID,
    OWNER_UID,
    PLUG,
    PLUG_ENTITY,
    SLEEPY,
    owner_entry,
    simulator_with_owner_home,
)

CALLS_SENSOR = "sensor.test_home_cloud_calls_this_month"


def calls_shown(hass: HomeAssistant) -> int:
    state = hass.states.get(CALLS_SENSOR)
    assert state is not None
    return int(state.state)


# --- counting -------------------------------------------------------------------------


async def test_every_call_is_counted_and_shown(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """Tokens, lists, reads, starts and progress reads: the sensor shows them all."""
    budget = init_integration.runtime_data.budget
    assert {call.kind for call in sim.calls} >= {"token", "members", "devices", "firmware"}
    assert budget.calls_this_month == len(sim.calls)
    assert calls_shown(hass) == len(sim.calls)
    await install(hass, PLUG_ENTITY)
    assert await clock.advance(3600, until=queue_idle(init_integration))
    assert {"start", "progress"} <= {call.kind for call in sim.calls}
    assert calls_shown(hass) == budget.calls_this_month == len(sim.calls)
    state = hass.states.get(CALLS_SENSOR)
    assert state.attributes["state_class"] == "total_increasing"


async def test_count_survives_a_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator
) -> None:
    """The month's count is stored: a restart goes on from it."""
    before = init_integration.runtime_data.budget.calls_this_month
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    sim.reset_calls()
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert len(sim.calls) == 3  # token, members, devices
    assert calls_shown(hass) == before + 3


async def test_count_starts_again_each_month(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new calendar month starts from zero, and the stored count says so too."""
    budget = init_integration.runtime_data.budget
    assert budget.calls_this_month > 0
    now = dt_util.now()
    freezer.move_to((now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=0, minute=1))
    assert budget.calls_this_month == 0
    sim.reset_calls()
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    counted = budget.calls_this_month
    assert 0 < counted == len(sim.calls)  # only this month's calls, a token among them
    stored = init_integration.runtime_data.store.calls
    assert stored["month"] == dt_util.now().strftime("%Y-%m")
    assert stored["count"] == counted


async def test_budget_is_an_option(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The options flow stores the budget; the home runs with it."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_MAX_PARALLEL: 3,
            CONF_SCAN_INTERVAL_MINUTES: 360,
            CONF_FIRMWARE_CHECK_HOURS: 11,
            CONF_MONTHLY_CALL_BUDGET: 3000.0,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options[CONF_MONTHLY_CALL_BUDGET] == 3000
    assert init_integration.runtime_data.budget.monthly_budget == 3000


# --- the gate -------------------------------------------------------------------------


async def test_gate_paces_scheduled_calls(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Scheduled calls: free while the schedule's usual rate fits the rest of the month, else
    an even spread (a day ahead) of what the other calls left; never past the budget."""
    freezer.move_to(dt_util.as_local(datetime(2027, 4, 15, 0, 0)))  # 14 of 30 days gone
    budget = CallBudget(hass, TuyaOtaStore(hass, "gate"), 3000)

    def count(calls: int, *, scheduled: bool) -> None:
        for _ in range(calls):
            if scheduled:
                with budget.scheduled_calls():
                    budget.count_call()
            else:
                budget.count_call()

    count(3000 * 15 // 30 - 2, scheduled=True)  # the spread: 14 days gone and a day ahead
    assert budget.scheduled_call_allowed()  # this call and a token still fit
    count(1, scheduled=True)
    assert not budget.scheduled_call_allowed()
    assert budget.scheduled_call_allowed(paced=False)
    budget.daily_schedule = lambda: 10.0  # 16 days of 10 calls fit easily: no slowing down
    assert budget.scheduled_call_allowed()
    count(1300, scheduled=False)  # installs leave 1,700 for the schedule, 160 of it needed
    assert budget.scheduled_call_allowed()
    budget.daily_schedule = lambda: 100.0  # 1,600 more would not fit: back to the spread
    assert not budget.scheduled_call_allowed()
    count(3000 - budget.calls_this_month - 1, scheduled=False)
    assert not budget.scheduled_call_allowed(paced=False)  # never past the budget
    freezer.move_to(dt_util.as_local(datetime(2027, 5, 1, 0, 1)))
    assert budget.scheduled_call_allowed(calls=2)  # a new month
    assert budget.calls_this_month == 0
    await hass.async_block_till_done()


# --- a month under a small budget ---------------------------------------------------


PRODUCTS = 30


@pytest.fixture
async def many_products() -> AsyncGenerator[TuyaCloudSimulator]:
    """Thirty devices of thirty products: a home whose schedule would spend ~2,000 a month."""
    simulator = simulator_with_owner_home()
    for index in range(PRODUCTS):
        simulator.add_device(
            HOME_ID,
            SimDevice(
                device_id=f"bf000000000product{index:02d}",
                name=f"Device {index:02d}",
                product_id=f"product{index:02d}",
                firmware=[SimFirmware(channel=0, current_version="1.0.0")],
            ),
        )
    await simulator.start(host="127.0.0.1", port=0)
    yield simulator
    await simulator.stop()


async def test_a_month_never_passes_the_budget(
    hass: HomeAssistant,
    many_products: TuyaCloudSimulator,
    clock: Clock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Set up on the 1st with a budget of 500: reads slow down, spread over the whole month,
    and the month ends under 500; the next month reads again."""
    sim = many_products
    freezer.move_to(dt_util.as_local(datetime(2027, 2, 1, 0, 0)))
    month_end = dt_util.as_local(datetime(2027, 3, 1, 0, 0)).timestamp()
    config_entry = owner_entry(sim, {CONF_MONTHLY_CALL_BUDGET: 500})
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    budget = config_entry.runtime_data.budget
    highest = Highest(lambda: budget.calls_this_month)
    await clock.advance(month_end - time.time() - 1, until=highest)
    assert highest.value <= 500
    assert budget.calls_this_month >= 450  # the budget is used, not left idle
    reads = [call.time for call in sim.calls if call.kind == "firmware"]
    assert max(reads) > month_end - 3 * DAY_S  # still reading at the month's end
    last_week = [t for t in reads if t > month_end - 7 * DAY_S]
    assert len(last_week) < len(reads) / 3  # evenly slowed, not spent early then stopped
    assert len(sim.calls) == budget.calls_this_month
    sim.reset_calls()
    await clock.advance(DAY_S)
    assert 0 < budget.calls_this_month == len(sim.calls)
    assert any(call.kind == "firmware" for call in sim.calls)


# --- installs always go through; the role is read before them -----------------------


async def test_installs_go_through_a_spent_budget(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """Spent: no scheduled call for days, but an install starts, runs and counts.

    The days may cross into a new month, whose count starts again from zero: the budget, as
    small as the month's count was, still lets no scheduled call through.
    """
    budget = init_integration.runtime_data.budget
    budget.monthly_budget = budget.calls_this_month
    sim.reset_calls()
    await clock.advance(2 * DAY_S)
    assert sim.calls == []
    counted = budget.calls_this_month
    await install(hass, PLUG_ENTITY)
    queue = init_integration.runtime_data.queue
    assert await clock.advance(3600, until=lambda: queue.active_count == 0)
    assert [device_id for device_id, _, _ in sim.start_calls] == [PLUG]
    assert hass.states.get(PLUG_ENTITY).attributes["installed_version"] == "1.1.0"
    assert budget.calls_this_month == counted + len(sim.calls)


async def test_role_is_read_right_before_the_first_start(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator
) -> None:
    """The member list, then the device's firmware, then the start call."""
    sim.reset_calls()
    await install(hass, PLUG_ENTITY)
    kinds = [call.kind for call in sim.calls if call.kind != "token"]
    assert kinds[:3] == ["members", "firmware", "start"]


async def test_role_lost_since_the_last_list_refuses_install(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The owner demoted in the app hours before the next list: the install is refused."""
    sim.set_member_role(HOME_ID, OWNER_UID, owner=False, admin=False)
    sim.reset_calls()
    with pytest.raises(HomeAssistantError) as refused:
        await install(hass, PLUG_ENTITY)
    assert refused.value.translation_key == "refused_insufficient_role"
    assert sim.start_calls == []
    assert issue_registry.async_get_issue(DOMAIN, f"insufficient_role_{init_integration.entry_id}")
    assert not init_integration.runtime_data.coordinator.may_update()


# --- the device list's own schedule -------------------------------------------------


async def test_failed_list_refresh_is_retried_in_minutes(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """The list is read every six hours, but a failed read is tried again minutes later."""
    coordinator = init_integration.runtime_data.coordinator
    sim.fail_next("/members", http_status=500)
    members = sim.call_count("/members")
    assert await clock.advance(
        coordinator.scan_interval_s + 60, until=lambda: sim.call_count("/members") > members
    )
    failed_at = time.time()
    assert hass.states.get(PLUG_ENTITY).state == "unavailable"
    assert await clock.advance(
        coordinator.scan_interval_s, until=lambda: coordinator.last_update_success
    )
    assert time.time() - failed_at <= 5 * 60 + 1
    assert hass.states.get(PLUG_ENTITY).state == "on"


async def test_refresh_on_request_moves_the_schedule(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """A refresh made for another reason counts: the next scheduled one is a period after it."""
    coordinator = init_integration.runtime_data.coordinator
    await clock.advance(coordinator.scan_interval_s / 2)
    await coordinator.async_refresh()
    refreshed_at = time.time()
    sim.reset_calls()
    assert await clock.advance(
        coordinator.scan_interval_s + 60, until=lambda: sim.call_count("/members") > 0
    )
    assert time.time() - refreshed_at == pytest.approx(coordinator.scan_interval_s, abs=2)


# A fixed start: the scheduled reads' slots lie on a grid of absolute time, and one falling
# inside the minute after the offer would add its device to the reads compared.
@pytest.mark.freeze_time("2026-12-01 12:00:00")
async def test_an_offer_is_followed_once_per_group(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """A new offer on one plug: the other plugs of its product and version are read once;
    reading the plug again, or offers that differ within the group, read no one else."""
    assert await async_setup_component(hass, "homeassistant", {})
    await clock.advance(600)
    sim.publish_firmware(PLUG, 0, "1.3.0")
    for expected in ({PLUG, FAILING, SLEEPY}, {PLUG}):
        sim.reset_calls()
        await hass.services.async_call(
            "homeassistant", "update_entity", {"entity_id": PLUG_ENTITY}, blocking=True
        )
        await clock.advance(60)
        assert {call.path.split("/")[4] for call in sim.calls if call.kind == "firmware"} == (
            expected
        )
    sim.reset_calls()
    await clock.advance(DAY_S)
    # Five groups (product and installed versions), each read every 11 hours: no more.
    assert sum(call.kind == "firmware" for call in sim.calls) <= 5 * math.ceil(DAY_S / 39600)


async def test_updates_a_product_installed_by_itself_show_within_the_period(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """The app's automatic updates installed the plugs' firmware by themselves: within one
    firmware period no card of them offers it any more (a scheduled read of one plug has the
    rest of its group read)."""
    plugs = [PLUG, FAILING, SLEEPY]  # one product, the same versions: one group
    for device_id in plugs:
        sim.self_update(device_id)
    period = init_integration.runtime_data.firmware.period_s

    def still_offered() -> list[str]:
        return [
            device_id
            for device_id in plugs
            if init_integration.runtime_data.firmware.record(device_id).update_available
        ]

    assert await clock.advance(period + 60, until=lambda: not still_offered())
