"""Roles: re-read on every refresh; a common member gets a repair issue and no start call."""

from __future__ import annotations

from homeassistant.components.update import ATTR_IN_PROGRESS
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.compat import ISSUES_LINK_TO_ENTRIES
from custom_components.tuya_ota.const import DOMAIN
from tests.timetravel import Clock
from tests.update_events import FinishedUpdates
from tuya_sim import TuyaCloudSimulator

from .actions import install, queue_idle, refresh
from .home import (
    DIMMER,
    DIMMER_ENTITY,
    FAILING_ENTITY,
    HOME_ID,
    OWNER_UID,
    PLUG,
    PLUG_ENTITY,
    ZIGBEE_A,
    ZIGBEE_ENTITY,
)


@pytest.mark.entry_options(pilot_per_product=False)  # devices of one product
async def test_role_lost_and_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    issue_registry: ir.IssueRegistry,
    clock: Clock,
) -> None:
    """Queued installs are dropped, new ones refused; the repair goes when the role returns."""
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    queue = init_integration.runtime_data.queue
    queue.max_parallel = 1
    finished = FinishedUpdates(hass)
    await install(hass, PLUG_ENTITY, DIMMER_ENTITY, ZIGBEE_ENTITY)
    started = {device_id for device_id, _, _ in sim.start_calls}
    assert len(started) == 1
    entities = {PLUG: PLUG_ENTITY, DIMMER: DIMMER_ENTITY, ZIGBEE_A: ZIGBEE_ENTITY}
    waiting = [entity for device, entity in entities.items() if device not in started]
    assert all(hass.states.get(entity).attributes[ATTR_IN_PROGRESS] for entity in waiting)

    sim.set_member_role(HOME_ID, OWNER_UID, owner=False, admin=False)
    await refresh(hass, init_integration)
    issue = issue_registry.async_get_issue(DOMAIN, f"insufficient_role_{init_integration.entry_id}")
    assert issue is not None
    assert issue.translation_key == "insufficient_role"
    assert issue.translation_placeholders == {"home": init_integration.title}
    if ISSUES_LINK_TO_ENTRIES:  # from 2026.11 the issue is its entry's
        assert issue.config_entry_id == init_integration.entry_id  # type: ignore[attr-defined,unused-ignore]
    # The queued ones are dropped at once; the running one is followed to its end.
    assert not any(hass.states.get(entity).attributes[ATTR_IN_PROGRESS] for entity in waiting)
    assert queue.active_count == 1
    assert await clock.advance(600, until=queue_idle(init_integration))
    assert {device_id for device_id, _, _ in sim.start_calls} == started
    assert len(finished.events) == 1

    # Every new install is refused without any start call.
    with pytest.raises(HomeAssistantError) as refused:
        await install(hass, FAILING_ENTITY)
    assert refused.value.translation_key == "refused_insufficient_role"
    assert {device_id for device_id, _, _ in sim.start_calls} == started

    sim.set_member_role(HOME_ID, OWNER_UID, owner=False, admin=True)
    await refresh(hass, init_integration)
    assert (
        issue_registry.async_get_issue(DOMAIN, f"insufficient_role_{init_integration.entry_id}")
        is None
    )
    await install(hass, FAILING_ENTITY)
    assert sim.start_calls[-1][0] == "bf00000000000failing"
