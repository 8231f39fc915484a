"""The JSON the cloud answers: envelopes, and the items of homes, members, devices, firmware."""

from __future__ import annotations

import hashlib
from http import HTTPStatus
import json
from typing import Final
import uuid

from aiohttp import web

from . import updates
from .errors import message
from .faults import Fault
from .models import SimDevice, SimFirmware, SimHome, SimMember

FIRMWARE_DEPLOY_TIME_MS: Final = 1_700_000_000_000


def _json(payload: object, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(payload).encode(), status=status, content_type="application/json"
    )


def success(result: object, now: float) -> web.Response:
    """The success envelope around ``result``."""
    return _json({"success": True, "result": result, "t": int(now * 1000), "tid": uuid.uuid4().hex})


def failure(code: int, msg: str, now: float, status: int = 200) -> web.Response:
    """The failure envelope (HTTP 200 unless a scripted fault says otherwise)."""
    envelope = {"success": False, "code": code, "msg": msg, "t": int(now * 1000)}
    return _json({**envelope, "tid": uuid.uuid4().hex}, status)


def fault_response(fault: Fault, now: float) -> tuple[web.Response, int]:
    """A scripted fault's answer, and the code the recorder notes for it."""
    status = fault.http_status or 200
    if fault.body is not None:
        return web.Response(body=fault.body, status=status), fault.code or status
    if fault.code is not None:
        return failure(fault.code, fault.msg or message(fault.code), now, status), fault.code
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    return web.Response(text=f"{status} {reason}".strip(), status=status), status


def home_item(home: SimHome) -> dict[str, object]:
    """A home as the homes call lists it."""
    return {
        "home_id": home.home_id,
        "name": home.name,
        "lat": home.lat,
        "lon": home.lon,
        "geo_name": home.geo_name,
        "role": home.role,
    }


def member_item(member: SimMember) -> dict[str, object]:
    """A member as the members call lists it."""
    item: dict[str, object] = {
        "uid": member.uid,
        "name": member.name,
        "member_account": member.member_account,
        "country_code": member.country_code,
        "avatar": member.avatar,
        "admin": member.admin,
    }
    if member.owner:  # the real cloud leaves the flag out for everyone else
        item["owner"] = True
    return item


def device_item(device: SimDevice, owner_uid: str, now: float) -> dict[str, object]:
    """A device as the home's device list shows it."""
    created = int(now) - 86400 * 30
    return {
        "id": device.device_id,
        "name": device.name,
        "uid": owner_uid,
        "local_key": device.local_key,
        "category": device.category,
        "product_id": device.product_id,
        "product_name": device.product_name,
        "sub": device.sub,
        "uuid": hashlib.md5(device.device_id.encode(), usedforsecurity=False).hexdigest()[:16],
        "owner_id": str(device.home_id),
        "online": device.online,
        "icon": device.icon or f"smart/icon/{device.category}.png",
        "ip": "" if device.sub else device.ip,
        "time_zone": device.time_zone,
        "lat": device.lat,
        "lon": device.lon,
        "model": device.model,
        "node_id": device.node_id,
        "status": device.status,
        "active_time": created,
        "create_time": created,
        "update_time": int(now) - 3600,
    }


def thing_item(device: SimDevice, now: float) -> dict[str, object]:
    """A device as the device-details calls show it: ``is_online``, and no version fields."""
    listed = device_item(device, "", now)
    shown = ("id", "name", "product_id", "product_name", "category", "sub", "uuid", "local_key")
    place = ("ip", "lat", "lon", "time_zone", "active_time", "update_time")
    return {
        **{key: listed[key] for key in shown},
        "is_online": device.online,
        **{key: listed[key] for key in place},
    }


def firmware_item(device: SimDevice, firmware: SimFirmware, now: float) -> dict[str, object]:
    """One channel as the firmware call lists it."""
    run = firmware.active_run
    status = updates.status_of(device, firmware, now)
    version = run.target_version if run is not None else firmware.version
    remind = firmware.remind
    shown_timeout = (
        firmware.timeout_s or 0 if firmware.item_timeout is None else firmware.item_timeout
    )
    if not remind and not device.online and status in updates.READY_STATUSES:
        remind = "The device is offline; it must be online to update."
    return {
        "type": firmware.channel,
        "type_desc": firmware.type_desc,
        "upgrade_status": status,
        "current_version": firmware.current_version,
        "version": version,
        "desc": firmware.desc if version != firmware.current_version else "",
        "upgrading_desc": "Updating, keep the device powered",
        "waiting_desc": "Waiting for the device to wake up" if firmware.low_power else "",
        "remind": remind,
        "can_upgrade": firmware.can_upgrade,
        "dev_type": 1 if firmware.low_power else 0,
        "timeout": shown_timeout,
        "upgrade_type": 0,
        "control_type": 0,
        "url": f"https://images.tuya-sim.invalid/firmware/{firmware.channel}/{version}.bin",
        "md5": hashlib.md5(version.encode(), usedforsecurity=False).hexdigest(),
        "file_size": str(firmware.file_size),
        "last_upgrade_time": int((firmware.last_upgrade_time or 0) * 1000),
        "firmware_deploy_time": (
            FIRMWARE_DEPLOY_TIME_MS
            if firmware.deploy_time is None
            else int(firmware.deploy_time * 1000)
        ),
    }


def firmware_result(device: SimDevice, now: float) -> object:
    """The firmware call's result: a list of channels, or the documentation's single object."""
    items = [firmware_item(device, firmware, now) for firmware in device.firmware]
    if device.firmware_shape == "list" or not items:
        return items
    # The documentation's example: one object, snake_case, the channel keyed ``channel``.
    chosen = next((item for item in items if item["upgrade_status"] != 0), items[0])
    return {("channel" if key == "type" else key): value for key, value in chosen.items()}
