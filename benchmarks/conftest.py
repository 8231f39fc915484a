"""The benchmarks' harness: Home Assistant's test instance, a simulated cloud, a driven clock.

Time is frozen (freezegun, through pytest-homeassistant-custom-component's ``freezer``) and
moved by :class:`Clock` from one scheduled timer to the next, so hours of simulated time cost
only the work done in them. Results are collected in :data:`RESULTS` and written, at the end
of the session, to the JSON file named by ``TUYA_OTA_BENCH_OUT`` (``scripts/bench`` reads it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator, Sequence
import gc
import json
import logging
import os
from pathlib import Path
import time
from typing import Any
from unittest.mock import patch

from freezegun import api as freezegun_api
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import Store
from homeassistant.util.json import json_loads
import pytest
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    mock_storage,
)

from tests.entries import home_entry
from tests.timetravel import Clock
from tuya_sim import TuyaCloudSimulator
from tuya_sim.scenarios import (
    DEMO_ACCESS_ID,
    DEMO_ACCESS_SECRET,
    DEMO_UID,
    LARGE_HOME_ID,
    build_large,
)

from .homes import build_realistic

pytest_plugins = ["pytest_homeassistant_custom_component"]

RESULTS_ENV = "TUYA_OTA_BENCH_OUT"
# kind ("bulk", "api") -> (the row's other keys' values..., size) -> the row's figures; a row
# may come from several tests.
RESULTS: dict[str, dict[tuple[float, ...], dict[str, Any]]] = {}


def record(
    kind: str,
    key: str,
    size: float,
    figures: dict[str, Any],
    within: dict[str, float] | None = None,
) -> None:
    """Add figures to the row of ``kind`` whose ``key`` is ``size``.

    ``within`` names the row's other keys (the update length of a bulk row, say): rows are
    ordered by them first, then by size.
    """
    within = within or {}
    identity = (*within.values(), size)
    row = RESULTS.setdefault(kind, {}).setdefault(identity, {key: size, **within})
    row.update(figures)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the collected results, each kind's rows in order, for ``scripts/bench``."""
    out = os.environ.get(RESULTS_ENV)
    if not out:
        return
    payload = {kind: [rows[row] for row in sorted(rows)] for kind, rows in RESULTS.items()}
    Path(out).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: Any) -> None:
    """Let Home Assistant load custom_components/tuya_ota."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: Any) -> None:
    """Let the benchmarks open loopback sockets to the simulated cloud."""


@pytest.fixture
def hass_storage() -> Generator[dict[str, Any]]:
    """The harness's in-memory storage, but written the way Home Assistant writes it.

    The harness checks every write for mocks and round-trips it through JSON in the event
    loop, which for a large home's firmware state stalls the loop for a quarter of a second
    per write. Home Assistant's ``Store`` serialises in the executor: so does this one.
    """
    with mock_storage() as stored:

        async def write(store: Store[Any], *args: Any) -> None:
            data: dict[str, Any] = args[-1]  # (path, data) before 2025.12, (data) since

            def serialise() -> Any:
                if "data_func" in data:
                    data["data"] = data.pop("data_func")()
                return json_loads(json_bytes(data))

            stored[store.key] = await store.hass.async_add_executor_job(serialise)

        with patch("homeassistant.helpers.storage.Store._async_write_data", new=write):
            yield stored


@pytest.fixture(autouse=True)
def production_log_level() -> Generator[None]:
    """Log at warning level, as Home Assistant does unless started verbose.

    The harness logs at info level: one formatted record per entity registered, per update
    started or ended, which would count in the figures but not in a real installation.
    """
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.setLevel(level)


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Run the loop as Home Assistant runs it, not in asyncio's (slow) debug mode.

    The harness turns debug mode on for tests; it records a traceback for every callback
    scheduled and would distort every wall-clock figure.
    """
    asyncio.get_running_loop().set_debug(False)


