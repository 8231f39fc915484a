"""Run Home Assistant with tuya_ota against the simulated Tuya cloud, ready to click through.

``./scripts/demo`` calls this in a lane's venv (the newest by default, see scripts/lane). It

1. starts the simulated cloud (``tuya_sim``, demo scenario) on a free loopback port,
2. writes a fresh Home Assistant configuration under ``.demo/`` and starts ``hass`` on it,
3. creates the owner account through Home Assistant's onboarding API,
4. adds tuya_ota through its own config flow (the HTTP API the frontend uses),
5. saves a dashboard with the home's update cards and summary sensors,

then prints the address and the login and serves until Ctrl-C (or SIGTERM), when it stops
Home Assistant and the simulator and removes the configuration directory.

The browser test (``tests/browser``) runs this same file with ``--port 0 --update-speed N``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import ctypes
import io
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import sys
import tempfile
import time
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tuya_sim import SimHome, SimMember, TuyaCloudSimulator  # noqa: E402
from tuya_sim.scenarios import (  # noqa: E402
    ACCOUNT_TROUBLES,
    DEMO_ACCESS_ID,
    DEMO_ACCESS_SECRET,
    DEMO_HOME_ID,
    DEMO_UID,
    apply_bad_firmware,
    build_demo,
    start_account_trouble,
)

USERNAME = "demo"
PASSWORD = "demo-password"  # the demo's well-known login
DOMAIN = "tuya_ota"

# A second home, added at runtime, where the linked account is a common member: adding the
# integration with this UID shows the config flow's role check (abort ``insufficient_role``).
# (The demo home's own common member would first hit ``already_configured``.)
MEMBER_HOME_ID = DEMO_HOME_ID + 100
MEMBER_HOME_NAME = "Holiday Flat"
MEMBER_UID = "ay1700000000000gst1"

# Trouble of the home's devices that ``--trouble`` turns on once the demo is set up.
# bad-firmware: every update of the bulbs (three offer 2.4.0) fails, so the first of them to
# update (the pilot) fails and the others of its product are held.
DEVICE_TROUBLES = ("bad-firmware",)
# Without --update-speed, --trouble runs the updates this much faster (the failing pilot
# shows in seconds, not a minute).
TROUBLE_UPDATE_SPEED = 5.0

HASS_START_TIMEOUT = 180.0
DASHBOARD_URL_PATH = "tuya-firmware"
ENTITIES_TIMEOUT = 60.0

CONFIGURATION_YAML = """\
# Written by scripts/demo; removed when the demo stops.
homeassistant:
  name: Tuya OTA demo
  unit_system: metric
  time_zone: UTC
  country: DE
  currency: EUR
  language: en
  latitude: 52.52
  longitude: 13.405
  elevation: 34

# Only what the demo needs (default_config would load dozens of integrations).
frontend:
config:
http:
  server_host: {host}
  server_port: {port}

logger:
  default: warning
  logs:
    # Optional native JPEG library, missing on most machines; the demo shows no camera.
    homeassistant.components.camera.img_util: critical
"""


class DemoError(Exception):
    """The demo could not start; the message says why."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/demo",
        description="Home Assistant with Tuya Firmware Updates and a simulated Tuya cloud.",
    )
    parser.add_argument(
        "--port", type=int, default=8123, help="Home Assistant's port (default 8123; 0 = any)"
    )
    parser.add_argument(
        "--update-speed",
        type=float,
        default=None,
        metavar="FACTOR",
        help="run the simulated firmware updates FACTOR times faster (default 1: 20-60 s each;"
        f" {TROUBLE_UPDATE_SPEED:g} with --trouble)",
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        default=None,
        help="write the demo's addresses and login to this JSON file once it is ready",
    )
    parser.add_argument(
        "--account-trouble",
        choices=ACCOUNT_TROUBLES,
        default=None,
        help="once set up, the simulated project meets this failure of real free-tier projects"
        " (an expired IoT Core trial, a spent quota, no IoT Core): its repair issue shows",
    )
    parser.add_argument(
        "--trouble",
        choices=DEVICE_TROUBLES,
        default=None,
        help="once set up, the home's devices meet this trouble: with bad-firmware every update"
        ' of the RGBCW bulbs fails, so "Update all" shows the first bulb (the pilot) failing'
        " and the others of its product held, and Settings → Repairs names them",
    )
    parser.add_argument("--verbose", action="store_true", help="show Home Assistant's own output")
    parser.add_argument(
        "--oldest",
        action="store_true",
        help="serve Home Assistant 2025.4.4 instead of the newest release (scripts/demo's lane)",
    )
    args = parser.parse_args(argv)
    if args.update_speed is None:
        args.update_speed = TROUBLE_UPDATE_SPEED if args.trouble else 1.0
    return args


