"""Async client of the Tuya Cloud OpenAPI calls this integration needs.

Only ``TuyaCloudError`` subclasses leave this module: network trouble, odd answers and the
cloud's error codes are all mapped, so callers branch on a handful of classes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import ipaddress
import json
import logging
import random
import time
from typing import Final
from urllib.parse import quote, urlsplit
import uuid

import aiohttp

from .exceptions import (
    TOKEN_CODES,
    TuyaAccountError,
    TuyaApiError,
    TuyaClockSkewError,
    TuyaCloudError,
    TuyaConnectionError,
    TuyaInvalidEndpointError,
    TuyaRateLimitError,
    TuyaResponseError,
    error_for_code,
)
from .models import (
    Device,
    DeviceDetails,
    FirmwareChannel,
    Home,
    HomeMember,
    Token,
    UpgradeProgress,
    parse_firmware,
    parse_list,
)
from .signing import SIGN_METHOD, canonical_url, sign

_LOGGER = logging.getLogger(__name__)

TOKEN_PATH: Final = "/v1.0/token"  # noqa: S105 - a URL path, not a password
# Renew this long before the cloud's expiry so a call never races the deadline.
TOKEN_REFRESH_MARGIN_S: Final = 60.0
MAX_BACKOFF_S: Final = 30.0

HTTP_TOO_MANY_REQUESTS: Final = 429

# The Tuya API products a project subscribes to (its Service API tab): homes, members and
# device lists belong to the first, the firmware calls to the second.
PRODUCT_SMART_HOME: Final = "Smart Home Basic Service"
PRODUCT_IOT_CORE: Final = "IoT Core"
_FIRMWARE_PREFIX: Final = "/v2.0/cloud/thing/"

type CallObserver = Callable[[str, TuyaCloudError | None], None]
"""Told the API product and the outcome (None: success) of every business call."""

_LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost."})


def _wall_clock() -> float:
    """time.time looked up at each call, so that a test's frozen clock applies."""
    return time.time()


async def _backoff_sleep(delay: float) -> None:
    """Sleep between rate-limit retries (a seam the tests patch to stay fast)."""
    await asyncio.sleep(delay)


def validate_endpoint(url: str) -> str:
    """Return the normalised base URL or raise ``TuyaInvalidEndpointError``.

    Credentials and tokens travel in headers, so plain http is only allowed to a loopback
    host (the local simulator); everything else must be https.
    """
    if not isinstance(url, str) or not url.strip():
        raise TuyaInvalidEndpointError("The endpoint must be a URL")
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError as err:
        raise TuyaInvalidEndpointError(f"Invalid endpoint URL: {err}") from err
    scheme = parts.scheme.lower()
    if not host:
        raise TuyaInvalidEndpointError("The endpoint has no host")
    if parts.username is not None or parts.password is not None:
        raise TuyaInvalidEndpointError("The endpoint must not carry credentials")
    if parts.query or parts.fragment:
        raise TuyaInvalidEndpointError("The endpoint must not have a query or fragment")
    if scheme == "http":
        if not _is_loopback(host):
            raise TuyaInvalidEndpointError("Plain http is only allowed to a loopback host")
    elif scheme != "https":
        raise TuyaInvalidEndpointError("The endpoint must be an https:// URL")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _segment(value: str | int) -> str:
    """Quote one path segment so an id can never change the path that gets signed."""
    return quote(str(value), safe="")


