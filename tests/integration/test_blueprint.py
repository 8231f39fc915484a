"""The night-time blueprint: updates the home at the chosen time and notifies the results."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from .actions import Advance


async def tick_past_long_tasks(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seconds: int,
    known: set[asyncio.Task[object]],
) -> None:
    """Advance time while an automation run waits on the update_all action.

    That run is a task Home Assistant tracks, so async_block_till_done would wait for it
    forever, and under frozen time no timeout elapses either: tasks still pending after a
    few thousand loop iterations are taken as long-running.
    """
    for _ in range(seconds):
        freezer.tick(timedelta(seconds=1))
        async_fire_time_changed(hass)
        for _ in range(5000):
            pending = [task for task in hass._tasks if not task.done() and task not in known]
            if not pending:
                break
            await asyncio.sleep(0)
        else:
            known.update(pending)


BLUEPRINT = Path(__file__).parents[2] / "blueprints/automation/tuya_ota/update_all_at_night.yaml"


async def use_night_blueprint(
    hass: HomeAssistant, entry: MockConfigEntry, **inputs: Any
) -> list[ServiceCall]:
    """Set up an automation from the blueprint; returns the notify calls it will make."""
    target = Path(hass.config.path("blueprints/automation/tuya_ota"))
    await hass.async_add_executor_job(lambda: target.mkdir(parents=True, exist_ok=True))
    await hass.async_add_executor_job(shutil.copy, BLUEPRINT, target / BLUEPRINT.name)
    notifications = async_mock_service(hass, "notify", "family")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": "tuya_ota/update_all_at_night.yaml",
                    "input": {
                        "home": entry.entry_id,
                        "notify_action": "notify.family",
                        **inputs,
                    },
                }
            }
        },
    )
    return notifications


def move_to_before_three(freezer: FrozenDateTimeFactory, seconds: int) -> None:
    """Jump to this many seconds before the next 03:00, the blueprint's start time.

    Counted in UTC: on a daylight-saving morning the local hour before 03:00 may not exist.
    """
    now = dt_util.now()
    next_run = now.replace(hour=3, minute=0, second=0, microsecond=0)
    if next_run <= now:
        next_run += timedelta(days=1)
    freezer.move_to(dt_util.as_utc(next_run) - timedelta(seconds=seconds))


async def tick_until_notified(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    notifications: list[ServiceCall],
    long_running: set[asyncio.Task[object]],
) -> None:
    """Let the night's updates run to the end, when the automation sends its summary."""
    for _ in range(600):
        if notifications:
            break
        await tick_past_long_tasks(hass, freezer, 5, long_running)
    await hass.async_block_till_done()


# The automation's next-night trigger outlives the test; Home Assistant's own tests say so too.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_night_updates_and_notifies(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    advance: Advance,
) -> None:
    """At 03:00 every available update runs; the notify action gets a summary."""
    notifications = await use_night_blueprint(hass, init_integration, start_time="03:00:00")
    move_to_before_three(freezer, 60)
    long_running: set[asyncio.Task[object]] = set()
    await tick_past_long_tasks(hass, freezer, 50, long_running)
    assert notifications == []
    assert init_integration.runtime_data.queue.active_count == 0
    await tick_past_long_tasks(hass, freezer, 15, long_running)
    assert init_integration.runtime_data.queue.active_count > 0
    await tick_until_notified(hass, freezer, notifications, long_running)
    assert len(notifications) == 1
    message = notifications[0].data["message"]
    assert message.startswith("5 updated, 1 failed.")
    assert "Kitchen Plug: 1.0.0 → 1.1.0" in message
    assert "Garage Plug: failed" in message
