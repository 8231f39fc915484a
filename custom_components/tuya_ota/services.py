"""The ``tuya_ota.update_all`` action: every available update of one or all homes."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.update.const import ATTR_SKIPPED_VERSION
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_AREA_ID,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_FLOOR_ID,
    ATTR_LABEL_ID,
    ENTITY_MATCH_ALL,
    ENTITY_MATCH_NONE,
)
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)

from .compat import async_register_admin_action, vol
from .const import ATTR_CONFIG_ENTRY_ID, ATTR_WAIT, DOMAIN, SERVICE_UPDATE_ALL
from .data import TuyaOtaConfigEntry
from .update_job import InstallRefusedError, JobOutcome, UpdateJob
from .update_queue import UpdateQueue, registry_ids

UPDATE_ALL_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_WAIT, default=False): cv.boolean,
        **cv.ENTITY_SERVICE_FIELDS,
    }
)
TARGET_KEYS = (ATTR_ENTITY_ID, ATTR_DEVICE_ID, ATTR_AREA_ID, ATTR_FLOOR_ID, ATTR_LABEL_ID)
# A device whose offered version the user skipped (update.skip) is left alone.
REASON_SKIPPED_VERSION = "skipped_version"


@dataclass(frozen=True, slots=True)
class Target:
    """What an action's target names, areas of its floors and labels included."""

    entity_ids: set[str]
    device_ids: set[str]
    area_ids: set[str]
    label_ids: set[str]


def _ids(data: Mapping[str, Any], key: str) -> set[str]:
    value = data.get(key)
    if value is None or value == ENTITY_MATCH_NONE:
        return set()
    return set(cv.ensure_list(value))


def _target(hass: HomeAssistant, data: Mapping[str, Any]) -> Target | None:
    """The call's target; None when it has none, which means every entity.

    A target given but naming nothing (``entity_id: []`` from a template, ``none``) is a
    target all the same: it resolves to no entity, and nothing is queued.
    """
    if not any(key in data for key in TARGET_KEYS):
        return None
    entity_ids = _ids(data, ATTR_ENTITY_ID)
    if ENTITY_MATCH_ALL in entity_ids:
        return None
    floors, labels = _ids(data, ATTR_FLOOR_ID), _ids(data, ATTR_LABEL_ID)
    areas = _ids(data, ATTR_AREA_ID) | {
        area.id
        for area in ar.async_get(hass).async_list_areas()
        if area.floor_id in floors or labels & area.labels
    }
    return Target(entity_ids, _ids(data, ATTR_DEVICE_ID), areas, labels)


def _in_target(hass: HomeAssistant, target: Target, entity_id: str | None) -> bool:
    """Whether the target takes in this entity, as Home Assistant's targets resolve.

    An entity named, one labelled, one of a device named or labelled, or one in an area
    named (its own area, else its device's), floors and labelled areas included; hidden
    entities only when named. Home Assistant's own resolution also leaves out entities of
    the config category, which firmware entities are: so it is written out here.
    """
    if entity_id is None:
        return False
    if entity_id in target.entity_ids:
        return True
    entry = er.async_get(hass).async_get(entity_id)
    if entry is None or entry.hidden_by is not None:
        return False
    if target.label_ids & entry.labels:
        return True
    device = dr.async_get(hass).async_get(entry.device_id) if entry.device_id else None
    if device is not None and (device.id in target.device_ids or target.label_ids & device.labels):
        return True
    area_id = entry.area_id or (device.area_id if device is not None else None)
    return area_id in target.area_ids


def _skipped_in_home_assistant(hass: HomeAssistant, entity_id: str | None, offered: str) -> bool:
    """Whether the user skipped the version offered now (a newer one un-skips, as in core)."""
    state = hass.states.get(entity_id) if entity_id else None
    return state is not None and state.attributes.get(ATTR_SKIPPED_VERSION) == offered


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, whatever the number of entries)."""
    async_register_admin_action(
        hass,
        DOMAIN,
        SERVICE_UPDATE_ALL,
        _async_update_all,
        UPDATE_ALL_SCHEMA,
        SupportsResponse.OPTIONAL,
    )


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
    devices: dict[str, Any] = {}
    waiting: list[tuple[UpdateQueue, UpdateJob]] = []
    target = _target(hass, call.data)
    for entry in _entries(hass, call.data.get(ATTR_CONFIG_ENTRY_ID)):
        runtime = entry.runtime_data
        firmware = runtime.firmware
        for index, tuya_device_id in enumerate(list(runtime.coordinator.data.devices)):
            if index % 100 == 99:
                await asyncio.sleep(0)  # a large home: let the event loop breathe
            entity_id, _ = registry_ids(hass, tuya_device_id)
            if target is not None and not _in_target(hass, target, entity_id):
                continue
            record = firmware.record(tuya_device_id)
            from_version, to_version = record.version_change if record else ("", "")
            versions = {"from_version": from_version, "to_version": to_version}
            if runtime.queue.refusal(tuya_device_id) is None and _skipped_in_home_assistant(
                hass, entity_id, versions["to_version"]
            ):
                key, row = _row(
                    runtime.queue,
                    tuya_device_id,
                    {"result": "skipped", **versions, "reason": REASON_SKIPPED_VERSION},
                )
                devices[key] = row
                continue
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
