"""An aiohttp server that speaks the Tuya Cloud OpenAPI wire protocol, for tests and demos.

It checks every request the way the real cloud does (client id, signature, timestamp, token)
and computes firmware updates lazily from its clock, so a test can freeze or advance time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
import hashlib
from http import HTTPStatus
import json
import math
import re
import time
from typing import Final
import uuid

from aiohttp import web

from . import timeline
from .models import SimCall, SimDevice, SimFirmware, SimHome, SimMember, SimRun
from .signing import (
    ALGORITHM,
    expected_signature,
    signature_matches,
    signed_headers,
    signed_url,
)


def _wall_clock() -> float:
    """time.time looked up at each call, so that a test's frozen clock applies."""
    return time.time()


MAX_CLOCK_SKEW_MS: Final = 15 * 60 * 1000
READY_STATUSES: Final = frozenset({1, 4, 7})
FIRMWARE_DEPLOY_TIME_MS: Final = 1_700_000_000_000

MESSAGES: Final[dict[int, str]] = {
    500: "system error, please contact the admin",
    1001: "secret invalid",
    1003: "grant type invalid",
    1004: "sign invalid",
    1005: "clientId invalid",
    1010: "token is expired",
    1011: "token invalid",
    1012: "token status is invalid",
    1013: "request time is invalid",
    1106: "permission deny",
    1108: "uri path invalid",
    1109: "param is illegal, please check it",
    1110: "concurrent request over limit",
    1111: "system is busy, please retry later",
    1114: "IP not allowed",
    1199: "your requests are too frequent",
    2001: "device is offline",
    2006: "user not exist",
    2010: "device not exist",
    2406: "skill id invalid",
    28841002: "No permissions. Your subscription to cloud development plan has expired.",
    28841004: "IoT Core trial quota is exhausted.",
    28841101: "No permissions. This API is not subscribed.",
    28841105: "No permissions. This project is not authorized to call this API.",
}

# The API products of a cloud project (its Service API tab) and the calls each one answers.
SMART_HOME_BASIC: Final = "Smart Home Basic Service"
IOT_CORE: Final = "IoT Core"
CODE_TRIAL_EXPIRED: Final = 28841002
CODE_QUOTA_EXHAUSTED: Final = 28841004
CODE_NOT_SUBSCRIBED: Final = 28841101


def _product_of(path: str) -> str:
    """The product a business call belongs to: firmware calls are IoT Core's."""
    return IOT_CORE if path.startswith("/v2.0/cloud/thing/") else SMART_HOME_BASIC


