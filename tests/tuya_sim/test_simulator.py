"""The simulated Tuya cloud, driven with raw signed requests and a hand-moved clock.

These tests sign with the simulator's own signing module only, so they do not depend on the
integration's client.
"""

from __future__ import annotations

import asyncio
import math
import time
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest

from tests.conftest import StartSimulator
from tests.timetravel import START, FakeClock
from tuya_sim import (
    SimCall,
    SimDevice,
    SimHome,
    SimMember,
    SimRun,
    TuyaCloudSimulator,
)
import tuya_sim.__main__ as sim_main
from tuya_sim.scenarios import (
    DEMO_ACCESS_ID,
    DEMO_ACCESS_SECRET,
    DEMO_HOME_ID,
    DEMO_UID,
    LARGE_HOME_ID,
    build_demo,
    build_large,
)
from tuya_sim.timeline import online_reached, online_seconds, progress_at

from .conftest import ACCESS_ID, ACCESS_SECRET, FW, HOME_ID, UID, Raw, add, firmware


@pytest.fixture
async def sim(start_simulator: StartSimulator, clock: FakeClock) -> TuyaCloudSimulator:
    simulator = TuyaCloudSimulator(ACCESS_ID, ACCESS_SECRET, clock=clock, token_lifetime_s=7200)
    simulator.add_home(
        SimHome(
            home_id=HOME_ID,
            name="Home",
            members=[SimMember(uid=UID, name="Ann", owner=True), SimMember(uid="b", name="Bo")],
        )
    )
    return await start_simulator(simulator)


# --- wire rules ----------------------------------------------------------------------------


async def test_wrong_signature_rejected(raw: Raw, sim: TuyaCloudSimulator) -> None:
    status, envelope = await raw.request(
        "GET", f"/v1.0/users/{UID}/homes", headers={"sign": "0" * 64}
    )
    assert status == 200
    assert envelope["success"] is False
    assert envelope["code"] == 1004
    assert envelope["msg"] == "sign invalid"
    assert isinstance(envelope["t"], int)
    assert isinstance(envelope["tid"], str)
    assert sim.calls[-1] == SimCall("GET", f"/v1.0/users/{UID}/homes", START, 1004, 200)


async def test_wrong_secret_on_token_call(raw: Raw) -> None:
    assert (
        await raw.code(
            "GET",
            "/v1.0/token",
            query={"grant_type": "1"},
            token_call=True,
            secret="wrong",
        )
        == 1004
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"client_id": "someone-else"}, 1005),
        ({"client_id": None}, 1005),
        ({"sign": None}, 1004),
        ({"sign_method": "MD5"}, 1004),
        ({"access_token": "not-a-token"}, 1004),  # the token is part of the signature
    ],
)
async def test_header_checks(raw: Raw, headers: dict[str, str | None], expected: int) -> None:
    assert await raw.code("GET", f"/v1.0/users/{UID}/homes", headers=headers) == expected


async def test_lower_case_signature_rejected(raw: Raw, clock: FakeClock) -> None:
    t = str(int(clock() * 1000))
    sign = raw.sign_without_nonce(t, "GET", f"/v1.0/users/{UID}/homes")
    headers: dict[str, str | None] = {"t": t, "nonce": None, "sign": sign.lower()}
    assert await raw.code("GET", f"/v1.0/users/{UID}/homes", headers=headers) == 1004
    headers["sign"] = sign
    _, envelope = await raw.request("GET", f"/v1.0/users/{UID}/homes", headers=headers)
    assert envelope["success"] is True


async def test_signed_headers(raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock) -> None:
    """Headers named in Signature-Headers are signed, as tinytuya signs Content-type on a POST."""
    add(sim, "bfa", firmware())
    t = str(int(clock() * 1000))
    path = f"{FW}/bfa/firmware/0"
    sign = raw.sign_without_nonce(t, "POST", path, [("Content-type", "application/json")])
    signed: dict[str, str | None] = {
        "t": t,
        "nonce": None,
        "sign": sign,
        "Signature-Headers": "Content-type",
        "Content-Type": "application/json",  # header names are case-insensitive on the wire
    }
    assert await raw.code("POST", path, headers={**signed, "Content-Type": "text/plain"}) == 1004
    assert await raw.code("POST", path, headers={**signed, "Signature-Headers": None}) == 1004
    _, envelope = await raw.request("POST", path, headers=signed)
    assert envelope["success"] is True
    assert sim.start_calls == [("bfa", 0, START)]


