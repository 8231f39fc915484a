"""Which translation key each failure of the cloud client shows as, wherever it shows.

The config flow shows the key as a form error (``config.error``); actions, installs and
refreshes raise a translated Home Assistant error with it (``exceptions``). Failures that the
user can act on say what to do; the others name their cause (``cloud_error``).
"""

from __future__ import annotations

from typing import Final

from homeassistant.exceptions import HomeAssistantError

from . import tuya_cloud as cloud
from .const import DOMAIN

# The first class that matches gives the key; anything else is "unknown".
ERROR_KEYS: Final[
    tuple[tuple[type[cloud.TuyaCloudError] | tuple[type[cloud.TuyaCloudError], ...], str], ...]
] = (
    (cloud.TuyaInvalidEndpointError, "invalid_endpoint"),
    (cloud.TuyaAuthError, "invalid_auth"),
    (cloud.TuyaPermissionError, "invalid_uid"),
    (cloud.TuyaApiNotSubscribedError, "api_not_subscribed"),
    (cloud.TuyaTrialExpiredError, "trial_expired"),
    (cloud.TuyaQuotaExhaustedError, "quota_exhausted"),
    (cloud.TuyaIpNotAllowedError, "ip_not_allowed"),
    (cloud.TuyaDevicePoolExhaustedError, "device_pool_exhausted"),
    (cloud.TuyaNoSpacePermissionError, "no_space_permission"),
    (
        (cloud.TuyaConnectionError, cloud.TuyaRateLimitError, cloud.TuyaResponseError),
        "cannot_connect",
    ),
)
# The keys whose message says what to do on the Tuya platform, outside the config flow too.
ACTIONABLE: Final = frozenset(
    {
        "api_not_subscribed",
        "trial_expired",
        "quota_exhausted",
        "ip_not_allowed",
        "device_pool_exhausted",
        "no_space_permission",
    }
)


def error_key(err: cloud.TuyaCloudError) -> str:
    """The translation key of a failed call."""
    return next((key for kind, key in ERROR_KEYS if isinstance(err, kind)), "unknown")


def error_placeholders(err: cloud.TuyaCloudError) -> dict[str, str]:
    """What the key's message names: the product a refused call needs."""
    if isinstance(err, cloud.TuyaApiNotSubscribedError):
        return {"product": err.product, "call": err.call}
    return {}


def cloud_error[E: HomeAssistantError](error_type: type[E], err: cloud.TuyaCloudError) -> E:
    """A translated error for a failed call: what to do when the user can act, else the cause."""
    if (key := error_key(err)) in ACTIONABLE:
        return error_type(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=error_placeholders(err),
        )
    return error_type(
        translation_domain=DOMAIN,
        translation_key="cloud_error",
        translation_placeholders={"error": str(err)},
    )
