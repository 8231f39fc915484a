"""The config flow and the trouble of real free-tier projects: every code on every call.

The flow also reads one device's firmware, so that a project lacking IoT Core (which only the
firmware calls need) fails here and not after setup.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.const import CONF_ACCESS_SECRET, CONF_HOME_ID, DOMAIN
from tests.conftest import StartSimulator
from tuya_sim import IOT_CORE, TuyaCloudSimulator

from .home import (
    COTTAGE_ID,
    COTTAGE_PLUG,
    HOME_ID,
    MEMBER_UID,
    OFFLINE,
    PLUG,
    add_cottage,
    simulator_with_owner_home,
)
from .test_config_flow import start_flow, user_input

pytestmark = pytest.mark.usefixtures("mock_setup_entry")

CODES = [
    (28841101, "api_not_subscribed"),
    (28841105, "api_not_subscribed"),
    (28841002, "trial_expired"),
    (28841004, "quota_exhausted"),
    (1114, "ip_not_allowed"),
    (2406, "invalid_uid"),
]
# Each call of the flow, in order, and the product it belongs to.
CALLS = [
    ("/users/", "Smart Home Basic Service"),
    ("/members", "Smart Home Basic Service"),
    ("/devices", "Smart Home Basic Service"),
    ("/firmware", "IoT Core"),
]


def firmware_reads(sim: TuyaCloudSimulator) -> list[str]:
    return [call.path.split("/")[4] for call in sim.calls if call.kind == "firmware"]


@pytest.mark.parametrize(("code", "error"), CODES)
@pytest.mark.parametrize(("call", "product"), CALLS)
async def test_each_code_on_each_call(
    hass: HomeAssistant,
    sim: TuyaCloudSimulator,
    code: int,
    error: str,
    call: str,
    product: str,
) -> None:
    """The form says what to fix (naming the product a refused call needs); then it works."""
    flow_id = await start_flow(hass)
    sim.fail_next(call, code=code)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": error}
    if error == "api_not_subscribed":
        placeholders = result["description_placeholders"]
        assert placeholders["product"] == product
        assert call in placeholders["call"]
    assert hass.config_entries.async_entries(DOMAIN) == []
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_project_without_iot_core_fails_in_the_flow(
    hass: HomeAssistant, sim: TuyaCloudSimulator
) -> None:
    """Homes, members and devices answer; the firmware read tells the project lacks IoT Core."""
    sim.unsubscribe(IOT_CORE)
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim))
    assert result["errors"] == {"base": "api_not_subscribed"}
    assert result["description_placeholders"]["product"] == "IoT Core"
    assert [call.kind for call in sim.calls] == ["token", "homes", "members", "devices", "firmware"]
    sim.subscribe(IOT_CORE)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_firmware_of_an_online_device_is_read(
    hass: HomeAssistant, sim: TuyaCloudSimulator
) -> None:
    """One read, of a device that can answer; nothing is started."""
    sim.set_online(PLUG, online=False)
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    [device] = firmware_reads(sim)
    assert device not in (PLUG, OFFLINE)
    assert sim.start_calls == []


@pytest.mark.parametrize("code", [2001, 2010])
async def test_device_trouble_does_not_block(
    hass: HomeAssistant, sim: TuyaCloudSimulator, code: int
) -> None:
    """A device offline or gone meanwhile still shows that the project may read firmware."""
    sim.fail_next("/firmware", code=code)
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_home_without_devices_reads_no_firmware(
    hass: HomeAssistant, start_simulator: StartSimulator
) -> None:
    simulator = await start_simulator(simulator_with_owner_home())
    simulator.unsubscribe(IOT_CORE)  # unseen: there is no device to read
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert firmware_reads(simulator) == []


async def test_common_member_reads_no_firmware(
    hass: HomeAssistant, sim: TuyaCloudSimulator
) -> None:
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(sim, uid=MEMBER_UID)
    )
    assert result["reason"] == "insufficient_role"
    assert firmware_reads(sim) == []


async def test_error_on_the_home_step(hass: HomeAssistant, sim: TuyaCloudSimulator) -> None:
    """With several homes the chosen one's calls fail on the home form, which can retry."""
    add_cottage(sim)
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(sim))
    assert result["step_id"] == "home"
    sim.fail_next("/firmware", code=28841002)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOME_ID: str(COTTAGE_ID)}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "home"
    assert result["errors"] == {"base": "trial_expired"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOME_ID: str(COTTAGE_ID)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert firmware_reads(sim) == [COTTAGE_PLUG] * 2


async def test_reauth_shows_the_trouble(
    hass: HomeAssistant, sim: TuyaCloudSimulator, config_entry: MockConfigEntry
) -> None:
    """Reauthentication lists the homes: a spent quota says so, with the project named."""
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reauth_flow(hass)
    sim.exhaust_quota()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ACCESS_SECRET: config_entry.data[CONF_ACCESS_SECRET]}
    )
    assert result["errors"] == {"base": "quota_exhausted"}
    assert result["description_placeholders"]["access_id"] == config_entry.data["access_id"]


async def test_reconfigure_to_a_project_without_iot_core(
    hass: HomeAssistant, sim: TuyaCloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A new project must have IoT Core too; the entry keeps its old connection meanwhile."""
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    sim.unsubscribe(IOT_CORE)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim))
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "api_not_subscribed"}
    assert result["description_placeholders"]["product"] == "IoT Core"
    assert config_entry.data[CONF_HOME_ID] == HOME_ID
