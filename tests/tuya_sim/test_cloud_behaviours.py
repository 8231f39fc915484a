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
