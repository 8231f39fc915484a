"""The simulator's own check of Tuya request signatures.

Written independently of the integration's ``signing.py`` on purpose: the two meet only on
the wire and in the shared test vectors, so a mistake in either one shows up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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


def signed_headers(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """The headers that ``Signature-Headers`` names ("a:b"), in its order, values as sent.

    Real clients sign headers this way (tinytuya signs ``Content-type`` on every POST). The
    names are looked up as the mapping does (case-insensitively for aiohttp's); a name with
    no such header is left out, as tinytuya leaves it out.
    """
    listed = headers.get("Signature-Headers", "")
    return [(name, headers[name]) for name in listed.split(":") if name in headers]


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
    headers: Sequence[tuple[str, str]] = (),
) -> str:
    """Compute what the sign header must be for this request, signing ``headers`` too."""
    header_lines = "".join(f"{name}:{value}\n" for name, value in headers)
    string_to_sign = f"{method.upper()}\n{body_digest(body)}\n{header_lines}\n{url}"
    message = "".join([client_id, access_token, t, nonce, string_to_sign])
    mac = hmac.new(key=secret.encode("utf-8"), msg=message.encode("utf-8"), digestmod="sha256")
    return mac.hexdigest().upper()


def signature_matches(given: str, expected: str) -> bool:
    """Compare in constant time; Tuya wants upper-case hex, so lower case is rejected."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))