# --- the simulated cloud -----------------------------------------------------------------


def build_simulator(update_speed: float) -> TuyaCloudSimulator:
    """The demo home, a second home for the role check, updates sped up by ``update_speed``."""
    sim = TuyaCloudSimulator(access_id=DEMO_ACCESS_ID, access_secret=DEMO_ACCESS_SECRET)
    build_demo(sim)
    sim.add_home(
        SimHome(
            home_id=MEMBER_HOME_ID,
            name=MEMBER_HOME_NAME,
            members=[
                SimMember(uid="ay1700000000000own2", name="Robin Owner", owner=True),
                SimMember(uid=MEMBER_UID, name="Guest"),
            ],
        )
    )
    if update_speed <= 0:
        raise DemoError("--update-speed must be positive")
    for device in sim.devices:
        for firmware in device.firmware:
            if firmware.update_seconds is not None:
                firmware.update_seconds /= update_speed
            firmware.wake_after_s /= update_speed
    return sim


# --- Home Assistant's configuration and process ------------------------------------------


def free_port(host: str, port: int) -> int:
    """``port`` when nothing listens there (any free port for 0); else DemoError."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            raise DemoError(
                f"Port {port} is in use (is another Home Assistant running?). "
                "Choose another one with --port."
            ) from err
        return int(sock.getsockname()[1])


def write_config(config_dir: Path, host: str, port: int) -> None:
    """configuration.yaml, the integration linked in, and every onboarding step but the user."""
    (config_dir / "configuration.yaml").write_text(
        CONFIGURATION_YAML.format(host=host, port=port), encoding="utf-8"
    )
    (config_dir / "custom_components").symlink_to(ROOT / "custom_components")
    storage = config_dir / ".storage"
    storage.mkdir()
    # Creating the owner through the API (below) completes onboarding: the other steps only
    # ask for location, analytics and integrations, which the demo does not need.
    (storage / "onboarding").write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ["core_config", "analytics", "integration"]},
            }
        ),
        encoding="utf-8",
    )


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the demo itself is killed, so Home Assistant never lingers."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


async def start_hass(config_dir: Path, verbose: bool) -> asyncio.subprocess.Process:
    """``hass -c config_dir`` in its own session (Ctrl-C reaches the demo, which stops it)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COV_CORE_")}
    output = None if verbose else (config_dir / "hass-output.log").open("wb")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "homeassistant",
            "--config",
            str(config_dir),
            # bootstrap installs every requirement; Home Assistant must not change the venv.
            "--skip-pip",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT if output else None,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            env=env,
        )
    finally:
        if output is not None:
            output.close()