async def test_request_time_checked(raw: Raw, clock: FakeClock) -> None:
    clock.advance(-16 * 60)  # the client's clock is 16 min behind the cloud's
    sent_t = clock()
    clock.advance(16 * 60)
    t = str(int(sent_t * 1000))
    sign = raw.sign_without_nonce(t, "GET", f"/v1.0/users/{UID}/homes")
    headers: dict[str, str | None] = {"t": t, "nonce": None, "sign": sign}
    assert await raw.code("GET", f"/v1.0/users/{UID}/homes", headers=headers) == 1013
    clock.advance(-14 * 60)  # 14 minutes of skew are tolerated
    assert await raw.result("GET", f"/v1.0/users/{UID}/homes")


async def test_token_rules(raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock) -> None:
    homes = f"/v1.0/users/{UID}/homes"
    assert await raw.code("GET", "/v1.0/token", query={"grant_type": "2"}, token_call=True) == 1003
    old_access, old_refresh = raw.access_token, raw.refresh_token
    raw.access_token = ""
    assert await raw.code("GET", homes) == 1011
    raw.access_token = "unknown"
    assert await raw.code("GET", homes) == 1011
    raw.access_token = old_access
    clock.advance(7200)
    assert await raw.code("GET", homes) == 1010
    # A refresh token works once and ends the old access token.
    _, envelope = await raw.request("GET", f"/v1.0/token/{old_refresh}", token_call=True)
    result = envelope["result"]
    assert set(result) == {"uid", "access_token", "refresh_token", "expire_time"}
    assert result["expire_time"] == 7200
    assert await raw.code("GET", homes) == 1011
    assert await raw.code("GET", f"/v1.0/token/{old_refresh}", token_call=True) == 1012
    raw.access_token = result["access_token"]
    assert await raw.result("GET", homes)
    sim.expire_tokens()
    assert await raw.code("GET", homes) == 1010
    sim.revoke_refresh_tokens()
    assert await raw.code("GET", f"/v1.0/token/{result['refresh_token']}", token_call=True) == 1012
    await raw.login()  # new tokens are not affected
    assert await raw.result("GET", homes)


async def test_unknown_paths(raw: Raw) -> None:
    assert await raw.code("GET", "/v1.0/nothing/here") == 1108
    assert await raw.code("DELETE", "/v1.0/homes/31000001/devices") == 1108
    assert await raw.code("GET", f"{FW}/x/firmware/0") == 1108  # start is a POST


# --- homes, members, devices ---------------------------------------------------------------


async def test_homes_members_devices(raw: Raw, sim: TuyaCloudSimulator) -> None:
    add(sim, "bfplug", firmware(), local_key="k3y", ip="198.51.100.7")
    add(sim, "bfsub", firmware(3), sub=True, node_id="a4c1")
    homes = await raw.result("GET", f"/v1.0/users/{UID}/homes")
    assert homes == [
        {
            "home_id": HOME_ID,
            "name": "Home",
            "lat": 52.52,
            "lon": 13.405,
            "geo_name": "Berlin",
            "role": "OWNER",
        }
    ]
    assert await raw.code("GET", "/v1.0/users/nobody/homes") == 1106
    sim.add_user("nobody")  # a linked account without any home
    assert await raw.result("GET", "/v1.0/users/nobody/homes") == []
    members = await raw.result("GET", f"/v1.0/homes/{HOME_ID}/members")
    assert members[0]["owner"] is True
    assert "owner" not in members[1]
    assert members[1]["admin"] is False
    assert await raw.code("GET", "/v1.0/homes/999/members") == 1106
    assert await raw.code("GET", "/v1.0/homes/abc/devices") == 1106
    devices = await raw.result("GET", f"/v1.0/homes/{HOME_ID}/devices")
    plug, sub = devices
    assert plug["id"] == "bfplug"
    assert plug["local_key"] == "k3y"
    assert plug["ip"] == "198.51.100.7"
    assert plug["uid"] == UID
    assert {"lat", "lon", "time_zone", "product_id", "status", "model", "icon"} <= set(plug)
    assert sub["sub"] is True
    assert sub["ip"] == ""
    assert sub["node_id"] == "a4c1"


