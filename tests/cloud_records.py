"""Records as the client returns them, for tests that build firmware state by hand."""

from __future__ import annotations

from custom_components.tuya_ota.tuya_cloud import Device, FirmwareChannel, UpgradeStatus

WIFI_PLUG = Device(
    device_id="bf01",
    name="Plug",
    product_id="p1",
    product_name="Plug",
    category="cz",
    model="",
    online=True,
    sub=False,
)
"""A Wi-Fi device of its own (not behind a gateway)."""

OFFERED_MODULE = FirmwareChannel(
    channel=0,
    upgrade_status=UpgradeStatus.READY,
    current_version="1.0.0",
    version="1.1.0",
    desc="Fixes.",
    can_upgrade=True,
    low_power=False,
    timeout_s=60,
    remind="",
)
"""The main module with 1.1.0 offered over 1.0.0; `dataclasses.replace` varies it."""
