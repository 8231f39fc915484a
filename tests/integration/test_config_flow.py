"""The config flow: every step, error and abort of the contract, against the simulated cloud.

The flows run with the entry's setup replaced (``mock_setup_entry``); reauthentication and the
options, whose outcome is the reloaded integration itself, set it up for real.
"""

from __future__ import annotations

from unittest.mock import AsyncMock

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.const import (
    CONF_ACCESS_ID,
    CONF_ACCESS_SECRET,
    CONF_ENDPOINT,
    CONF_FIRMWARE_CHECK_HOURS,
    CONF_HOME_ID,
    CONF_MAX_PARALLEL,
    CONF_MONTHLY_CALL_BUDGET,
    CONF_PILOT_PER_PRODUCT,
    CONF_SCAN_INTERVAL_MINUTES,
    CONF_UID,
    DEFAULT_MONTHLY_CALL_BUDGET,
    DOMAIN,
)
from tuya_sim import SimHome, SimMember, TuyaCloudSimulator

from .home import ACCESS_ID, ACCESS_SECRET, ADMIN_UID, HOME_ID, HOME_NAME, MEMBER_UID, OWNER_UID


def user_input(sim: TuyaCloudSimulator, **changes: str) -> dict[str, str]:
    return {
        CONF_ENDPOINT: sim.url,
        CONF_ACCESS_ID: ACCESS_ID,
        CONF_ACCESS_SECRET: ACCESS_SECRET,
        CONF_UID: OWNER_UID,
        **changes,
    }


async def start_flow(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result["flow_id"]


@pytest.mark.parametrize("uid", [OWNER_UID, ADMIN_UID])
async def test_owner_or_admin_creates_entry(
    hass: HomeAssistant, sim: TuyaCloudSimulator, mock_setup_entry: AsyncMock, uid: str
) -> None:
    """With one home, the flow goes straight to the role check and creates the entry."""
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim, uid=uid))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == HOME_NAME
    assert result["result"].unique_id == str(HOME_ID)
    assert result["data"] == {
        CONF_ENDPOINT: sim.url,
        CONF_ACCESS_ID: ACCESS_ID,
        CONF_ACCESS_SECRET: ACCESS_SECRET,
        CONF_UID: uid,
        CONF_HOME_ID: HOME_ID,
    }
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.usefixtures("mock_setup_entry")
async def test_common_member_aborts(hass: HomeAssistant, sim: TuyaCloudSimulator) -> None:
    """A common member may only look: no entry."""
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(sim, uid=MEMBER_UID)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "insufficient_role"
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_several_homes_ask_which(
    hass: HomeAssistant, sim: TuyaCloudSimulator, mock_setup_entry: AsyncMock
) -> None:
    """The home step lists the user's homes; the chosen one gets the entry."""
    sim.add_home(
        SimHome(
            home_id=31000002,
            name="Cottage",
            members=[SimMember(uid=OWNER_UID, name="Olivia", admin=True)],
        )
    )
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "home"
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOME_ID: "31000002"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Cottage"
    assert result["data"][CONF_HOME_ID] == 31000002
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.usefixtures("mock_setup_entry")
async def test_several_homes_member_of_chosen_aborts(
    hass: HomeAssistant, sim: TuyaCloudSimulator
) -> None:
    """The role is checked in the chosen home."""
    sim.add_home(
        SimHome(home_id=31000002, name="Cottage", members=[SimMember(uid=OWNER_UID, name="O")])
    )
    flow_id = await start_flow(hass)
    await hass.config_entries.flow.async_configure(flow_id, user_input(sim))
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_HOME_ID: "31000002"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "insufficient_role"