async def test_scripted_home_changes(raw: Raw, sim: TuyaCloudSimulator) -> None:
    sim.set_member_role(HOME_ID, "b", owner=False, admin=True)
    sim.set_member_role(HOME_ID, "newcomer", owner=False, admin=False)
    members = {m["uid"]: m for m in await raw.result("GET", f"/v1.0/homes/{HOME_ID}/members")}
    assert members["b"]["admin"] is True
    assert members["newcomer"]["admin"] is False
    assert await raw.result("GET", f"/v1.0/homes/{HOME_ID}/devices") == []
    add(sim, "bfnew", firmware())
    assert [d["id"] for d in await raw.result("GET", f"/v1.0/homes/{HOME_ID}/devices")] == ["bfnew"]
    sim.remove_device("bfnew")
    assert await raw.result("GET", f"/v1.0/homes/{HOME_ID}/devices") == []
    assert [d.device_id for d in sim.devices] == []
    assert sim.get_device("bfnew").removed
    add(sim, "bfnew", firmware())  # a removed device may come back
    with pytest.raises(ValueError, match="already exists"):
        add(sim, "bfnew", firmware())
    with pytest.raises(KeyError):
        sim.add_device(42, SimDevice(device_id="x", name="x"))
    assert [home.home_id for home in sim.homes] == [HOME_ID]


# --- firmware shapes -----------------------------------------------------------------------


async def test_firmware_list_shape(raw: Raw, sim: TuyaCloudSimulator) -> None:
    add(sim, "bfmcu", firmware(9, version="2.0.0"), firmware(0, low_power=True))
    items = await raw.firmware("bfmcu")
    assert [item["type"] for item in items] == [9, 0]
    mcu = items[0]
    assert mcu["upgrade_status"] == 1
    assert mcu["current_version"] == "1.0.0"
    assert mcu["version"] == "2.0.0"
    assert mcu["type_desc"] == "MCU"
    assert mcu["dev_type"] == 0
    assert items[1]["dev_type"] == 1
    assert {"desc", "remind", "can_upgrade", "timeout", "upgrade_type", "md5"} <= set(mcu)


async def test_firmware_object_shape(raw: Raw, sim: TuyaCloudSimulator) -> None:
    add(
        sim,
        "bfobj",
        firmware(0, version="1.0.0"),
        firmware(9, version="2.0.0"),
        firmware_shape="object",
    )
    result = await raw.firmware("bfobj")
    assert isinstance(result, dict)
    # The documentation's example: snake_case, the channel keyed `channel`.
    assert result["channel"] == 9  # the channel with an update is the one shown
    assert result["current_version"] == "1.0.0"
    assert result["upgrade_status"] == 1
    assert {"can_upgrade", "upgrade_type", "timeout", "type_desc"} <= set(result)
    assert "type" not in result
    assert not [key for key in result if key != key.lower()]  # no camelCase
    add(sim, "bfempty", firmware_shape="object")
    assert await raw.firmware("bfempty") == []


async def test_offline_device_gets_a_remind(raw: Raw, sim: TuyaCloudSimulator) -> None:
    add(sim, "bfoff", firmware(), online=False)
    [item] = await raw.firmware("bfoff")
    assert "offline" in item["remind"]


# --- the time model ------------------------------------------------------------------------


