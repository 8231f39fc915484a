"""Tuya's HMAC-SHA256 request signature (the current, post-2021 algorithm).

Kept apart from the client so the test vectors can pin it down without any I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
import hashlib
import hmac

SIGN_METHOD = "HMAC-SHA256"


def canonical_url(path: str, params: Mapping[str, str | int] | None = None) -> str:
    """Return the URL part of the string to sign.

    Tuya signs the query sorted by name as ``k=v`` pairs joined by ``&`` with the values
    left as they are (not URL-encoded), so this must not go through a URL library.
    """
    if not params:
        return path
    query = "&".join(f"{name}={params[name]}" for name in sorted(params))
    return f"{path}?{query}"


def string_to_sign(method: str, url: str, body: bytes = b"", signed_headers: str = "") -> str:
    """Build the request part of the signed message, exactly as Tuya documents it."""
    body_hash = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{body_hash}\n{signed_headers}\n{url}"


def sign(
    *,
    client_id: str,
    secret: str,
    t: str,
    method: str,
    url: str,
    body: bytes = b"",
    access_token: str = "",
    nonce: str = "",
) -> str:
    """Return the upper-case hex signature of one request.

    Token calls pass no ``access_token``; business calls pass the current one, which Tuya
    places between the client id and the timestamp.
    """
    message = client_id + access_token + t + nonce + string_to_sign(method, url, body)
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return digest.upper()
