"""Following an update costs a few calls however long it runs, and sees its end soon."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.progress_schedule import (
    FIRST_INTERVAL,
    LONGEST_INTERVAL,
    next_read_in,
)
from tests.timetravel import Clock
from tests.update_events import FinishedUpdates
from tuya_sim import SimDevice, SimFirmware, TuyaCloudSimulator

from .actions import every_card_shows_versions, install, refresh
from .home import HOME_ID

DEVICE = "bf0000000000longupdate"
ENTITY = "update.long_update_plug_firmware"


async def add_plug(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
    **firmware: object,
) -> None:
    """A plug whose next update behaves as ``firmware`` says; its card shows its versions."""
    channel = SimFirmware(channel=0, current_version="1.0.0", version="1.1.0", **firmware)  # type: ignore[arg-type]
    sim.add_device(
        HOME_ID, SimDevice(device_id=DEVICE, name="Long Update Plug", firmware=[channel])
    )
    await refresh(hass, entry)
    assert await clock.advance(60, until=every_card_shows_versions(entry))


def progress_reads(sim: TuyaCloudSimulator) -> list[float]:
    return [call.time for call in sim.calls if call.kind == "progress" and DEVICE in call.path]


@pytest.mark.parametrize(("length_s", "most_reads"), [(60, 16), (300, 24), (1200, 32), (3600, 40)])
async def test_reads_grow_with_the_logarithm_of_the_length(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
    length_s: int,
    most_reads: int,
) -> None:
    """1, 20 and 60 minutes: at most 16, 32 and 40 progress reads; the end seen within a
    fifth of the length (and 10 s)."""
    await add_plug(
        hass, init_integration, sim, clock, update_seconds=length_s, timeout_s=2 * length_s
    )
    finished = FinishedUpdates(hass)
    sim.reset_calls()
    await install(hass, ENTITY)
    started = clock.now()
    assert await clock.advance(2 * length_s, until=finished.any_ended)
    assert finished.results == ["success"]
    assert len(progress_reads(sim)) <= most_reads
    assert clock.now() - (started + length_s) <= length_s / 5 + 10


async def test_a_sleeper_waiting_to_wake_costs_as_little(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator, clock: Clock
) -> None:
    """A sleeping sensor that wakes after 40 minutes and then updates in a minute."""
    await add_plug(
        hass, init_integration, sim, clock, low_power=True, wake_after_s=2400, timeout_s=7200
    )
    finished = FinishedUpdates(hass)
    sim.reset_calls()
    await install(hass, ENTITY)
    assert await clock.advance(7200, until=finished.any_ended)
    assert finished.results == ["success"]
    assert len(progress_reads(sim)) <= 40


def test_intervals_lengthen_within_their_limits() -> None:
    """Never shorter than 5 s, never longer than a fifth of the run time nor 5 minutes."""
    first, longest = FIRST_INTERVAL.total_seconds(), LONGEST_INTERVAL.total_seconds()
    for elapsed in (0, 5, 20, 60, 600, 1500, 3600, 6 * 3600):
        for percentage, advanced in ((None, False), (10, True), (90, True), (50, False)):
            interval = next_read_in(elapsed, percentage, advanced=advanced)
            assert first <= interval <= max(first, min(elapsed / 5, longest))


def test_an_even_pace_reads_where_it_ends() -> None:
    """Half done after 100 s of an even update: the next read comes at its end, not later."""
    assert next_read_in(100, 50, advanced=True) == pytest.approx(20)
    assert next_read_in(100, 90, advanced=True) == pytest.approx(100 / 9 + 1)
    assert next_read_in(100, 90, advanced=False) == pytest.approx(20)
