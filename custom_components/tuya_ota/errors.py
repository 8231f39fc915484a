"""Which translation key each failure of the cloud client shows as, wherever it shows.

The config flow shows the key as a form error (``config.error``); actions, installs and
refreshes raise a translated Home Assistant error with it (``exceptions``). Failures that the
user can act on say what to do; the others name their cause (``cloud_error``).
"""

from __future__ import annotations

from typing import Final

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .tuya_cloud import (
    TuyaApiNotSubscribedError,
    TuyaAuthError,
    TuyaCloudError,
    TuyaConnectionError,
    TuyaInvalidEndpointError,
    TuyaIpNotAllowedError,
    TuyaPermissionError,
    TuyaQuotaExhaustedError,
    TuyaRateLimitError,
    TuyaResponseError,
    TuyaTrialExpiredError,
)

# The first class that matches gives the key; anything else is "unknown".
ERROR_KEYS: Final[
    tuple[tuple[type[TuyaCloudError] | tuple[type[TuyaCloudError], ...], str], ...]
] = (
    (TuyaInvalidEndpointError, "invalid_endpoint"),
    (TuyaAuthError, "invalid_auth"),
    (TuyaPermissionError, "invalid_uid"),
    (TuyaApiNotSubscribedError, "api_not_subscribed"),
    (TuyaTrialExpiredError, "trial_expired"),
    (TuyaQuotaExhaustedError, "quota_exhausted"),
    (TuyaIpNotAllowedError, "ip_not_allowed"),
    ((TuyaConnectionError, TuyaRateLimitError, TuyaResponseError), "cannot_connect"),
)
# The keys whose message says what to do on the Tuya platform, outside the config flow too.
ACTIONABLE: Final = frozenset(
    {"api_not_subscribed", "trial_expired", "quota_exhausted", "ip_not_allowed"}
)


def error_key(err: TuyaCloudError) -> str:
    """The translation key of a failed call."""
    return next((key for kind, key in ERROR_KEYS if isinstance(err, kind)), "unknown")


def error_placeholders(err: TuyaCloudError) -> dict[str, str]:
    """What the key's message names: the product a refused call needs."""
    if isinstance(err, TuyaApiNotSubscribedError):
        return {"product": err.product, "call": err.call}
    return {}


def cloud_error[E: HomeAssistantError](error_type: type[E], err: TuyaCloudError) -> E:
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
