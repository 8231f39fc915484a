"""One exception hierarchy for everything the Tuya cloud can do wrong."""

from __future__ import annotations


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
