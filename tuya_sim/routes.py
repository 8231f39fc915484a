"""The wire: aiohttp routes of every call, and the middleware that wraps each answer.

The middleware applies the scripted delays and faults, turns ``CloudError`` into the failure
envelope and records every call. Each business route is signed: rate limit, signature and
token, then what the project's plan refuses, then the call itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from typing import TYPE_CHECKING, Final

from aiohttp import web

from . import updates, views
from .auth import authenticate
from .errors import CloudError
from .recorder import SimCall

if TYPE_CHECKING:
    from .simulator import TuyaCloudSimulator

Call = Callable[[web.Request, float], object]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_NOW: Final = "tuya_sim.now"
_BODY: Final = "tuya_sim.body"
THING: Final = "/v2.0/cloud/thing"
MAX_BATCH_DEVICES: Final = 20


class SimRoutes:
    """The aiohttp side of one simulator: its application and how each call is answered."""

    def __init__(self, sim: TuyaCloudSimulator, stopping: asyncio.Event) -> None:
        """Answer for ``sim``; ``stopping`` releases held requests when the server stops."""
        self._sim = sim
        self._stopping = stopping

    def make_app(self) -> web.Application:
        """A fresh application with a route per call and a catch-all answering 1108."""
        app = web.Application(middlewares=[self._answer])
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/v1.0/token", self._signed(self._token_grant, token_call=True)),
            ("GET", "/v1.0/token/{refresh}", self._signed(self._token_refresh, token_call=True)),
            ("GET", "/v1.0/users/{uid}/homes", self._signed(self._homes)),
            ("GET", "/v1.0/homes/{home}/members", self._signed(self._members)),
            ("GET", "/v1.0/homes/{home}/devices", self._signed(self._devices)),
            # The plain batch path before the details path it would otherwise match.
            ("GET", THING + "/batch", self._signed(self._batch)),
            ("GET", THING + "/{device}", self._signed(self._details)),
            ("GET", THING + "/{device}/firmware", self._signed(self._firmware)),
            ("POST", THING + "/{device}/firmware/{channel}", self._signed(self._start)),
            ("GET", THING + "/{device}/firmware/{channel}/progress", self._signed(self._progress)),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        app.router.add_route("*", "/{tail:.*}", self._unknown_path)
        return app

    # --- middleware ---------------------------------------------------------------------

    @web.middleware
    async def _answer(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Delay, fault or answer, then record the call (at the time it arrived)."""
        sim = self._sim
        now = sim.clock()
        request[_NOW] = now
        request[_BODY] = await request.read()
        path = request.path
        delay = sim.faults.take_delay(path)
        if delay is not None:
            await self._pause(delay.seconds)
        fault = sim.faults.take_fault(path)
        response: web.StreamResponse
        if fault is not None:
            response, code = views.fault_response(fault, now)
        else:
            try:
                response, code = await handler(request), 0
            except CloudError as error:
                response, code = views.failure(error.code, error.msg, now), error.code
        sim.recorder.calls.append(SimCall(request.method.upper(), path, now, code, response.status))
        return response

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    def _signed(self, call: Call, *, token_call: bool = False) -> Handler:
        """The route's handler: the checks every call meets before ``call`` answers."""

        async def handle(request: web.Request) -> web.StreamResponse:
            sim = self._sim
            now: float = request[_NOW]
            sim.faults.check_rate_limit(now)
            authenticate(
                request,
                request[_BODY],
                now,
                access_id=sim.access_id,
                access_secret=sim.access_secret,
                tokens=sim.tokens,
                token_call=token_call,
            )
            if not token_call:
                sim.faults.check_account(request.path, now)
            return views.success(call(request, now), now)

        return handle

    async def _unknown_path(self, request: web.Request) -> web.StreamResponse:
        raise CloudError(1108)

    # --- calls --------------------------------------------------------------------------

    def _token_grant(self, request: web.Request, now: float) -> object:
        if request.query.get("grant_type") != "1":
            raise CloudError(1003)
        return self._sim.tokens.grant(now)

    def _token_refresh(self, request: web.Request, now: float) -> object:
        return self._sim.tokens.refresh(request.match_info["refresh"], now)

    def _homes(self, request: web.Request, now: float) -> object:
        homes = self._sim.world.homes_of(request.match_info["uid"])
        return [views.home_item(home) for home in homes]

    def _members(self, request: web.Request, now: float) -> object:
        home = self._sim.world.home(request.match_info["home"])
        return [views.member_item(member) for member in home.members]

    def _devices(self, request: web.Request, now: float) -> object:
        world = self._sim.world
        home = world.home(request.match_info["home"])
        owner = next((m.uid for m in home.members if m.owner), "")
        devices = world.devices_of(home)
        for device in devices:
            updates.settle(device, now)
        return [views.device_item(device, owner, now) for device in devices]

    def _details(self, request: web.Request, now: float) -> object:
        device = self._sim.world.device(request.match_info["device"])
        updates.settle(device, now)
        return views.thing_item(device, now)

    def _batch(self, request: web.Request, now: float) -> object:
        """Up to 20 devices' details; ids the project does not know are left out."""
        self._sim.faults.check_batch_allowed()
        ids = [part for part in request.query.get("device_ids", "").split(",") if part]
        if not 1 <= len(ids) <= MAX_BATCH_DEVICES:
            raise CloudError(1109, f"param is illegal, please check it: {len(ids)} device_ids")
        known = self._sim.world.known_devices(ids)
        for device in known:
            updates.settle(device, now)
        return [views.thing_item(device, now) for device in known]

    def _firmware(self, request: web.Request, now: float) -> object:
        device = self._sim.world.device(request.match_info["device"])
        updates.settle(device, now)
        return views.firmware_result(device, now)

    def _start(self, request: web.Request, now: float) -> object:
        world = self._sim.world
        device = world.device(request.match_info["device"])
        firmware = world.channel(device, request.match_info["channel"])
        self._sim.faults.check_device_pool(device.device_id, now)
        world.start_update(device, firmware, now)
        self._sim.faults.use_device_pool(device.device_id, now)
        self._sim.recorder.start_calls.append((device.device_id, firmware.channel, now))
        return True

    def _progress(self, request: web.Request, now: float) -> object:
        world = self._sim.world
        device = world.device(request.match_info["device"])
        firmware = world.channel(device, request.match_info["channel"])
        return updates.progress(device, firmware, now)
