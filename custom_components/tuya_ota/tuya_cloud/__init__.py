"""Client of the Tuya Cloud OpenAPI (tokens, homes, devices and firmware updates).

Free of Home Assistant imports so it can be tested, and reused, on its own.
"""

from __future__ import annotations

from .client import (
    PRODUCT_IOT_CORE,
    PRODUCT_SMART_HOME,
    CallObserver,
    TuyaCloudClient,
    api_product,
    validate_endpoint,
)
from .exceptions import (
    TuyaAccountError,
    TuyaApiError,
    TuyaApiNotSubscribedError,
    TuyaAuthError,
    TuyaCloudError,
    TuyaConnectionError,
    TuyaDeviceNotFoundError,
    TuyaDeviceOfflineError,
    TuyaInvalidEndpointError,
    TuyaIpNotAllowedError,
    TuyaPermissionError,
    TuyaQuotaExhaustedError,
    TuyaRateLimitError,
    TuyaResponseError,
    TuyaTrialExpiredError,
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
    "PRODUCT_IOT_CORE",
    "PRODUCT_SMART_HOME",
    "CallObserver",
    "Device",
    "FirmwareChannel",
    "Home",
    "HomeMember",
    "Role",
    "Token",
    "TuyaAccountError",
    "TuyaApiError",
    "TuyaApiNotSubscribedError",
    "TuyaAuthError",
    "TuyaCloudClient",
    "TuyaCloudError",
    "TuyaConnectionError",
    "TuyaDeviceNotFoundError",
    "TuyaDeviceOfflineError",
    "TuyaInvalidEndpointError",
    "TuyaIpNotAllowedError",
    "TuyaPermissionError",
    "TuyaQuotaExhaustedError",
    "TuyaRateLimitError",
    "TuyaResponseError",
    "TuyaTrialExpiredError",
    "UpgradeProgress",
    "UpgradeStatus",
    "api_product",
    "canonical_url",
    "channel_name",
    "parse_firmware",
    "parse_list",
    "sign",
    "validate_endpoint",
]
