"""Client of the Tuya Cloud OpenAPI (tokens, homes, devices and firmware updates).

Free of Home Assistant imports so it can be tested, and reused, on its own.
"""

from __future__ import annotations

from .client import TuyaCloudClient, validate_endpoint
from .exceptions import (
    TuyaApiError,
    TuyaApiNotSubscribedError,
    TuyaAuthError,
    TuyaCloudError,
    TuyaConnectionError,
    TuyaDeviceNotFoundError,
    TuyaDeviceOfflineError,
    TuyaInvalidEndpointError,
    TuyaPermissionError,
    TuyaRateLimitError,
    TuyaResponseError,
)
from .models import (
    CHANNEL_NAMES,
    Device,
    FirmwareChannel,
    Home,
    HomeMember,
    Role,
    Token,
    UpgradeProgress,
    UpgradeStatus,
    channel_name,
    parse_firmware,
    parse_list,
)
from .signing import canonical_url, sign

__all__ = [
    "CHANNEL_NAMES",
    "Device",
    "FirmwareChannel",
    "Home",
    "HomeMember",
    "Role",
    "Token",
    "TuyaApiError",
    "TuyaApiNotSubscribedError",
    "TuyaAuthError",
    "TuyaCloudClient",
    "TuyaCloudError",
    "TuyaConnectionError",
    "TuyaDeviceNotFoundError",
    "TuyaDeviceOfflineError",
    "TuyaInvalidEndpointError",
    "TuyaPermissionError",
    "TuyaRateLimitError",
    "TuyaResponseError",
    "UpgradeProgress",
    "UpgradeStatus",
    "canonical_url",
    "channel_name",
    "parse_firmware",
    "parse_list",
    "sign",
    "validate_endpoint",
]