async def stop_hass(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL after 30 s."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 30)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def output_tail(config_dir: Path, lines: int = 40) -> str:
    """The end of Home Assistant's output, to explain a failed start."""
    for name in ("hass-output.log", "home-assistant.log"):
        path = config_dir / name
        if path.exists():
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()
            return "\n".join(text[-lines:])
    return "(no output)"


# --- Home Assistant's HTTP API ----------------------------------------------------------


class HassClient:
    """The few calls of Home Assistant's HTTP and websocket APIs that the demo makes."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url
        self.token = ""
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ws_id = 0

    async def wait_until_up(self, process: asyncio.subprocess.Process) -> None:
        """Until the onboarding API answers (Home Assistant's HTTP server is up)."""
        while True:
            if process.returncode is not None:
                raise DemoError(f"Home Assistant exited with code {process.returncode}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with self.session.get(
                    f"{self.url}/api/onboarding", timeout=aiohttp.ClientTimeout(total=5)
                ) as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.5)

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.request(
            method, f"{self.url}{path}", headers=headers, **kwargs
        ) as response:
            if response.status >= 400:
                text = await response.text()
                raise DemoError(f"{method} {path} answered {response.status}: {text}")
            return await response.json()

    async def call_service(self, domain: str, service: str, data: dict[str, Any]) -> None:
        """Perform an action through the REST API."""
        await self._json("POST", f"/api/services/{domain}/{service}", json=data)

    async def onboard(self, name: str, username: str, password: str) -> None:
        """Create the owner (the last onboarding step) and log in as them."""
        client_id = f"{self.url}/"
        created = await self._json(
            "POST",
            "/api/onboarding/users",
            json={
                "client_id": client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": "en",
            },
        )
        tokens = await self._json(
            "POST",
            "/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": created["auth_code"],
                "client_id": client_id,
            },
        )
        self.token = tokens["access_token"]

    async def add_integration(self, user_input: dict[str, str]) -> dict[str, Any]:
        """Run tuya_ota's config flow as the frontend does; the created entry."""
        flow = await self._json(
            "POST",
            "/api/config/config_entries/flow",
            json={"handler": DOMAIN, "show_advanced_options": False},
        )
        if flow.get("type") != "form" or flow.get("step_id") != "user":
            raise DemoError(f"Unexpected start of the config flow: {flow}")
        result = await self._json(
            "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", json=user_input
        )
        if result.get("type") != "create_entry":
            raise DemoError(f"The config flow did not create the entry: {result}")
        entry: dict[str, Any] = result["result"]
        return entry

    async def ws_call(self, message: dict[str, Any]) -> Any:
        """One websocket command; its result."""
        if self._ws is None:
            self._ws = await self.session.ws_connect(f"{self.url}/api/websocket")
            await self._ws.receive_json()  # auth_required
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            if (answer := await self._ws.receive_json()).get("type") != "auth_ok":
                raise DemoError(f"Websocket login failed: {answer}")
        self._ws_id += 1
        await self._ws.send_json({"id": self._ws_id, **message})
        while True:
            answer = await self._ws.receive_json()
            if answer.get("id") == self._ws_id and answer.get("type") == "result":
                break
        if not answer.get("success"):
            raise DemoError(f"{message['type']} failed: {answer.get('error')}")
        return answer.get("result")

    async def ws_call_if_known(self, message: dict[str, Any]) -> None:
        """A websocket command that only newer Home Assistant releases know."""
        try:
            await self.ws_call(message)
        except DemoError as err:
            if "unknown_command" not in str(err):
                raise

    async def entry_entities(self, entry_id: str) -> list[dict[str, Any]]:
        """The entry's entities, once its update entities and both sensors are registered."""
        while True:
            entities = [
                entity
                for entity in await self.ws_call({"type": "config/entity_registry/list"})
                if entity.get("config_entry_id") == entry_id
            ]
            domains = [entity["entity_id"].split(".")[0] for entity in entities]
            if domains.count("sensor") >= 2 and "update" in domains:
                return entities
            await asyncio.sleep(1)

    async def close(self) -> None:
        """Close the websocket."""
        if self._ws is not None:
            await self._ws.close()


# --- the dashboard ----------------------------------------------------------------------


def _tile(entity_id: str, name: str | None, **extra: Any) -> dict[str, Any]:
    card: dict[str, Any] = {"type": "tile", "entity": entity_id, **extra}
    if name:
        card["name"] = name
    return card


