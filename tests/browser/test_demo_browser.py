"""The demo in a real browser: log in, update one device, update the rest, meet the role check.

Starts ``scripts/demo.py`` (what ``./scripts/demo`` runs), in this Python or in the lane that
TUYA_OTA_DEMO_LANE names, on a free port with the simulated updates sped up, drives Debian's
Chromium (/usr/bin/chromium) through playwright, and saves screenshots: to a temporary folder,
or to the README's docs/screenshots/ when the environment variable TUYA_OTA_SCREENSHOTS=docs
is set (so that a test run leaves the work tree clean).

Skipped, with a message, when /usr/bin/chromium is missing, unless the environment variable CI
is set: then it fails, since CI must run it (./scripts/test installs Chromium in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
import json
import os
from pathlib import Path
import re
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from tuya_sim import TuyaCloudSimulator
from tuya_sim.scenarios import DEMO_ACCESS_ID, DEMO_ACCESS_SECRET, build_demo

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scripts" / "demo.py"
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("TUYA_OTA_SCREENSHOTS") == "docs"
    else Path(os.environ.get("TMPDIR", "/tmp")) / "tuya_ota_screenshots"  # noqa: S108
)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# The demo's updates take 20-60 s; four times faster keeps the test near a minute and a half
# while the first device's update still lasts past one progress poll (every 5 s).
UPDATE_SPEED = 4
DEMO_START_TIMEOUT = 180.0
ONE_DEVICE = "Kitchen Plug"

AVAILABLE = "sensor.demo_home_updates_available"
RUNNING = "sensor.demo_home_updates_queued_or_running"


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(
            f"CI is set and {CHROMIUM} is missing: the browser test must run in CI "
            "(./scripts/test installs Debian's chromium package when CI is set)."
        )
    pytest.skip(
        f"Browser test skipped: {CHROMIUM} is missing. Install it with "
        "'apt-get install chromium' to run this test (with CI set, it fails instead)."
    )


def _demo_python() -> list[str]:
    """The Python that serves the demo: this one, or the lane's named by TUYA_OTA_DEMO_LANE.

    ./scripts/test runs this test out here (where Chromium is) against each lane's own Home
    Assistant and frontend, which may live in the Python 3.14 root (scripts/lane).
    """
    lane = os.environ.get("TUYA_OTA_DEMO_LANE")
    return [sys.executable] if lane is None else [str(ROOT / "scripts" / "lane"), lane, "python"]


def _expected_counts() -> tuple[int, int]:
    """Devices with an update in the demo, and those still with one after "Update all".

    Offline devices cannot update and failing updates leave the update offered.
    """
    sim = TuyaCloudSimulator(access_id=DEMO_ACCESS_ID, access_secret=DEMO_ACCESS_SECRET)
    build_demo(sim)
    pending = [
        device
        for device in sim.devices
        if any(fw.version != fw.current_version for fw in device.firmware)
    ]
    remaining = [
        device
        for device in pending
        if not device.online or any(fw.fail_at_percent is not None for fw in device.firmware)
    ]
    assert any(device.name == ONE_DEVICE and device.online for device in pending)
    return len(pending), len(remaining)


def _stop(process: subprocess.Popen[bytes], hass_pid: int | None) -> None:
    """SIGTERM the demo (it stops Home Assistant); SIGKILL both if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if hass_pid is not None:
        cmdline = Path(f"/proc/{hass_pid}/cmdline")
        if cmdline.exists() and b"homeassistant" in cmdline.read_bytes():
            os.kill(hass_pid, signal.SIGKILL)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The running demo's facts (address, login, simulator, common member's UID)."""
    _require_chromium()
    ready = tmp_path / "ready.json"
    log_path = tmp_path / "demo.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("COV_CORE_")}
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own script with fixed arguments
            [
                *_demo_python(),
                str(DEMO),
                "--port",
                "0",
                "--update-speed",
                str(UPDATE_SPEED),
                "--ready-file",
                str(ready),
            ],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    info: dict[str, Any] | None = None
    try:
        deadline = time.monotonic() + DEMO_START_TIMEOUT
        while not ready.exists():
            if process.poll() is not None:
                pytest.fail(
                    f"The demo exited with code {process.returncode}:\n{log_path.read_text()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"The demo was not ready in {DEMO_START_TIMEOUT:.0f} s:\n{log_path.read_text()}"
                )
            time.sleep(0.5)
        info = json.loads(ready.read_text())
        assert info is not None
        yield info
    finally:
        _stop(process, info.get("hass_pid") if info else None)
    assert process.returncode == 0, log_path.read_text()
    assert not Path(info["config_dir"]).exists(), "the demo left its configuration behind"


def _state_is(page: Any, entity_id: str, condition: str, timeout_s: float) -> None:
    """Wait until the frontend's state object ``s`` of the entity satisfies ``condition``."""
    page.wait_for_function(
        f"""() => {{
            const s = document.querySelector("home-assistant")?.hass?.states?.["{entity_id}"];
            return s !== undefined && ({condition});
        }}""",
        timeout=timeout_s * 1000,
    )


def _state(page: Any, entity_id: str) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(
        f"""() => document.querySelector("home-assistant").hass.states["{entity_id}"]"""
    )
    return state


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(700)  # let animations settle
    page.screenshot(path=str(SCREENSHOTS / name))


