"""Repair issues linked to the config entry they concern, where Home Assistant links them.

From 2026.11 an issue may name its config entry: Home Assistant then hides it while that entry
is disabled and deletes it with the entry. The role issue is one entry's; an account issue
(trial, quota, products) is linked while it concerns one entry, and unlinked while several.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.compat import ISSUES_LINK_TO_ENTRIES
from custom_components.tuya_ota.const import DOMAIN
from tests.entries import home_entry
from tuya_sim import TuyaCloudSimulator

from .actions import Advance, refresh
from .home import COTTAGE_ID, HOME_ID, OWNER_UID, add_cottage

pytestmark = pytest.mark.skipif(
    not ISSUES_LINK_TO_ENTRIES, reason="this Home Assistant links no issue to an entry"
)


async def test_role_issue_is_its_entrys(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    sim.set_member_role(HOME_ID, OWNER_UID, owner=False, admin=False)
    await refresh(hass, init_integration)
    issue = issue_registry.async_get_issue(DOMAIN, f"insufficient_role_{init_integration.entry_id}")
    assert issue is not None
    assert issue.config_entry_id == init_integration.entry_id


async def test_account_issue_is_linked_while_one_entry_meets_it(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    issue_registry: ir.IssueRegistry,
    advance: Advance,
) -> None:
    add_cottage(sim)
    cottage = home_entry(sim, title="Cottage", home_id=COTTAGE_ID, uid=OWNER_UID)
    cottage.add_to_hass(hass)
    assert await hass.config_entries.async_setup(cottage.entry_id)
    await advance(5)

    sim.expire_trial()
    await refresh(hass, init_integration)
    issue = issue_registry.async_get_issue(DOMAIN, "trial_expired")
    assert issue is not None
    assert issue.config_entry_id == init_integration.entry_id

    await refresh(hass, cottage)  # both homes: the issue is no single entry's
    issue = issue_registry.async_get_issue(DOMAIN, "trial_expired")
    assert issue is not None
    assert issue.config_entry_id is None

    sim.renew_trial()
    await refresh(hass, init_integration)  # the cottage's alone again
    issue = issue_registry.async_get_issue(DOMAIN, "trial_expired")
    assert issue is not None
    assert issue.config_entry_id == cottage.entry_id
