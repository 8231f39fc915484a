"""The firmware record: what an entity shows, which devices share a read, the stored form."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.tuya_ota.firmware_record import FirmwareRecord
from custom_components.tuya_ota.tuya_cloud import UpgradeStatus

from ..cloud_records import OFFERED_MODULE

MCU_UP_TO_DATE = replace(
    OFFERED_MODULE, channel=9, upgrade_status=0, current_version="2.0.0", version="2.0.0"
)


def test_one_channel_shows_its_versions() -> None:
    """One channel: its version, then the offered one; nothing offered shows it again."""
    record = FirmwareRecord((OFFERED_MODULE,), checked_at=1.0)
    assert (record.installed_version, record.latest_version) == ("1.0.0", "1.1.0")
    assert record.update_available
    assert record.version_change == ("1.0.0", "1.1.0")
    up_to_date = FirmwareRecord((MCU_UP_TO_DATE,), checked_at=1.0)
    assert up_to_date.latest_version == up_to_date.installed_version == "2.0.0"
    assert not up_to_date.update_available


def test_several_channels_are_named() -> None:
    """Several channels: each named, so that an offer on any one turns the entity on."""
    mcu_offered = replace(MCU_UP_TO_DATE, upgrade_status=UpgradeStatus.READY, version="2.1.0")
    record = FirmwareRecord((replace(OFFERED_MODULE, version="1.0.0"), mcu_offered), checked_at=1.0)
    assert record.installed_version == "Main 1.0.0 / MCU 2.0.0"
    assert record.latest_version == "Main 1.0.0 / MCU 2.1.0"
    assert record.update_available


def test_never_read_shows_nothing() -> None:
    """No channel known: no versions, nothing to install, in no group."""
    record = FirmwareRecord((), checked_at=1.0)
    assert (record.installed_version, record.latest_version) == (None, None)
    assert record.version_change == ("", "")
    assert not record.update_available
    assert record.group_key("p1", "dev1") is None


def test_groups_are_product_and_installed_versions() -> None:
    """Devices of one product on the same versions share a read; an unknown product does not."""
    record = FirmwareRecord((OFFERED_MODULE, MCU_UP_TO_DATE), checked_at=1.0)
    assert record.group_key("p1", "dev1") == record.group_key("p1", "dev2") == "p1 0=1.0.0 9=2.0.0"
    assert record.group_key("", "dev1") != record.group_key("", "dev2")
    newer = FirmwareRecord((replace(OFFERED_MODULE, current_version="1.1.0"),), checked_at=1.0)
    assert newer.group_key("p1", "dev1") != record.group_key("p1", "dev1")


def test_stored_form_round_trips() -> None:
    """What the store keeps gives the same record back after a restart."""
    record = FirmwareRecord((OFFERED_MODULE, MCU_UP_TO_DATE), checked_at=1_700_000_000.5)
    assert FirmwareRecord.from_stored(record.as_stored()) == record


@pytest.mark.parametrize(
    "stored",
    [
        None,
        [],
        {"channels": []},
        {"checked_at": "yesterday", "channels": []},
        {"checked_at": 1.0, "channels": {}},
        {"checked_at": 1.0, "channels": [{"channel": 0}]},
        {
            "checked_at": 1.0,
            "channels": [
                {
                    **FirmwareRecord((OFFERED_MODULE,), 1.0).as_stored()["channels"][0],
                    "new_field": 1,
                }
            ],
        },
    ],
)
def test_stored_form_that_no_longer_fits_is_dropped(stored: object) -> None:
    """A file of an older or newer version, or a damaged one, never breaks the setup."""
    assert FirmwareRecord.from_stored(stored) is None
