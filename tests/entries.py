"""The config entry the config flow creates, built directly for tests and benchmarks."""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.const import (
    CONF_ACCESS_ID,
    CONF_ACCESS_SECRET,
    CONF_ENDPOINT,
    CONF_HOME_ID,
    CONF_UID,
    DOMAIN,
)
from tuya_sim import TuyaCloudSimulator


def home_entry(
    sim: TuyaCloudSimulator,
    *,
    title: str,
    home_id: int,
    uid: str,
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """One home of ``sim``'s cloud project, seen by user ``uid``, as the flow stores it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=str(home_id),
        data={
            CONF_ENDPOINT: sim.url,
            CONF_ACCESS_ID: sim.access_id,
            CONF_ACCESS_SECRET: sim.access_secret,
            CONF_UID: uid,
            CONF_HOME_ID: home_id,
        },
        options=options or {},
    )