SENSOR_NAMES = {
    "updates_available": "Updates available",
    "updates_in_progress": "Queued or running",
}


def dashboard(
    entry: dict[str, Any], entities: list[dict[str, Any]], device_names: dict[str, str]
) -> dict[str, Any]:
    """A sections view: the home's summary and an "Update all" button, then one tile each.

    Each update tile is named after its device and has the install button on it.
    """
    sensors = sorted(
        (e for e in entities if e["entity_id"].startswith("sensor.")),
        key=lambda e: str(e["unique_id"]).endswith("in_progress"),
    )
    updates = sorted(
        (e for e in entities if e["entity_id"].startswith("update.")),
        key=lambda e: device_names.get(e["device_id"], e["entity_id"]).casefold(),
    )
    home = entry["title"]
    summary_cards: list[dict[str, Any]] = [
        {"type": "heading", "heading": home, "icon": "mdi:home"},
        *(
            _tile(sensor["entity_id"], SENSOR_NAMES.get(str(sensor["unique_id"]).split("_", 1)[-1]))
            for sensor in sensors
        ),
        {
            "type": "button",
            "name": "Update all",
            "icon": "mdi:update",
            "show_state": False,
            "grid_options": {"columns": 12, "rows": 2},
            "tap_action": {
                "action": "perform-action",
                "perform_action": f"{DOMAIN}.update_all",
                "data": {"config_entry_id": entry["entry_id"]},
                "confirmation": {"text": f"Install every available firmware update of {home}?"},
            },
        },
    ]
    device_cards: list[dict[str, Any]] = [
        {"type": "heading", "heading": "Firmware", "icon": "mdi:chip"},
        *(
            _tile(
                update["entity_id"],
                device_names.get(update["device_id"]),
                features=[{"type": "update-actions", "backup": "no"}],
            )
            for update in updates
        ),
    ]
    return {
        "title": "Firmware updates",
        "views": [
            {
                "title": home,
                "path": "firmware",
                "icon": "mdi:update",
                "type": "sections",
                "max_columns": 3,
                "sections": [
                    {"type": "grid", "cards": summary_cards},
                    {"type": "grid", "column_span": 2, "cards": device_cards},
                ],
            }
        ],
    }


# --- putting it together ----------------------------------------------------------------


def banner(info: dict[str, Any]) -> str:
    """What the user needs: the address, the login, and what was entered in the flow."""
    return "\n".join(
        [
            "",
            "Tuya Firmware Updates demo is ready.",
            "",
            f"  Open      {info['url']}",
            f"  Log in    username {info['username']}, password {info['password']}",
            "",
            f"The simulated Tuya cloud runs at {info['sim_url']}; tuya_ota was added through",
            "its config flow with:",
            f"  Data centre    {info['sim_url']}",
            f"  Access ID      {info['access_id']}",
            f"  Access Secret  {info['access_secret']}",
            f"  User ID (UID)  {info['uid']}",
            f"Add it again with the UID {info['member_uid']} (a common member of the home",
            f"{MEMBER_HOME_NAME!r}) to see the role check refuse it.",
            *(
                [
                    "",
                    f"The simulated project now meets '{info['account_trouble']}': Settings →",
                    "Repairs says what to do on the Tuya platform; adding the integration again",
                    "shows the config flow's message for it.",
                ]
                if info.get("account_trouble")
                else []
            ),
            *(
                [
                    "",
                    f"Every firmware update of an {info['bad_firmware_product']} now fails.",
                    "Press Update all on the Firmware dashboard: the first RGBCW bulb (the pilot)",
                    "fails, the others of its product are held (they still offer the update), and",
                    "Settings → Repairs names product and pilot.",
                ]
                if info.get("trouble") == "bad-firmware"
                else []
            ),
            "",
            "Press Ctrl-C to stop; the demo's configuration is removed then.",
            "",
        ]
    )


