"""Update entities: every kind of device, install to success and failure, release notes."""

from __future__ import annotations

from homeassistant.components.update import (
    ATTR_IN_PROGRESS,
    ATTR_INSTALLED_VERSION,
    ATTR_LATEST_VERSION,
    ATTR_UPDATE_PERCENTAGE,
)
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from tests.timetravel import Clock
from tests.update_events import FinishedUpdates
from tuya_sim import TuyaCloudSimulator

from .actions import install, refresh, shows_installed, shows_progress
from .home import (
    CURRENT_ENTITY,
    DIMMER_ENTITY,
    FAILING,
    FAILING_ENTITY,
    HOME_ID,
    OFFLINE_ENTITY,
    OWNER_UID,
    PLUG,
    PLUG_ENTITY,
    ZIGBEE_ENTITY,
)


@pytest.mark.usefixtures("init_integration")
async def test_entity_states(hass: HomeAssistant) -> None:
    """One channel, several channels, a sub-device, an offline and an up-to-date device."""
    plug = hass.states.get(PLUG_ENTITY)
    assert plug.state == STATE_ON
    assert plug.attributes[ATTR_INSTALLED_VERSION] == "1.0.0"
    assert plug.attributes[ATTR_LATEST_VERSION] == "1.1.0"
    assert plug.attributes[ATTR_IN_PROGRESS] is False

    dimmer = hass.states.get(DIMMER_ENTITY)
    assert dimmer.state == STATE_ON
    assert dimmer.attributes[ATTR_INSTALLED_VERSION] == "Main 2.0.0 / MCU 1.0.4"
    assert dimmer.attributes[ATTR_LATEST_VERSION] == "Main 2.1.0 / MCU 1.0.5"

    assert hass.states.get(ZIGBEE_ENTITY).state == STATE_ON
    assert hass.states.get(OFFLINE_ENTITY).state == STATE_UNAVAILABLE
    current = hass.states.get(CURRENT_ENTITY)
    assert current.state == STATE_OFF
    assert current.attributes[ATTR_LATEST_VERSION] == "4.0.0"


async def test_install_to_success(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
) -> None:
    """Install shows progress while the cloud updates, then the new version and an event."""
    finished = FinishedUpdates(hass)
    await install(hass, PLUG_ENTITY)
    assert [call[0] for call in sim.start_calls] == [PLUG]
    state = hass.states.get(PLUG_ENTITY)
    assert state.attributes[ATTR_IN_PROGRESS] is True

    assert await clock.advance(60, until=shows_progress(hass, PLUG_ENTITY, at_least=40))
    state = hass.states.get(PLUG_ENTITY)
    assert state.attributes[ATTR_IN_PROGRESS] is True
    assert state.attributes[ATTR_UPDATE_PERCENTAGE] <= 60

    assert await clock.advance(120, until=shows_installed(hass, PLUG_ENTITY, "1.1.0"))
    state = hass.states.get(PLUG_ENTITY)
    assert state.state == STATE_OFF
    assert state.attributes[ATTR_IN_PROGRESS] is False
    assert state.attributes[ATTR_INSTALLED_VERSION] == "1.1.0"
    assert len(finished.events) == 1
    assert finished.events[0].data["result"] == "success"
    assert finished.events[0].data["tuya_device_id"] == PLUG
    assert finished.events[0].data["from_version"] == "1.0.0"
    assert finished.events[0].data["to_version"] == "1.1.0"


async def test_install_to_failure(
    hass: HomeAssistant, init_integration: MockConfigEntry, clock: Clock
) -> None:
    """A failed update still offers the update afterwards and reports failed."""
    finished = FinishedUpdates(hass)
    await install(hass, FAILING_ENTITY)
    assert await clock.advance(120, until=finished.any_ended)
    state = hass.states.get(FAILING_ENTITY)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_IN_PROGRESS] is False
    assert state.attributes[ATTR_INSTALLED_VERSION] == "1.0.0"
    assert finished.results == ["failed"]
    assert finished.events[0].data["tuya_device_id"] == FAILING


async def test_install_refused_when_member(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: TuyaCloudSimulator
) -> None:
    """A user demoted to common member is refused with no start call reaching the cloud."""
    sim.set_member_role(HOME_ID, OWNER_UID, owner=False, admin=False)
    await refresh(hass, init_integration)
    with pytest.raises(HomeAssistantError) as err:
        await install(hass, PLUG_ENTITY)
    assert err.value.translation_key == "refused_insufficient_role"
    assert sim.start_calls == []


async def test_release_notes(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """Release notes start with the firmware's desc; several channels each under their name."""
    client = await hass_ws_client(hass)
    await client.send_json({"id": 1, "type": "update/release_notes", "entity_id": PLUG_ENTITY})
    result = await client.receive_json()
    assert result["result"] == "*Released 2023-11-14*\n\nFaster pairing."
    await client.send_json({"id": 2, "type": "update/release_notes", "entity_id": DIMMER_ENTITY})
    result = await client.receive_json()
    assert result["result"] == (
        "### Main 2.1.0\n\n*Released 2023-11-14*\n\nWi-Fi fixes\n\n"
        "### MCU 1.0.5\n\n*Released 2023-11-14*\n\nSmoother dim"
    )
