"""Diagnostics, as the download button fetches them: secrets, tokens, keys and places redacted."""

from __future__ import annotations

import json

from homeassistant.components.diagnostics import REDACTED

# The download reads the system info, which imports the Supervisor client; its dataclasses
# cannot be built once the tests' frozen clock replaces datetime, so import it before.
import homeassistant.components.hassio  # noqa: F401
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.tuya_ota.const import CONF_ACCESS_ID, CONF_ACCESS_SECRET, CONF_UID
from tuya_sim import TuyaCloudSimulator

from .home import ACCESS_ID, ACCESS_SECRET, OWNER_UID


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics redact credentials, tokens, keys and places."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    text = json.dumps(diagnostics)
    secrets = [ACCESS_SECRET, ACCESS_ID, OWNER_UID, "plugsecretlocalkey", *sim.issued_tokens()]
    for secret in secrets:
        assert secret not in text
    for key in (CONF_ACCESS_ID, CONF_ACCESS_SECRET, CONF_UID):
        assert diagnostics["entry"]["data"][key] == REDACTED
    assert diagnostics == snapshot(exclude=props("firmware_checked_at", "endpoint"))
