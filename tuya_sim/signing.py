"""The simulator's own check of Tuya request signatures.

Written independently of the integration's ``signing.py`` on purpose: the two meet only on
the wire and in the shared test vectors, so a mistake in either one shows up.
"""

from __future__ import annotations

from collections.abc import Iterable
import hashlib
import hmac

ALGORITHM = "HMAC-SHA256"


def body_digest(body: bytes) -> str:
    """Lower-case hex SHA-256 of the raw request body (also for an empty body)."""
    return hashlib.sha256(body).hexdigest()


def signed_url(path: str, query: Iterable[tuple[str, str]]) -> str:
    """Path plus the query pairs sorted by name, values as received (not re-encoded)."""
    pairs = sorted(query, key=lambda pair: pair[0])
    if not pairs:
        return path
    return path + "?" + "&".join(name + "=" + value for name, value in pairs)


def expected_signature(
    *,
    client_id: str,
    secret: str,
    t: str,
    nonce: str,
    access_token: str,
    method: str,
    url: str,
    body: bytes,
) -> str:
    """Compute what the sign header must be for this request."""
    lines = [method.upper(), body_digest(body), "", url]
    message = "".join([client_id, access_token, t, nonce, "\n".join(lines)])
    mac = hmac.new(key=secret.encode("utf-8"), msg=message.encode("utf-8"), digestmod="sha256")
    return mac.hexdigest().upper()


def signature_matches(given: str, expected: str) -> bool:
    """Compare in constant time; Tuya wants upper-case hex, so lower case is rejected."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))
