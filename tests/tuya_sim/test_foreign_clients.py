"""The simulated cloud driven by Tuya clients nobody here wrote: tinytuya and tuya-connector.

Both sign as they do against the real cloud, so a request the simulator refuses here is one
it refuses wrongly. Both are synchronous (requests), so they run in threads while the
simulator serves on the test's loop. They stamp ``t`` from the process clock; the
simulator's hand-moved clock starts there, so the tests hold at any date and under faketime.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
import importlib
import time
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
import tinytuya
from tuya_connector import TuyaOpenAPI

from tests.conftest import StartSimulator
from tests.timetravel import FakeClock
from tuya_sim import TuyaCloudSimulator
from tuya_sim.scenarios import (
    DEMO_ACCESS_ID,
    DEMO_ACCESS_SECRET,
    DEMO_HOME_ID,
    DEMO_UID,
    build_demo,
)

from .conftest import FW

DEHUMIDIFIER = "bf1a2b3c4d5e6f7a8b09"  # the demo's device with a main module and an MCU

type Envelope = dict[str, Any]
type Call = Callable[[str, str], Envelope]


@pytest.fixture
def clock() -> FakeClock:
    """Start at the process clock, which both clients read for the ``t`` they sign."""
    return FakeClock(time.time())


@pytest.fixture
async def sim(start_simulator: StartSimulator, clock: FakeClock) -> TuyaCloudSimulator:
    simulator = TuyaCloudSimulator(DEMO_ACCESS_ID, DEMO_ACCESS_SECRET, clock=clock)
    build_demo(simulator)
    return await start_simulator(simulator)


class PlainHttpAdapter(HTTPAdapter):
    """Carries tinytuya's https requests over plain http, which the simulator serves.

    The scheme is no part of the signature; everything tinytuya signs and sends is unchanged.
    """

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        request.url = "http://" + str(request.url).removeprefix("https://")
        self.sent.append(request)
        return super().send(request, *args, **kwargs)


class LoopbackCloud(tinytuya.Cloud):
    """tinytuya's Cloud with ``apiRegion`` naming the host itself instead of a data centre."""

    def setregion(self, apiRegion: str | None = None) -> None:  # noqa: N803 - tinytuya's name
        self.urlhost = apiRegion


@pytest.fixture
def tinytuya_http() -> Generator[PlainHttpAdapter]:
    """Route tinytuya's module-level ``requests.get``/``requests.request`` through a session."""
    adapter = PlainHttpAdapter()
    with requests.Session() as session, pytest.MonkeyPatch.context() as patch:
        session.trust_env = False  # no proxy from the environment between client and simulator
        session.mount("https://", adapter)
        patch.setattr(importlib.import_module("tinytuya.Cloud"), "requests", session)
        yield adapter


async def walk_the_update(call: Call, sim: TuyaCloudSimulator, clock: FakeClock) -> None:
    """Homes, members, devices, firmware, start and progress, as the integration reads them."""

    async def result(method: str, path: str) -> Any:
        envelope = await asyncio.to_thread(call, method, path)
        assert envelope["success"] is True, envelope
        return envelope["result"]

    [home] = await result("GET", f"/v1.0/users/{DEMO_UID}/homes")
    assert (home["home_id"], home["name"]) == (DEMO_HOME_ID, "Demo Home")
    members = await result("GET", f"/v1.0/homes/{DEMO_HOME_ID}/members")
    assert [member["uid"] for member in members if member.get("owner")] == [DEMO_UID]
    devices = await result("GET", f"/v1.0/homes/{DEMO_HOME_ID}/devices")
    assert [device["id"] for device in devices] == [device.device_id for device in sim.devices]
    items = await result("GET", f"{FW}/{DEHUMIDIFIER}/firmware")
    assert {item["type"]: (item["current_version"], item["version"]) for item in items} == {
        0: ("1.2.0", "1.3.0"),
        9: ("2.0.1", "2.1.0"),
    }
    assert await result("POST", f"{FW}/{DEHUMIDIFIER}/firmware/9") is True
    assert sim.start_calls == [(DEHUMIDIFIER, 9, clock())]
    clock.advance(30)  # half of the MCU's 60 s update
    progress = await result("GET", f"{FW}/{DEHUMIDIFIER}/firmware/9/progress")
    assert (progress["upgrade_status"], progress["progress"]) == (2, 50)
    assert [call.code for call in sim.calls] == [0] * 7  # the token call and six more


async def test_tinytuya_cloud(
    sim: TuyaCloudSimulator, clock: FakeClock, tinytuya_http: PlainHttpAdapter
) -> None:
    """tinytuya 1.20.0 signs ``Signature-Headers: Content-type`` on its POST."""
    host = sim.url.removeprefix("http://")
    cloud = await asyncio.to_thread(
        LoopbackCloud, apiRegion=host, apiKey=DEMO_ACCESS_ID, apiSecret=DEMO_ACCESS_SECRET
    )
    assert cloud.token  # taken in the constructor
    await walk_the_update(lambda method, path: cloud.cloudrequest(path, action=method), sim, clock)
    [start] = [request for request in tinytuya_http.sent if request.method == "POST"]
    assert start.headers["Signature-Headers"] == "Content-type"
    assert start.headers["Content-type"] == "application/json"


async def test_tuya_connector(sim: TuyaCloudSimulator, clock: FakeClock) -> None:
    """Tuya's own tuya-connector-python 0.1.2: no nonce, no signed headers."""
    api = TuyaOpenAPI(sim.url, DEMO_ACCESS_ID, DEMO_ACCESS_SECRET)
    api.session.trust_env = False  # no proxy from the environment between client and simulator
    with api.session:
        token = await asyncio.to_thread(api.connect)
        assert token["success"] is True, token

        def call(method: str, path: str) -> Envelope:
            return api.get(path) if method == "GET" else api.post(path)

        await walk_the_update(call, sim, clock)
