"""Release notes and the one-line summary warn about what applies to this device."""

from __future__ import annotations

from dataclasses import replace

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.tuya_ota.release_notes import (
    LOCAL_KEY,
    MAX_SUMMARY_LENGTH,
    PHONE_BLUETOOTH,
    SLEEPING,
    SUB_DEVICE,
    release_notes,
    release_summary,
)
from custom_components.tuya_ota.tuya_cloud import Device, FirmwareChannel
from tuya_sim import SimDevice, SimFirmware, TuyaCloudSimulator

from ..cloud_records import OFFERED_MODULE, WIFI_PLUG
from .home import CURRENT_ENTITY, HOME_ID, PLUG_ENTITY, ZIGBEE_ENTITY

BATTERY = "bf000000000000sleepy"
BATTERY_ENTITY = "update.battery_sensor_firmware"
BLUETOOTH = "bf00000000bluetooth1"
BLUETOOTH_ENTITY = "update.bluetooth_lock_firmware"


def warnings_of(notes: str | None) -> list[str]:
    assert notes is not None
    return [line.removeprefix("- ") for line in notes.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize(
    ("device", "channels", "warnings"),
    [
        (WIFI_PLUG, [OFFERED_MODULE], [LOCAL_KEY]),
        (WIFI_PLUG, [replace(OFFERED_MODULE, low_power=True)], [SLEEPING, LOCAL_KEY]),
        (
            replace(WIFI_PLUG, sub=True),
            [replace(OFFERED_MODULE, channel=3)],
            [SUB_DEVICE, LOCAL_KEY],
        ),
        (WIFI_PLUG, [replace(OFFERED_MODULE, channel=1)], [PHONE_BLUETOOTH, LOCAL_KEY]),
        # Behind a gateway, a Bluetooth device updates through the gateway, not the phone.
        (
            replace(WIFI_PLUG, sub=True),
            [replace(OFFERED_MODULE, channel=1)],
            [SUB_DEVICE, LOCAL_KEY],
        ),
        (
            replace(WIFI_PLUG, sub=True),
            [replace(OFFERED_MODULE, channel=3, low_power=True)],
            [SLEEPING, SUB_DEVICE, LOCAL_KEY],
        ),
    ],
    ids=["wifi", "sleeping", "sub-device", "bluetooth-phone", "bluetooth-sub", "sleeping-sub"],
)
def test_warnings_of_each_kind_of_device(
    device: Device, channels: list[FirmwareChannel], warnings: list[tuple[str, str]]
) -> None:
    """The notes keep the firmware's own text first, then a bullet per warning."""
    notes = release_notes(device, channels, locally_controlled=True)
    assert notes is not None
    assert notes.startswith("Fixes.\n\n**Before you install**\n\n- ")
    assert warnings_of(notes) == [text for text, _ in warnings]
    summary = release_summary(device, channels, locally_controlled=True)
    assert summary == " ".join(phrase for _, phrase in warnings)
    assert len(summary) <= MAX_SUMMARY_LENGTH
    assert "\n" not in summary


def test_every_warning_at_once_fits_the_summary() -> None:
    """All warnings together stay within Home Assistant's 255 characters."""
    summary = release_summary(
        replace(WIFI_PLUG, sub=True),
        [replace(OFFERED_MODULE, low_power=True)],
        locally_controlled=True,
    )
    assert summary is not None
    assert len(summary) <= MAX_SUMMARY_LENGTH


def test_nothing_offered_no_notes() -> None:
    """Up to date: neither notes nor summary."""
    current = replace(OFFERED_MODULE, version="1.0.0", upgrade_status=0)
    assert release_notes(WIFI_PLUG, [current], locally_controlled=True) is None
    assert release_summary(WIFI_PLUG, [current], locally_controlled=True) is None


def test_notes_without_desc_are_the_warnings() -> None:
    """Firmware without notes of its own still warns."""
    notes = release_notes(WIFI_PLUG, [replace(OFFERED_MODULE, desc="")], locally_controlled=True)
    assert notes is not None
    assert notes.startswith("**Before you install**")


def test_only_offered_channels_count() -> None:
    """A sleeping channel that offers nothing does not make the update wait for wake-up."""
    idle = replace(OFFERED_MODULE, channel=9, version="1.0.0", upgrade_status=0, low_power=True)
    assert warnings_of(
        release_notes(WIFI_PLUG, [OFFERED_MODULE, idle], locally_controlled=True)
    ) == [LOCAL_KEY[0]]


@pytest.fixture
async def sim(sim: TuyaCloudSimulator) -> TuyaCloudSimulator:
    """The test home and a Bluetooth lock that updates through the phone."""
    sim.add_device(
        HOME_ID,
        SimDevice(
            device_id=BLUETOOTH,
            name="Bluetooth Lock",
            firmware=[SimFirmware(channel=1, current_version="1.0.0", version="1.0.2")],
        ),
    )
    return sim


async def notes_of(client: MockHAClientWebSocket, entity_id: str) -> str | None:
    await client.send_json_auto_id({"type": "update/release_notes", "entity_id": entity_id})
    result = await client.receive_json()
    assert result["success"], result
    notes: str | None = result["result"]
    return notes


@pytest.mark.parametrize(
    ("entity_id", "first_warning"),
    [
        (PLUG_ENTITY, LOCAL_KEY),
        (BATTERY_ENTITY, SLEEPING),
        (ZIGBEE_ENTITY, SUB_DEVICE),
        (BLUETOOTH_ENTITY, PHONE_BLUETOOTH),
    ],
)
async def test_entities_warn(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    entity_id: str,
    first_warning: tuple[str, str],
) -> None:
    """What the update dialog shows: the summary above the notes, the notes' warnings.

    A localtuya entry here has every device, so the local key's warning comes last.
    """
    devices = {
        device_id: {} for device_id in init_integration.runtime_data.coordinator.data.devices
    }
    MockConfigEntry(domain="localtuya", data={"devices": devices}).add_to_hass(hass)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    client = await hass_ws_client(hass)
    notes = await notes_of(client, entity_id)
    assert warnings_of(notes)[0] == first_warning[0]
    assert warnings_of(notes)[-1] == LOCAL_KEY[0]
    summary = hass.states.get(entity_id).attributes["release_summary"]
    assert summary.startswith(first_warning[1])
    assert summary.endswith(LOCAL_KEY[1])


async def test_up_to_date_entity_has_no_summary(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Nothing offered, nothing to warn about."""
    assert hass.states.get(CURRENT_ENTITY).attributes["release_summary"] is None


@pytest.mark.parametrize(
    ("local_entry", "warned"),
    [
        (None, False),
        (("tuya_local", {"device_id": "bf00000000000000plug"}), True),
        (("tuya_local", {"device_id": "bf0000000000000other"}), False),
        (("localtuya", {"devices": {"bf00000000000000plug": {}}}), True),
        (("localtuya", {"device_id": "bf00000000000000plug"}), True),
    ],
    ids=["no-local-integration", "tuya-local", "tuya-local-other", "localtuya", "localtuya-v3"],
)
async def test_local_key_warning_only_for_local_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    local_entry: tuple[str, dict[str, object]] | None,
    warned: bool,
) -> None:
    """The local key matters only to a local integration that has this very device."""
    if local_entry is not None:
        MockConfigEntry(domain=local_entry[0], data=local_entry[1]).add_to_hass(hass)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    summary = hass.states.get(PLUG_ENTITY).attributes["release_summary"]
    assert (LOCAL_KEY[1] in (summary or "")) is warned


def test_the_clouds_not_now_leads_notes_and_summary() -> None:
    """can_upgrade false: the cloud's reason first in the summary and the notes."""
    low = replace(OFFERED_MODULE, can_upgrade=False, remind="Battery too low: charge it first")
    summary = release_summary(WIFI_PLUG, [low], locally_controlled=False)
    assert summary == "Cannot update now: Battery too low: charge it first"
    notes = release_notes(WIFI_PLUG, [low], locally_controlled=False)
    assert notes is not None
    assert notes.startswith("**Cannot update now:** Battery too low: charge it first\n\nFixes.")


def test_release_date_in_the_notes() -> None:
    """firmware_deploy_time shows as the release date."""
    released = replace(OFFERED_MODULE, released_at=1_793_577_600.0)  # 2026-11-02 UTC
    notes = release_notes(WIFI_PLUG, [released], locally_controlled=False)
    assert notes == "*Released 2026-11-02*\n\nFixes."
