"""Account trouble at run time: repair issues that come and go, and a spent quota.

Whatever call meets an expired trial, a spent quota or a missing product raises the repair
issue; it goes away by itself once calls succeed again. While the quota is spent scheduled
calls stop but for one probe every few hours, and installs are refused without a call.
"""

from __future__ import annotations

from collections import Counter
import contextlib
import time

from homeassistant.components.update import ATTR_IN_PROGRESS
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tuya_ota.account_issues import QUOTA_PROBE_INTERVAL
from custom_components.tuya_ota.compat import ISSUES_LINK_TO_ENTRIES
from custom_components.tuya_ota.const import (
    DEFAULT_SCAN_INTERVAL_MINUTES,
    DOMAIN,
)
from tests.entries import home_entry
from tests.timetravel import Clock
from tests.update_events import FinishedUpdates
from tuya_sim import (
    IOT_CORE,
    SMART_HOME_BASIC,
    TuyaCloudSimulator,
)

from .actions import every_card_shows_versions, install, queue_idle, refresh
from .home import (
    COTTAGE_ID,
    HOME_NAME,
    OWNER_UID,
    PLUG,
    PLUG_ENTITY,
    add_cottage,
)

HOURS = 3600.0

ISSUE_OF_CODE = {
    28841002: "trial_expired",
    28841004: "quota_exhausted",
    28841101: "api_not_subscribed",
    28841105: "api_not_subscribed",
}


async def read_firmware_now(hass: HomeAssistant, entity_id: str = PLUG_ENTITY) -> None:
    """What ``homeassistant.update_entity`` does: read that device's firmware at once."""
    assert await async_setup_component(hass, "homeassistant", {})
    with contextlib.suppress(HomeAssistantError):
        await hass.services.async_call(
            "homeassistant", "update_entity", {ATTR_ENTITY_ID: entity_id}, blocking=True
        )


async def meet_code(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    sim: TuyaCloudSimulator,
    clock: Clock,
    call: str,
    code: int,
) -> HomeAssistantError | None:
    """Let one call of the given kind answer ``code``; the install's error, if one was made."""
    if call == "refresh":
        sim.fail_next("/members", code=code)
        await refresh(hass, entry)
    elif call == "firmware":
        sim.fail_next("/firmware", code=code)
        await read_firmware_now(hass)
    elif call == "start":
        sim.fail_next("/firmware/0", code=code)  # the start call
        try:
            await install(hass, PLUG_ENTITY)
        except HomeAssistantError as err:
            return err
        pytest.fail("the install went through")
    else:
        await install(hass, PLUG_ENTITY)
        sim.fail_next("/progress", code=code)
        issues = ir.async_get(hass)
        assert await clock.advance(
            60, until=lambda: issues.async_get_issue(DOMAIN, ISSUE_OF_CODE[code]) is not None
        )
    return None


@pytest.mark.parametrize("code", list(ISSUE_OF_CODE))
@pytest.mark.parametrize("call", ["refresh", "firmware", "start", "progress"])
async def test_repair_appears_then_clears(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    issue_registry: ir.IssueRegistry,
    clock: Clock,
    call: str,
    code: int,
) -> None:
    """Any call meeting the code raises its issue, saying what to do; a success clears it."""
    issue_id = ISSUE_OF_CODE[code]
    error = await meet_code(hass, init_integration, sim, clock, call, code)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == issue_id
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["homes"] == HOME_NAME
    if issue_id == "api_not_subscribed":
        product = SMART_HOME_BASIC if call == "refresh" else IOT_CORE
        assert issue.translation_placeholders["product"] == product
    if error is not None:  # the install said the same
        expected = "refused_quota_exhausted" if issue_id == "quota_exhausted" else issue_id
        assert error.translation_key == expected
        assert sim.start_calls == []

    # A call of the same kind succeeding (a device list, a firmware read) clears it.
    if issue_id == "api_not_subscribed" and call == "refresh":
        await refresh(hass, init_integration)
    else:
        await read_firmware_now(hass)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert not [issue for issue in issue_registry.issues.values() if issue.domain == DOMAIN]
    if call == "progress":  # the update was followed on to its end
        finished = FinishedUpdates(hass)
        assert await clock.advance(3600, until=queue_idle(init_integration))
        assert finished.results == ["success"]


