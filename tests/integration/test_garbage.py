"""Whatever the cloud answers, the coordinator fails cleanly and recovers."""

from __future__ import annotations

import json

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from hypothesis import HealthCheck, given, settings, strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tuya_sim import TuyaCloudSimulator

from .actions import refresh
from .home import PLUG_ENTITY

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(
        st.sampled_from(["id", "name", "online", "sub", "x"]) | st.text(max_size=8),
        children,
        max_size=6,
    ),
    max_leaves=20,
)
BODIES = (
    JSON.map(lambda result: json.dumps({"success": True, "result": result}).encode())
    | JSON.map(lambda value: json.dumps(value).encode())
    | st.binary(max_size=200)
    | JSON.map(lambda value: json.dumps(value).encode()[:7])
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=BODIES)
async def test_device_list_garbage(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    body: bytes,
) -> None:
    """Random JSON, wrong types and truncated bodies never crash the coordinator."""
    sim.fail_next("/devices", http_status=200, body=body)
    await refresh(hass, init_integration)
    assert init_integration.state is ConfigEntryState.LOADED
    await refresh(hass, init_integration)
    assert hass.states.get(PLUG_ENTITY).state == STATE_ON
