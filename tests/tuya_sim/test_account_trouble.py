"""The simulator's account trouble: an expired trial, a spent quota, a missing product.

Driven with raw signed requests (the simulator's own signing), as test_simulator.py is.
"""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from tests.conftest import StartSimulator
from tests.timetravel import FakeClock
from tuya_sim import IOT_CORE, SMART_HOME_BASIC, SimHome, SimMember, TuyaCloudSimulator
import tuya_sim.__main__ as sim_main
from tuya_sim.scenarios import (
    ACCOUNT_TROUBLES,
    DEMO_ACCESS_ID,
    DEMO_ACCESS_SECRET,
    DEMO_HOME_ID,
    build_account_trouble,
)

from .conftest import (
    ACCESS_ID,
    ACCESS_SECRET,
    FW,
    HOME_ID,
    UID,
    Raw,
    add,
    firmware,
)

HOMES = f"/v1.0/users/{UID}/homes"
DEVICES = f"/v1.0/homes/{HOME_ID}/devices"


@pytest.fixture
async def sim(start_simulator: StartSimulator, clock: FakeClock) -> TuyaCloudSimulator:
    simulator = TuyaCloudSimulator(ACCESS_ID, ACCESS_SECRET, clock=clock)
    simulator.add_home(
        SimHome(home_id=HOME_ID, name="Home", members=[SimMember(uid=UID, name="A", owner=True)])
    )
    add(simulator, "bfa", firmware())
    return await start_simulator(simulator)


@pytest.mark.parametrize(
    ("code", "msg"),
    [
        (28841101, "No permissions. This API is not subscribed."),
        (28841105, "No permissions. This project is not authorized to call this API."),
        (28841002, "No permissions. Your subscription to cloud development plan has expired."),
        (28841004, "IoT Core trial quota is exhausted."),
        (1114, "IP not allowed"),
        (2406, "skill id invalid"),
    ],
)
async def test_scripted_failures_say_what_the_cloud_says(raw: Raw, code: int, msg: str) -> None:
    """Each code of the corrected document, with the message the real cloud sends."""
    raw.sim.fail_next("/homes", code=code)
    _, envelope = await raw.request("GET", HOMES)
    assert (envelope["code"], envelope["msg"]) == (code, msg)


async def test_expired_trial(raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock) -> None:
    """From the given time every business call answers 28841002; tokens still come."""
    sim.expire_trial(at=clock() + 60)
    assert await raw.result("GET", HOMES)
    clock.advance(60)
    assert await raw.code("GET", HOMES) == 28841002
    assert await raw.code("GET", f"{FW}/bfa/firmware") == 28841002
    assert await raw.code("POST", f"{FW}/bfa/firmware/0") == 28841002
    await raw.login()
    sim.renew_trial()
    assert await raw.result("GET", HOMES)
    assert sim.start_calls == []


async def test_spent_quota(raw: Raw, sim: TuyaCloudSimulator) -> None:
    sim.exhaust_quota()
    assert await raw.code("GET", DEVICES) == 28841004
    assert await raw.code("GET", f"{FW}/bfa/firmware/0/progress") == 28841004
    sim.restore_quota()
    assert await raw.result("GET", DEVICES)


async def test_project_without_iot_core(raw: Raw, sim: TuyaCloudSimulator) -> None:
    """Smart Home Basic Service answers; the firmware calls are refused."""
    sim.unsubscribe(IOT_CORE)
    assert await raw.result("GET", HOMES)
    assert await raw.result("GET", DEVICES)
    assert await raw.code("GET", f"{FW}/bfa/firmware") == 28841101
    assert await raw.code("POST", f"{FW}/bfa/firmware/0") == 28841101
    assert await raw.code("GET", f"{FW}/bfa/firmware/0/progress") == 28841101
    sim.subscribe(IOT_CORE)
    assert await raw.firmware("bfa")
    sim.unsubscribe(SMART_HOME_BASIC)
    assert await raw.code("GET", HOMES) == 28841101
    assert await raw.firmware("bfa")
    with pytest.raises(ValueError, match="unknown product"):
        sim.unsubscribe("Device OTA")


