"""One exception hierarchy for everything the Tuya cloud can do wrong, and which code is which."""

from __future__ import annotations

from typing import Final

CODE_SYSTEM_ERROR: Final = 500
AUTH_CODES: Final = frozenset({1001, 1004, 1005})
TOKEN_CODES: Final = frozenset({1010, 1011, 1012})
CODE_CLOCK_SKEW: Final = 1013
# 1106 permission deny, 2006 user does not exist, 2406 skill id invalid: the app account or
# the data centre does not match the project.
PERMISSION_CODES: Final = frozenset({1106, 2006, 2406})
CODE_IP_NOT_ALLOWED: Final = 1114
RATE_LIMIT_CODES: Final = frozenset({1110, 1111, 1199})
CODE_DEVICE_OFFLINE: Final = 2001
CODE_DEVICE_NOT_FOUND: Final = 2010
NOT_SUBSCRIBED_CODES: Final = frozenset({28841101, 28841105})
CODE_TRIAL_EXPIRED: Final = 28841002
CODE_QUOTA_EXHAUSTED: Final = 28841004
CODE_DEVICE_POOL_EXHAUSTED: Final = 60001001
CODE_NO_SPACE_PERMISSION: Final = 40001900


class TuyaCloudError(Exception):
    """Base of every error the client raises."""


class TuyaInvalidEndpointError(TuyaCloudError):
    """The endpoint is not an https URL (plain http is allowed for loopback hosts only)."""


class TuyaConnectionError(TuyaCloudError):
    """The cloud could not be reached or failed on its side (network, timeout, HTTP 5xx, 500)."""


class TuyaResponseError(TuyaCloudError):
    """The cloud answered something that is not the documented envelope or model."""


class TuyaApiError(TuyaCloudError):
    """The cloud answered with ``success: false`` and a code this hierarchy has no class for."""

    def __init__(self, code: int, msg: str) -> None:
        """Keep the cloud's code and message; the code is what callers branch on."""
        super().__init__(f"Tuya cloud error {code}: {msg}")
        self.code = code
        self.msg = msg


class TuyaAuthError(TuyaApiError):
    """Wrong Access ID, Access Secret or signature (1001, 1004, 1005)."""


class TuyaPermissionError(TuyaApiError):
    """The linked account or data centre does not give access (1106, 2006, 2406)."""


class TuyaIpNotAllowedError(TuyaApiError):
    """The project's IP allow-list refused the caller's address (1114)."""


class TuyaRateLimitError(TuyaApiError):
    """Too many requests, after the client's own retries (1110, 1111, 1199, HTTP 429)."""


class TuyaDeviceOfflineError(TuyaApiError):
    """The device is offline (2001)."""


class TuyaDeviceNotFoundError(TuyaApiError):
    """The device no longer exists (2010)."""


class TuyaAccountError(TuyaApiError):
    """The project's subscriptions refuse the call: fixed on the Tuya platform, not by retrying."""


class TuyaApiNotSubscribedError(TuyaAccountError):
    """The project lacks the API product behind the call (28841101, 28841105).

    ``call`` is the refused call and ``product`` the Tuya product it belongs to, which is what
    the user has to subscribe to.
    """

    def __init__(self, code: int, msg: str, *, call: str, product: str) -> None:
        """Name the refused call and the product that would allow it."""
        super().__init__(code, f"{msg} ({call} needs {product})")
        self.call = call
        self.product = product


class TuyaTrialExpiredError(TuyaAccountError):
    """The project's IoT Core trial has expired (28841002); renewed by hand on the platform."""


class TuyaQuotaExhaustedError(TuyaAccountError):
    """The month's call quota is spent (28841004): every call fails until the month turns."""


class TuyaDevicePoolExhaustedError(TuyaApiError):
    """The trial's pool of devices the project may command this month is used up (60001001).

    Not a failed update: no start call can succeed until the month turns (or a bigger plan).
    """


class TuyaNoSpacePermissionError(TuyaApiError):
    """A call the project's kind may not make (40001900), seen on the batch device call."""


class TuyaClockSkewError(TuyaConnectionError):
    """The cloud rejected the request's timestamp (1013): the client retries once."""


def error_for_code(code: int, msg: str, *, call: str, product: str) -> TuyaCloudError:
    """The exception callers branch on for the code of a failure envelope of ``call``."""
    if code == CODE_SYSTEM_ERROR:
        return TuyaConnectionError(f"Tuya cloud system error {code}: {msg}")
    if code == CODE_CLOCK_SKEW:
        return TuyaClockSkewError(
            f"Tuya cloud rejected the request time ({code}: {msg}); check the system clock"
        )
    if code in AUTH_CODES:
        return TuyaAuthError(code, msg)
    if code in PERMISSION_CODES:
        return TuyaPermissionError(code, msg)
    if code == CODE_IP_NOT_ALLOWED:
        return TuyaIpNotAllowedError(code, msg)
    if code in RATE_LIMIT_CODES:
        return TuyaRateLimitError(code, msg)
    if code == CODE_DEVICE_OFFLINE:
        return TuyaDeviceOfflineError(code, msg)
    if code == CODE_DEVICE_NOT_FOUND:
        return TuyaDeviceNotFoundError(code, msg)
    if code in NOT_SUBSCRIBED_CODES:
        return TuyaApiNotSubscribedError(code, msg, call=call, product=product)
    if code == CODE_TRIAL_EXPIRED:
        return TuyaTrialExpiredError(code, msg)
    if code == CODE_QUOTA_EXHAUSTED:
        return TuyaQuotaExhaustedError(code, msg)
    if code == CODE_DEVICE_POOL_EXHAUSTED:
        return TuyaDevicePoolExhaustedError(code, msg)
    if code == CODE_NO_SPACE_PERMISSION:
        return TuyaNoSpacePermissionError(code, msg)
    return TuyaApiError(code, msg)