async def test_progress_over_time(raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock) -> None:
    add(sim, "bfa", firmware())
    assert await raw.progress("bfa", 0) == (1, 0)  # nothing started yet
    assert await raw.start("bfa", 0) is True
    assert sim.start_calls == [("bfa", 0, START)]
    assert await raw.progress("bfa", 0) == (2, 0)
    clock.advance(15)
    assert await raw.progress("bfa", 0) == (2, 25)
    [item] = await raw.firmware("bfa")
    assert (item["upgrade_status"], item["version"]) == (2, "1.1.0")
    assert sim.updating_devices() == {"bfa"}
    clock.advance(44.9)
    assert await raw.progress("bfa", 0) == (2, 99)
    clock.advance(0.1)
    assert await raw.progress("bfa", 0) == (3, 100)
    [item] = await raw.firmware("bfa")
    assert item["upgrade_status"] == 0
    assert item["version"] == item["current_version"] == "1.1.0"
    assert item["desc"] == ""
    assert item["last_upgrade_time"] == int((START + 60) * 1000)
    assert sim.updating_devices() == set()
    clock.advance(1000)
    assert await raw.progress("bfa", 0) == (3, 100)


async def test_failure_at_percent(raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock) -> None:
    add(sim, "bff", firmware(fail_at_percent=50))
    await raw.start("bff", 0)
    clock.advance(29)
    assert await raw.progress("bff", 0) == (2, 48)
    clock.advance(1)
    assert await raw.progress("bff", 0) == (4, 50)
    [item] = await raw.firmware("bff")
    assert item["upgrade_status"] == 4
    assert item["version"] == "1.1.0"
    assert item["current_version"] == "1.0.0"
    assert await raw.start("bff", 0) is True  # a failed update can be started again
    assert await raw.progress("bff", 0) == (2, 0)


