"""The typed config entry and what it carries at run time."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(kw_only=True, slots=True)
class TuyaOtaRuntimeData:
    """Everything one home's entry runs with.

    The firmware tracker and the queue are made from it (they work through the client, the
    coordinator, the store, the account's health and the call budget) and then join it.
    """

    client: TuyaCloudClient
    coordinator: TuyaOtaCoordinator
    store: TuyaOtaStore
    health: CloudAccountHealth
    budget: CallBudget
    firmware: FirmwareTracker = field(init=False)
    queue: UpdateQueue = field(init=False)

    @property
    def hass(self) -> HomeAssistant:
        """The Home Assistant the home's entry runs in."""
        return self.coordinator.hass

    @property
    def entry(self) -> TuyaOtaConfigEntry:
        """The home's config entry."""
        return self.coordinator.config_entry


type TuyaOtaConfigEntry = ConfigEntry[TuyaOtaRuntimeData]
