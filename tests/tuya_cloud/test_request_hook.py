"""The client's ``on_request`` hook: one call per request the cloud answers, tokens included."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import aiohttp
import pytest

from custom_components.tuya_ota.tuya_cloud import (
    TuyaCloudClient,
    TuyaConnectionError,
    TuyaDeviceOfflineError,
)
from tuya_sim import SimDevice, SimFirmware, SimHome, SimMember, TuyaCloudSimulator

ACCESS_ID = "hookaccessid00000001"
ACCESS_SECRET = "hooksecret0000000000000000000001"
UID = "ay1600000000000ann"
HOME_ID = 31000001
PLUG = "bf00000000000000plug"


@pytest.fixture
async def sim() -> AsyncGenerator[TuyaCloudSimulator]:
    simulator = TuyaCloudSimulator(ACCESS_ID, ACCESS_SECRET)
    simulator.add_home(
        SimHome(home_id=HOME_ID, name="Home", members=[SimMember(uid=UID, name="A", owner=True)])
    )
    simulator.add_device(
        HOME_ID,
        SimDevice(
            device_id=PLUG,
            name="Plug",
            firmware=[SimFirmware(channel=0, current_version="1.0.0", version="1.1.0")],
        ),
    )
    await simulator.start(host="127.0.0.1", port=0)
    yield simulator
    await simulator.stop()


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def test_every_answered_request_is_reported(
    sim: TuyaCloudSimulator, session: aiohttp.ClientSession
) -> None:
    """The token, the business calls, a failure answer and a token renewal each count once."""
    requests: list[int] = []
    client = TuyaCloudClient(
        session, sim.url, ACCESS_ID, ACCESS_SECRET, on_request=lambda: requests.append(1)
    )
    await client.get_home_members(HOME_ID)
    await client.get_home_devices(HOME_ID)
    await client.get_firmware(PLUG)
    sim.fail_next("/firmware", code=2001)
    with pytest.raises(TuyaDeviceOfflineError):
        await client.get_firmware(PLUG)
    sim.expire_tokens()
    await client.get_firmware(PLUG)  # refused (1010), token refreshed, repeated
    assert len(requests) == len(sim.calls) == 8


async def test_unanswered_requests_are_not_reported(session: aiohttp.ClientSession) -> None:
    """Nothing reached the cloud (connection refused): nothing was spent."""
    requests: list[int] = []
    client = TuyaCloudClient(
        session,
        "http://127.0.0.1:9",
        ACCESS_ID,
        ACCESS_SECRET,
        on_request=lambda: requests.append(1),
    )
    with pytest.raises(TuyaConnectionError):
        await client.get_home_members(HOME_ID)
    assert requests == []
