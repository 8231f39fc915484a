"""The simulator's device-details calls and its scripted update behaviours, on the wire.

Driven with raw signed requests (the simulator's own signing), as test_simulator.py is.
"""

from __future__ import annotations

import pytest

from tests.conftest import StartSimulator
from tests.timetravel import FakeClock
from tuya_sim import SimHome, SimMember, TuyaCloudSimulator

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