class StallMeter:
    """The longest single callback (task step, timer, I/O callback) the event loop ran.

    Wraps ``asyncio.events.Handle._run`` and times each outermost run twice: the loop
    thread's CPU time (``time.thread_time``: what the callback itself costs, immune to other
    processes taking the CPU of a shared machine) and the real wall time (``perf_counter``
    from freezegun's saved original: freezegun freezes the patched one, and the loop's own
    clock too, so asyncio's slow-callback warnings are meaningless here).

    Garbage collection pauses are kept apart: their length depends on everything the process
    holds, and a test process holds far more than Home Assistant would. Callbacks of the
    simulated cloud, which serves from the same loop, are kept apart too.
    """

    def __init__(self) -> None:
        self.active = False
        self.report_over_s = 0.05
        self._depth = 0
        self._original: Callable[[asyncio.Handle], None] | None = None
        self._gc_callback: Callable[[str, dict[str, int]], None] | None = None
        self._gc_started = (0.0, 0.0)
        self._gc_in_run = [0.0, 0.0]
        self.reset()

    def reset(self) -> None:
        """Forget everything measured so far."""
        self.max_s = 0.0  # CPU time of the longest callback
        self.worst = ""
        self.max_wall_s = 0.0  # wall time of the longest callback by wall time
        self.worst_wall = ""
        self.sim_max_s = 0.0
        self.gc_max_s = 0.0
        self.slow: list[tuple[float, float, str]] = []  # (CPU ms, wall ms, what)

    def install(self) -> None:
        """Start wrapping the loop's callbacks (measuring only while ``active``)."""
        original = asyncio.events.Handle._run
        self._original = original
        meter = self

        def _run(handle: asyncio.Handle) -> None:
            if not meter.active or meter._depth:
                original(handle)
                return
            meter._depth += 1
            callback, args = handle._callback, handle._args  # type: ignore[attr-defined]
            meter._gc_in_run = [0.0, 0.0]
            cpu_start, wall_start = time.thread_time(), wall_clock()
            try:
                original(handle)
            finally:
                meter._depth -= 1
                cpu = time.thread_time() - cpu_start - meter._gc_in_run[0]
                wall = wall_clock() - wall_start - meter._gc_in_run[1]
                if cpu > min(meter.max_s, meter.report_over_s) or wall > min(
                    meter.max_wall_s, meter.report_over_s
                ):
                    meter.account(cpu, wall, callback, args)

        def _gc(phase: str, info: dict[str, int]) -> None:
            if not meter.active:
                return
            if phase == "start":
                meter._gc_started = (time.thread_time(), wall_clock())
                return
            cpu = time.thread_time() - meter._gc_started[0]
            wall = wall_clock() - meter._gc_started[1]
            meter._gc_in_run[0] += cpu
            meter._gc_in_run[1] += wall
            meter.gc_max_s = max(meter.gc_max_s, wall)

        gc.callbacks.append(_gc)
        self._gc_callback = _gc
        asyncio.events.Handle._run = _run  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        """Restore asyncio's own ``Handle._run``."""
        if self._original is not None:
            asyncio.events.Handle._run = self._original  # type: ignore[method-assign,assignment]
            self._original = None
        if self._gc_callback is not None:
            gc.callbacks.remove(self._gc_callback)
            self._gc_callback = None

    def account(self, cpu: float, wall: float, callback: Any, args: Sequence[Any] | None) -> None:
        """Keep a long callback: the simulated cloud's own request handling apart."""
        description = _describe(callback, args)
        if description.startswith(SIM_HANDLER):
            self.sim_max_s = max(self.sim_max_s, cpu)
            return
        if cpu > self.max_s:
            self.max_s = cpu
            self.worst = description
        if wall > self.max_wall_s:
            self.max_wall_s = wall
            self.worst_wall = description
        if max(cpu, wall) > self.report_over_s:
            self.slow.append((round(cpu * 1000, 1), round(wall * 1000, 1), description))

    async def start(self) -> None:
        """Measure from the next callback on (the running one is not measured)."""
        self.active = True
        await asyncio.sleep(0)


# The simulated cloud serves from the same loop; its request handling is not the integration's.
SIM_HANDLER = "sim: "


def _describe(callback: Any, args: Sequence[Any] | None) -> str:
    """Name what a loop callback ran: a task's name and coroutine, or a timer's job."""
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro = owner.get_coro()
        name = getattr(coro, "__qualname__", "")
        prefix = SIM_HANDLER if name == "RequestHandler.start" else "task "
        return f"{prefix}{owner.get_name()}: {name or coro!r}"[:240]
    name = getattr(callback, "__qualname__", repr(callback))
    job = next((arg for arg in args or () if hasattr(arg, "target")), None)
    if job is not None:
        target = job.target
        name += f" -> {getattr(target, '__qualname__', repr(target))}"
    return name[:240]


@pytest.fixture
def stall_meter() -> Generator[StallMeter]:
    """A :class:`StallMeter` installed for the duration of one benchmark."""
    meter = StallMeter()
    meter.install()
    try:
        yield meter
    finally:
        meter.uninstall()


@pytest.fixture
def clock(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> Clock:
    """The benchmark's driven clock."""
    return Clock(hass, freezer)


async def start_large_home(devices: int, update_seconds: float = 60.0) -> TuyaCloudSimulator:
    """A simulated cloud with ``build_large``'s home, serving on a loopback port."""
    sim = TuyaCloudSimulator(access_id=DEMO_ACCESS_ID, access_secret=DEMO_ACCESS_SECRET)
    build_large(sim, devices, update_seconds)
    await sim.start(host="127.0.0.1", port=0)
    return sim


async def start_realistic_home(devices: int, products: int) -> TuyaCloudSimulator:
    """A simulated cloud with ``devices`` devices of ``products`` products, on a loopback port."""
    sim = TuyaCloudSimulator(access_id=DEMO_ACCESS_ID, access_secret=DEMO_ACCESS_SECRET)
    build_realistic(sim, devices, products)
    await sim.start(host="127.0.0.1", port=0)
    return sim


def large_home_entry(
    sim: TuyaCloudSimulator, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """The entry the config flow would create for the large home's owner."""
    return home_entry(sim, title="Large Home", home_id=LARGE_HOME_ID, uid=DEMO_UID, options=options)


def wall_clock() -> float:
    """The real ``perf_counter``, whatever freezegun has patched (it freezes the other one)."""
    return freezegun_api.real_perf_counter()
