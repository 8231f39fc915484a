"""Who may call: the tokens the simulator hands out, and the check of every request's headers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
import uuid

from aiohttp import web

from .errors import CloudError
from .signing import ALGORITHM, expected_signature, signature_matches, signed_headers, signed_url

MAX_CLOCK_SKEW_MS: Final = 15 * 60 * 1000


@dataclass
class _AccessToken:
    refresh_token: str
    expires_at: float
    expired: bool = False


class TokenDesk:
    """Grants and refreshes token pairs as the cloud does; a refresh token works once."""

    def __init__(self, project_uid: str, lifetime_s: int) -> None:
        """Hand out tokens for the project's ``uid`` that live ``lifetime_s`` seconds."""
        self.project_uid = project_uid
        self.lifetime_s = lifetime_s
        self.access_tokens: dict[str, _AccessToken] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.issued: list[str] = []

    def grant(self, now: float) -> dict[str, object]:
        """A fresh token pair, as the token call's result."""
        access, refresh = uuid.uuid4().hex, uuid.uuid4().hex
        self.issued.extend((access, refresh))
        self.access_tokens[access] = _AccessToken(refresh, now + self.lifetime_s)
        self.refresh_tokens[refresh] = access
        return {
            "uid": self.project_uid,
            "access_token": access,
            "refresh_token": refresh,
            "expire_time": self.lifetime_s,
        }

    def refresh(self, refresh_token: str, now: float) -> dict[str, object]:
        """A new pair for a refresh token; the old access token ends (1012 if used before)."""
        old_access = self.refresh_tokens.pop(refresh_token, None)
        if old_access is None:
            raise CloudError(1012)
        self.access_tokens.pop(old_access, None)
        return self.grant(now)

    def expire_all(self) -> None:
        """Every access token issued so far now answers 1010."""
        for token in self.access_tokens.values():
            token.expired = True

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token issued so far now answers 1012."""
        self.refresh_tokens.clear()

    def check_access_token(self, access_token: str, now: float) -> None:
        """Refuse an unknown (1011) or expired (1010) access token."""
        token = self.access_tokens.get(access_token)
        if token is None:
            raise CloudError(1011)
        if token.expired or now >= token.expires_at:
            raise CloudError(1010)


def authenticate(
    request: web.Request,
    body: bytes,
    now: float,
    *,
    access_id: str,
    access_secret: str,
    tokens: TokenDesk,
    token_call: bool,
) -> None:
    """Check a request as the cloud does: client id, signature, request time, then token."""
    headers = request.headers
    if headers.get("client_id") != access_id:
        raise CloudError(1005)
    t = headers.get("t", "")
    access_token = "" if token_call else headers.get("access_token", "")
    expected = expected_signature(
        client_id=access_id,
        secret=access_secret,
        t=t,
        nonce=headers.get("nonce", ""),
        access_token=access_token,
        method=request.method,
        url=signed_url(request.rel_url.raw_path, request.rel_url.query.items()),
        body=body,
        headers=signed_headers(headers),
    )
    if headers.get("sign_method", ALGORITHM) != ALGORITHM or not signature_matches(
        headers.get("sign", ""), expected
    ):
        raise CloudError(1004)
    if not t.isdigit() or abs(int(t) - now * 1000) > MAX_CLOCK_SKEW_MS:
        raise CloudError(1013)
    if not token_call:
        tokens.check_access_token(access_token, now)
