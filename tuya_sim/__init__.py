"""A simulated Tuya Cloud OpenAPI for tests and demos of the tuya_ota integration.

Independent of the integration's code (own signing, own models) so that each one checks
the other on the wire.
"""

from __future__ import annotations

from .models import SimDevice, SimFirmware, SimHome, SimMember, SimRun
from .recorder import SimCall
from .simulator import IOT_CORE, SMART_HOME_BASIC, TuyaCloudSimulator

__all__ = [
    "IOT_CORE",
    "SMART_HOME_BASIC",
    "SimCall",
    "SimDevice",
    "SimFirmware",
    "SimHome",
    "SimMember",
    "SimRun",
    "TuyaCloudSimulator",
]
