"""Ready-made clouds: a realistic demo home, a large home, and projects in account trouble.

The trouble scenarios put the demo home on a cloud project that meets the failures real
free-tier projects meet (an expired trial, a spent quota, no IoT Core).
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import SimDevice, SimFirmware, SimHome, SimMember
from .simulator import IOT_CORE, TuyaCloudSimulator

DEMO_ACCESS_ID = "simdemo7a3kq9x2m4p8w1c5"
DEMO_ACCESS_SECRET = "simdemo0f4c2b9e7d1a6358c0b4e2f9a7d31c6"  # noqa: S105 - the demo's well-known secret
DEMO_UID = "ay1700000000000demo"
DEMO_HOME_ID = 31000001

LARGE_HOME_ID = 31000002


def _key(device_id: str) -> str:
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
        local_key=_key(device_id),
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


def build_demo(sim: TuyaCloudSimulator) -> None:
    """One home, "Demo Home", with about 20 devices in every interesting state."""
    sim.add_home(
        SimHome(
            home_id=DEMO_HOME_ID,
            name="Demo Home",
            members=[
                SimMember(uid=DEMO_UID, name="Demo Owner", owner=True, member_account="demo"),
                SimMember(uid="ay1700000000000adm1", name="Alex Admin", admin=True),
                SimMember(uid="ay1700000000000mem1", name="Morgan Member"),
            ],
        )
    )
    devices = [
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
            local_key=_key("bf1a2b3c4d5e6f7a8b09"),
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
            local_key=_key("bf1a2b3c4d5e6f7a8b10"),
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
                local_key=_key(f"bf1a2b3c4d5e6f7a8z{index:02d}"),
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
            local_key=_key("bf1a2b3c4d5e6f7a8b11"),
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
            local_key=_key("bf1a2b3c4d5e6f7a8b14"),
            firmware_shape="object",
            firmware=[SimFirmware(channel=0, current_version="3.1.0")],
        ),
        SimDevice(
            device_id="bf1a2b3c4d5e6f7a8b16",
            name="Wall Switch",
            category="kg",
            product_name="2-Gang Wall Switch",
            model="WS-2",
            local_key=_key("bf1a2b3c4d5e6f7a8b16"),
            status=[{"code": "switch_1", "value": False}, {"code": "switch_2", "value": True}],
            firmware=[SimFirmware(channel=0, current_version="1.3.2")],
        ),
        SimDevice(
            device_id="bf1a2b3c4d5e6f7a8b15",
            name="Curtain Motor",
            category="cl",
            product_name="Curtain Motor",
            model="CM-1",
            local_key=_key("bf1a2b3c4d5e6f7a8b15"),
            firmware=[SimFirmware(channel=0, current_version="1.4.0")],
        ),
    ]
    for device in devices:
        sim.add_device(DEMO_HOME_ID, device)
    sim.set_online("bf1a2b3c4d5e6f7a8b12", False)


def build_large(sim: TuyaCloudSimulator, devices: int, update_seconds: float = 60.0) -> None:
    """One home with ``devices`` devices, every 10th a Zigbee sub-device, all with an update."""
    sim.add_home(
        SimHome(
            home_id=LARGE_HOME_ID,
            name="Large Home",
            members=[SimMember(uid=DEMO_UID, name="Demo Owner", owner=True)],
        )
    )
    for index in range(devices):
        sub = index % 10 == 9
        device_id = f"bf{index:018d}"
        sim.add_device(
            LARGE_HOME_ID,
            SimDevice(
                device_id=device_id,
                name=f"{'Sensor' if sub else 'Plug'} {index + 1}",
                sub=sub,
                category="wsdcg" if sub else "cz",
                product_name="Zigbee Sensor" if sub else "Smart Plug",
                local_key=_key(device_id),
                firmware=[
                    SimFirmware(
                        channel=3 if sub else 0,
                        current_version="1.0.0",
                        version="1.0.1",
                        desc="Maintenance release.",
                        update_seconds=update_seconds,
                    )
                ],
            ),
        )


# The demo home on a project that meets one of the failures of real free-tier projects.
ACCOUNT_TROUBLES = ("trial-expired", "quota-exhausted", "no-iot-core")


def build_account_trouble(sim: TuyaCloudSimulator, trouble: str, after_s: float = 0.0) -> None:
    """The demo home, and from ``after_s`` seconds on the project's ``trouble``.

    ``trial-expired`` and ``quota-exhausted`` refuse every business call (28841002,
    28841004); ``no-iot-core`` refuses only the firmware calls (28841101), as a project
    without IoT Core does. A delay lets an integration be set up first, so that the run-time
    repair issues show.
    """
    build_demo(sim)
    start_account_trouble(sim, trouble, sim.clock() + after_s)


def start_account_trouble(sim: TuyaCloudSimulator, trouble: str, at: float) -> None:
    """From ``at`` on (the simulator's clock), the project meets ``trouble``."""
    if trouble == "trial-expired":
        sim.expire_trial(at)
    elif trouble == "quota-exhausted":
        sim.exhaust_quota(at)
    elif trouble == "no-iot-core":
        sim.unsubscribe(IOT_CORE, at)
    else:
        raise ValueError(f"unknown account trouble {trouble!r}")


__all__ = [
    "ACCOUNT_TROUBLES",
    "DEMO_ACCESS_ID",
    "DEMO_ACCESS_SECRET",
    "DEMO_HOME_ID",
    "DEMO_UID",
    "LARGE_HOME_ID",
    "build_account_trouble",
    "build_demo",
    "build_large",
    "start_account_trouble",
]