async def test_item_timeout_is_what_the_item_shows(raw: Raw, sim: TuyaCloudSimulator) -> None:
    """The documentation's `timeout: 60` on an update the cloud lets run for minutes."""
    add(sim, "bfslow", firmware(update_seconds=300, timeout_s=3600, item_timeout=60))
    [item] = await raw.firmware("bfslow")
    assert item["timeout"] == 60
    [item] = await raw.firmware("bfa")
    assert item["timeout"] == 300


async def answer(raw: Raw, method: str, path: str) -> int:
    """The code a call answers (0 for success)."""
    _, envelope = await raw.request(method, path)
    return 0 if envelope["success"] else int(envelope["code"])


@pytest.mark.parametrize(
    ("trouble", "devices_code", "firmware_code"),
    [
        ("trial-expired", 28841002, 28841002),
        ("quota-exhausted", 28841004, 28841004),
        ("no-iot-core", 0, 28841101),
    ],
)
async def test_trouble_scenarios(
    start_simulator: StartSimulator,
    clock: FakeClock,
    trouble: str,
    devices_code: int,
    firmware_code: int,
) -> None:
    """The demo home on a project in trouble, here from 30 s on."""
    assert trouble in ACCOUNT_TROUBLES
    sim = TuyaCloudSimulator(DEMO_ACCESS_ID, DEMO_ACCESS_SECRET, clock=clock)
    build_account_trouble(sim, trouble, after_s=30)
    [home] = sim.homes
    assert home.home_id == DEMO_HOME_ID
    devices = f"/v1.0/homes/{DEMO_HOME_ID}/devices"
    firmware_path = f"{FW}/{sim.devices[0].device_id}/firmware"
    await start_simulator(sim)
    async with aiohttp.ClientSession() as session:
        raw = Raw(session, sim, clock)
        await raw.login()
        assert await answer(raw, "GET", devices) == 0
        assert await answer(raw, "GET", firmware_path) == 0
        clock.advance(30)
        assert await answer(raw, "GET", devices) == devices_code
        assert await answer(raw, "GET", firmware_path) == firmware_code


def test_unknown_trouble() -> None:
    with pytest.raises(ValueError, match="unknown account trouble"):
        build_account_trouble(TuyaCloudSimulator("a", "b"), "broke")


def test_command_line_selects_a_trouble() -> None:
    args = sim_main.parse_args(["--scenario", "no-iot-core", "--trouble-after", "120"])
    assert (args.scenario, args.trouble_after) == ("no-iot-core", 120.0)
    sim = sim_main.build(args)
    assert sim.devices
    assert sim.faults.unsubscribed[IOT_CORE] >= sim.clock() + 119  # white-box: the delay applies
    with pytest.raises(SystemExit):
        sim_main.parse_args(["--scenario", "device-ota"])


async def test_controllable_device_pool(
    raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    """A pool of one: the first device started this month may start again; others 60001001."""
    add(sim, "bfb", firmware())
    add(sim, "bfc", firmware())
    sim.limit_device_pool(1)
    assert await raw.firmware("bfb")  # reads never take a slot
    assert await raw.start("bfa", 0) is True
    _, envelope = await raw.request("POST", f"{FW}/bfb/firmware/0")
    assert (envelope["code"], envelope["msg"]) == (
        60001001,
        "Your controllable device pool quota is insufficient.",
    )
    assert await raw.firmware("bfb")
    clock.advance(60)
    sim.publish_firmware("bfa", 0, "1.2.0")
    assert await raw.start("bfa", 0) is True  # its slot holds all month
    # The pool empties on the 1st, UTC: the clock starts on 14 November 2023.
    clock.advance(datetime(2023, 12, 1, tzinfo=UTC).timestamp() - 1 - clock())
    await raw.login()
    assert await raw.code("POST", f"{FW}/bfb/firmware/0") == 60001001
    clock.advance(1)
    assert await raw.start("bfb", 0) is True
    assert await raw.code("POST", f"{FW}/bfc/firmware/0") == 60001001
    sim.limit_device_pool(None)
    assert await raw.start("bfc", 0) is True
    assert [device_id for device_id, _, _ in sim.start_calls] == ["bfa", "bfa", "bfb", "bfc"]
