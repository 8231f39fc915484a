"""The typed config entry and what it carries at run time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .account_issues import CloudAccountHealth
    from .budget import CallBudget
    from .coordinator import TuyaOtaCoordinator
    from .firmware import FirmwareTracker
    from .storage import TuyaOtaStore
    from .tuya_cloud import TuyaCloudClient
    from .update_queue import UpdateQueue


@dataclass(slots=True)
class TuyaOtaRuntimeData:
    """Everything one home's entry runs with."""

    client: TuyaCloudClient
    coordinator: TuyaOtaCoordinator
    firmware: FirmwareTracker
    queue: UpdateQueue
    store: TuyaOtaStore
    health: CloudAccountHealth
    budget: CallBudget


type TuyaOtaConfigEntry = ConfigEntry[TuyaOtaRuntimeData]