@pytest.mark.parametrize(
    ("changes", "fault", "error"),
    [
        ({CONF_ACCESS_SECRET: "wrongsecret0000000000000000000000"}, None, "invalid_auth"),
        ({CONF_ACCESS_ID: "unknownaccessid000"}, None, "invalid_auth"),
        ({CONF_UID: "ay17000000000unknown"}, None, "invalid_uid"),
        ({}, {"http_status": 500}, "cannot_connect"),
        ({}, {"code": 500}, "cannot_connect"),
        ({}, {"http_status": 200, "body": b"<html>garbage</html>"}, "cannot_connect"),
        ({}, {"code": 28841105}, "api_not_subscribed"),
        ({}, {"code": 1109}, "unknown"),
    ],
)
async def test_errors_then_recovery(
    hass: HomeAssistant,
    sim: TuyaCloudSimulator,
    mock_setup_entry: AsyncMock,
    changes: dict[str, str],
    fault: dict[str, object] | None,
    error: str,
) -> None:
    """Each cloud failure shows its form error, and the corrected form creates the entry."""
    flow_id = await start_flow(hass)
    if fault is not None:
        sim.fail_next("/homes", count=1, **fault)  # type: ignore[arg-type]
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim, **changes))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.usefixtures("mock_setup_entry")
async def test_refused_connection(hass: HomeAssistant, sim: TuyaCloudSimulator) -> None:
    """Nothing listening at the address is cannot_connect."""
    url = sim.url
    await sim.stop()
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim, endpoint=url))
    assert result["errors"] == {"base": "cannot_connect"}
    await sim.start(host="127.0.0.1", port=0)


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    "endpoint",
    ["ftp://openapi.tuyaeu.com", "http://openapi.tuyaeu.com", "not a url", "http://10.0.0.2:80"],
)
async def test_invalid_endpoint_sends_nothing(
    hass: HomeAssistant, sim: TuyaCloudSimulator, endpoint: str
) -> None:
    """Only https, or plain http to this machine; nothing is sent otherwise."""
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(sim, endpoint=endpoint)
    )
    assert result["errors"] == {"base": "invalid_endpoint"}
    assert sim.calls == []


@pytest.mark.usefixtures("mock_setup_entry")
async def test_already_configured(
    hass: HomeAssistant, sim: TuyaCloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A second entry for the same home aborts."""
    config_entry.add_to_hass(hass)
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_no_homes(hass: HomeAssistant, sim: TuyaCloudSimulator) -> None:
    """A linked account without any home aborts."""
    sim.add_user("ay1700000000000nohome")
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(sim, uid="ay1700000000000nohome")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_homes"


async def test_reauth(
    hass: HomeAssistant, sim: TuyaCloudSimulator, init_integration: MockConfigEntry
) -> None:
    """Only the secret is asked again; a wrong one is refused, the right one reloads."""
    entity_ids = set(hass.states.async_entity_ids("update"))
    result = await init_integration.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESS_SECRET: "wrongsecret0000000000000000000000"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESS_SECRET: ACCESS_SECRET}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert set(hass.states.async_entity_ids("update")) == entity_ids


async def test_reconfigure(
    hass: HomeAssistant,
    sim: TuyaCloudSimulator,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """The connection changes, the home stays, and the entry reloads with it."""
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, uid="ay17000000000unknown")
    )
    assert result["errors"] == {"base": "invalid_uid"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, uid=ADMIN_UID)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data[CONF_UID] == ADMIN_UID
    assert config_entry.data[CONF_HOME_ID] == HOME_ID
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_to_member_aborts(
    hass: HomeAssistant, sim: TuyaCloudSimulator, config_entry: MockConfigEntry
) -> None:
    """Reconfiguring to a common member is refused like a new entry."""
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, uid=MEMBER_UID)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "insufficient_role"
    assert config_entry.data[CONF_UID] == OWNER_UID


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_home_gone(
    hass: HomeAssistant, sim: TuyaCloudSimulator, config_entry: MockConfigEntry
) -> None:
    """An account that lost the entry's home cannot take it over."""
    config_entry.add_to_hass(hass)
    sim.add_home(
        SimHome(
            home_id=31000002,
            name="Other",
            members=[SimMember(uid="ay17000000000000other", name="X", owner=True)],
        )
    )
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, uid="ay17000000000000other")
    )
    assert result["errors"] == {"base": "home_not_found"}


async def test_options(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The options are stored as integers and the entry reloads with them."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_MAX_PARALLEL: 5.0, CONF_SCAN_INTERVAL_MINUTES: 60.0, CONF_FIRMWARE_CHECK_HOURS: 24.0},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options == {
        CONF_MAX_PARALLEL: 5,
        CONF_SCAN_INTERVAL_MINUTES: 60,
        CONF_FIRMWARE_CHECK_HOURS: 24,
        CONF_MONTHLY_CALL_BUDGET: DEFAULT_MONTHLY_CALL_BUDGET,
        CONF_PILOT_PER_PRODUCT: True,
    }
    assert init_integration.runtime_data.queue.max_parallel == 5