class _FailError(Exception):
    """A failure envelope to answer (raised by the route handlers)."""

    def __init__(self, code: int, msg: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.msg = msg if msg is not None else MESSAGES.get(code, "error")


@dataclass
class _Fault:
    path_contains: str | None
    code: int | None
    http_status: int | None
    body: bytes | None
    msg: str
    remaining: int


@dataclass
class _Delay:
    path_contains: str | None
    seconds: float
    remaining: int


@dataclass
class _AccessToken:
    refresh_token: str
    expires_at: float
    expired: bool = False


@dataclass
class _Request:
    method: str
    path: str
    match: re.Match[str]
    now: float


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: str
    token_call: bool = False


_ROUTES: Final = (
    _Route("GET", re.compile(r"/v1\.0/token"), "_api_token_grant", token_call=True),
    _Route(
        "GET", re.compile(r"/v1\.0/token/(?P<refresh>[^/]+)"), "_api_token_refresh", token_call=True
    ),
    _Route("GET", re.compile(r"/v1\.0/users/(?P<uid>[^/]+)/homes"), "_api_homes"),
    _Route("GET", re.compile(r"/v1\.0/homes/(?P<home>[^/]+)/members"), "_api_members"),
    _Route("GET", re.compile(r"/v1\.0/homes/(?P<home>[^/]+)/devices"), "_api_devices"),
    _Route("GET", re.compile(r"/v2\.0/cloud/thing/(?P<device>[^/]+)/firmware"), "_api_firmware"),
    _Route(
        "POST",
        re.compile(r"/v2\.0/cloud/thing/(?P<device>[^/]+)/firmware/(?P<channel>[^/]+)"),
        "_api_start",
    ),
    _Route(
        "GET",
        re.compile(r"/v2\.0/cloud/thing/(?P<device>[^/]+)/firmware/(?P<channel>[^/]+)/progress"),
        "_api_progress",
    ),
)


class TuyaCloudSimulator:
    """A scripted Tuya cloud: homes, devices, firmware updates and injectable faults."""

    def __init__(
        self,
        access_id: str,
        access_secret: str,
        *,
        clock: Callable[[], float] | None = None,
        token_lifetime_s: int = 7200,
        rate_limit_per_s: float | None = None,
        project_uid: str | None = None,
    ) -> None:
        """Set up an empty cloud; add homes and devices before (or while) serving."""
        self.access_id = access_id
        self.access_secret = access_secret
        self.clock = clock or _wall_clock
        self.token_lifetime_s = token_lifetime_s
        self.rate_limit_per_s = rate_limit_per_s
        self.project_uid = (
            project_uid or "sim" + hashlib.sha256(access_id.encode()).hexdigest()[:16]
        )
        self.calls: list[SimCall] = []
        self.start_calls: list[tuple[str, int, float]] = []
        self._homes: dict[int, SimHome] = {}
        self._users: set[str] = set()
        self._devices: dict[str, SimDevice] = {}
        self._runs: list[SimRun] = []
        self._access_tokens: dict[str, _AccessToken] = {}
        self._refresh_tokens: dict[str, str] = {}
        self._issued_tokens: list[str] = []
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []
        self._trial_expired_at: float | None = None
        self._quota_exhausted_at: float | None = None
        self._unsubscribed: dict[str, float] = {}
        self._bucket: float = max(rate_limit_per_s or 0.0, 1.0)
        self._bucket_at: float | None = None
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._stopping = asyncio.Event()

    # --- setup --------------------------------------------------------------------------

    def add_home(self, home: SimHome) -> None:
        """Add (or replace) a home."""
        self._homes[home.home_id] = home

    def issued_tokens(self) -> list[str]:
        """Every access and refresh token ever handed out, for tests that look for leaks."""
        return list(self._issued_tokens)

    def add_user(self, uid: str) -> None:
        """Register a linked app account that belongs to no home (its homes call answers [])."""
        self._users.add(uid)

    def add_device(self, home_id: int, device: SimDevice) -> None:
        """Add a device to a home; it shows up in the next device list."""
        if home_id not in self._homes:
            raise KeyError(f"unknown home {home_id}")
        existing = self._devices.get(device.device_id)
        if existing is not None and not existing.removed:
            raise ValueError(f"device {device.device_id} already exists")
        device.home_id = home_id
        device.removed = False
        self._devices[device.device_id] = device

    def get_device(self, device_id: str) -> SimDevice:
        """Return the simulated device with this id (also a removed one)."""
        return self._devices[device_id]

    @property
    def homes(self) -> list[SimHome]:
        """All simulated homes."""
        return list(self._homes.values())

    @property
    def devices(self) -> list[SimDevice]:
        """All devices that have not been removed."""
        return [device for device in self._devices.values() if not device.removed]

    # --- scripted behaviour -------------------------------------------------------------

    def fail_next(
        self,
        path_contains: str | None = None,
        *,
        code: int | None = None,
        http_status: int | None = None,
        body: bytes | None = None,
        count: int = 1,
        msg: str = "",
    ) -> None:
        """Answer the next ``count`` matching requests with a failure.

        With ``code``: a failure envelope (HTTP ``http_status`` or 200). Without: the raw HTTP
        status with ``body`` (default: a short text, not JSON).
        """
        if code is None and http_status is None and body is None:
            raise ValueError("fail_next needs a code, an http_status or a body")
        self._faults.append(_Fault(path_contains, code, http_status, body, msg, count))

    def expire_trial(self, at: float | None = None) -> None:
        """From ``at`` (default now) every business call answers 28841002 until renewed."""
        self._trial_expired_at = self.clock() if at is None else at

    def renew_trial(self) -> None:
        """The IoT Core trial is extended: calls answer again."""
        self._trial_expired_at = None

    def exhaust_quota(self, at: float | None = None) -> None:
        """From ``at`` (default now) every business call answers 28841004 until restored."""
        self._quota_exhausted_at = self.clock() if at is None else at

    def restore_quota(self) -> None:
        """A new month (or a bigger plan): calls answer again."""
        self._quota_exhausted_at = None

    def unsubscribe(self, product: str, at: float | None = None) -> None:
        """From ``at`` (default now) the calls of ``product`` answer 28841101."""
        if product not in (SMART_HOME_BASIC, IOT_CORE):
            raise ValueError(f"unknown product {product!r}")
        self._unsubscribed[product] = self.clock() if at is None else at

    def subscribe(self, product: str) -> None:
        """The project subscribes to ``product`` again."""
        self._unsubscribed.pop(product, None)

    def delay_next(self, seconds: float, path_contains: str | None = None, count: int = 1) -> None:
        """Hold the next ``count`` matching requests for ``seconds`` (real time) first."""
        self._delays.append(_Delay(path_contains, seconds, count))

    def expire_tokens(self) -> None:
        """Every access token issued so far now answers 1010."""
        for token in self._access_tokens.values():
            token.expired = True

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token issued so far now answers 1012."""
        self._refresh_tokens.clear()

    def set_member_role(self, home_id: int, uid: str, *, owner: bool, admin: bool) -> None:
        """Change a member's flags (adds the member if missing)."""
        home = self._homes[home_id]
        for member in home.members:
            if member.uid == uid:
                member.owner = owner
                member.admin = admin
                return
        home.members.append(SimMember(uid=uid, name=uid, owner=owner, admin=admin))

    def set_online(self, device_id: str, online: bool) -> None:
        """Take a device on- or offline; a running update freezes while it is offline."""
        device = self._devices[device_id]
        now = self.clock()
        self._settle(device, now)
        device.online = online
        device.online_log.append((now, online))

    def remove_device(self, device_id: str) -> None:
        """Remove a device: gone from the list, and its calls answer 2010."""
        self._devices[device_id].removed = True

    def publish_firmware(self, device_id: str, channel: int, version: str, desc: str = "") -> None:
        """Offer a new firmware on a channel (status 1); creates the channel if needed."""
        device = self._devices[device_id]
        self._settle(device, self.clock())
        firmware = device.channel(channel)
        if firmware is None:
            device.firmware.append(
                SimFirmware(channel=channel, current_version="1.0.0", version=version, desc=desc)
            )
            device.firmware.sort(key=lambda item: item.channel)
            return
        firmware.version = version
        firmware.desc = desc
        if _active(firmware) is None and version != firmware.current_version:
            firmware.upgrade_status = 1

    # --- observability ------------------------------------------------------------------

    def call_count(self, path_contains: str | None = None, method: str | None = None) -> int:
        """Count the recorded requests whose path contains ``path_contains``."""
        return sum(
            1
            for call in self.calls
            if (path_contains is None or path_contains in call.path)
            and (method is None or call.method == method.upper())
        )

    def reset_calls(self) -> None:
        """Forget the recorded requests and start calls."""
        self.calls.clear()
        self.start_calls.clear()

    def updating_devices(self) -> set[str]:
        """Devices with an update running (or waiting for the device to wake) now."""
        now = self.clock()
        busy: set[str] = set()
        for device in self._devices.values():
            self._settle(device, now)
            if any(_active(fw) is not None for fw in device.firmware):
                busy.add(device.device_id)
        return busy

    def max_concurrent_updates(self, sub_only: bool = False) -> int:
        """Most devices whose update intervals overlapped (start call to last channel end)."""
        now = self.clock()
        per_device: dict[str, list[tuple[float, float]]] = {}
        for run in self._runs:
            if sub_only and not run.sub:
                continue
            device = self._devices[run.device_id]
            self._settle(device, now)
            end = run.ended_at
            if end is None:
                predicted = timeline.outcome(run, device.online_log).end
                end = math.inf if predicted is None else predicted
            per_device.setdefault(run.device_id, []).append((run.started_at, end))
        events: list[tuple[float, int]] = []
        for intervals in per_device.values():
            for start, end in _merge(intervals):
                events += [(start, 1), (end, -1)]
        events.sort()
        running = best = 0
        for _, delta in events:
            running += delta
            best = max(best, running)
        return best

    # --- serving ------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        """Build a fresh aiohttp application serving this simulator."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0 picks a free port); returns the base URL."""
        if self._runner is not None:
            raise RuntimeError("the simulator is already running")
        self._stopping.clear()
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound = runner.addresses[0]
        url_host = f"[{host}]" if ":" in host else host
        self._url = f"http://{url_host}:{bound[1]}"
        return self._url

    async def stop(self) -> None:
        """Stop serving; delayed requests are released at once."""
        self._stopping.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def url(self) -> str:
        """The base URL while serving."""
        if self._url is None:
            raise RuntimeError("the simulator has not been started")
        return self._url

    # --- request handling ---------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        now = self.clock()
        method = request.method.upper()
        path = request.path
        body = await request.read()
        delay = _take(self._delays, path)
        if delay is not None:
            await self._pause(delay.seconds)
        fault = _take(self._faults, path)
        if fault is not None:
            response, code = self._fault_response(fault, now)
        else:
            try:
                result = self._dispatch(request, method, body, now)
            except _FailError as fail:
                response, code = self._envelope_failure(fail.code, fail.msg, now), fail.code
            else:
                response, code = self._envelope_success(result, now), 0
        self.calls.append(SimCall(method, path, now, code, response.status))
        return response

    def _dispatch(self, request: web.Request, method: str, body: bytes, now: float) -> object:
        path = request.path
        for route in _ROUTES:
            match = route.pattern.fullmatch(path)
            if match is not None and route.method == method:
                break
        else:
            raise _FailError(1108)
        self._check_rate_limit(now)
        self._authenticate(request, method, body, now, token_call=route.token_call)
        if not route.token_call:
            self._check_account(path, now)
        handler: Callable[[_Request], object] = getattr(self, route.handler)
        if route.handler == "_api_token_grant" and request.query.get("grant_type") != "1":
            raise _FailError(1003)
        return handler(_Request(method, path, match, now))

    def _check_rate_limit(self, now: float) -> None:
        rate = self.rate_limit_per_s
        if rate is None:
            return
        capacity = max(rate, 1.0)
        if self._bucket_at is not None:
            self._bucket = min(capacity, self._bucket + max(now - self._bucket_at, 0.0) * rate)
        self._bucket_at = now
        if self._bucket < 1.0:
            raise _FailError(1110)
        self._bucket -= 1.0

    def _check_account(self, path: str, now: float) -> None:
        """What the project's plan refuses: an expired trial, a spent quota, a product."""
        if self._trial_expired_at is not None and now >= self._trial_expired_at:
            raise _FailError(CODE_TRIAL_EXPIRED)
        if self._quota_exhausted_at is not None and now >= self._quota_exhausted_at:
            raise _FailError(CODE_QUOTA_EXHAUSTED)
        since = self._unsubscribed.get(_product_of(path))
        if since is not None and now >= since:
            raise _FailError(CODE_NOT_SUBSCRIBED)

    def _authenticate(
        self, request: web.Request, method: str, body: bytes, now: float, *, token_call: bool
    ) -> None:
        headers = request.headers
        if headers.get("client_id") != self.access_id:
            raise _FailError(1005)
        t = headers.get("t", "")
        access_token = "" if token_call else headers.get("access_token", "")
        expected = expected_signature(
            client_id=self.access_id,
            secret=self.access_secret,
            t=t,
            nonce=headers.get("nonce", ""),
            access_token=access_token,
            method=method,
            url=signed_url(request.rel_url.raw_path, request.rel_url.query.items()),
            body=body,
            headers=signed_headers(headers),
        )
        if headers.get("sign_method", ALGORITHM) != ALGORITHM or not signature_matches(
            headers.get("sign", ""), expected
        ):
            raise _FailError(1004)
        if not t.isdigit() or abs(int(t) - now * 1000) > MAX_CLOCK_SKEW_MS:
            raise _FailError(1013)
        if token_call:
            return
        token = self._access_tokens.get(access_token)
        if token is None:
            raise _FailError(1011)
        if token.expired or now >= token.expires_at:
            raise _FailError(1010)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    # --- envelopes ----------------------------------------------------------------------

    @staticmethod
    def _json(payload: object, status: int = 200) -> web.Response:
        return web.Response(
            body=json.dumps(payload).encode(), status=status, content_type="application/json"
        )

    def _envelope_success(self, result: object, now: float) -> web.Response:
        return self._json(
            {"success": True, "result": result, "t": int(now * 1000), "tid": uuid.uuid4().hex}
        )

    def _envelope_failure(self, code: int, msg: str, now: float, status: int = 200) -> web.Response:
        return self._json(
            {
                "success": False,
                "code": code,
                "msg": msg,
                "t": int(now * 1000),
                "tid": uuid.uuid4().hex,
            },
            status,
        )

    def _fault_response(self, fault: _Fault, now: float) -> tuple[web.Response, int]:
        status = fault.http_status or 200
        if fault.body is not None:
            return web.Response(body=fault.body, status=status), fault.code or status
        if fault.code is not None:
            msg = fault.msg or MESSAGES.get(fault.code, "error")
            return self._envelope_failure(fault.code, msg, now, status), fault.code
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        return web.Response(text=f"{status} {reason}".strip(), status=status), status

    # --- token calls --------------------------------------------------------------------

    def _issue_token(self, now: float) -> dict[str, object]:
        access, refresh = uuid.uuid4().hex, uuid.uuid4().hex
        self._issued_tokens.extend((access, refresh))
        self._access_tokens[access] = _AccessToken(refresh, now + self.token_lifetime_s)
        self._refresh_tokens[refresh] = access
        return {
            "uid": self.project_uid,
            "access_token": access,
            "refresh_token": refresh,
            "expire_time": self.token_lifetime_s,
        }

    def _api_token_grant(self, request: _Request) -> object:
        return self._issue_token(request.now)

    def _api_token_refresh(self, request: _Request) -> object:
        old_access = self._refresh_tokens.pop(request.match["refresh"], None)
        if old_access is None:
            raise _FailError(1012)
        self._access_tokens.pop(old_access, None)
        return self._issue_token(request.now)

    # --- homes --------------------------------------------------------------------------

    def _home(self, raw: str) -> SimHome:
        home = self._homes.get(int(raw)) if raw.isdigit() else None
        if home is None:
            raise _FailError(1106)
        return home

    def _homes_call(self, uid: str) -> list[dict[str, object]]:
        homes = [home for home in self._homes.values() if any(m.uid == uid for m in home.members)]
        if not homes and uid not in self._users:
            raise _FailError(1106)
        return [
            {
                "home_id": home.home_id,
                "name": home.name,
                "lat": home.lat,
                "lon": home.lon,
                "geo_name": home.geo_name,
                "role": home.role,
            }
            for home in homes
        ]

    def _api_homes(self, request: _Request) -> object:
        return self._homes_call(request.match["uid"])

    def _api_members(self, request: _Request) -> object:
        home = self._home(request.match["home"])
        members: list[dict[str, object]] = []
        for member in home.members:
            item: dict[str, object] = {
                "uid": member.uid,
                "name": member.name,
                "member_account": member.member_account,
                "country_code": member.country_code,
                "avatar": member.avatar,
                "admin": member.admin,
            }
            if member.owner:  # the real cloud leaves the flag out for everyone else
                item["owner"] = True
            members.append(item)
        return members

    def _api_devices(self, request: _Request) -> object:
        home = self._home(request.match["home"])
        owner = next((m.uid for m in home.members if m.owner), "")
        return [
            _device_item(device, owner, request.now)
            for device in self._devices.values()
            if device.home_id == home.home_id and not device.removed
        ]

    # --- firmware -----------------------------------------------------------------------

    def _device(self, raw: str) -> SimDevice:
        device = self._devices.get(raw)
        if device is None or device.removed:
            raise _FailError(2010)
        return device

    @staticmethod
    def _channel(device: SimDevice, raw: str) -> SimFirmware:
        firmware = device.channel(int(raw)) if raw.isdigit() else None
        if firmware is None:
            raise _FailError(1109, f"param is illegal, please check it: no firmware channel {raw}")
        return firmware

    def _settle(self, device: SimDevice, now: float) -> None:
        """Apply the end of every run that has ended by ``now`` to the firmware state."""
        for firmware in device.firmware:
            run = _active(firmware)
            if run is None:
                continue
            end = timeline.outcome(run, device.online_log)
            if end.end is None or end.end > now:
                continue
            run.ended_at, run.result, run.final_progress = end.end, end.status, end.progress
            firmware.last_upgrade_time = end.end
            if end.status == timeline.SUCCEEDED:
                firmware.current_version = run.target_version
                newer = firmware.version != run.target_version
                firmware.upgrade_status = 1 if newer else 0
            else:
                firmware.upgrade_status = end.status

    def _api_firmware(self, request: _Request) -> object:
        device = self._device(request.match["device"])
        self._settle(device, request.now)
        items = [_firmware_view(device, fw, request.now) for fw in device.firmware]
        if device.firmware_shape == "list" or not items:
            return items
        # The documentation's example: one object, snake_case, the channel keyed ``channel``.
        chosen = next((item for item in items if item["upgrade_status"] != 0), items[0])
        return {("channel" if key == "type" else key): value for key, value in chosen.items()}

    def _api_start(self, request: _Request) -> object:
        device = self._device(request.match["device"])
        firmware = self._channel(device, request.match["channel"])
        if not device.online:
            raise _FailError(2001)
        now = request.now
        self._settle(device, now)
        status = _status(device, firmware, now)
        if status not in READY_STATUSES or firmware.version == firmware.current_version:
            raise _FailError(
                1109,
                f"param is illegal, please check it: firmware channel {firmware.channel} "
                f"has no update ready to start (upgrade_status {status})",
            )
        if not firmware.can_upgrade:
            reason = firmware.remind or "the device does not allow it now"
            raise _FailError(
                1109, f"firmware channel {firmware.channel} cannot be upgraded: {reason}"
            )
        wake = firmware.wake_after_s if firmware.low_power else 0.0
        run = SimRun(
            device_id=device.device_id,
            channel=firmware.channel,
            sub=device.sub,
            started_at=now,
            active_from=now + max(wake, 0.0),
            target_version=firmware.version,
            update_seconds=firmware.update_seconds,
            fail_at_percent=firmware.fail_at_percent,
            deadline=now + firmware.timeout_s if firmware.timeout_s else None,
        )
        firmware.run = run
        self._runs.append(run)
        self.start_calls.append((device.device_id, firmware.channel, now))
        return True

    def _api_progress(self, request: _Request) -> object:
        device = self._device(request.match["device"])
        firmware = self._channel(device, request.match["channel"])
        now = request.now
        self._settle(device, now)
        run = firmware.run
        if run is None:
            return {"upgrade_status": firmware.upgrade_status, "progress": 0}
        if run.ended_at is not None and run.result is not None:
            return {"upgrade_status": run.result, "progress": run.final_progress}
        status, progress = timeline.state_at(run, device.online_log, now)
        return {"upgrade_status": status, "progress": progress}


def _active(firmware: SimFirmware) -> SimRun | None:
    run = firmware.run
    return run if run is not None and run.ended_at is None else None


def _status(device: SimDevice, firmware: SimFirmware, now: float) -> int:
    run = _active(firmware)
    if run is None:
        return firmware.upgrade_status
    return timeline.state_at(run, device.online_log, now)[0]


def _take[T: (_Fault, _Delay)](rules: list[T], path: str) -> T | None:
    for rule in rules:
        if rule.path_contains is None or rule.path_contains in path:
            rule.remaining -= 1
            if rule.remaining <= 0:
                rules.remove(rule)
            return rule
    return None


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _device_item(device: SimDevice, owner_uid: str, now: float) -> dict[str, object]:
    created = int(now) - 86400 * 30
    return {
        "id": device.device_id,
        "name": device.name,
        "uid": owner_uid,
        "local_key": device.local_key,
        "category": device.category,
        "product_id": device.product_id,
        "product_name": device.product_name,
        "sub": device.sub,
        "uuid": hashlib.md5(device.device_id.encode(), usedforsecurity=False).hexdigest()[:16],
        "owner_id": str(device.home_id),
        "online": device.online,
        "icon": device.icon or f"smart/icon/{device.category}.png",
        "ip": "" if device.sub else device.ip,
        "time_zone": device.time_zone,
        "lat": device.lat,
        "lon": device.lon,
        "model": device.model,
        "node_id": device.node_id,
        "status": device.status,
        "active_time": created,
        "create_time": created,
        "update_time": int(now) - 3600,
    }


def _firmware_view(device: SimDevice, firmware: SimFirmware, now: float) -> dict[str, object]:
    run = _active(firmware)
    status = _status(device, firmware, now)
    version = run.target_version if run is not None else firmware.version
    remind = firmware.remind
    shown_timeout = (
        firmware.timeout_s or 0 if firmware.item_timeout is None else firmware.item_timeout
    )
    if not remind and not device.online and status in READY_STATUSES:
        remind = "The device is offline; it must be online to update."
    return {
        "type": firmware.channel,
        "type_desc": firmware.type_desc,
        "upgrade_status": status,
        "current_version": firmware.current_version,
        "version": version,
        "desc": firmware.desc if version != firmware.current_version else "",
        "upgrading_desc": "Updating, keep the device powered",
        "waiting_desc": "Waiting for the device to wake up" if firmware.low_power else "",
        "remind": remind,
        "can_upgrade": firmware.can_upgrade,
        "dev_type": 1 if firmware.low_power else 0,
        "timeout": shown_timeout,
        "upgrade_type": 0,
        "control_type": 0,
        "url": f"https://images.tuya-sim.invalid/firmware/{firmware.channel}/{version}.bin",
        "md5": hashlib.md5(version.encode(), usedforsecurity=False).hexdigest(),
        "file_size": str(firmware.file_size),
        "last_upgrade_time": int((firmware.last_upgrade_time or 0) * 1000),
        "firmware_deploy_time": FIRMWARE_DEPLOY_TIME_MS,
    }


__all__ = ["IOT_CORE", "SMART_HOME_BASIC", "TuyaCloudSimulator"]
