"""An aiohttp server that speaks the Tuya Cloud OpenAPI wire protocol, for tests and demos.

It checks every request the way the real cloud does (client id, signature, timestamp, token)
and computes firmware updates lazily from its clock, so a test can freeze or advance time.

``TuyaCloudSimulator`` is the one face tests, benchmarks and the demo use. Behind it each
room has one job: ``world`` (homes, devices, firmware), ``faults`` (scripted trouble and the
project's plan), ``tokens`` (the token calls' state), ``recorder`` (the calls answered) and
``routes`` (the wire).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import hashlib
import time

from aiohttp import web

from .auth import TokenDesk
from .faults import IOT_CORE, SMART_HOME_BASIC, ScriptedFaults
from .models import SimDevice, SimHome
from .recorder import CallRecorder, SimCall
from .routes import SimRoutes
from .world import SimWorld


def _wall_clock() -> float:
    """time.time looked up at each call, so that a test's frozen clock applies."""
    return time.time()


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
        self.project_uid = (
            project_uid or "sim" + hashlib.sha256(access_id.encode()).hexdigest()[:16]
        )
        self.world = SimWorld(self.clock)
        self.faults = ScriptedFaults(self.clock, rate_limit_per_s)
        self.tokens = TokenDesk(self.project_uid, token_lifetime_s)
        self.recorder = CallRecorder()
        self._stopping = asyncio.Event()
        self._routes = SimRoutes(self, self._stopping)
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    # --- the world ----------------------------------------------------------------------

    def add_home(self, home: SimHome) -> None:
        """Add (or replace) a home."""
        self.world.add_home(home)

    def add_user(self, uid: str) -> None:
        """Register a linked app account that belongs to no home (its homes call answers [])."""
        self.world.add_user(uid)

    def add_device(self, home_id: int, device: SimDevice) -> None:
        """Add a device to a home; it shows up in the next device list."""
        self.world.add_device(home_id, device)

    def get_device(self, device_id: str) -> SimDevice:
        """Return the simulated device with this id (also a removed one)."""
        return self.world.get_device(device_id)

    @property
    def homes(self) -> list[SimHome]:
        """All simulated homes."""
        return self.world.homes

    @property
    def devices(self) -> list[SimDevice]:
        """All devices that have not been removed."""
        return self.world.devices

    def set_member_role(self, home_id: int, uid: str, *, owner: bool, admin: bool) -> None:
        """Change a member's flags (adds the member if missing)."""
        self.world.set_member_role(home_id, uid, owner=owner, admin=admin)

    def set_online(self, device_id: str, online: bool) -> None:
        """Take a device on- or offline; a running update freezes while it is offline."""
        self.world.set_online(device_id, online)

    def remove_device(self, device_id: str) -> None:
        """Remove a device: gone from the list, and its calls answer 2010."""
        self.world.remove_device(device_id)

    def publish_firmware(self, device_id: str, channel: int, version: str, desc: str = "") -> None:
        """Offer a new firmware on a channel (status 1); creates the channel if needed."""
        self.world.publish_firmware(device_id, channel, version, desc)

    def fail_firmware_of_product(self, product_id: str, at_percent: int | None = 50) -> None:
        """Every update of the product's devices fails (status 4) at ``at_percent``.

        A bad release of one product, also for devices added later; None mends it.
        """
        self.world.fail_firmware_of_product(product_id, at_percent)

    def self_update(self, device_id: str, channel: int | None = None) -> None:
        """The device installs its offered firmware by itself (the app's automatic updates).

        Silently: the next firmware read shows the offered version as current, nothing
        pending. Every channel, or only ``channel``.
        """
        self.world.self_update(device_id, channel)

    # --- scripted trouble ---------------------------------------------------------------

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
        self.faults.fail_next(
            path_contains, code=code, http_status=http_status, body=body, count=count, msg=msg
        )

    def delay_next(self, seconds: float, path_contains: str | None = None, count: int = 1) -> None:
        """Hold the next ``count`` matching requests for ``seconds`` (real time) first."""
        self.faults.delay_next(seconds, path_contains, count)

    def expire_trial(self, at: float | None = None) -> None:
        """From ``at`` (default now) every business call answers 28841002 until renewed."""
        self.faults.expire_trial(at)

    def renew_trial(self) -> None:
        """The IoT Core trial is extended: calls answer again."""
        self.faults.renew_trial()

    def exhaust_quota(self, at: float | None = None) -> None:
        """From ``at`` (default now) every business call answers 28841004 until restored."""
        self.faults.exhaust_quota(at)

    def restore_quota(self) -> None:
        """A new month (or a bigger plan): calls answer again."""
        self.faults.restore_quota()

    def unsubscribe(self, product: str, at: float | None = None) -> None:
        """From ``at`` (default now) the calls of ``product`` answer 28841101."""
        self.faults.unsubscribe(product, at)

    def subscribe(self, product: str) -> None:
        """The project subscribes to ``product`` again."""
        self.faults.subscribe(product)

    def forbid_batch_calls(self, forbidden: bool = True) -> None:
        """Answer the batch details call 40001900 "No space permission" (or no longer)."""
        self.faults.forbid_batch_calls(forbidden)

    def limit_device_pool(self, size: int | None) -> None:
        """The trial's controllable-device pool: starts on ``size`` distinct devices a month.

        The first ``size`` distinct devices started in a calendar month (UTC, by the
        simulator's clock) may be started again; a start on any other answers 60001001.
        Reads never count; only accepted starts take a slot. None lifts the limit.
        """
        self.faults.limit_device_pool(size)

    # --- tokens -------------------------------------------------------------------------

    def issued_tokens(self) -> list[str]:
        """Every access and refresh token ever handed out, for tests that look for leaks."""
        return list(self.tokens.issued)

    def expire_tokens(self) -> None:
        """Every access token issued so far now answers 1010."""
        self.tokens.expire_all()

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token issued so far now answers 1012."""
        self.tokens.revoke_refresh_tokens()

    @property
    def _access_tokens(self) -> Mapping[str, object]:
        """The live access tokens (white-box tests look for them in logs)."""
        return self.tokens.access_tokens

    @property
    def _refresh_tokens(self) -> dict[str, str]:
        """The live refresh tokens (white-box tests look for them in logs)."""
        return self.tokens.refresh_tokens

    # --- observability ------------------------------------------------------------------

    @property
    def calls(self) -> list[SimCall]:
        """Every request answered since the last ``reset_calls``, in order."""
        return self.recorder.calls

    @property
    def start_calls(self) -> list[tuple[str, int, float]]:
        """Every accepted start call: (device id, channel, time)."""
        return self.recorder.start_calls

    def call_count(self, path_contains: str | None = None, method: str | None = None) -> int:
        """Count the recorded requests whose path contains ``path_contains``."""
        return self.recorder.call_count(path_contains, method)

    def reset_calls(self) -> None:
        """Forget the recorded requests and start calls."""
        self.recorder.reset()

    def updating_devices(self) -> set[str]:
        """Devices with an update running (or waiting for the device to wake) now."""
        return self.world.updating_devices()

    def max_concurrent_updates(self, sub_only: bool = False) -> int:
        """Most devices whose update intervals overlapped (start call to last channel end)."""
        return self.world.max_concurrent_updates(sub_only)

    # --- serving ------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        """Build a fresh aiohttp application serving this simulator."""
        return self._routes.make_app()

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


__all__ = ["IOT_CORE", "SMART_HOME_BASIC", "TuyaCloudSimulator"]
