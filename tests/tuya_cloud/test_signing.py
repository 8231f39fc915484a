"""Every vector of docs/sign-vectors.md against the client's and the simulator's signing."""

from __future__ import annotations

import hashlib

from multidict import CIMultiDict
import pytest

from custom_components.tuya_ota.tuya_cloud.signing import canonical_url, sign, string_to_sign
from tuya_sim.signing import (
    body_digest,
    expected_signature,
    signature_matches,
    signed_headers,
    signed_url,
)

CLIENT_ID = "1KAD46OrT9HafiKdsXeg"
SECRET = "4OHBOnWOqaEC1mWXOpVL3yV50s0qGSRC"
T = "1588925778000"
ACCESS_TOKEN = "3f4eda2bdec17232f67c0b188af3eec1"
EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# (name, method, path, query, body, access_token, nonce, url to sign, expected sign)
VECTORS = [
    (
        "token",
        "GET",
        "/v1.0/token",
        {"grant_type": "1"},
        b"",
        "",
        "",
        "/v1.0/token?grant_type=1",
        "7BA26C076E5ECB1E959BE274A0FFB397B2B1865FC7BCED8F1C78AC5653C20CAA",
    ),
    (
        "token with nonce",
        "GET",
        "/v1.0/token",
        {"grant_type": "1"},
        b"",
        "",
        "5138cc3a9033d69856923fd07b491173",
        "/v1.0/token?grant_type=1",
        "3206F74CBFC2869794FD3013C44F18166BE22AB1FB5FF66F513212264F67F681",
    ),
    (
        "refresh",
        "GET",
        "/v1.0/token/d2f2b1b3c0a94f0e8f0c1d2e3f4a5b6c",
        {},
        b"",
        "",
        "",
        "/v1.0/token/d2f2b1b3c0a94f0e8f0c1d2e3f4a5b6c",
        "D340A8D0E31FCEE5D7B205F7D5E5D66F7A87F1B72CC12F1769EF9F9007F023FE",
    ),
    (
        "home devices",
        "GET",
        "/v1.0/homes/31000001/devices",
        {},
        b"",
        ACCESS_TOKEN,
        "",
        "/v1.0/homes/31000001/devices",
        "B02F970A6F3FBABE3E13EC456CEB02DD971FD3BF5DC79FAFCBC6CC28721370C0",
    ),
    (
        "query sorted, not encoded",
        "GET",
        "/v1.0/devices",
        {"source_type": "home", "source_id": "31000001", "page_size": "20"},
        b"",
        ACCESS_TOKEN,
        "",
        "/v1.0/devices?page_size=20&source_id=31000001&source_type=home",
        "831F232358340BDCE611C0D59C7A56A5781D6EF4AA024D8D72B9D7AFAB8249AC",
    ),
    (
        "firmware information",
        "GET",
        "/v2.0/cloud/thing/bf0a1b2c3d4e5f6a7b8c/firmware",
        {},
        b"",
        ACCESS_TOKEN,
        "",
        "/v2.0/cloud/thing/bf0a1b2c3d4e5f6a7b8c/firmware",
        "CE1EDEC9EA04482A734764BDA4580C3CD82DFE789D2C309648C9F1128210A9E3",
    ),
    (
        "start channel 9",
        "POST",
        "/v2.0/cloud/thing/bf0a1b2c3d4e5f6a7b8c/firmware/9",
        {},
        b"",
        ACCESS_TOKEN,
        "",
        "/v2.0/cloud/thing/bf0a1b2c3d4e5f6a7b8c/firmware/9",
        "F9518100A22B45E2430622837F4CEE8D576B3951CA0F1A60BB8B9543720AFF73",
    ),
    (
        "POST with a JSON body",
        "POST",
        "/v1.0/iot-03/devices/bf0a1b2c3d4e5f6a7b8c/confirm-upgrade",
        {},
        b'{"module_type":9}',
        ACCESS_TOKEN,
        "",
        "/v1.0/iot-03/devices/bf0a1b2c3d4e5f6a7b8c/confirm-upgrade",
        "D741389F48325DA46BA42575730996E3032365C6B0449F468435ED8C8FA2361B",
    ),
]

IDS = [vector[0] for vector in VECTORS]


@pytest.mark.parametrize(
    ("name", "method", "path", "query", "body", "token", "nonce", "url", "expected"),
    VECTORS,
    ids=IDS,
)
def test_client_signing(
    name: str,
    method: str,
    path: str,
    query: dict[str, str],
    body: bytes,
    token: str,
    nonce: str,
    url: str,
    expected: str,
) -> None:
    assert canonical_url(path, query) == url
    assert (
        sign(
            client_id=CLIENT_ID,
            secret=SECRET,
            t=T,
            method=method,
            url=url,
            body=body,
            access_token=token,
            nonce=nonce,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("name", "method", "path", "query", "body", "token", "nonce", "url", "expected"),
    VECTORS,
    ids=IDS,
)
def test_simulator_signing(
    name: str,
    method: str,
    path: str,
    query: dict[str, str],
    body: bytes,
    token: str,
    nonce: str,
    url: str,
    expected: str,
) -> None:
    assert signed_url(path, query.items()) == url
    computed = expected_signature(
        client_id=CLIENT_ID,
        secret=SECRET,
        t=T,
        nonce=nonce,
        access_token=token,
        method=method,
        url=url,
        body=body,
    )
    assert computed == expected
    assert signature_matches(expected, computed)
    assert not signature_matches(expected.lower(), computed)


def test_simulator_signs_listed_headers() -> None:
    """tinytuya's start call: it lists Content-type in Signature-Headers and signs it.

    The expected sign is what tinytuya 1.20.0 sends for this call with these credentials.
    """
    sent = CIMultiDict(
        {"Signature-Headers": "Content-type:X-Absent", "content-type": "application/json"}
    )
    headers = signed_headers(sent)
    assert headers == [("Content-type", "application/json")]
    assert signed_headers(CIMultiDict({"content-type": "application/json"})) == []
    computed = expected_signature(
        client_id=CLIENT_ID,
        secret=SECRET,
        t=T,
        nonce="",
        access_token=ACCESS_TOKEN,
        method="POST",
        url="/v2.0/cloud/thing/bf0a1b2c3d4e5f6a7b8c/firmware/9",
        body=b"",
        headers=headers,
    )
    assert computed == "92F5B665A684EA333DF47596FC2119C27D5B92EC4A28BA0BB14A48F005F172F0"


def test_string_to_sign_layout() -> None:
    """The documented layout: method, body hash, empty headers line, URL."""
    assert string_to_sign("get", "/v1.0/token?grant_type=1") == (
        f"GET\n{EMPTY_SHA}\n\n/v1.0/token?grant_type=1"
    )
    assert body_digest(b"") == EMPTY_SHA
    assert body_digest(b'{"module_type":9}') == hashlib.sha256(b'{"module_type":9}').hexdigest()


def test_canonical_url_values_not_encoded() -> None:
    assert canonical_url("/p", None) == "/p"
    assert canonical_url("/p", {"b": "x y", "a": 2}) == "/p?a=2&b=x y"
    assert signed_url("/p", [("b", "x y"), ("a", "2")]) == "/p?a=2&b=x y"


def test_secret_matters() -> None:
    signature = sign(client_id=CLIENT_ID, secret=SECRET, t=T, method="GET", url="/x")
    other = sign(client_id=CLIENT_ID, secret=SECRET + "x", t=T, method="GET", url="/x")
    assert signature != other
    assert signature == signature.upper()
    assert len(signature) == 64
