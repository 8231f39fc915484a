"""The cloud's failure codes, the messages it sends with them, and the error that carries one."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[int, str]] = {
    500: "system error, please contact the admin",
    1001: "secret invalid",
    1003: "grant type invalid",
    1004: "sign invalid",
    1005: "clientId invalid",
    1010: "token is expired",
    1011: "token invalid",
    1012: "token status is invalid",
    1013: "request time is invalid",
    1106: "permission deny",
    1108: "uri path invalid",
    1109: "param is illegal, please check it",
    1110: "concurrent request over limit",
    1111: "system is busy, please retry later",
    1114: "IP not allowed",
    1199: "your requests are too frequent",
    2001: "device is offline",
    2006: "user not exist",
    2010: "device not exist",
    2406: "skill id invalid",
    28841002: "No permissions. Your subscription to cloud development plan has expired.",
    28841004: "IoT Core trial quota is exhausted.",
    28841101: "No permissions. This API is not subscribed.",
    28841105: "No permissions. This project is not authorized to call this API.",
    40001900: "No space permission",
    60001001: "Your controllable device pool quota is insufficient.",
}

CODE_TRIAL_EXPIRED: Final = 28841002
CODE_QUOTA_EXHAUSTED: Final = 28841004
CODE_NOT_SUBSCRIBED: Final = 28841101
CODE_NO_SPACE_PERMISSION: Final = 40001900
CODE_DEVICE_POOL_FULL: Final = 60001001


def message(code: int) -> str:
    """What the cloud says with ``code``."""
    return MESSAGES.get(code, "error")


class CloudError(Exception):
    """A failure envelope to answer; raised anywhere below the routes, rendered by them."""

    def __init__(self, code: int, msg: str | None = None) -> None:
        """Keep the code and the message (the cloud's own unless one is given)."""
        super().__init__(code)
        self.code = code
        self.msg = msg if msg is not None else message(code)
