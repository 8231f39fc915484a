"""The demo home's devices: about 20, in every state an update can be in.

One table, kept apart from the builders in ``scenarios`` so that each file reads as one thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import SimDevice, SimFirmware

# The demo's plug that is offline from the start (its update waits for it).
OFFLINE_DEVICE_ID = "bf1a2b3c4d5e6f7a8b12"


def made_up_local_key(device_id: str) -> str:
    """Make up a 16-character local key (the real ones are secrets; these are not)."""
    return (device_id[::-1] + "k3y0123456789abc")[:16]


@dataclass(frozen=True)
class _Product:
    """What devices of one product share."""

    category: str
    product_name: str
    model: str
    status: tuple[tuple[str, object], ...]


PLUG = _Product("cz", "Smart Plug 16A", "SP-16", (("switch_1", True), ("cur_power", 125)))
BULB = _Product("dj", "RGBCW Bulb E27", "BL-E27", (("switch_led", False), ("bright_value_v2", 500)))


def _one_channel(
    product: _Product,
    device_id: str,
    name: str,
    current_version: str,
    version: str = "",
    desc: str = "",
    update_seconds: float = 60.0,
    fail_at_percent: int | None = None,
) -> SimDevice:
    """A device of the product with one firmware channel (the main module)."""
    return SimDevice(
        device_id=device_id,
        name=name,
        category=product.category,
        product_name=product.product_name,
        model=product.model,
        local_key=made_up_local_key(device_id),
        status=[{"code": code, "value": value} for code, value in product.status],
        firmware=[
            SimFirmware(
                channel=0,
                current_version=current_version,
                version=version,
                desc=desc,
                update_seconds=update_seconds,
                fail_at_percent=fail_at_percent,
            )
        ],
    )


def demo_devices() -> list[SimDevice]:
    """Fresh devices of the demo home (each call builds new ones)."""
    return [
        _one_channel(
            PLUG,
            "bf1a2b3c4d5e6f7a8b01",
            "Kitchen Plug",
            current_version="1.0.2",
            version="1.1.0",
            desc="Improves the power metering accuracy.",
            update_seconds=30.0,
        ),
        _one_channel(
            PLUG,
            "bf1a2b3c4d5e6f7a8b02",
            "Desk Plug",
            current_version="1.0.2",
            version="1.1.0",
            desc="Improves the power metering accuracy.",
            update_seconds=35.0,
        ),
        _one_channel(PLUG, "bf1a2b3c4d5e6f7a8b03", "TV Plug", current_version="1.1.0"),
        _one_channel(PLUG, "bf1a2b3c4d5e6f7a8b04", "Fan Plug", current_version="1.1.0"),
        _one_channel(
            BULB,
            "bf1a2b3c4d5e6f7a8b05",
            "Living Room Bulb",
            current_version="2.3.1",
            version="2.4.0",
            desc="Smoother colour fades.",
            update_seconds=45.0,
        ),
        _one_channel(
            BULB,
            "bf1a2b3c4d5e6f7a8b06",
            "Bedroom Bulb",
            current_version="2.3.1",
            version="2.4.0",
            desc="Smoother colour fades.",
            update_seconds=40.0,
        ),
        _one_channel(BULB, "bf1a2b3c4d5e6f7a8b07", "Hall Bulb", current_version="2.4.0"),
        _one_channel(BULB, "bf1a2b3c4d5e6f7a8b08", "Porch Bulb", current_version="2.4.0"),
        SimDevice(
            device_id="bf1a2b3c4d5e6f7a8b09",
            name="Dehumidifier",
            category="cs",
            product_name="Dehumidifier 20L",
            model="DH-20",
            local_key=made_up_local_key("bf1a2b3c4d5e6f7a8b09"),
            status=[{"code": "switch", "value": True}, {"code": "humidity_indoor", "value": 61}],
            firmware=[
                SimFirmware(
                    channel=0,
                    current_version="1.2.0",
                    version="1.3.0",
                    desc="Wi-Fi stability fixes.",
                    update_seconds=50.0,
                ),
                SimFirmware(
                    channel=9,
                    current_version="2.0.1",
                    version="2.1.0",
                    desc="Quieter fan at night.",
                    update_seconds=60.0,
                ),
            ],
        ),
        SimDevice(
            device_id="bf1a2b3c4d5e6f7a8b10",
            name="Zigbee Gateway",
            category="wg2",
            product_name="Zigbee 3.0 Gateway",
            model="ZG-3",
            local_key=made_up_local_key("bf1a2b3c4d5e6f7a8b10"),
            firmware=[
                SimFirmware(
                    channel=0,
                    current_version="1.8.0",
                    version="1.9.2",
                    desc="Supports more Zigbee devices.",
                    update_seconds=55.0,
                )
            ],
        ),
        *[
            SimDevice(
                device_id=f"bf1a2b3c4d5e6f7a8z{index:02d}",
                name=name,
                sub=True,
                category=category,
                product_name=product,
                node_id=f"a4c1380000{index:02d}",
                local_key=made_up_local_key(f"bf1a2b3c4d5e6f7a8z{index:02d}"),
                firmware=[
                    SimFirmware(
                        channel=3,
                        current_version="1.0.5",
                        version="1.0.8",
                        desc="Longer battery life.",
                        update_seconds=seconds,
                    )
                ],
            )
            for index, (name, category, product, seconds) in enumerate(
                [
                    ("Door Sensor", "mcs", "Zigbee Door Sensor", 30.0),
                    ("Motion Sensor", "pir", "Zigbee Motion Sensor", 35.0),
                    ("Climate Sensor", "wsdcg", "Zigbee Temperature Sensor", 25.0),
                    ("Radiator Valve", "wkf", "Zigbee Thermostatic Valve", 40.0),
                ],
                start=1,
            )
        ],
        SimDevice(
            device_id="bf1a2b3c4d5e6f7a8b11",
            name="Garden Sensor",
            category="wsdcg",
            product_name="Battery Temperature Sensor",
            model="TH-B1",
            local_key=made_up_local_key("bf1a2b3c4d5e6f7a8b11"),
            firmware=[
                SimFirmware(
                    channel=0,
                    current_version="1.0.0",
                    version="1.0.3",
                    desc="Sleeps longer between readings.",
                    update_seconds=30.0,
                    low_power=True,
                    wake_after_s=30.0,
                    timeout_s=600,
                )
            ],
        ),
        _one_channel(
            PLUG,
            "bf1a2b3c4d5e6f7a8b12",
            "Garage Plug",
            current_version="1.0.2",
            version="1.1.0",
            desc="Improves the power metering accuracy.",
            update_seconds=30.0,
        ),
        _one_channel(
            BULB,
            "bf1a2b3c4d5e6f7a8b13",
            "Studio Bulb",
            current_version="2.3.0",
            version="2.4.0",
            desc="Smoother colour fades.",
            update_seconds=20.0,
            fail_at_percent=40,
        ),
        SimDevice(
            device_id="bf1a2b3c4d5e6f7a8b14",
            name="Robot Vacuum",
            category="sd",
            product_name="Robot Vacuum S7",
            model="RV-S7",
            local_key=made_up_local_key("bf1a2b3c4d5e6f7a8b14"),
            firmware_shape="object",
            firmware=[SimFirmware(channel=0, current_version="3.1.0")],
        ),
        SimDevice(
            device_id="bf1a2b3c4d5e6f7a8b16",
            name="Wall Switch",
            category="kg",
            product_name="2-Gang Wall Switch",
            model="WS-2",
            local_key=made_up_local_key("bf1a2b3c4d5e6f7a8b16"),
            status=[{"code": "switch_1", "value": False}, {"code": "switch_2", "value": True}],
            firmware=[SimFirmware(channel=0, current_version="1.3.2")],
        ),
        SimDevice(
            device_id="bf1a2b3c4d5e6f7a8b15",
            name="Curtain Motor",
            category="cl",
            product_name="Curtain Motor",
            model="CM-1",
            local_key=made_up_local_key("bf1a2b3c4d5e6f7a8b15"),
            firmware=[SimFirmware(channel=0, current_version="1.4.0")],
        ),
    ]
