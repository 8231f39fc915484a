"""Tuya Firmware Updates: firmware (OTA) updates of Tuya devices, one device or a whole home."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .account_issues import CloudAccountHealth, async_forget_account_health
from .budget import CallBudget
from .compat import OPTIONS_FLOW_RELOADS, async_adopt_core_devices
from .const import (
    CONF_ACCESS_ID,
    CONF_ACCESS_SECRET,
    CONF_ENDPOINT,
    CONF_MONTHLY_CALL_BUDGET,
    DEFAULT_MONTHLY_CALL_BUDGET,
    DOMAIN,
    REQUEST_TIMEOUT_S,
)
from .coordinator import TuyaOtaCoordinator
from .data import TuyaOtaConfigEntry, TuyaOtaRuntimeData
from .firmware import FirmwareTracker
from .services import async_setup_services
from .storage import TuyaOtaStore
from .tuya_cloud import TuyaCloudClient
from .update_queue import UpdateQueue

PLATFORMS: list[Platform] = [Platform.SENSOR, Platform.UPDATE]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, which exist whether or not an entry is loaded."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: TuyaOtaConfigEntry) -> bool:
    """Read the home, restore firmware, queued updates and calls, and start the schedules."""
    health = CloudAccountHealth.for_entry(hass, entry)
    store = TuyaOtaStore(hass, entry.entry_id)
    await store.async_load()
    budget = CallBudget(
        hass, store, entry.options.get(CONF_MONTHLY_CALL_BUDGET, DEFAULT_MONTHLY_CALL_BUDGET)
    )
    client = TuyaCloudClient(
        async_get_clientsession(hass),
        entry.data[CONF_ENDPOINT],
        entry.data[CONF_ACCESS_ID],
        entry.data[CONF_ACCESS_SECRET],
        # Rate limits are backed off on Home Assistant's timers (queue, firmware schedule,
        # coordinator), never by sleeping inside a call.
        rate_limit_retries=0,
        request_timeout=REQUEST_TIMEOUT_S,
        call_observer=health.observe,
        on_request=budget.count_call,
    )
    coordinator = TuyaOtaCoordinator(hass, entry, client, health, budget)
    await coordinator.async_config_entry_first_refresh()
    runtime = TuyaOtaRuntimeData(
        client=client, coordinator=coordinator, store=store, health=health, budget=budget
    )
    runtime.firmware = firmware = FirmwareTracker(runtime)
    runtime.queue = queue = UpdateQueue(runtime)
    entry.runtime_data = runtime
    async_adopt_core_devices(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    queue.async_restore()
    firmware.async_start()
    coordinator.async_start_schedule()
    if not OPTIONS_FLOW_RELOADS:
        entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_options_updated(hass: HomeAssistant, entry: TuyaOtaConfigEntry) -> None:
    """New options take effect through a reload; stored updates are taken up again."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: TuyaOtaConfigEntry) -> bool:
    """Stop everything; queued and running updates stay stored for the next setup."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        runtime = entry.runtime_data
        await runtime.firmware.async_stop()
        await runtime.queue.async_stop()
        await runtime.store.async_save_now()
        if entry.disabled_by is not None:
            async_forget_account_health(hass, entry.entry_id)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: TuyaOtaConfigEntry) -> None:
    """Forget the stored firmware state and the account trouble of a removed home."""
    async_forget_account_health(hass, entry.entry_id)
    await TuyaOtaStore(hass, entry.entry_id).async_remove()
