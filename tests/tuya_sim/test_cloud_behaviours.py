"""The simulator's device-details calls and its scripted update behaviours, on the wire.

Driven with raw signed requests (the simulator's own signing), as test_simulator.py is.
"""

from __future__ import annotations

import aiohttp
import pytest

from tests.conftest import StartSimulator
from tests.timetravel import FakeClock
from tuya_sim import SimHome, SimMember, TuyaCloudSimulator
from tuya_sim.scenarios import DEMO_ACCESS_ID, DEMO_ACCESS_SECRET, apply_bad_firmware, build_demo

from .conftest import ACCESS_ID, ACCESS_SECRET, FW, HOME_ID, UID, Raw, add, firmware

DETAILS_FIELDS = {
    "id",
    "name",
    "is_online",
    "product_id",
    "product_name",
    "category",
    "sub",
    "uuid",
    "local_key",
    "ip",
    "lat",
    "lon",
    "time_zone",
    "active_time",
    "update_time",
}


@pytest.fixture
async def sim(start_simulator: StartSimulator, clock: FakeClock) -> TuyaCloudSimulator:
    simulator = TuyaCloudSimulator(ACCESS_ID, ACCESS_SECRET, clock=clock)
    simulator.add_home(
        SimHome(home_id=HOME_ID, name="Home", members=[SimMember(uid=UID, name="A", owner=True)])
    )
    return await start_simulator(simulator)


async def batch(raw: Raw, device_ids: str) -> dict[str, object]:
    """The batch details call's envelope for ``device_ids`` (comma-separated)."""
    _, envelope = await raw.request("GET", f"{FW}/batch", query={"device_ids": device_ids})
    return envelope


# --- device details ------------------------------------------------------------------------


async def test_device_details(raw: Raw, sim: TuyaCloudSimulator) -> None:
    """One device's details: ``is_online`` (not ``online``), its place, no version fields."""
    add(sim, "bfplug", firmware(), local_key="k3y", ip="198.51.100.7", product_name="Plug")
    details = await raw.result("GET", f"{FW}/bfplug")
    assert set(details) == DETAILS_FIELDS
    assert (details["id"], details["is_online"], details["sub"]) == ("bfplug", True, False)
    assert (details["local_key"], details["ip"], details["product_name"]) == (
        "k3y",
        "198.51.100.7",
        "Plug",
    )
    assert await raw.code("GET", f"{FW}/nope") == 2010
    sim.remove_device("bfplug")
    assert await raw.code("GET", f"{FW}/bfplug") == 2010
    assert [call.kind for call in sim.calls[-3:]] == ["details", "details", "details"]


async def test_batch_details(raw: Raw, sim: TuyaCloudSimulator) -> None:
    """Up to 20 devices as a list; unknown ids left out; more than 20 refused."""
    add(sim, "bfplug", firmware())
    add(sim, "bfsub", firmware(3), sub=True, online=False)
    envelope = await batch(raw, "bfsub,nope,bfplug")
    assert envelope["success"] is True
    result = envelope["result"]
    assert isinstance(result, list)
    assert [(item["id"], item["is_online"]) for item in result] == [
        ("bfsub", False),
        ("bfplug", True),
    ]
    assert all(set(item) == DETAILS_FIELDS for item in result)  # no version fields
    assert sim.calls[-1].kind == "batch"
    too_many = ",".join(f"bf{index}" for index in range(21))
    assert (await batch(raw, too_many))["code"] == 1109
    assert (await batch(raw, ""))["code"] == 1109


async def test_batch_calls_forbidden(raw: Raw, sim: TuyaCloudSimulator) -> None:
    """A project scripted without the permission gets 40001900 on batch calls only."""
    add(sim, "bfplug", firmware())
    sim.forbid_batch_calls()
    envelope = await batch(raw, "bfplug")
    assert (envelope["code"], envelope["msg"]) == (40001900, "No space permission")
    assert (await raw.result("GET", f"{FW}/bfplug"))["id"] == "bfplug"
    sim.forbid_batch_calls(False)
    assert (await batch(raw, "bfplug"))["success"] is True


# --- firmware items ------------------------------------------------------------------------


