"""Ready-made clouds: a realistic demo home, a large home, and projects in account trouble.

The trouble scenarios put the demo home on a cloud project that meets the failures real
free-tier projects meet (an expired trial, a spent quota, no IoT Core), or give one of its
products a bad firmware.
"""

from __future__ import annotations

from .demo_devices import OFFLINE_DEVICE_ID, demo_devices, made_up_local_key
from .models import SimDevice, SimFirmware, SimHome, SimMember
from .simulator import IOT_CORE, TuyaCloudSimulator

DEMO_ACCESS_ID = "simdemo7a3kq9x2m4p8w1c5"
DEMO_ACCESS_SECRET = "simdemo0f4c2b9e7d1a6358c0b4e2f9a7d31c6"  # noqa: S105 - the demo's well-known secret
DEMO_UID = "ay1700000000000demo"
DEMO_HOME_ID = 31000001

LARGE_HOME_ID = 31000002


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
    for device in demo_devices():
        sim.add_device(DEMO_HOME_ID, device)
    sim.set_online(OFFLINE_DEVICE_ID, False)


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
                local_key=made_up_local_key(device_id),
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


# The demo's product whose new firmware is bad: three bulbs are offered 2.4.0.
BAD_FIRMWARE_PRODUCT_NAME = "RGBCW Bulb E27"


def apply_bad_firmware(sim: TuyaCloudSimulator, at_percent: int = 30) -> str:
    """Make every update of the demo's bulbs fail at ``at_percent``; returns their product id.

    For ``./scripts/demo --trouble bad-firmware``: the first bulb updated (the pilot) fails,
    and the integration should hold the others of the same product.
    """
    [product_id] = {
        d.product_id for d in sim.devices if d.product_name == BAD_FIRMWARE_PRODUCT_NAME
    }
    sim.fail_firmware_of_product(product_id, at_percent)
    return product_id


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
    "BAD_FIRMWARE_PRODUCT_NAME",
    "DEMO_ACCESS_ID",
    "DEMO_ACCESS_SECRET",
    "DEMO_HOME_ID",
    "DEMO_UID",
    "LARGE_HOME_ID",
    "apply_bad_firmware",
    "build_account_trouble",
    "build_demo",
    "build_large",
    "start_account_trouble",
]
