"""Scripted trouble: failures and delays of the next calls, and what the project's plan refuses.

The plan's refusals are the ones real free-tier projects meet: an expired IoT Core trial, a
spent monthly quota, an API product the project has not subscribed to, a rate limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from .errors import (
    CODE_DEVICE_POOL_FULL,
    CODE_NO_SPACE_PERMISSION,
    CODE_NOT_SUBSCRIBED,
    CODE_QUOTA_EXHAUSTED,
    CODE_TRIAL_EXPIRED,
    CloudError,
)

# The API products of a cloud project (its Service API tab) and the calls each one answers.
SMART_HOME_BASIC: Final = "Smart Home Basic Service"
IOT_CORE: Final = "IoT Core"


def product_of(path: str) -> str:
    """The product a business call belongs to: the device and firmware calls are IoT Core's."""
    return IOT_CORE if path.startswith("/v2.0/cloud/thing/") else SMART_HOME_BASIC


@dataclass
class Fault:
    """A scripted answer for the next ``remaining`` requests whose path matches."""

    path_contains: str | None
    code: int | None
    http_status: int | None
    body: bytes | None
    msg: str
    remaining: int


@dataclass
class Delay:
    """A real-time hold for the next ``remaining`` requests whose path matches."""

    path_contains: str | None
    seconds: float
    remaining: int


def _take[T: (Fault, Delay)](rules: list[T], path: str) -> T | None:
    """The first rule that matches ``path``, used up once."""
    for rule in rules:
        if rule.path_contains is None or rule.path_contains in path:
            rule.remaining -= 1
            if rule.remaining <= 0:
                rules.remove(rule)
            return rule
    return None


class ScriptedFaults:
    """What the test or demo has scripted to go wrong, and the project plan's limits."""

    def __init__(self, clock: Callable[[], float], rate_limit_per_s: float | None) -> None:
        """No trouble yet; ``rate_limit_per_s`` None means no rate limit."""
        self._clock = clock
        self._faults: list[Fault] = []
        self._delays: list[Delay] = []
        self._trial_expired_at: float | None = None
        self._quota_exhausted_at: float | None = None
        self.unsubscribed: dict[str, float] = {}
        self._rate = rate_limit_per_s
        self._bucket: float = max(rate_limit_per_s or 0.0, 1.0)
        self._bucket_at: float | None = None
        self._batch_forbidden = False
        self._pool_size: int | None = None
        self._pool_month = ""
        self._pool_devices: set[str] = set()

    # --- the next calls -----------------------------------------------------------------

    def fail_next(
        self,
        path_contains: str | None,
        *,
        code: int | None,
        http_status: int | None,
        body: bytes | None,
        count: int,
        msg: str,
    ) -> None:
        """Answer the next ``count`` matching requests with a failure (see the facade)."""
        if code is None and http_status is None and body is None:
            raise ValueError("fail_next needs a code, an http_status or a body")
        self._faults.append(Fault(path_contains, code, http_status, body, msg, count))

    def delay_next(self, seconds: float, path_contains: str | None, count: int) -> None:
        """Hold the next ``count`` matching requests for ``seconds`` (real time) first."""
        self._delays.append(Delay(path_contains, seconds, count))

    def take_fault(self, path: str) -> Fault | None:
        """The scripted failure this request meets, if any."""
        return _take(self._faults, path)

    def take_delay(self, path: str) -> Delay | None:
        """The scripted delay this request meets, if any."""
        return _take(self._delays, path)

    # --- the project's plan -------------------------------------------------------------

    def expire_trial(self, at: float | None) -> None:
        """From ``at`` (default now) every business call answers 28841002 until renewed."""
        self._trial_expired_at = self._clock() if at is None else at

    def renew_trial(self) -> None:
        """The IoT Core trial is extended: calls answer again."""
        self._trial_expired_at = None

    def exhaust_quota(self, at: float | None) -> None:
        """From ``at`` (default now) every business call answers 28841004 until restored."""
        self._quota_exhausted_at = self._clock() if at is None else at

    def restore_quota(self) -> None:
        """A new month (or a bigger plan): calls answer again."""
        self._quota_exhausted_at = None

    def unsubscribe(self, product: str, at: float | None) -> None:
        """From ``at`` (default now) the calls of ``product`` answer 28841101."""
        if product not in (SMART_HOME_BASIC, IOT_CORE):
            raise ValueError(f"unknown product {product!r}")
        self.unsubscribed[product] = self._clock() if at is None else at

    def subscribe(self, product: str) -> None:
        """The project subscribes to ``product`` again."""
        self.unsubscribed.pop(product, None)

    def check_account(self, path: str, now: float) -> None:
        """What the project's plan refuses: an expired trial, a spent quota, a product."""
        if self._trial_expired_at is not None and now >= self._trial_expired_at:
            raise CloudError(CODE_TRIAL_EXPIRED)
        if self._quota_exhausted_at is not None and now >= self._quota_exhausted_at:
            raise CloudError(CODE_QUOTA_EXHAUSTED)
        since = self.unsubscribed.get(product_of(path))
        if since is not None and now >= since:
            raise CloudError(CODE_NOT_SUBSCRIBED)

    def check_rate_limit(self, now: float) -> None:
        """A token bucket of ``rate_limit_per_s``: an empty bucket answers 1110."""
        rate = self._rate
        if rate is None:
            return
        capacity = max(rate, 1.0)
        if self._bucket_at is not None:
            self._bucket = min(capacity, self._bucket + max(now - self._bucket_at, 0.0) * rate)
        self._bucket_at = now
        if self._bucket < 1.0:
            raise CloudError(1110)
        self._bucket -= 1.0

    def forbid_batch_calls(self, forbidden: bool) -> None:
        """Answer the batch details call 40001900, as some projects' kinds get it."""
        self._batch_forbidden = forbidden

    def check_batch_allowed(self) -> None:
        """Refuse the batch call on a project scripted to lack the permission."""
        if self._batch_forbidden:
            raise CloudError(CODE_NO_SPACE_PERMISSION)

    def limit_device_pool(self, size: int | None) -> None:
        """Allow starts on only ``size`` distinct devices a calendar month (None: no limit)."""
        self._pool_size = size

    def check_device_pool(self, device_id: str, now: float) -> None:
        """Refuse a start on one device more than the month's pool holds (60001001)."""
        self._turn_month(now)
        size = self._pool_size
        full = size is not None and len(self._pool_devices) >= size
        if full and device_id not in self._pool_devices:
            raise CloudError(CODE_DEVICE_POOL_FULL)

    def use_device_pool(self, device_id: str, now: float) -> None:
        """An accepted start takes the device's slot until the month ends."""
        self._turn_month(now)
        self._pool_devices.add(device_id)

    def _turn_month(self, now: float) -> None:
        """The pool empties on the 1st of each month (UTC, by the simulator's clock)."""
        month = datetime.fromtimestamp(now, UTC).strftime("%Y-%m")
        if month != self._pool_month:
            self._pool_month = month
            self._pool_devices.clear()
