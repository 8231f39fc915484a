"""Each finished update is a logbook line on the device's update entity, through the recorder."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.tuya_ota.const import DOMAIN, EVENT_UPDATE_FINISHED
from custom_components.tuya_ota.logbook import describe_update_finished
from tests.timetravel import Clock
from tuya_sim import SimDevice, SimFirmware, TuyaCloudSimulator

from .actions import install, queue_idle
from .home import FAILING_ENTITY, HOME_ID, PLUG_ENTITY

STUCK = "bf000000000000000stuck"
STUCK_ENTITY = "update.stuck_plug_firmware"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: Any
) -> None:
    """The recorder first: it must start before Home Assistant's test instance is set up."""


@pytest.fixture
async def sim(sim: TuyaCloudSimulator) -> TuyaCloudSimulator:
    """The test home and a plug whose update never ends, so that the cloud times it out."""
    sim.add_device(
        HOME_ID,
        SimDevice(
            device_id=STUCK,
            name="Stuck Plug",
            firmware=[
                SimFirmware(
                    channel=0,
                    current_version="1.0.0",
                    version="1.0.9",
                    update_seconds=None,
                    timeout_s=60,
                )
            ],
        ),
    )
    return sim


async def logbook_lines(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, entity_ids: list[str]
) -> list[dict[str, Any]]:
    """The logbook's entries of these entities, as the frontend asks for them."""
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json(
        {
            "id": 1,
            "type": "logbook/get_events",
            "start_time": dt_util.utc_from_timestamp(0).isoformat(),
            "end_time": (dt_util.utcnow() + timedelta(seconds=1)).isoformat(),
            "entity_ids": entity_ids,
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    return [line for line in response["result"] if line.get("domain") == DOMAIN]


@pytest.mark.entry_options(pilot_per_product=False)  # devices of one product
async def test_each_finished_update_is_a_logbook_line(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    clock: Clock,
) -> None:
    """Success, failure and timeout, each on its own update entity, with the versions;
    the logbook of one entity shows its own update and not the others'."""
    assert await async_setup_component(hass, "logbook", {})
    await install(hass, PLUG_ENTITY, FAILING_ENTITY, STUCK_ENTITY)
    assert await clock.advance(3600, until=queue_idle(init_integration))
    lines = await logbook_lines(hass, hass_ws_client, [PLUG_ENTITY, FAILING_ENTITY, STUCK_ENTITY])
    by_entity = {line["entity_id"]: line for line in lines}
    assert len(lines) == 3
    assert by_entity[PLUG_ENTITY]["message"] == "updated 1.0.0 → 1.1.0"
    assert by_entity[PLUG_ENTITY]["name"] == "Kitchen Plug Firmware"
    assert by_entity[FAILING_ENTITY]["message"] == "update failed (1.0.0 → 1.2.0)"
    assert by_entity[STUCK_ENTITY]["message"] == "update timed out (1.0.0 → 1.0.9)"
    lines = await logbook_lines(hass, hass_ws_client, [PLUG_ENTITY])
    assert [line["message"] for line in lines] == ["updated 1.0.0 → 1.1.0"]


async def test_line_of_an_event_without_entity(hass: HomeAssistant) -> None:
    """An event fired by hand, with no entity and an unknown result, still reads."""
    event = Event(EVENT_UPDATE_FINISHED, {"tuya_device_id": "bf01", "result": "odd"})
    assert describe_update_finished(hass, event) == {
        "name": "bf01",
        "message": "update ended: odd",
    }