async def test_firmware_deploy_time_and_dev_type(
    raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    """When the offered firmware was released (ms), and whether the device sleeps."""
    add(sim, "bfa", firmware(), firmware(9, low_power=True))
    items = await raw.firmware("bfa")
    assert [(item["dev_type"], item["firmware_deploy_time"]) for item in items] == [
        (0, 1_700_000_000_000),
        (1, 1_700_000_000_000),
    ]
    clock.advance(10)
    sim.publish_firmware("bfa", 0, "1.2.0")
    sim.publish_firmware("bfa", 3, "1.0.1")
    deployed = {item["type"]: item["firmware_deploy_time"] for item in await raw.firmware("bfa")}
    assert deployed == {0: int(clock() * 1000), 3: int(clock() * 1000), 9: 1_700_000_000_000}


# --- devices that stay offline after an update ---------------------------------------------


async def online_in_list(raw: Raw) -> dict[str, bool]:
    """Each device's ``online`` as the home's device list shows it."""
    devices = await raw.result("GET", f"/v1.0/homes/{HOME_ID}/devices")
    return {device["id"]: device["online"] for device in devices}


async def is_online(raw: Raw, device_id: str) -> bool:
    """The device-details call's ``is_online``."""
    return bool((await raw.result("GET", f"{FW}/{device_id}"))["is_online"])


async def test_device_stays_offline_after_its_update(
    raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    """The update succeeds, then the device is gone: for two minutes, or for good."""
    add(sim, "bfback", firmware(offline_after_update=True, back_online_after_s=120))
    add(sim, "bfgone", firmware(offline_after_update=True))
    await raw.start("bfback", 0)
    await raw.start("bfgone", 0)
    clock.advance(60)
    assert await raw.progress("bfback", 0) == (3, 100)
    [item] = await raw.firmware("bfback")
    assert (item["upgrade_status"], item["current_version"]) == (0, "1.1.0")
    assert await online_in_list(raw) == {"bfback": False, "bfgone": False}
    assert not await is_online(raw, "bfback")
    clock.advance(119)
    assert not await is_online(raw, "bfback")
    clock.advance(1)
    assert await is_online(raw, "bfback")
    assert await online_in_list(raw) == {"bfback": True, "bfgone": False}
    clock.advance(1_000_000)
    await raw.login()  # the old token has long expired
    assert not await is_online(raw, "bfgone")
    sim.set_online("bfgone", True)  # brought back by hand
    assert await is_online(raw, "bfgone")


async def test_offline_after_one_channel_holds_the_other(
    raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    """The module's update takes the device away; the MCU's freezes until it is back."""
    add(
        sim,
        "bfmcu",
        firmware(0, offline_after_update=True, back_online_after_s=100),
        firmware(9, update_seconds=90),
    )
    await raw.start("bfmcu", 0)
    await raw.start("bfmcu", 9)
    clock.advance(100)
    assert await raw.progress("bfmcu", 9) == (2, 66)  # 60 s done, offline since then
    clock.advance(89)
    assert await raw.progress("bfmcu", 9) == (2, 98)
    clock.advance(1)
    assert await raw.progress("bfmcu", 9) == (3, 100)


async def test_set_online_overrides_a_scheduled_comeback(
    raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    add(sim, "bfback", firmware(offline_after_update=True, back_online_after_s=120))
    await raw.start("bfback", 0)
    clock.advance(100)
    sim.set_online("bfback", False)
    clock.advance(1_000)
    assert not await is_online(raw, "bfback")
    sim.set_online("bfback", True)
    assert await is_online(raw, "bfback")


# --- firmware that fails for one product ---------------------------------------------------


async def test_firmware_fails_for_one_product(
    raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    """Every update of the product's devices fails, on every channel, added later or not."""
    add(sim, "bfbad1", firmware(), product_id="badprod")
    add(sim, "bfbad2", firmware(9), product_id="badprod")
    add(sim, "bfgood", firmware(), product_id="goodprod")
    sim.fail_firmware_of_product("badprod", at_percent=25)
    add(sim, "bfbad3", firmware(), product_id="badprod")
    for device_id, channel in [("bfbad1", 0), ("bfbad2", 9), ("bfbad3", 0), ("bfgood", 0)]:
        await raw.start(device_id, channel)
    clock.advance(60)
    assert await raw.progress("bfbad1", 0) == (4, 25)
    assert await raw.progress("bfbad2", 9) == (4, 25)
    assert await raw.progress("bfbad3", 0) == (4, 25)
    assert await raw.progress("bfgood", 0) == (3, 100)
    [item] = await raw.firmware("bfbad1")
    assert (item["upgrade_status"], item["current_version"]) == (4, "1.0.0")
    sim.fail_firmware_of_product("badprod", None)  # a mended release
    await raw.start("bfbad1", 0)
    clock.advance(60)
    assert await raw.progress("bfbad1", 0) == (3, 100)
    with pytest.raises(ValueError, match="no device of product"):
        sim.fail_firmware_of_product("nothing")


async def test_bad_firmware_scenario(start_simulator: StartSimulator, clock: FakeClock) -> None:
    """The demo's bad firmware: the bulbs' pilot fails; another product still updates."""
    sim = TuyaCloudSimulator(DEMO_ACCESS_ID, DEMO_ACCESS_SECRET, clock=clock)
    build_demo(sim)
    product_id = apply_bad_firmware(sim)
    offered = [
        device.device_id
        for device in sim.devices
        if device.product_id == product_id
        and any(fw.version != fw.current_version for fw in device.firmware)
    ]
    assert len(offered) >= 3
    plug = next(d for d in sim.devices if d.product_name == "Smart Plug 16A" and d.online)
    await start_simulator(sim)
    async with aiohttp.ClientSession() as session:
        raw = Raw(session, sim, clock)
        await raw.login()
        await raw.start(offered[0], 0)
        await raw.start(plug.device_id, 0)
        clock.advance(60)
        assert (await raw.progress(offered[0], 0))[0] == 4
        assert (await raw.progress(plug.device_id, 0))[0] == 3


# --- devices that update by themselves -----------------------------------------------------


async def test_device_installs_its_update_by_itself(
    raw: Raw, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    """The app's automatic update: no start call, the next read shows it installed."""
    add(sim, "bfauto", firmware(), firmware(9, version="2.0.0"))
    clock.advance(5)
    sim.self_update("bfauto", channel=0)
    items = {item["type"]: item for item in await raw.firmware("bfauto")}
    assert (items[0]["upgrade_status"], items[0]["current_version"], items[0]["version"]) == (
        0,
        "1.1.0",
        "1.1.0",
    )
    assert items[0]["last_upgrade_time"] == int(clock() * 1000)
    assert items[9]["upgrade_status"] == 1
    sim.self_update("bfauto")
    items = {item["type"]: item for item in await raw.firmware("bfauto")}
    assert (items[9]["upgrade_status"], items[9]["current_version"]) == (0, "2.0.0")
    assert await raw.code("POST", f"{FW}/bfauto/firmware/0") == 1109  # nothing left to install
    assert sim.start_calls == []
    add(sim, "bfbusy", firmware())
    await raw.start("bfbusy", 0)
    with pytest.raises(ValueError, match="is running"):
        sim.self_update("bfbusy")
    with pytest.raises(KeyError):
        sim.self_update("bfauto", channel=5)


# --- an update the device refuses now ------------------------------------------------------


async def test_cannot_upgrade_now_says_why(raw: Raw, sim: TuyaCloudSimulator) -> None:
    """``can_upgrade`` false: the read shows the remind; a start is refused, saying it."""
    remind = "Battery below 20 %: charge the lock first."
    add(sim, "bflock", firmware(can_upgrade=False, remind=remind))
    [item] = await raw.firmware("bflock")
    assert (item["upgrade_status"], item["can_upgrade"], item["remind"]) == (1, False, remind)
    _, envelope = await raw.request("POST", f"{FW}/bflock/firmware/0")
    assert envelope["success"] is False
    assert envelope["code"] == 1109
    assert remind in envelope["msg"]
    assert await raw.progress("bflock", 0) == (1, 0)
    assert sim.start_calls == []
    sim.get_device("bflock").firmware[0].can_upgrade = True  # charged
    assert await raw.start("bflock", 0) is True
