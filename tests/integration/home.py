"""The scripted test home: its ids, its devices in the simulator, the owner's config entry."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.entries import home_entry
from tuya_sim import SimDevice, SimFirmware, SimHome, SimMember, TuyaCloudSimulator

ACCESS_ID = "testaccessid000001"
ACCESS_SECRET = "testsecret00000000000000000000001"
OWNER_UID = "ay1700000000000owner"
ADMIN_UID = "ay1700000000000admin"
MEMBER_UID = "ay170000000000member"
HOME_ID = 31000001
HOME_NAME = "Test Home"
COTTAGE_ID = 31000002
COTTAGE_PLUG = "bf0000000000cottage1"

PLUG = "bf00000000000000plug"
DIMMER = "bf0000000000000dimmer"
ZIGBEE_A = "bf000000000000zigbeea"
ZIGBEE_B = "bf000000000000zigbeeb"
OFFLINE = "bf00000000000offline"
FAILING = "bf00000000000failing"
CURRENT = "bf00000000000current"
SLEEPY = "bf000000000000sleepy"

PLUG_ENTITY = "update.kitchen_plug_firmware"
DIMMER_ENTITY = "update.hall_dimmer_firmware"
ZIGBEE_ENTITY = "update.door_sensor_firmware"
OFFLINE_ENTITY = "update.garden_bulb_firmware"
FAILING_ENTITY = "update.garage_plug_firmware"
CURRENT_ENTITY = "update.desk_lamp_firmware"


def build_test_home(sim: TuyaCloudSimulator) -> None:
    """A small home with one device of every kind the contract names."""
    sim.add_home(
        SimHome(
            home_id=HOME_ID,
            name=HOME_NAME,
            members=[
                SimMember(uid=OWNER_UID, name="Olivia", owner=True),
                SimMember(uid=ADMIN_UID, name="Adam", admin=True),
                SimMember(uid=MEMBER_UID, name="Mia"),
            ],
        )
    )
    devices = [
        SimDevice(
            device_id=PLUG,
            name="Kitchen Plug",
            product_name="Smart Plug",
            local_key="plugsecretlocalkey",
            firmware=[
                SimFirmware(
                    channel=0, current_version="1.0.0", version="1.1.0", desc="Faster pairing."
                )
            ],
        ),
        SimDevice(
            device_id=DIMMER,
            name="Hall Dimmer",
            product_name="Dimmer",
            firmware=[
                SimFirmware(
                    channel=0, current_version="2.0.0", version="2.1.0", desc="Wi-Fi fixes"
                ),
                SimFirmware(
                    channel=9, current_version="1.0.4", version="1.0.5", desc="Smoother dim"
                ),
            ],
        ),
        SimDevice(
            device_id=ZIGBEE_A,
            name="Door Sensor",
            sub=True,
            product_name="Zigbee Door Sensor",
            firmware=[SimFirmware(channel=3, current_version="1.0.0", version="1.0.1")],
        ),
        SimDevice(
            device_id=ZIGBEE_B,
            name="Window Sensor",
            sub=True,
            product_name="Zigbee Window Sensor",
            firmware=[SimFirmware(channel=3, current_version="1.0.0", version="1.0.1")],
        ),
        SimDevice(
            device_id=OFFLINE,
            name="Garden Bulb",
            online=False,
            firmware=[SimFirmware(channel=0, current_version="3.0.0", version="3.1.0")],
        ),
        SimDevice(
            device_id=FAILING,
            name="Garage Plug",
            firmware=[
                SimFirmware(channel=0, current_version="1.0.0", version="1.2.0", fail_at_percent=50)
            ],
        ),
        SimDevice(
            device_id=CURRENT,
            name="Desk Lamp",
            firmware=[SimFirmware(channel=0, current_version="4.0.0", version="4.0.0")],
        ),
        SimDevice(
            device_id=SLEEPY,
            name="Battery Sensor",
            firmware=[
                SimFirmware(
                    channel=0,
                    current_version="1.0.0",
                    version="1.1.0",
                    low_power=True,
                    wake_after_s=30,
                )
            ],
        ),
    ]
    for device in devices:
        sim.add_device(HOME_ID, device)


def simulator_with_owner_home() -> TuyaCloudSimulator:
    """A simulator holding the test home with only its owner, for tests that add devices."""
    simulator = TuyaCloudSimulator(access_id=ACCESS_ID, access_secret=ACCESS_SECRET)
    simulator.add_home(
        SimHome(
            home_id=HOME_ID,
            name=HOME_NAME,
            members=[SimMember(uid=OWNER_UID, name="Olivia", owner=True)],
        )
    )
    return simulator


def owner_entry(
    sim: TuyaCloudSimulator, options: dict[str, object] | None = None
) -> MockConfigEntry:
    """The entry the config flow would create for the owner of the test home served by ``sim``."""
    return home_entry(sim, title=HOME_NAME, home_id=HOME_ID, uid=OWNER_UID, options=options)


def add_cottage(sim: TuyaCloudSimulator) -> None:
    """A second home of the owner's, with one plug, for tests of several homes."""
    sim.add_home(
        SimHome(
            home_id=COTTAGE_ID,
            name="Cottage",
            members=[SimMember(uid=OWNER_UID, name="Olivia", owner=True)],
        )
    )
    sim.add_device(
        COTTAGE_ID,
        SimDevice(
            device_id=COTTAGE_PLUG,
            name="Cottage Plug",
            firmware=[SimFirmware(channel=0, current_version="1.0.0")],
        ),
    )
