"""Where Home Assistant 2025.4 and today's releases differ, and nowhere else.

From 2026.8 a device belongs to a single config entry: an entity shows on another
integration's device by linking to it (``Entity.device_entry``), without adding its own entry
to that device, and devices are looked up per config entry. Before 2026.8 the entity named the
core device in its ``DeviceInfo`` and the device then carried both entries. Which of the two
applies is read off the device registry itself, not off a version number.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import inspect
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry, OptionsFlow
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import Unauthorized, UnknownUser
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.device_registry import DeviceEntry, DeviceInfo
from homeassistant.helpers.service import async_register_admin_service

from .const import DOMAIN, LOGGER, TUYA_CORE_DOMAIN

# Home Assistant validates with probatio since 2026.9 (``voluptuous`` is an alias of it at run
# time there); schemas built with it type-check against that release's flows and services.
try:
    import probatio as vol  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # before 2026.9
    import voluptuous as vol  # type: ignore[no-redef,unused-ignore]

if TYPE_CHECKING:
    from homeassistant.helpers.entity import Entity

__all__ = [
    "ISSUES_LINK_TO_ENTRIES",
    "ONE_CONFIG_ENTRY_PER_DEVICE",
    "OPTIONS_FLOW_RELOADS",
    "ReloadingOptionsFlow",
    "async_adopt_core_devices",
    "async_forget_device",
    "async_register_admin_action",
    "core_tuya_device",
    "issue_link",
    "own_device",
    "place_on_core_device",
    "vol",
]

# 2026.8 and later: devices are found per config entry.
ONE_CONFIG_ENTRY_PER_DEVICE: bool = hasattr(dr.DeviceRegistry, "async_get_device_by_identifier")

if TYPE_CHECKING:
    ReloadingOptionsFlow = OptionsFlow
else:
    try:  # 2025.8 and later: the options flow reloads the entry itself.
        from homeassistant.config_entries import OptionsFlowWithReload as ReloadingOptionsFlow
    except ImportError:  # before: an update listener reloads it
        ReloadingOptionsFlow = OptionsFlow
# Whether the options flow reloads the entry, so that it needs no update listener (which
# would also fire on the reauth and reconfigure flows' own reload, a warning from 2026.5).
OPTIONS_FLOW_RELOADS: bool = ReloadingOptionsFlow is not OptionsFlow


# 2026.11 and later: a repair issue may name its config entry, which then hides it while the
# entry is disabled and deletes it with the entry.
ISSUES_LINK_TO_ENTRIES: bool = (
    "config_entry_id" in inspect.signature(ir.async_create_issue).parameters
)


@callback
def issue_link(hass: HomeAssistant, config_entry_id: str | None) -> dict[str, Any]:
    """``ir.async_create_issue``'s arguments linking an issue to its entry, where it can.

    Not to an entry being removed: Home Assistant refuses a link to an unknown entry.
    """
    if (
        config_entry_id is None
        or not ISSUES_LINK_TO_ENTRIES
        or hass.config_entries.async_get_entry(config_entry_id) is None
    ):
        return {}
    return {"config_entry_id": config_entry_id}


def _core_entry_ids(hass: HomeAssistant) -> list[str]:
    return [entry.entry_id for entry in hass.config_entries.async_entries(TUYA_CORE_DOMAIN)]


@callback
def core_tuya_device(hass: HomeAssistant, tuya_device_id: str) -> DeviceEntry | None:
    """The core ``tuya`` integration's device of this Tuya device, when it has one."""
    registry = dr.async_get(hass)
    identifier = (TUYA_CORE_DOMAIN, tuya_device_id)
    if ONE_CONFIG_ENTRY_PER_DEVICE:
        for entry_id in _core_entry_ids(hass):
            device: DeviceEntry | None = registry.async_get_device_by_identifier(  # type: ignore[attr-defined,unused-ignore]
                identifier, entry_id
            )
            if device is not None:
                return device
        return None
    found: DeviceEntry | None = registry.async_get_device(identifiers={identifier})
    return found