def _scrub(text: str, *secrets: str) -> str:
    """Remove secrets (tokens) from a message that may end up in a log."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def api_product(path: str) -> str:
    """The Tuya API product a call belongs to, which the project must have subscribed to."""
    return PRODUCT_IOT_CORE if path.startswith(_FIRMWARE_PREFIX) else PRODUCT_SMART_HOME


def _envelope_result(status: int, body: bytes, what: str, product: str) -> object:
    """Return the ``result`` of a success envelope or raise the mapped error."""
    if status >= 500:
        raise TuyaConnectionError(f"{what}: HTTP {status} from the Tuya cloud")
    if status == HTTP_TOO_MANY_REQUESTS:
        raise TuyaRateLimitError(HTTP_TOO_MANY_REQUESTS, "HTTP 429 Too Many Requests")
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError) as err:
        raise TuyaResponseError(f"{what}: HTTP {status}, the answer is not JSON") from err
    if not isinstance(envelope, dict) or not isinstance(envelope.get("success"), bool):
        raise TuyaResponseError(f"{what}: HTTP {status}, the answer is not a Tuya envelope")
    if envelope["success"]:
        return envelope.get("result")
    code = envelope.get("code")
    if isinstance(code, str) and code.strip().isdigit():
        code = int(code)
    if not isinstance(code, int) or isinstance(code, bool):
        raise TuyaResponseError(f"{what}: a failure envelope without a numeric code")
    msg = envelope.get("msg")
    raise error_for_code(code, msg if isinstance(msg, str) else "", call=what, product=product)


def _parse[T](what: str, parse: Callable[[], T]) -> T:
    """Run a model parser; any surprise in the data becomes ``TuyaResponseError``."""
    try:
        return parse()
    except TuyaResponseError:
        raise
    except Exception as err:  # the parsers' contract: only TuyaResponseError may leave
        raise TuyaResponseError(f"{what}: unexpected data ({type(err).__name__})") from err


class TuyaCloudClient:
    """Signed, token-managing access to the Tuya Cloud OpenAPI.

    The token is taken lazily, renewed shortly before it expires and refreshed once (for all
    concurrent callers) when the cloud says it is no longer valid. ``call_observer`` hears the
    outcome of every business call, whoever made it.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoint: str,
        access_id: str,
        access_secret: str,
        *,
        request_timeout: float = 15.0,
        clock: Callable[[], float] | None = None,
        rate_limit_retries: int = 3,
        rate_limit_backoff: float = 1.0,
        call_observer: CallObserver | None = None,
        on_request: Callable[[], None] | None = None,
    ) -> None:
        """Validate the endpoint now so a bad URL fails at setup, not on the first call.

        ``on_request`` is called once for every request the cloud answers, token calls
        included: Tuya counts each of them against the project's quota.
        """
        self._session = session
        self._endpoint = validate_endpoint(endpoint)
        self._access_id = access_id
        self._access_secret = access_secret
        self._request_timeout = request_timeout
        self._clock = clock or _wall_clock
        self._rate_limit_retries = max(rate_limit_retries, 0)
        self._rate_limit_backoff = max(rate_limit_backoff, 0.0)
        self._on_request = on_request
        self._token: Token | None = None
        self._token_lock = asyncio.Lock()
        self._call_observer = call_observer

    @property
    def endpoint(self) -> str:
        """The normalised base URL the client talks to."""
        return self._endpoint

    # --- public calls -------------------------------------------------------------------

    async def authenticate(self) -> None:
        """Take a new token now; raises ``TuyaAuthError`` for wrong credentials."""
        async with self._token_lock:
            self._token = await self._grant_token()

    async def get_homes(self, uid: str) -> list[Home]:
        """List the homes of the app user linked to the cloud project."""
        result = await self._call("GET", f"/v1.0/users/{_segment(uid)}/homes")
        return _parse("homes", lambda: parse_list(result, "homes", Home.from_api))

    async def get_home_members(self, home_id: int) -> list[HomeMember]:
        """List a home's members; their flags give the user's role."""
        result = await self._call("GET", f"/v1.0/homes/{_segment(home_id)}/members")
        return _parse("members", lambda: parse_list(result, "members", HomeMember.from_api))

    async def get_home_devices(self, home_id: int) -> list[Device]:
        """List a home's devices (the answer carries local keys: never log it)."""
        result = await self._call("GET", f"/v1.0/homes/{_segment(home_id)}/devices")
        return _parse("devices", lambda: parse_list(result, "devices", Device.from_api))

    async def get_device_details(self, device_id: str) -> DeviceDetails:
        """Read one device's details (online or not): one call, cheaper than the home's list."""
        result = await self._call("GET", f"/v2.0/cloud/thing/{_segment(device_id)}")
        return _parse("device details", lambda: DeviceDetails.from_api(result))

    async def get_firmware(self, device_id: str) -> list[FirmwareChannel]:
        """Read a device's firmware channels and their update state."""
        result = await self._call("GET", f"/v2.0/cloud/thing/{_segment(device_id)}/firmware")
        return _parse("firmware", lambda: parse_firmware(result))

    async def start_firmware_update(self, device_id: str, channel: int) -> None:
        """Start the update of one firmware channel (POST without a body)."""
        path = f"/v2.0/cloud/thing/{_segment(device_id)}/firmware/{_segment(channel)}"
        result = await self._call("POST", path)
        if result is False:
            raise TuyaResponseError("start firmware update: the cloud answered false")

    async def get_firmware_progress(self, device_id: str, channel: int) -> UpgradeProgress:
        """Read the status and percentage of a channel's running update."""
        path = f"/v2.0/cloud/thing/{_segment(device_id)}/firmware/{_segment(channel)}/progress"
        result = await self._call("GET", path)
        return _parse("progress", lambda: UpgradeProgress.from_api(result))

    # --- token handling -----------------------------------------------------------------

    def _expiring(self, token: Token) -> bool:
        return self._clock() >= token.expires_at - TOKEN_REFRESH_MARGIN_S

    async def _current_token(self) -> Token:
        token = self._token
        if token is not None and not self._expiring(token):
            return token
        return await self._renew_token(token)

    async def _renew_token(self, stale: Token | None) -> Token:
        """Replace ``stale`` once, however many callers found it stale at the same time."""
        async with self._token_lock:
            current = self._token
            if current is not None and current is not stale and not self._expiring(current):
                return current
            if current is None:
                token = await self._grant_token()
            else:
                token = await self._refresh_token(current)
            self._token = token
            return token

    async def _grant_token(self) -> Token:
        result = await self._request("GET", TOKEN_PATH, {"grant_type": 1}, access_token=None)
        now = self._clock()
        return _parse("token", lambda: Token.from_api(result, now))

    async def _refresh_token(self, current: Token) -> Token:
        """Refresh with the refresh token; if the cloud refuses it, take a new token."""
        path = f"{TOKEN_PATH}/{_segment(current.refresh_token)}"
        try:
            result = await self._request(
                "GET", path, None, access_token=None, log_path=f"{TOKEN_PATH}/***"
            )
        except (TuyaRateLimitError, TuyaAccountError):
            raise  # a new token would be refused just the same
        except TuyaApiError as err:
            _LOGGER.debug("Token refresh refused (code %s); taking a new token", err.code)
            return await self._grant_token()
        now = self._clock()
        return _parse("token", lambda: Token.from_api(result, now))

    # --- requests -----------------------------------------------------------------------

    async def _call(self, method: str, path: str) -> object:
        """Send a business call and tell the observer how it went."""
        product = api_product(path)
        try:
            result = await self._call_with_token(method, path)
        except TuyaCloudError as err:
            if self._call_observer is not None:
                self._call_observer(product, err)
            raise
        if self._call_observer is not None:
            self._call_observer(product, None)
        return result

    async def _call_with_token(self, method: str, path: str) -> object:
        """Send a business call with the token; repeat it once after a token refresh."""
        token = await self._current_token()
        try:
            return await self._request(method, path, None, access_token=token.access_token)
        except TuyaApiError as err:
            if err.code not in TOKEN_CODES:
                raise
            _LOGGER.debug("%s %s: token refused (code %s), refreshing", method, path, err.code)
        token = await self._renew_token(token)
        try:
            return await self._request(method, path, None, access_token=token.access_token)
        except TuyaApiError as err:
            if err.code in TOKEN_CODES:
                msg = f"token refused again after renewal: {err.msg}"
                raise TuyaApiError(err.code, msg) from None
            raise

    async def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        *,
        access_token: str | None,
        log_path: str | None = None,
    ) -> object:
        """Send one logical request: rate-limit backoff and a single clock-skew retry."""
        log_path = log_path or path
        rate_limited = 0
        skew_retried = False
        while True:
            try:
                return await self._send(method, path, params, access_token, log_path)
            except TuyaRateLimitError:
                if rate_limited >= self._rate_limit_retries:
                    raise
                delay = min(self._rate_limit_backoff * 2**rate_limited, MAX_BACKOFF_S)
                delay *= random.uniform(0.5, 1)  # jitter, not cryptography
                rate_limited += 1
                _LOGGER.debug(
                    "%s %s: rate limited, retry %s in %.2f s", method, log_path, rate_limited, delay
                )
                await _backoff_sleep(delay)
            except TuyaClockSkewError as err:
                if skew_retried:
                    raise TuyaConnectionError(str(err)) from None
                skew_retried = True
                _LOGGER.warning(
                    "The Tuya cloud rejected the request time of %s %s (code 1013): "
                    "check the system clock of this host; retrying once",
                    method,
                    log_path,
                )

    def _signed_headers(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        access_token: str | None,
    ) -> dict[str, str]:
        """The headers that authenticate one request, signed now with a fresh nonce."""
        t = str(int(self._clock() * 1000))
        nonce = uuid.uuid4().hex
        headers = {
            "client_id": self._access_id,
            "t": t,
            "sign_method": SIGN_METHOD,
            "nonce": nonce,
            "sign": sign(
                client_id=self._access_id,
                secret=self._access_secret,
                t=t,
                method=method,
                url=canonical_url(path, params),
                access_token=access_token or "",
                nonce=nonce,
            ),
        }
        if access_token is not None:
            headers["access_token"] = access_token
        return headers

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        access_token: str | None,
        log_path: str,
    ) -> object:
        """Sign and send one HTTP request, returning the envelope's result."""
        headers = self._signed_headers(method, path, params, access_token)
        query: dict[str, str] | None = (
            {name: str(value) for name, value in params.items()} if params else None
        )
        what = f"{method} {log_path}"
        try:
            async with asyncio.timeout(self._request_timeout):
                async with self._session.request(
                    method, self._endpoint + path, params=query, headers=headers
                ) as response:
                    status = response.status
                    if self._on_request is not None:
                        self._on_request()
                    body = await response.read()
        except TimeoutError as err:
            _LOGGER.debug("%s: timed out", what)
            raise TuyaConnectionError(f"{what}: the Tuya cloud did not answer in time") from err
        except aiohttp.ClientError as err:
            _LOGGER.debug("%s: %s", what, type(err).__name__)
            hidden = [access_token or "", self._access_secret]
            if log_path != path:  # the path itself carries a refresh token
                hidden.append(path)
            detail = _scrub(str(err), *hidden)
            raise TuyaConnectionError(f"{what}: cannot reach the Tuya cloud: {detail}") from err
        try:
            result = _envelope_result(status, body, what, api_product(path))
        except TuyaApiError as err:
            _LOGGER.debug("%s: HTTP %s, code %s", what, status, err.code)
            raise
        except TuyaCloudError as err:
            _LOGGER.debug("%s: HTTP %s, %s", what, status, type(err).__name__)
            raise
        _LOGGER.debug("%s: HTTP %s, success", what, status)
        return result


__all__ = [
    "PRODUCT_IOT_CORE",
    "PRODUCT_SMART_HOME",
    "CallObserver",
    "TuyaCloudClient",
    "api_product",
    "validate_endpoint",
]