async def test_never_finishing_update_times_out(
    raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    add(sim, "bft", firmware(update_seconds=None, timeout_s=300))
    await raw.start("bft", 0)
    clock.advance(299)
    assert await raw.progress("bft", 0) == (2, 0)
    clock.advance(1)
    assert await raw.progress("bft", 0) == (7, 0)
    [item] = await raw.firmware("bft")
    assert item["upgrade_status"] == 7
    assert await raw.start("bft", 0) is True


async def test_slow_update_times_out(raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock) -> None:
    add(sim, "bfs", firmware(update_seconds=400, timeout_s=200))
    await raw.start("bfs", 0)
    clock.advance(250)
    assert await raw.progress("bfs", 0) == (7, 50)


async def test_low_power_waits_for_wakeup(
    raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    add(sim, "bflp", firmware(low_power=True, wake_after_s=30.0, timeout_s=600))
    await raw.start("bflp", 0)
    clock.advance(10)
    assert await raw.progress("bflp", 0) == (5, 0)
    [item] = await raw.firmware("bflp")
    assert item["upgrade_status"] == 5
    assert sim.updating_devices() == {"bflp"}
    clock.advance(20)
    assert await raw.progress("bflp", 0) == (2, 0)
    clock.advance(30)
    assert await raw.progress("bflp", 0) == (2, 50)
    clock.advance(30)
    assert await raw.progress("bflp", 0) == (3, 100)


async def test_offline_mid_update_freezes_then_times_out(
    raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    add(sim, "bfo", firmware(timeout_s=300))
    await raw.start("bfo", 0)
    clock.advance(30)
    sim.set_online("bfo", False)
    clock.advance(100)
    assert await raw.progress("bfo", 0) == (2, 50)
    clock.advance(169)
    assert await raw.progress("bfo", 0) == (2, 50)
    clock.advance(1)
    assert await raw.progress("bfo", 0) == (7, 50)
    [item] = await raw.firmware("bfo")
    assert item["upgrade_status"] == 7
    sim.set_online("bfo", True)
    assert await raw.start("bfo", 0) is True


async def test_back_online_resumes(raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock) -> None:
    add(sim, "bfr", firmware(timeout_s=300))
    await raw.start("bfr", 0)
    clock.advance(30)
    sim.set_online("bfr", False)
    clock.advance(100)
    sim.set_online("bfr", True)
    clock.advance(15)
    assert await raw.progress("bfr", 0) == (2, 75)
    clock.advance(15)
    assert await raw.progress("bfr", 0) == (3, 100)


async def test_start_errors(raw: Raw, sim: TuyaCloudSimulator) -> None:
    add(sim, "bfe", firmware(0), firmware(9, version="1.0.0"), firmware(3, can_upgrade=False))
    assert await raw.code("POST", f"{FW}/bfe/firmware/9") == 1109  # nothing to install
    assert await raw.code("POST", f"{FW}/bfe/firmware/3") == 1109  # device refuses
    assert await raw.code("POST", f"{FW}/bfe/firmware/5") == 1109  # no such channel
    assert await raw.code("POST", f"{FW}/bfe/firmware/x") == 1109
    assert await raw.code("GET", f"{FW}/bfe/firmware/5/progress") == 1109
    assert await raw.code("POST", f"{FW}/nope/firmware/0") == 2010
    assert await raw.code("GET", f"{FW}/nope/firmware") == 2010
    await raw.start("bfe", 0)
    _, envelope = await raw.request("POST", f"{FW}/bfe/firmware/0")
    assert envelope["code"] == 1109
    assert "upgrade_status 2" in envelope["msg"]
    sim.set_online("bfe", False)
    assert await raw.code("POST", f"{FW}/bfe/firmware/0") == 2001
    sim.remove_device("bfe")
    assert await raw.code("GET", f"{FW}/bfe/firmware/0/progress") == 2010
    assert sim.calls[-1].code == 2010


async def test_publish_firmware(raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock) -> None:
    add(sim, "bfp", firmware(version="1.0.0"))
    [item] = await raw.firmware("bfp")
    assert item["upgrade_status"] == 0
    sim.publish_firmware("bfp", 0, "1.2.0", desc="New")
    [item] = await raw.firmware("bfp")
    assert (item["upgrade_status"], item["version"], item["desc"]) == (1, "1.2.0", "New")
    await raw.start("bfp", 0)
    clock.advance(10)
    sim.publish_firmware("bfp", 0, "1.3.0")  # while the update runs
    clock.advance(60)
    [item] = await raw.firmware("bfp")
    assert (item["current_version"], item["upgrade_status"], item["version"]) == (
        "1.2.0",
        1,
        "1.3.0",
    )
    sim.publish_firmware("bfp", 9, "2.0.0", desc="MCU")
    items = await raw.firmware("bfp")
    assert [(i["type"], i["upgrade_status"]) for i in items] == [(0, 1), (9, 1)]


# --- observability -------------------------------------------------------------------------


async def test_max_concurrent_updates(raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock) -> None:
    add(sim, "bf1", firmware(0), firmware(9, update_seconds=90))
    add(sim, "bf2", firmware(update_seconds=30))
    add(sim, "bz1", firmware(3, update_seconds=20), sub=True)
    add(sim, "bz2", firmware(3, update_seconds=20), sub=True)
    assert sim.max_concurrent_updates() == 0
    await raw.start("bf1", 0)
    clock.advance(5)
    await raw.start("bf1", 9)  # the same device: still one
    assert sim.max_concurrent_updates() == 1
    await raw.start("bz1", 3)
    clock.advance(20)  # bz1 ends exactly when bz2 starts: no overlap
    await raw.start("bz2", 3)
    await raw.start("bf2", 0)
    assert sim.updating_devices() == {"bf1", "bz2", "bf2"}
    assert sim.max_concurrent_updates() == 3
    assert sim.max_concurrent_updates(sub_only=True) == 1
    clock.advance(1000)
    assert sim.max_concurrent_updates() == 3
    assert sim.updating_devices() == set()


async def test_open_ended_update_counts_forever(
    raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    add(sim, "bfx", firmware(update_seconds=None, timeout_s=None))
    add(sim, "bfy", firmware())
    await raw.start("bfx", 0)
    clock.advance(5_000)
    await raw.start("bfy", 0)
    assert sim.max_concurrent_updates() == 2
    assert await raw.progress("bfx", 0) == (2, 0)


async def test_calls_and_faults(raw: Raw, sim: TuyaCloudSimulator) -> None:
    add(sim, "bfc", firmware())
    homes = f"/v1.0/users/{UID}/homes"
    assert sim.call_count() == 1  # the login
    sim.fail_next("/homes", code=1111, count=2, msg="busy")
    sim.fail_next(code=2001)
    assert await raw.code("GET", homes) == 1111
    _, envelope = await raw.request("GET", homes)
    assert envelope["msg"] == "busy"
    assert await raw.code("GET", f"{FW}/bfc/firmware") == 2001  # the catch-all rule
    assert await raw.result("GET", homes)
    sim.fail_next("/homes", http_status=502)
    async with raw.session.get(sim.url + homes) as response:
        assert response.status == 502
        assert await response.text() == "502 Bad Gateway"
    sim.fail_next("/homes", http_status=599)
    async with raw.session.get(sim.url + homes) as response:
        assert response.status == 599
        assert await response.text() == "599"
    sim.fail_next("/homes", http_status=500, body=b"<html>oops</html>")
    async with raw.session.get(sim.url + homes) as response:
        assert (response.status, await response.read()) == (500, b"<html>oops</html>")
    sim.fail_next("/homes", code=1010, http_status=401)
    status, envelope = await raw.request("GET", homes)
    assert (status, envelope["code"]) == (401, 1010)
    assert [c.code for c in sim.calls[-4:]] == [502, 599, 500, 1010]
    assert sim.calls[-1].http_status == 401
    assert sim.call_count("/homes") == 7
    assert sim.call_count("/homes", method="post") == 0
    assert sim.call_count(method="GET") == 9
    sim.reset_calls()
    assert sim.calls == []
    assert sim.start_calls == []
    with pytest.raises(ValueError, match="needs"):
        sim.fail_next("/homes")


async def test_delay_next(raw: Raw, sim: TuyaCloudSimulator) -> None:
    sim.delay_next(0.2, "/homes")
    began = time.monotonic()
    assert await raw.result("GET", f"/v1.0/users/{UID}/homes")
    assert time.monotonic() - began >= 0.2
    began = time.monotonic()
    assert await raw.result("GET", f"/v1.0/users/{UID}/homes")
    assert time.monotonic() - began < 0.2


async def test_stop_releases_delayed_requests(clock: FakeClock) -> None:
    sim = TuyaCloudSimulator(ACCESS_ID, ACCESS_SECRET, clock=clock)
    await sim.start()
    sim.delay_next(30.0)
    async with aiohttp.ClientSession() as session:
        request = asyncio.ensure_future(session.get(sim.url + "/v1.0/token?grant_type=1"))
        await asyncio.sleep(0.1)
        began = time.monotonic()
        await sim.stop()
        assert time.monotonic() - began < 5
        response = await request
        response.release()
    assert sim.calls[0].code == 1005


async def test_rate_limit(start_simulator: StartSimulator, clock: FakeClock) -> None:
    sim = TuyaCloudSimulator(ACCESS_ID, ACCESS_SECRET, clock=clock, rate_limit_per_s=2)
    sim.add_home(SimHome(home_id=HOME_ID, name="Home", members=[SimMember(uid=UID, name="A")]))
    await start_simulator(sim)
    async with aiohttp.ClientSession() as session:
        raw = Raw(session, sim, clock)
        await raw.login()
        assert await raw.result("GET", f"/v1.0/users/{UID}/homes")
        assert await raw.code("GET", f"/v1.0/users/{UID}/homes") == 1110
        clock.advance(0.5)
        assert await raw.result("GET", f"/v1.0/users/{UID}/homes")
        assert await raw.code("GET", f"/v1.0/users/{UID}/homes") == 1110
        clock.advance(10)
        assert await raw.result("GET", f"/v1.0/users/{UID}/homes")
        assert await raw.result("GET", f"/v1.0/users/{UID}/homes")


async def test_lifecycle_errors(clock: FakeClock) -> None:
    sim = TuyaCloudSimulator(ACCESS_ID, ACCESS_SECRET, clock=clock)
    with pytest.raises(RuntimeError, match="not been started"):
        _ = sim.url
    url = await sim.start(host="127.0.0.1", port=0)
    assert url == sim.url
    assert url.startswith("http://127.0.0.1:")
    with pytest.raises(RuntimeError, match="already running"):
        await sim.start()
    await sim.stop()
    await sim.stop()  # stopping twice is harmless
    assert sim.make_app() is not sim.make_app()


# --- the time model's helpers --------------------------------------------------------------


def test_online_helpers() -> None:
    log = [(-math.inf, True), (10.0, False), (20.0, True)]
    assert online_seconds(log, 0, 30) == 20
    assert online_seconds(log, 12, 18) == 0
    assert online_reached(log, 0, 15) == 25
    assert online_reached(log, 12, 0) == 20
    assert online_reached([(-math.inf, False)], 0, 1) is None
    instant = SimRun("d", 0, False, 0.0, 0.0, "2", 0.0, None, None)
    assert progress_at(instant, [(-math.inf, False)], 5.0) == 99


# --- scenarios and the command line ---------------------------------------------------------


def test_demo_scenario() -> None:
    sim = TuyaCloudSimulator(DEMO_ACCESS_ID, DEMO_ACCESS_SECRET)
    build_demo(sim)
    [home] = sim.homes
    assert (home.home_id, home.name) == (DEMO_HOME_ID, "Demo Home")
    assert any(m.uid == DEMO_UID and m.owner for m in home.members)
    devices = sim.devices
    assert 18 <= len(devices) <= 22
    subs = [d for d in devices if d.sub]
    assert len(subs) == 4
    assert all(
        fw.channel == 3 and fw.version != fw.current_version for d in subs for fw in d.firmware
    )
    assert any({fw.channel for fw in d.firmware} == {0, 9} for d in devices)
    assert any(d.category == "wg2" for d in devices)
    low_power = [fw for d in devices for fw in d.firmware if fw.low_power]
    assert low_power
    assert low_power[0].wake_after_s == 30
    offline = [d for d in devices if not d.online]
    assert len(offline) == 1
    assert offline[0].firmware[0].upgrade_status == 1
    assert any(fw.fail_at_percent == 40 for d in devices for fw in d.firmware)
    up_to_date = [d for d in devices if all(fw.upgrade_status == 0 for fw in d.firmware)]
    assert len(up_to_date) >= 3
    seconds = [fw.update_seconds for d in devices for fw in d.firmware if fw.upgrade_status == 1]
    assert all(s is not None and 20 <= s <= 60 for s in seconds)


def test_large_scenario() -> None:
    sim = TuyaCloudSimulator(DEMO_ACCESS_ID, DEMO_ACCESS_SECRET)
    build_large(sim, 25, update_seconds=5.0)
    [home] = sim.homes
    assert home.home_id == LARGE_HOME_ID
    devices = sim.devices
    assert len(devices) == 25
    assert [d.sub for d in devices].count(True) == 2
    assert all(d.firmware[0].upgrade_status == 1 for d in devices)
    assert all(d.firmware[0].update_seconds == 5.0 for d in devices)


async def test_command_line_serves(capsys: pytest.CaptureFixture[str]) -> None:
    args = sim_main.parse_args(["--port", "0", "--scenario", "large", "--devices", "3"])
    stop = asyncio.Event()
    task = asyncio.ensure_future(sim_main.serve(args, stop))
    for _ in range(100):
        await asyncio.sleep(0.01)
        if "running at" in capsys.readouterr().out:
            break
    stop.set()
    await task
    assert sim_main.build(sim_main.parse_args([])).devices


def test_command_line_banner() -> None:
    text = sim_main.banner("http://127.0.0.1:8765")
    for value in ("http://127.0.0.1:8765", DEMO_ACCESS_ID, DEMO_ACCESS_SECRET, DEMO_UID):
        assert value in text


def test_main_stops_on_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(coro: Any) -> None:
        coro.close()
        raise KeyboardInterrupt

    monkeypatch.setattr(sim_main, "asyncio", SimpleNamespace(run=interrupted))
    sim_main.main(["--port", "0"])