async def set_up(client: HassClient, sim_url: str) -> dict[str, Any]:
    """Onboard, add the integration, save the dashboard; the facts for the banner."""
    await client.onboard("Demo", USERNAME, PASSWORD)
    user_input = {
        "endpoint": sim_url,
        "access_id": DEMO_ACCESS_ID,
        "access_secret": DEMO_ACCESS_SECRET,
        "uid": DEMO_UID,
    }
    entry = await client.add_integration(user_input)
    try:
        async with asyncio.timeout(ENTITIES_TIMEOUT):
            entities = await client.entry_entities(entry["entry_id"])
    except TimeoutError as err:
        raise DemoError(f"The entry's entities did not appear in {ENTITIES_TIMEOUT:.0f} s") from err
    devices = await client.ws_call({"type": "config/device_registry/list"})
    device_names = {
        device["id"]: device["name_by_user"] or device["name"] or device["id"] for device in devices
    }
    config = dashboard(entry, entities, device_names)
    # A dashboard of its own (newer releases have no default one to fill), which is also the
    # default dashboard's content on older releases, and the page the demo opens on.
    await client.ws_call(
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD_URL_PATH,
            "title": "Firmware",
            "icon": "mdi:update",
            "show_in_sidebar": True,
            "require_admin": False,
            "mode": "storage",
        }
    )
    await client.ws_call(
        {"type": "lovelace/config/save", "url_path": DASHBOARD_URL_PATH, "config": config}
    )
    await client.ws_call({"type": "lovelace/config/save", "config": config})
    await client.ws_call_if_known(
        {
            "type": "frontend/set_system_data",
            "key": "core",
            "value": {"default_panel": DASHBOARD_URL_PATH},
        }
    )
    # From 2026.9 the http settings of configuration.yaml are a trial that reverts after five
    # minutes unless confirmed; the demo confirms its own.
    await client.ws_call_if_known({"type": "http/config/promote"})
    # Repairs about the demo's own setup (its http YAML, a venv install) are not the demo's
    # subject: they are ignored, so that Settings → Repairs shows only this integration's.
    issues = await client.ws_call({"type": "repairs/list_issues"})
    for issue in issues["issues"]:
        if issue["domain"] != "tuya_ota" and not issue.get("ignored"):
            await client.ws_call(
                {
                    "type": "repairs/ignore_issue",
                    "domain": issue["domain"],
                    "issue_id": issue["issue_id"],
                    "ignore": True,
                }
            )
    return {
        "url": client.url,
        "username": USERNAME,
        "password": PASSWORD,
        "sim_url": sim_url,
        "access_id": DEMO_ACCESS_ID,
        "access_secret": DEMO_ACCESS_SECRET,
        "uid": DEMO_UID,
        "member_uid": MEMBER_UID,
        "member_home": MEMBER_HOME_NAME,
        "entry_id": entry["entry_id"],
        "dashboard": f"{client.url}/{DASHBOARD_URL_PATH}/firmware",
        "entities": sorted(entity["entity_id"] for entity in entities),
    }


