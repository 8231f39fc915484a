"""The typed config entry and what it carries at run time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

if TYPE_CHECKING:
    from .account_issues import CloudAccountHealth
    from .budget import CallBudget
    from .coordinator import TuyaOtaCoordinator
    from .firmware import FirmwareTracker
    from .storage import TuyaOtaStore
    from .tuya_cloud import TuyaCloudClient
    from .update_queue import UpdateQueue


@dataclass(slots=True)
class HomeCloud:
    """What the firmware tracker, the queue and its runner of one home all work through."""

    client: TuyaCloudClient
    coordinator: TuyaOtaCoordinator
    store: TuyaOtaStore
    health: CloudAccountHealth
    budget: CallBudget

    @property
    def hass(self) -> HomeAssistant:
        """The Home Assistant the home's entry runs in."""
        return self.coordinator.hass

    @property
    def entry(self) -> TuyaOtaConfigEntry:
        """The home's config entry."""
        return self.coordinator.config_entry


@dataclass(slots=True)
class TuyaOtaRuntimeData(HomeCloud):
    """Everything one home's entry runs with."""

    firmware: FirmwareTracker
    queue: UpdateQueue


type TuyaOtaConfigEntry = ConfigEntry[TuyaOtaRuntimeData]
