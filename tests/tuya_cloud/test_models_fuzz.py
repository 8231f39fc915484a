"""Fuzzing: whatever the cloud answers, only models or TuyaCloudError subclasses come out."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
import contextlib
import json
from typing import Any

import aiohttp
from aiohttp import web
from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from custom_components.tuya_ota.tuya_cloud import (
    Device,
    FirmwareChannel,
    Home,
    HomeMember,
    Role,
    Token,
    TuyaCloudClient,
    TuyaCloudError,
    TuyaResponseError,
    UpgradeProgress,
    channel_name,
    client as client_module,
    parse_firmware,
    parse_list,
)

NOW = 1_700_000_000.0

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "0", "1", "-1", " 7 ", "true", "False", "1e999", "NaN", "١٢"]),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=12), children, max_size=5),
    ),
    max_leaves=20,
)
huge_strings = st.integers(min_value=5_000, max_value=200_000).flatmap(
    lambda size: st.sampled_from(["9" * size, "x" * size, "1" + "0" * size])
)

VALID: dict[str, dict[str, Any]] = {
    "token": {
        "uid": "u1",
        "access_token": "at",
        "refresh_token": "rt",
        "expire_time": 7200,
    },
    "home": {"home_id": 31000001, "name": "Home", "role": "OWNER", "lat": 1.0, "lon": 2.0},
    "member": {"uid": "u1", "name": "Ann", "admin": False, "owner": True},
    "device": {
        "id": "bf01",
        "name": "Plug",
        "product_name": "Smart Plug",
        "category": "cz",
        "model": "SP",
        "online": True,
        "sub": False,
        "local_key": "secret",
    },
    "firmware": {
        "type": 0,
        "upgrade_status": 1,
        "current_version": "1.0.0",
        "version": "1.1.0",
        "desc": "Fixes",
        "can_upgrade": True,
        "dev_type": 0,
        "timeout": 300,
        "remind": "",
    },
    "firmware_camel": {
        "channel": 9,
        "upgradeStatus": 1,
        "currentVersion": "1.0.0",
        "version": "1.1.0",
        "canUpgrade": True,
        "devType": 1,
    },
    "progress": {"upgrade_status": 2, "progress": 40},
}

PARSERS: dict[str, Callable[[object], object]] = {
    "token": lambda raw: Token.from_api(raw, NOW),
    "home": Home.from_api,
    "member": HomeMember.from_api,
    "device": Device.from_api,
    "firmware": parse_firmware,
    "firmware_item": FirmwareChannel.from_api,
    "progress": UpgradeProgress.from_api,
    "list_homes": lambda raw: parse_list(raw, "homes", Home.from_api),
    "list_members": lambda raw: parse_list(raw, "members", HomeMember.from_api),
    "list_devices": lambda raw: parse_list(raw, "devices", Device.from_api),
}

# Which valid example each parser is mutated from.
EXAMPLES = {
    "token": VALID["token"],
    "home": VALID["home"],
    "member": VALID["member"],
    "device": VALID["device"],
    "firmware": VALID["firmware_camel"],
    "firmware_item": VALID["firmware"],
    "progress": VALID["progress"],
    "list_homes": VALID["home"],
    "list_members": VALID["member"],
    "list_devices": VALID["device"],
}


def only_models_or_response_errors(parser: Callable[[object], object], raw: object) -> None:
    with contextlib.suppress(TuyaResponseError):
        parser(raw)


@st.composite
def mutated(draw: st.DrawFn, example: dict[str, Any]) -> object:
    """A valid example with keys dropped, values replaced by wrong types or huge strings."""
    data = dict(example)
    keys = sorted(data)
    for key in draw(st.lists(st.sampled_from(keys), max_size=len(keys), unique=True)):
        del data[key]
    for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        data[key] = draw(st.one_of(json_values, huge_strings))
    wrap = draw(st.sampled_from(["item", "list", "page", "object"]))
    if wrap == "list":
        return [data, draw(json_values)] if draw(st.booleans()) else [data]
    if wrap == "page":
        return {draw(st.sampled_from(["list", "devices", "homes", "members", "firmwares"])): [data]}
    return data


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_valid_examples_parse(name: str) -> None:
    example: object = EXAMPLES[name]
    if name.startswith("list_"):
        example = [example]
    assert PARSERS[name](example) is not None


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=150, deadline=None)
@given(raw=json_values)
@example(raw={"access_token": "a", "refresh_token": "b", "expire_time": 10**400})
@example(raw={"home_id": float("inf")})
@example(raw={"type": float("nan"), "timeout": "9" * 5000})
@example(raw=[[[[[]]]]])
def test_random_json(name: str, raw: object) -> None:
    only_models_or_response_errors(PARSERS[name], raw)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_examples(name: str, data: st.DataObject) -> None:
    raw = data.draw(mutated(EXAMPLES[name]))
    only_models_or_response_errors(PARSERS[name], raw)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=30, deadline=None)
@given(value=huge_strings)
def test_huge_strings_everywhere(name: str, value: str) -> None:
    raw = dict.fromkeys(EXAMPLES[name], value)
    only_models_or_response_errors(PARSERS[name], raw)
    only_models_or_response_errors(PARSERS[name], value)


# --- the client fed random answers ---------------------------------------------------------

TOKEN_BODY = json.dumps({"success": True, "t": 1, "result": VALID["token"]}).encode()


class Answer:
    """What the tiny server answers next (shared between hypothesis examples)."""

    status: int = 200
    body: bytes = b""
    token_too: bool = False


@pytest.fixture
async def garbage_server() -> AsyncGenerator[tuple[str, Answer]]:
    answer = Answer()

    async def handler(request: web.Request) -> web.Response:
        if request.path.startswith("/v1.0/token") and not answer.token_too:
            return web.Response(body=TOKEN_BODY, content_type="application/json")
        return web.Response(body=answer.body, status=answer.status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", answer
    await runner.cleanup()


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_sleep(delay: float) -> None:
        return None

    monkeypatch.setattr(client_module, "_backoff_sleep", fake_sleep)


def envelope(result: object) -> bytes:
    return json.dumps({"success": True, "result": result, "t": 1, "tid": "x"}).encode()


def failure(code: object, msg: object) -> bytes:
    return json.dumps({"success": False, "code": code, "msg": msg}).encode()


bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda value: json.dumps(value).encode()),
    json_values.map(envelope),
    st.builds(failure, st.one_of(st.integers(0, 30_000_000), json_scalars), json_scalars),
    st.sampled_from(list(VALID.values())).flatmap(mutated).map(envelope),
    st.sampled_from(list(VALID.values())).flatmap(mutated).map(lambda raw: envelope([raw])),
)

CALLS: list[Callable[[TuyaCloudClient], Any]] = [
    lambda client: client.get_homes("u1"),
    lambda client: client.get_home_members(1),
    lambda client: client.get_home_devices(1),
    lambda client: client.get_firmware("bf01"),
    lambda client: client.start_firmware_update("bf01", 0),
    lambda client: client.get_firmware_progress("bf01", 0),
    lambda client: client.authenticate(),
]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=bodies,
    status=st.sampled_from([200, 200, 200, 201, 400, 401, 404, 429, 500, 502]),
    call=st.sampled_from(range(len(CALLS))),
    token_too=st.booleans(),
)
async def test_client_only_raises_tuya_errors(
    garbage_server: tuple[str, Answer],
    session: aiohttp.ClientSession,
    body: bytes,
    status: int,
    call: int,
    token_too: bool,
) -> None:
    url, answer = garbage_server
    answer.status, answer.body, answer.token_too = status, body, token_too
    client = TuyaCloudClient(session, url, "id", "secret", request_timeout=5.0)
    with contextlib.suppress(TuyaCloudError):
        await CALLS[call](client)


def test_model_helpers() -> None:
    """The small helpers around the models the fuzzing does not reach by chance."""
    assert Role.OWNER.may_update
    assert Role.ADMIN.may_update
    assert not Role.MEMBER.may_update
    assert channel_name(9) == "MCU"
    assert channel_name(12) == "Extension 3"
    assert channel_name(42) == "Channel 42"
    item = FirmwareChannel.from_api({"type": 3.0, "current_version": "1", "timeout": "60"})
    assert (item.channel, item.name, item.timeout_s) == (3, "Zigbee", 60)
