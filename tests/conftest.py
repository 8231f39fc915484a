"""Fixtures shared by every test: Home Assistant's harness, snapshots, a clock, simulated clouds."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import paths
from syrupy.location import PyTestLocation
from syrupy.types import PropertyPath, SerializableData

from tests.timetravel import FakeClock
from tuya_sim import TuyaCloudSimulator

pytest_plugins = ["pytest_homeassistant_custom_component"]


class SnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's serializer, keeping the snapshots in syrupy's usual ``__snapshots__``."""

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(Path(test_location.filepath).parent / "__snapshots__")


# What Home Assistant itself, not this integration, writes differently from one release to the
# next: the registry's name aliases (a set before, a list holding the entity's own name now),
# its newer object id fields and its name kept for compatibility (2026.11), and the brand
# icon's address (brands.home-assistant.io before, Home Assistant's own /api/brands now).
VERSION_DEPENDENT = paths(
    "aliases", "compat_name", "object_id_base", "suggested_object_id", "attributes.entity_picture"
)


def plain_attribute_names(data: SerializableData, path: PropertyPath) -> SerializableData:
    """State attributes named by their string, as before Home Assistant named them by enums."""
    if isinstance(data, Mapping) and any(isinstance(key, Enum) for key in data):
        named = {key.value if isinstance(key, Enum) else key: value for key, value in data.items()}
        return type(data)(named)
    return data


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: Any) -> Generator[None]:
    """Let Home Assistant load custom_components/tuya_ota in every test."""
    return


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots as Home Assistant's own tests write them, the same on every release."""
    return snapshot.with_defaults(
        extension_class=SnapshotExtension,
        exclude=VERSION_DEPENDENT,
        matcher=plain_attribute_names,
    )


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: Any) -> Generator[None]:
    """Let tests open sockets; the harness still allows connections to 127.0.0.1 only."""
    return


@pytest.fixture(autouse=True)
def no_deprecated_use_reported(caplog: pytest.LogCaptureFixture) -> Generator[None]:
    """Home Assistant reports no deprecated use by this integration, on any release."""
    yield
    reports = [
        record.getMessage()
        for phase in ("setup", "call")
        for record in caplog.get_records(phase)  # type: ignore[arg-type]
        if "custom integration 'tuya_ota'" in record.getMessage()
    ]
    assert reports == []


@pytest.fixture
def clock() -> FakeClock:
    """The hand-moved clock of the client's and the simulator's tests.

    The integration tests' conftest replaces it with the clock driving Home Assistant's time.
    """
    return FakeClock()


type StartSimulator = Callable[[TuyaCloudSimulator], Awaitable[TuyaCloudSimulator]]


@pytest.fixture
async def start_simulator() -> AsyncGenerator[StartSimulator]:
    """Serve simulated clouds on loopback ports; each one stops when the test ends."""
    started: list[TuyaCloudSimulator] = []

    async def start(simulator: TuyaCloudSimulator) -> TuyaCloudSimulator:
        await simulator.start(host="127.0.0.1", port=0)
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        await simulator.stop()