@callback
def own_device(hass: HomeAssistant, entry_id: str, tuya_device_id: str) -> DeviceEntry | None:
    """The device this entry registered for a Tuya device the core integration lacks."""
    registry = dr.async_get(hass)
    identifier = (DOMAIN, tuya_device_id)
    if ONE_CONFIG_ENTRY_PER_DEVICE:
        found: DeviceEntry | None = registry.async_get_device_by_identifier(  # type: ignore[attr-defined,unused-ignore]
            identifier, entry_id
        )
        return found
    device = registry.async_get_device(identifiers={identifier})
    return device if device is not None and entry_id in device.config_entries else None


@callback
def place_on_core_device(entity: Entity, core_device: DeviceEntry, tuya_device_id: str) -> None:
    """Show ``entity`` on the core integration's device."""
    if ONE_CONFIG_ENTRY_PER_DEVICE:
        entity.device_entry = core_device
        entity._attr_device_info = None  # linked: no device of this entry
    else:
        entity._attr_device_info = DeviceInfo(identifiers={(TUYA_CORE_DOMAIN, tuya_device_id)})


def _core_ids(device: DeviceEntry) -> list[str]:
    return [value for domain, value in device.identifiers if domain == TUYA_CORE_DOMAIN]


@callback
def async_forget_device(hass: HomeAssistant, entry: ConfigEntry[Any], tuya_device_id: str) -> None:
    """Take this entry's part of a device that left the home off the device registry."""
    registry = dr.async_get(hass)
    if (device := own_device(hass, entry.entry_id, tuya_device_id)) is not None:
        registry.async_remove_device(device.id)
    core = None if ONE_CONFIG_ENTRY_PER_DEVICE else core_tuya_device(hass, tuya_device_id)
    if core is not None and entry.entry_id in core.config_entries:
        registry.async_update_device(core.id, remove_config_entry_id=entry.entry_id)


@callback
def async_adopt_core_devices(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Move this entry's entities from split-off twins onto the core devices.

    An installation made before 2026.8 had its entities on core ``tuya`` devices that
    carried both entries; 2026.8 split each into one device per entry, leaving this entry a
    nameless twin. The entity keeps its entity id and moves to the core device; the twin goes.
    """
    if not ONE_CONFIG_ENTRY_PER_DEVICE:
        return
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    for twin in dr.async_entries_for_config_entry(devices, entry.entry_id):
        core_ids = _core_ids(twin)
        if not core_ids or (core := core_tuya_device(hass, core_ids[0])) is None:
            continue
        for entity in er.async_entries_for_device(
            entities, twin.id, include_disabled_entities=True
        ):
            if entity.config_entry_id == entry.entry_id:
                entities.async_update_entity(entity.entity_id, device_id=core.id)
        LOGGER.info("Firmware of %s moved onto the Tuya integration's device", core.name)
        devices.async_remove_device(twin.id)


# Admin-only actions of later releases may answer with a response; 2025.4's may not.
_ADMIN_ACTIONS_RESPOND = (
    "supports_response" in inspect.signature(async_register_admin_service).parameters
)


@callback
def async_register_admin_action(
    hass: HomeAssistant,
    domain: str,
    service: str,
    handler: Callable[[ServiceCall], Awaitable[ServiceResponse]],
    schema: vol.Schema,
    supports_response: SupportsResponse,
) -> None:
    """Register an action only administrators may call, as Home Assistant's own updates."""
    if _ADMIN_ACTIONS_RESPOND:
        async_register_admin_service(  # type: ignore[call-arg,unused-ignore]
            hass,
            domain,
            service,
            handler,  # type: ignore[arg-type,unused-ignore]
            schema,
            supports_response=supports_response,
        )
        return

    async def admin_only(call: ServiceCall) -> ServiceResponse:
        # What async_register_admin_service checks, on releases where it cannot respond.
        if call.context.user_id:
            user = await hass.auth.async_get_user(call.context.user_id)
            if user is None:
                raise UnknownUser(context=call.context)
            if not user.is_admin:
                raise Unauthorized(context=call.context)
        return await handler(call)

    hass.services.async_register(
        domain, service, admin_only, schema=schema, supports_response=supports_response
    )