def write_ready_file(path: Path, info: dict[str, Any]) -> None:
    """Write atomically, so that a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(info, indent=2), encoding="utf-8")
    partial.replace(path)


async def first_of(*awaitables: Any) -> None:
    """Wait until one of ``awaitables`` is done; cancel the others."""
    futures = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    try:
        await asyncio.wait(futures, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for future in futures:
            if not future.done():
                future.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await future


class Demo:
    """The simulator, Home Assistant and the configuration directory of one demo run."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.host = "127.0.0.1"
        self.sim = build_simulator(args.update_speed)
        self.demo_root = ROOT / ".demo"
        self.config_dir: Path | None = None
        self.process: asyncio.subprocess.Process | None = None

    async def start_account_trouble(self, client: HassClient, info: dict[str, Any]) -> None:
        """Turn the project's trouble on, and read one device's firmware so that it shows."""
        start_account_trouble(self.sim, self.args.account_trouble, self.sim.clock())
        with contextlib.suppress(DemoError):  # the read fails: that is the point
            await client.call_service(
                "homeassistant", "update_entity", {"entity_id": info["entities"][0]}
            )
        info["account_trouble"] = self.args.account_trouble

    def start_trouble(self, info: dict[str, Any]) -> None:
        """Turn the devices' trouble on (``--trouble``)."""
        if self.args.trouble == "bad-firmware":
            product_id = apply_bad_firmware(self.sim)
            [product] = {d.product_name for d in self.sim.devices if d.product_id == product_id}
            info["bad_firmware_product"] = product
        info["trouble"] = self.args.trouble

    async def start(self) -> dict[str, Any]:
        """Start the simulator and Home Assistant and set everything up; the ready facts."""
        started = time.monotonic()
        port = free_port(self.host, self.args.port)
        self.demo_root.mkdir(exist_ok=True)
        self.config_dir = Path(tempfile.mkdtemp(prefix="config-", dir=self.demo_root))
        sim_url = await self.sim.start(host=self.host, port=0)
        write_config(self.config_dir, self.host, port)
        url = f"http://{self.host}:{port}"
        print(f"Starting Home Assistant on {url} (configuration in {self.config_dir}) ...")
        self.process = await start_hass(self.config_dir, self.args.verbose)
        async with aiohttp.ClientSession() as session:
            client = HassClient(session, url)
            try:
                try:
                    async with asyncio.timeout(HASS_START_TIMEOUT):
                        await client.wait_until_up(self.process)
                except TimeoutError as err:
                    raise DemoError(
                        f"Home Assistant did not answer within {HASS_START_TIMEOUT:.0f} s"
                    ) from err
                info = await set_up(client, sim_url)
                if self.args.account_trouble is not None:
                    await self.start_account_trouble(client, info)
                if self.args.trouble is not None:
                    self.start_trouble(info)
            finally:
                await client.close()
        return {
            **info,
            "hass_pid": self.process.pid,
            "config_dir": str(self.config_dir),
            "seconds_to_ready": round(time.monotonic() - started, 1),
        }

    def failure_output(self) -> str:
        """Home Assistant's last output lines, if it was started."""
        if self.config_dir is None or self.process is None or self.args.verbose:
            return ""
        return "Home Assistant's last output:\n" + output_tail(self.config_dir)

    async def close(self) -> None:
        """Stop Home Assistant and the simulator; remove the configuration."""
        if self.process is not None:
            await stop_hass(self.process)
        await self.sim.stop()
        if self.config_dir is not None:
            shutil.rmtree(self.config_dir, ignore_errors=True)
            with contextlib.suppress(OSError):
                self.demo_root.rmdir()  # only when no other demo runs


async def run(args: argparse.Namespace) -> int:
    """Start everything, serve until stopped, clean up; the exit code."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    demo = Demo(args)
    starting = asyncio.ensure_future(demo.start())
    try:
        await first_of(starting, stop.wait())
        if starting.cancelled():
            print("Stopped before the demo was ready.", file=sys.stderr)
            return 130
        try:
            info = starting.result()
        except (DemoError, aiohttp.ClientError, OSError) as err:
            print(f"The demo could not start: {err}", file=sys.stderr)
            print(demo.failure_output(), file=sys.stderr)
            return 1
        print(banner(info), flush=True)
        if args.ready_file is not None:
            write_ready_file(args.ready_file, info)
        assert demo.process is not None
        await first_of(demo.process.wait(), stop.wait())
        if demo.process.returncode is not None:
            print(f"Home Assistant exited with code {demo.process.returncode}.", file=sys.stderr)
            print(demo.failure_output(), file=sys.stderr)
            return 1
        print("Stopping ...", flush=True)
        return 0
    finally:
        await demo.close()
        if args.ready_file is not None:
            args.ready_file.unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``scripts/demo``."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    try:
        return asyncio.run(run(parse_args(argv)))
    except DemoError as err:
        print(f"The demo could not start: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
