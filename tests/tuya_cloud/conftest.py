"""Fixtures of the client's tests: a simulated cloud with one home on the hand-moved clock."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import aiohttp
import pytest

from tests.conftest import StartSimulator
from tests.timetravel import FakeClock
from tuya_sim import SimDevice, SimFirmware, SimHome, SimMember, TuyaCloudSimulator

ACCESS_ID = "clientaccessid0000001"
ACCESS_SECRET = "clientsecret00000000000000000001"
UID = "ay1600000000000ann"
HOME_ID = 31000001
PLUG = "bf00000000000000plug"
MCU = "bf000000000000000mcu"
ZIGBEE = "bf00000000000000zigb"
VACUUM = "bf0000000000000vacuum"
LOCAL_KEY = "s3cr3tl0calk3y!!"


def populate(sim: TuyaCloudSimulator) -> None:
    sim.add_home(
        SimHome(
            home_id=HOME_ID,
            name="Home",
            members=[
                SimMember(uid=UID, name="Ann", owner=True),
                SimMember(uid="ay1600000000000bob", name="Bob", admin=True),
                SimMember(uid="ay1600000000000cat", name="Cat"),
            ],
        )
    )
    sim.add_device(
        HOME_ID,
        SimDevice(
            device_id=PLUG,
            name="Plug",
            product_name="Smart Plug",
            local_key=LOCAL_KEY,
            model="SP-1",
            firmware=[
                SimFirmware(
                    channel=0,
                    current_version="1.0.0",
                    version="1.1.0",
                    desc="Fixes",
                    update_seconds=60.0,
                )
            ],
        ),
    )
    sim.add_device(
        HOME_ID,
        SimDevice(
            device_id=MCU,
            name="Dehumidifier",
            category="cs",
            local_key=LOCAL_KEY,
            firmware=[
                SimFirmware(channel=9, current_version="2.0.0", version="2.1.0"),
                SimFirmware(channel=0, current_version="1.2.0", version="1.3.0"),
            ],
        ),
    )
    sim.add_device(
        HOME_ID,
        SimDevice(
            device_id=ZIGBEE,
            name="Door",
            sub=True,
            category="mcs",
            firmware=[
                SimFirmware(
                    channel=3,
                    current_version="1.0.0",
                    version="1.0.1",
                    low_power=True,
                    wake_after_s=30.0,
                    timeout_s=600,
                )
            ],
        ),
    )
    sim.add_device(
        HOME_ID,
        SimDevice(
            device_id=VACUUM,
            name="Vacuum",
            category="sd",
            firmware_shape="object",
            firmware=[SimFirmware(channel=0, current_version="3.0.0", version="3.1.0")],
        ),
    )


@pytest.fixture
async def sim(start_simulator: StartSimulator, clock: FakeClock) -> TuyaCloudSimulator:
    simulator = TuyaCloudSimulator(ACCESS_ID, ACCESS_SECRET, clock=clock)
    populate(simulator)
    return await start_simulator(simulator)


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session
