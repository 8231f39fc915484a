"""The ``tuya_ota.update_all`` action: every available update of one or all homes."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError, Unauthorized, UnknownUser
from homeassistant.helpers import config_validation as cv

from .compat import vol
from .const import ATTR_CONFIG_ENTRY_ID, ATTR_WAIT, DOMAIN, SERVICE_UPDATE_ALL
from .data import TuyaOtaConfigEntry
from .firmware import installed_version, latest_version
from .update_job import InstallRefusedError, JobOutcome, UpdateJob
from .update_queue import UpdateQueue, registry_ids

UPDATE_ALL_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_WAIT, default=False): cv.boolean,
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, whatever the number of entries)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_UPDATE_ALL,
        _async_update_all,
        schema=UPDATE_ALL_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )


async def _async_require_admin(hass: HomeAssistant, call: ServiceCall) -> None:
    """Firmware updates are an administrator's action, as Home Assistant's own updates are."""
    if not call.context.user_id:
        return
    user = await hass.auth.async_get_user(call.context.user_id)
    if user is None:
        raise UnknownUser(context=call.context)
    if not user.is_admin:
        raise Unauthorized(context=call.context)


def _entries(hass: HomeAssistant, entry_id: str | None) -> list[TuyaOtaConfigEntry]:
    if entry_id is None:
        return [
            entry
            for entry in hass.config_entries.async_entries(DOMAIN)
            if entry.state is ConfigEntryState.LOADED
        ]
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"entry_id": entry_id},
        )
    return [entry]


def _row(
    queue: UpdateQueue, tuya_device_id: str, outcome: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """One device's line of the response, keyed by its Home Assistant device id."""
    entity_id, ha_device_id = registry_ids(queue.hass, tuya_device_id)
    return ha_device_id or tuya_device_id, {
        "name": queue.device_name(tuya_device_id),
        "tuya_device_id": tuya_device_id,
        "entity_id": entity_id,
        **outcome,
    }


def _outcome_row(outcome: JobOutcome) -> dict[str, Any]:
    row: dict[str, Any] = {
        "result": outcome.result.value,
        "from_version": outcome.from_version,
        "to_version": outcome.to_version,
    }
    if outcome.reason is not None:
        row["reason"] = outcome.reason
    return row


async def _async_update_all(call: ServiceCall) -> ServiceResponse:
    """Queue every available update; with ``wait``, answer when all have ended."""
    hass = call.hass
    await _async_require_admin(hass, call)
    devices: dict[str, Any] = {}
    waiting: list[tuple[UpdateQueue, UpdateJob]] = []
    for entry in _entries(hass, call.data.get(ATTR_CONFIG_ENTRY_ID)):
        runtime = entry.runtime_data
        firmware = runtime.firmware
        for index, tuya_device_id in enumerate(list(runtime.coordinator.data.devices)):
            if index % 100 == 99:
                await asyncio.sleep(0)  # a large home: let the event loop breathe
            channels = firmware.get(tuya_device_id) or []
            versions = {
                "from_version": installed_version(channels) or "",
                "to_version": latest_version(channels) or "",
            }
            try:
                job = runtime.queue.async_enqueue(tuya_device_id)
            except InstallRefusedError as refused:
                key, row = _row(
                    runtime.queue,
                    tuya_device_id,
                    {"result": "skipped", **versions, "reason": refused.reason.value},
                )
            else:
                waiting.append((runtime.queue, job))
                key, row = _row(runtime.queue, tuya_device_id, {"result": "queued", **versions})
            devices[key] = row
    if call.data[ATTR_WAIT] and waiting:
        outcomes = await asyncio.gather(*(job.finished for _, job in waiting))
        for (queue, job), outcome in zip(waiting, outcomes, strict=True):
            key, row = _row(queue, job.device_id, _outcome_row(outcome))
            devices[key] = row
    return {"devices": devices} if call.return_response else None
