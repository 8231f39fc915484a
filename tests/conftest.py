"""Fixtures shared by every test: Home Assistant's harness and the simulated Tuya cloud."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Any

import pytest

from tuya_sim import TuyaCloudSimulator

pytest_plugins = ["pytest_homeassistant_custom_component"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: Any) -> Generator[None]:
    """Let Home Assistant load custom_components/tuya_ota in every test."""
    return


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
async def running_simulator() -> AsyncGenerator[TuyaCloudSimulator]:
    """An empty simulated cloud on a loopback port."""
    sim = TuyaCloudSimulator(
        access_id="simaccessid0000001", access_secret="simsecret0000000000000000000001"
    )
    await sim.start(host="127.0.0.1", port=0)
    yield sim
    await sim.stop()
