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
    """The linked account or data centre does not give access (1106, 2006 and the like)."""


class TuyaRateLimitError(TuyaApiError):
    """Too many requests, after the client's own retries (1110, 1111, 1199, HTTP 429)."""


class TuyaDeviceOfflineError(TuyaApiError):
    """The device is offline (2001)."""


class TuyaDeviceNotFoundError(TuyaApiError):
    """The device no longer exists (2010)."""


class TuyaApiNotSubscribedError(TuyaApiError):
    """The cloud project has not subscribed to the API service behind the call (28841105)."""
