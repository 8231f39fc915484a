"""Fixtures of the simulator's tests: raw signed requests on the hand-moved clock.

They sign with the simulator's own signing module only, so they do not depend on the
integration's client.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Any
import uuid

import aiohttp
import pytest

from tests.timetravel import FakeClock
from tuya_sim import SimDevice, SimFirmware, TuyaCloudSimulator
from tuya_sim.signing import expected_signature, signed_url

ACCESS_ID = "simtestaccessid00001"
ACCESS_SECRET = "simtestsecret000000000000000001"
HOME_ID = 31000001
UID = "ay1600000000000ann"
FW = "/v2.0/cloud/thing"


class Raw:
    """A minimal Tuya client built on the simulator's own signing, for wire-level tests."""

    def __init__(
        self, session: aiohttp.ClientSession, sim: TuyaCloudSimulator, clock: FakeClock
    ) -> None:
        self.session = session
        self.sim = sim
        self.clock = clock
        self.access_token = ""
        self.refresh_token = ""

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        token_call: bool = False,
        headers: dict[str, str | None] | None = None,
        secret: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        t = str(int(self.clock() * 1000))
        nonce = uuid.uuid4().hex
        access_token = "" if token_call else self.access_token
        sign = expected_signature(
            client_id=self.sim.access_id,
            secret=secret or self.sim.access_secret,
            t=t,
            nonce=nonce,
            access_token=access_token,
            method=method,
            url=signed_url(path, (query or {}).items()),
            body=b"",
        )
        sent: dict[str, str | None] = {
            "client_id": self.sim.access_id,
            "t": t,
            "nonce": nonce,
            "sign_method": "HMAC-SHA256",
            "sign": sign,
        }
        if not token_call:
            sent["access_token"] = access_token
        sent.update(headers or {})
        final = {name: value for name, value in sent.items() if value is not None}
        async with self.session.request(
            method, self.sim.url + path, params=query, headers=final
        ) as response:
            return response.status, await response.json(content_type=None)

    def sign_without_nonce(
        self, t: str, method: str, path: str, headers: Sequence[tuple[str, str]] = ()
    ) -> str:
        """The signature of a business call sent at ``t`` with no nonce, signing ``headers``."""
        return expected_signature(
            client_id=self.sim.access_id,
            secret=self.sim.access_secret,
            t=t,
            nonce="",
            access_token=self.access_token,
            method=method,
            url=path,
            body=b"",
            headers=headers,
        )

    async def login(self) -> None:
        _, envelope = await self.request(
            "GET", "/v1.0/token", query={"grant_type": "1"}, token_call=True
        )
        self.access_token = envelope["result"]["access_token"]
        self.refresh_token = envelope["result"]["refresh_token"]

    async def result(self, method: str, path: str) -> Any:
        _, envelope = await self.request(method, path)
        assert envelope["success"], envelope
        return envelope["result"]

    async def code(self, method: str, path: str, **kwargs: Any) -> int:
        _, envelope = await self.request(method, path, **kwargs)
        assert envelope["success"] is False, envelope
        assert set(envelope) == {"success", "code", "msg", "t", "tid"}
        return int(envelope["code"])

    async def progress(self, device_id: str, channel: int) -> tuple[int, int]:
        result = await self.result("GET", f"{FW}/{device_id}/firmware/{channel}/progress")
        return result["upgrade_status"], result["progress"]

    async def firmware(self, device_id: str) -> Any:
        return await self.result("GET", f"{FW}/{device_id}/firmware")

    async def start(self, device_id: str, channel: int) -> Any:
        return await self.result("POST", f"{FW}/{device_id}/firmware/{channel}")


def firmware(channel: int = 0, **overrides: Any) -> SimFirmware:
    values: dict[str, Any] = {
        "current_version": "1.0.0",
        "version": "1.1.0",
        "desc": "Fixes",
        "update_seconds": 60.0,
        "timeout_s": 300,
    }
    values.update(overrides)
    return SimFirmware(channel=channel, **values)


def add(sim: TuyaCloudSimulator, device_id: str, *channels: SimFirmware, **kw: Any) -> None:
    sim.add_device(
        HOME_ID, SimDevice(device_id=device_id, name=device_id, firmware=[*channels], **kw)
    )


@pytest.fixture
async def raw(sim: TuyaCloudSimulator, clock: FakeClock) -> AsyncGenerator[Raw]:
    """A logged-in raw client of the module's ``sim``."""
    async with aiohttp.ClientSession() as session:
        client = Raw(session, sim, clock)
        await client.login()
        yield client