def _type_custom_endpoint(page: Any, flow: Any, url: str) -> None:
    """Type an address the data-centre list does not offer, in either frontend's picker."""
    from playwright.sync_api import expect

    flow.locator("ha-picker-field, ha-combo-box input").first.wait_for()
    picker = flow.locator("ha-picker-field")  # the frontends of 2026
    if picker.count():
        picker.first.click()
        page.wait_for_timeout(500)  # the search field of the list opens and takes the focus
        page.keyboard.type(url)
        custom = page.get_by_text("Add custom item")
        custom.wait_for()
        custom.click()
        expect(picker.first).to_contain_text(url)
        return
    endpoint = flow.locator("ha-combo-box input").first
    endpoint.click()
    endpoint.press("Control+a")
    endpoint.press_sequentially(url)
    endpoint.press("Enter")


def test_newcomer_updates_through_the_ui(demo: dict[str, Any]) -> None:
    """Log in, install one update from its dialog, then "Update all", then the role check."""
    from playwright.sync_api import expect, sync_playwright

    pending, remaining = _expected_counts()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1040})
            page.set_default_timeout(30_000)

            # Log in with what the demo printed: it lands on the demo's dashboard.
            page.goto(demo["url"])
            page.get_by_label("Username").fill(demo["username"])
            page.get_by_label("Password", exact=True).fill(demo["password"])
            page.keyboard.press("Enter")
            # It opens on the demo's dashboard (older releases: the default one, same cards).
            page.wait_for_url(re.compile(r"/(lovelace|tuya-firmware)/"))
            _state_is(page, AVAILABLE, f"s.state === '{pending}'", 60)
            _state_is(page, RUNNING, "s.state === '0'", 5)
            page.wait_for_function(
                """() => Object.values(document.querySelector("home-assistant").hass.states)
                    .filter(s => s.entity_id.startsWith("update."))
                    .every(s => s.state === "unavailable" || s.attributes.installed_version)""",
                timeout=60_000,
            )
            expect(
                page.locator("hui-tile-card").filter(has_text="Updates available")
            ).to_contain_text(str(pending))
            _shot(page, "dashboard.png")

            # One device: its dialog, Update, the progress, then up to date.
            entity_id = next(
                entity
                for entity in demo["entities"]
                if entity == f"update.{ONE_DEVICE.lower().replace(' ', '_')}_firmware"
            )
            before = _state(page, entity_id)["attributes"]
            assert before["installed_version"] != before["latest_version"]
            page.get_by_role("button", name=ONE_DEVICE).first.click()
            dialog = page.locator("ha-more-info-dialog")
            expect(dialog).to_contain_text(before["latest_version"])
            dialog.get_by_role("button", name="Update", exact=True).click()
            _state_is(
                page,
                entity_id,
                "s.attributes.in_progress === true && s.attributes.update_percentage > 0",
                30,
            )
            expect(
                dialog.locator("ha-progress-bar, mwc-linear-progress, md-linear-progress").first
            ).to_be_visible()
            _shot(page, "update-in-progress.png")
            _state_is(
                page,
                entity_id,
                "s.state === 'off' && s.attributes.in_progress === false"
                " && s.attributes.installed_version === s.attributes.latest_version",
                60,
            )
            expect(dialog).to_contain_text("Up-to-date")
            assert (
                _state(page, entity_id)["attributes"]["installed_version"]
                == before["latest_version"]
            )
            _state_is(page, AVAILABLE, f"s.state === '{pending - 1}'", 10)
            page.keyboard.press("Escape")
            expect(dialog).to_be_hidden()

            # The rest: the dashboard's "Update all" button calls tuya_ota.update_all.
            page.get_by_role("button", name="Update all").click()
            confirm = page.locator("dialog-box")
            expect(confirm).to_contain_text("Install every available firmware update")
            confirm.get_by_role("button", name="OK", exact=True).click()
            _state_is(page, RUNNING, "Number(s.state) > 0", 20)
            page.wait_for_function(
                """() => Object.values(document.querySelector("home-assistant").hass.states)
                    .some(s => s.entity_id.startsWith("update.")
                               && s.attributes.update_percentage > 0)""",
                timeout=30_000,
            )
            _shot(page, "update-all-running.png")

            # The role check: a common member's UID is refused by the config flow.
            page.goto(f"{demo['url']}/config/integrations/dashboard/add?domain=tuya_ota")
            page.get_by_role("button", name="OK").click()
            flow = page.locator("dialog-data-entry-flow")
            _type_custom_endpoint(page, flow, demo["sim_url"])
            # By role: the 2026 frontends' fields label their inputs inside a shadow root.
            flow.get_by_role("textbox", name="Access ID").fill(demo["access_id"])
            flow.get_by_role("textbox", name="Access Secret").fill(demo["access_secret"])
            flow.get_by_role("textbox", name="User ID (UID)").fill(demo["member_uid"])
            flow.get_by_role("button", name="Submit").click()
            expect(flow).to_contain_text(
                f"Only the owner or an administrator of {demo['member_home']} may update"
            )
            _shot(page, "config-flow-insufficient-role.png")
            flow.get_by_role("button", name="Close").last.click()

            # Back on the dashboard, every update ends: only the failing and offline remain.
            page.goto(demo["dashboard"])
            _state_is(page, RUNNING, "s.state === '0'", 150)
            _state_is(page, AVAILABLE, f"s.state === '{remaining}'", 10)
        finally:
            browser.close()