async def test_one_product_does_not_clear_the_other(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A project without IoT Core: device lists keep answering, the issue stays."""
    sim.unsubscribe(IOT_CORE)
    await read_firmware_now(hass)
    await refresh(hass, init_integration)
    issue = issue_registry.async_get_issue(DOMAIN, "api_not_subscribed")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["product"] == "IoT Core"
    assert f"/v2.0/cloud/thing/{PLUG}/firmware" in issue.translation_placeholders["call"]
    sim.subscribe(IOT_CORE)
    await read_firmware_now(hass)
    assert issue_registry.async_get_issue(DOMAIN, "api_not_subscribed") is None


async def test_spent_quota_over_twelve_hours(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: TuyaCloudSimulator,
    issue_registry: ir.IssueRegistry,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Scheduled calls stop but for a probe every 6 hours; installs are refused; then back."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await clock.advance(0.5 * HOURS)
    sim.reset_calls()
    await clock.advance(12 * HOURS)
    usual = len(sim.calls)  # what 12 hours cost when all is well

    sim.exhaust_quota()
    sim.reset_calls()
    start = time.time()
    await clock.advance(12 * HOURS)
    calls = [call for call in sim.calls if call.time < start + 12 * HOURS]
    with capsys.disabled():
        print(
            f"\n12 h with the quota spent: {len(calls)} cloud calls "
            f"{dict(Counter(call.kind for call in calls))}; {usual} when all is well"
        )
    assert issue_registry.async_get_issue(DOMAIN, "quota_exhausted") is not None
    failed = [call for call in calls if call.code == 28841004]
    # The first scheduled call meets the quota; then one probe per interval (and the token
    # renewals they need, which the cloud still answers).
    probes = 12 * HOURS // QUOTA_PROBE_INTERVAL.total_seconds()
    assert len(failed) <= 1 + probes
    assert len(calls) <= 2 * (1 + probes)
    assert len(calls) < usual

    # Installs are refused with the same message, and nothing reaches the cloud.
    sim.reset_calls()
    with pytest.raises(HomeAssistantError) as refused:
        await install(hass, PLUG_ENTITY)
    assert refused.value.translation_key == "refused_quota_exhausted"
    response = await hass.services.async_call(
        DOMAIN, "update_all", {}, blocking=True, return_response=True
    )
    assert response is not None
    rows = response["devices"].values()  # type: ignore[union-attr]
    assert {row["reason"] for row in rows} == {"quota_exhausted"}  # type: ignore[index]
    assert sim.calls == []
    assert hass.states.get(PLUG_ENTITY).attributes[ATTR_IN_PROGRESS] is False

    # The month turns: the next probe finds the quota back, and the usual cadence resumes.
    sim.restore_quota()
    restored = time.time()
    gone = await clock.advance(
        QUOTA_PROBE_INTERVAL.total_seconds() + HOURS,
        until=lambda: issue_registry.async_get_issue(DOMAIN, "quota_exhausted") is None,
    )
    assert gone
    assert time.time() - restored <= QUOTA_PROBE_INTERVAL.total_seconds()
    sim.reset_calls()
    await clock.advance(DEFAULT_SCAN_INTERVAL_MINUTES * 60 + HOURS)
    assert sim.call_count("/members") >= 1
    assert config_entry.runtime_data.coordinator.last_update_success


async def test_setup_while_the_quota_is_spent(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: TuyaCloudSimulator,
    issue_registry: ir.IssueRegistry,
    clock: Clock,
) -> None:
    """Setup retries make no call until the next probe; then the entry loads."""
    sim.exhaust_quota()
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert issue_registry.async_get_issue(DOMAIN, "quota_exhausted") is not None
    calls = len(sim.calls)
    await clock.advance(2 * HOURS)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert len(sim.calls) == calls  # retried setups, no calls
    sim.restore_quota()
    loaded = await clock.advance(
        QUOTA_PROBE_INTERVAL.total_seconds(),
        until=lambda: config_entry.state is ConfigEntryState.LOADED,
    )
    assert loaded
    assert issue_registry.async_get_issue(DOMAIN, "quota_exhausted") is None


async def test_issue_names_every_home_and_stays_while_one_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    issue_registry: ir.IssueRegistry,
    clock: Clock,
) -> None:
    """Two homes meet the expired trial: one issue names both, and goes with the last one."""
    add_cottage(sim)
    cottage = home_entry(sim, title="Cottage", home_id=COTTAGE_ID, uid=OWNER_UID)
    cottage.add_to_hass(hass)
    assert await hass.config_entries.async_setup(cottage.entry_id)
    assert await clock.advance(60, until=every_card_shows_versions(cottage))

    def trial_issue() -> ir.IssueEntry:
        issue = issue_registry.async_get_issue(DOMAIN, "trial_expired")
        assert issue is not None
        return issue

    def linked_entry() -> str | None:
        """From 2026.11 an issue of one entry alone is linked to it (not one of several)."""
        return getattr(trial_issue(), "config_entry_id", None)

    sim.expire_trial()
    await refresh(hass, init_integration)
    if ISSUES_LINK_TO_ENTRIES:
        assert linked_entry() == init_integration.entry_id
    await refresh(hass, cottage)
    assert trial_issue().translation_placeholders == {"homes": f"Cottage, {HOME_NAME}"}
    assert linked_entry() is None

    sim.renew_trial()
    await refresh(hass, init_integration)
    assert trial_issue().translation_placeholders == {"homes": "Cottage"}
    if ISSUES_LINK_TO_ENTRIES:
        assert linked_entry() == cottage.entry_id

    # Removing the other entry takes its trouble with it.
    assert await hass.config_entries.async_remove(cottage.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, "trial_expired") is None


async def test_disabled_entry_takes_its_issue_away(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    sim.expire_trial()
    await refresh(hass, init_integration)
    assert issue_registry.async_get_issue(DOMAIN, "trial_expired") is not None
    await hass.config_entries.async_set_disabled_by(
        init_integration.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, "trial_expired") is None


async def test_ip_not_allowed_at_run_time(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: TuyaCloudSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """1114 names the allow-list (not the UID); it is no account trouble, so no issue."""
    sim.fail_next("/firmware", code=1114)
    with pytest.raises(HomeAssistantError) as err:
        await install(hass, PLUG_ENTITY)
    assert err.value.translation_key == "ip_not_allowed"
    assert not [issue for issue in issue_registry.issues.values() if issue.domain == DOMAIN]
