"""The Tuya cloud client against the simulator, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
import logging
import re
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.tuya_ota.tuya_cloud import (
    Device,
    Home,
    HomeMember,
    Role,
    TuyaApiError,
    TuyaApiNotSubscribedError,
    TuyaAuthError,
    TuyaCloudClient,
    TuyaConnectionError,
    TuyaDeviceNotFoundError,
    TuyaDeviceOfflineError,
    TuyaInvalidEndpointError,
    TuyaPermissionError,
    TuyaRateLimitError,
    TuyaResponseError,
    UpgradeProgress,
    UpgradeStatus,
    client as client_module,
    validate_endpoint,
)
from tests.cloud_records import OFFERED_MODULE
from tests.timetravel import START, FakeClock
from tuya_sim import TuyaCloudSimulator

from .conftest import ACCESS_ID, ACCESS_SECRET, HOME_ID, LOCAL_KEY, MCU, PLUG, UID, VACUUM, ZIGBEE


@pytest.fixture
def backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the rate-limit backoff delays instead of sleeping them."""
    delays: list[float] = []

    async def fake_sleep(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr(client_module, "_backoff_sleep", fake_sleep)
    return delays


@pytest.fixture
def client(
    sim: TuyaCloudSimulator, session: aiohttp.ClientSession, clock: FakeClock
) -> TuyaCloudClient:
    return TuyaCloudClient(
        session, sim.url, ACCESS_ID, ACCESS_SECRET, clock=clock, request_timeout=5.0
    )


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve a tiny aiohttp app on a loopback port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


# --- every call and model ------------------------------------------------------------------


async def test_every_call(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    homes = await client.get_homes(UID)
    assert homes == [Home(home_id=HOME_ID, name="Home", role="OWNER")]

    members = await client.get_home_members(HOME_ID)
    assert [(m.uid, m.role) for m in members] == [
        (UID, Role.OWNER),
        ("ay1600000000000bob", Role.ADMIN),
        ("ay1600000000000cat", Role.MEMBER),
    ]
    assert all(isinstance(member, HomeMember) for member in members)

    devices = await client.get_home_devices(HOME_ID)
    by_id = {device.device_id: device for device in devices}
    assert set(by_id) == {PLUG, MCU, ZIGBEE, VACUUM}
    assert by_id[PLUG] == Device(
        device_id=PLUG,
        name="Plug",
        product_id=sim.get_device(PLUG).product_id,
        product_name="Smart Plug",
        category="cz",
        model="SP-1",
        online=True,
        sub=False,
    )
    assert by_id[ZIGBEE].sub

    firmware = await client.get_firmware(MCU)
    assert [channel.channel for channel in firmware] == [0, 9]
    assert firmware[1] == replace(
        OFFERED_MODULE,
        channel=9,
        current_version="2.0.0",
        version="2.1.0",
        desc="",
        timeout_s=300,
        released_at=1_700_000_000.0,
    )
    assert all(channel.startable for channel in firmware)

    zigbee = await client.get_firmware(ZIGBEE)
    assert zigbee[0].low_power
    assert zigbee[0].timeout_s == 600

    await client.start_firmware_update(PLUG, 0)
    assert sim.start_calls == [(PLUG, 0, START)]
    progress = await client.get_firmware_progress(PLUG, 0)
    assert progress == UpgradeProgress(upgrade_status=UpgradeStatus.UPGRADING, progress=0)
    assert client.endpoint == sim.url


async def test_firmware_object_shape(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    [channel] = await client.get_firmware(VACUUM)
    assert channel.channel == 0
    assert channel.current_version == "3.0.0"
    assert channel.version == "3.1.0"
    assert channel.startable
    await client.start_firmware_update(VACUUM, 0)
    clock.advance(61)
    assert await client.get_firmware_progress(VACUUM, 0) == UpgradeProgress(3, 100)
    [channel] = await client.get_firmware(VACUUM)
    assert channel.upgrade_status == UpgradeStatus.IDLE
    assert channel.version == channel.current_version == "3.1.0"
    assert not channel.update_available


async def test_update_runs_to_success(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    await client.start_firmware_update(PLUG, 0)
    clock.advance(30)
    assert await client.get_firmware_progress(PLUG, 0) == UpgradeProgress(2, 50)
    [running] = await client.get_firmware(PLUG)
    assert running.running
    clock.advance(30)
    assert await client.get_firmware_progress(PLUG, 0) == UpgradeProgress(3, 100)
    [done] = await client.get_firmware(PLUG)
    assert (done.upgrade_status, done.current_version) == (0, "1.1.0")


# --- tokens --------------------------------------------------------------------------------


async def test_token_taken_once_and_reused(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    await client.get_homes(UID)
    await client.get_home_devices(HOME_ID)
    assert sim.call_count("/v1.0/token") == 1
    assert sim.calls[0].path == "/v1.0/token"


async def test_concurrent_first_calls_take_one_token(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    await asyncio.gather(*(client.get_firmware(PLUG) for _ in range(10)))
    assert sim.call_count("/v1.0/token") == 1


async def test_authenticate(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    await client.authenticate()
    await client.authenticate()
    assert sim.call_count("/v1.0/token") == 2
    await client.get_homes(UID)
    assert sim.call_count("/v1.0/token") == 2


async def test_proactive_refresh_before_expiry(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, clock: FakeClock
) -> None:
    await client.get_homes(UID)
    clock.advance(7200 - 90)
    await client.get_homes(UID)
    assert sim.call_count("/v1.0/token/") == 0
    clock.advance(40)  # now within 60 s of expiry
    await client.get_homes(UID)
    assert sim.call_count("/v1.0/token/") == 1
    assert sim.call_count("/v1.0/token") == 2
    assert all(call.code == 0 for call in sim.calls)


async def test_refresh_on_1010(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    await client.get_homes(UID)
    sim.expire_tokens()
    assert await client.get_homes(UID)
    assert sim.call_count("/v1.0/token/") == 1
    assert [call.code for call in sim.calls if "/homes" in call.path] == [0, 1010, 0]


@pytest.mark.parametrize("code", [1010, 1011, 1012])
async def test_token_codes_refresh_and_repeat(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, code: int
) -> None:
    await client.get_homes(UID)
    sim.fail_next("/homes", code=code)
    assert await client.get_homes(UID)
    assert sim.call_count("/v1.0/token/") == 1


async def test_storm_of_1010_causes_one_refresh(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    await client.get_homes(UID)
    sim.expire_tokens()
    results = await asyncio.gather(*(client.get_firmware(PLUG) for _ in range(20)))
    assert len(results) == 20
    assert sim.call_count("/v1.0/token/") == 1
    assert sim.call_count("/v1.0/token", method="GET") == 2


async def test_revoked_refresh_takes_new_token(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    await client.get_homes(UID)
    sim.expire_tokens()
    sim.revoke_refresh_tokens()
    assert await client.get_homes(UID)
    refreshes = [call for call in sim.calls if call.path.startswith("/v1.0/token/")]
    assert [call.code for call in refreshes] == [1012]
    grants = [call for call in sim.calls if call.path == "/v1.0/token"]
    assert [call.code for call in grants] == [0, 0]


async def test_token_refused_again_after_renewal(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    sim.fail_next("/homes", code=1011, count=2)
    with pytest.raises(TuyaApiError) as err:
        await client.get_homes(UID)
    assert err.value.code == 1011
    assert type(err.value) is TuyaApiError


async def test_other_error_after_renewal(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    sim.fail_next("/homes", code=1010)
    sim.fail_next("/homes", code=1106)
    with pytest.raises(TuyaPermissionError):
        await client.get_homes(UID)


async def test_refresh_rate_limited_propagates(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, backoff: list[float]
) -> None:
    await client.get_homes(UID)
    sim.expire_tokens()
    sim.fail_next("/v1.0/token/", code=1110, count=10)
    with pytest.raises(TuyaRateLimitError):
        await client.get_homes(UID)
    assert sim.call_count("/v1.0/token/") == 4
    assert sim.call_count("/v1.0/token", method="GET") == 5  # no grant after a rate limit


async def test_refresh_connection_error_propagates(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    await client.get_homes(UID)
    sim.expire_tokens()
    sim.fail_next("/v1.0/token/", http_status=502)
    with pytest.raises(TuyaConnectionError):
        await client.get_homes(UID)
    assert await client.get_homes(UID)  # the next call refreshes again


async def test_bad_token_result_is_response_error(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    sim.fail_next("/v1.0/token", body=b'{"success": true, "result": {"uid": "x"}}')
    with pytest.raises(TuyaResponseError):
        await client.get_homes(UID)


# --- credentials and permissions -----------------------------------------------------------


async def test_wrong_secret(sim: TuyaCloudSimulator, session: aiohttp.ClientSession) -> None:
    client = TuyaCloudClient(session, sim.url, ACCESS_ID, "wrong-secret")
    with pytest.raises(TuyaAuthError) as err:
        await client.authenticate()
    assert err.value.code == 1004


async def test_wrong_access_id(sim: TuyaCloudSimulator, session: aiohttp.ClientSession) -> None:
    client = TuyaCloudClient(session, sim.url, "someone-else", ACCESS_SECRET)
    with pytest.raises(TuyaAuthError) as err:
        await client.get_homes(UID)
    assert err.value.code == 1005


@pytest.mark.parametrize("code", [1001, 1004, 1005])
async def test_auth_codes(client: TuyaCloudClient, sim: TuyaCloudSimulator, code: int) -> None:
    sim.fail_next("/homes", code=code)
    with pytest.raises(TuyaAuthError):
        await client.get_homes(UID)


async def test_unknown_uid_is_permission_error(client: TuyaCloudClient) -> None:
    with pytest.raises(TuyaPermissionError) as err:
        await client.get_homes("ay-not-linked")
    assert err.value.code == 1106
    assert "permission deny" in str(err.value)


@pytest.mark.parametrize("code", [1106, 2006, 2406])
async def test_permission_codes(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, code: int
) -> None:
    sim.fail_next("/members", code=code, msg="nope")
    with pytest.raises(TuyaPermissionError):
        await client.get_home_members(HOME_ID)


# --- device errors -------------------------------------------------------------------------


async def test_offline_device(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    sim.set_online(PLUG, False)
    with pytest.raises(TuyaDeviceOfflineError) as err:
        await client.start_firmware_update(PLUG, 0)
    assert err.value.code == 2001


async def test_removed_device(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    sim.remove_device(PLUG)
    with pytest.raises(TuyaDeviceNotFoundError):
        await client.get_firmware(PLUG)
    assert PLUG not in {device.device_id for device in await client.get_home_devices(HOME_ID)}


async def test_not_subscribed(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    sim.fail_next("/firmware", code=28841105)
    with pytest.raises(TuyaApiNotSubscribedError) as err:
        await client.get_firmware(PLUG)
    assert err.value.code == 28841105
    assert f"/v2.0/cloud/thing/{PLUG}/firmware" in str(err.value)  # names the missing service


async def test_other_code_is_api_error(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    with pytest.raises(TuyaApiError) as err:
        await client.start_firmware_update(PLUG, 7)  # no such channel
    assert err.value.code == 1109
    assert "channel 7" in err.value.msg


async def test_start_answered_false(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    sim.fail_next("/firmware/0", body=b'{"success": true, "result": false}')
    with pytest.raises(TuyaResponseError):
        await client.start_firmware_update(PLUG, 0)


# --- transport and envelope errors ---------------------------------------------------------


async def test_http_500(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    sim.fail_next("/homes", http_status=500)
    with pytest.raises(TuyaConnectionError):
        await client.get_homes(UID)


async def test_http_503_with_garbage(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    sim.fail_next("/homes", http_status=503, body=b"<html>bad gateway</html>")
    with pytest.raises(TuyaConnectionError):
        await client.get_homes(UID)


async def test_envelope_code_500(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    sim.fail_next("/homes", code=500)
    with pytest.raises(TuyaConnectionError, match="system error"):
        await client.get_homes(UID)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, b"<html>garbage</html>"),
        (200, b"\xff\xfe\x00"),
        (200, b"[1, 2, 3]"),
        (200, b'{"result": []}'),
        (200, b'{"success": "yes", "result": []}'),
        (200, b'{"success": false, "msg": "no code"}'),
        (200, b'{"success": false, "code": true, "msg": "bool code"}'),
        (404, b"<html>not found</html>"),
        (200, b'{"success": true, "result": {"not": "a list"}}'),
        (200, b'{"success": true, "result": [1, 2]}'),
    ],
)
async def test_bad_bodies_are_response_errors(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, status: int, body: bytes
) -> None:
    sim.fail_next("/devices", http_status=status, body=body)
    with pytest.raises(TuyaResponseError):
        await client.get_home_devices(HOME_ID)


async def test_numeric_string_code_is_mapped(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    sim.fail_next("/firmware", body=b'{"success": false, "code": "2010", "msg": "gone"}')
    with pytest.raises(TuyaDeviceNotFoundError):
        await client.get_firmware(PLUG)


async def test_envelope_on_http_4xx_is_read(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    sim.fail_next("/homes", code=1106, http_status=403)
    with pytest.raises(TuyaPermissionError):
        await client.get_homes(UID)


async def test_unexpected_parser_exception_is_response_error(
    client: TuyaCloudClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(raw: object) -> Home:
        raise KeyError("home_id")

    monkeypatch.setattr(Home, "from_api", staticmethod(broken))
    with pytest.raises(TuyaResponseError, match="KeyError"):
        await client.get_homes(UID)


async def test_timeout(
    sim: TuyaCloudSimulator, session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    client = TuyaCloudClient(
        session, sim.url, ACCESS_ID, ACCESS_SECRET, clock=clock, request_timeout=0.2
    )
    sim.delay_next(5.0, "/v1.0/token")
    with pytest.raises(TuyaConnectionError, match="in time"):
        await client.get_homes(UID)


async def test_connection_refused(session: aiohttp.ClientSession) -> None:
    async with serve(web.Application()) as url:
        pass  # the port is closed again
    client = TuyaCloudClient(session, url, ACCESS_ID, ACCESS_SECRET, request_timeout=2.0)
    with pytest.raises(TuyaConnectionError, match="cannot reach"):
        await client.get_homes(UID)


async def test_client_error_message_hides_refresh_token(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    await client.get_homes(UID)
    sim.expire_tokens()
    refresh_token = next(iter(sim._refresh_tokens))  # white-box check
    session = client._session
    original = session.request

    def failing_request(method: str, url: str, **kwargs: Any) -> Any:
        if "/v1.0/token/" in url:
            raise aiohttp.ClientConnectionError(f"cannot open {url} with {ACCESS_SECRET}")
        return original(method, url, **kwargs)

    monkeypatch.setattr(session, "request", failing_request)
    with pytest.raises(TuyaConnectionError) as err:
        await client.get_homes(UID)
    assert refresh_token not in str(err.value)
    assert ACCESS_SECRET not in str(err.value)


# --- rate limits and clock skew ------------------------------------------------------------


async def test_rate_limit_retried_then_success(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, backoff: list[float]
) -> None:
    sim.fail_next("/homes", code=1110, count=2)
    assert await client.get_homes(UID)
    assert sim.call_count("/homes") == 3
    assert len(backoff) == 2
    assert 0.5 <= backoff[0] <= 1.0
    assert 1.0 <= backoff[1] <= 2.0


async def test_http_429_retried(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, backoff: list[float]
) -> None:
    sim.fail_next("/homes", http_status=429)
    assert await client.get_homes(UID)
    assert len(backoff) == 1


@pytest.mark.parametrize("code", [1110, 1111, 1199])
async def test_rate_limit_exhausted(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, backoff: list[float], code: int
) -> None:
    sim.fail_next("/homes", code=code, count=10)
    with pytest.raises(TuyaRateLimitError) as err:
        await client.get_homes(UID)
    assert err.value.code == code
    assert sim.call_count("/homes") == 4  # the first try and 3 retries
    assert len(backoff) == 3


async def test_rate_limit_backoff_capped(
    sim: TuyaCloudSimulator,
    session: aiohttp.ClientSession,
    clock: FakeClock,
    backoff: list[float],
) -> None:
    client = TuyaCloudClient(
        session,
        sim.url,
        ACCESS_ID,
        ACCESS_SECRET,
        clock=clock,
        rate_limit_retries=5,
        rate_limit_backoff=10.0,
    )
    sim.fail_next("/homes", http_status=429, count=10)
    with pytest.raises(TuyaRateLimitError) as err:
        await client.get_homes(UID)
    assert err.value.code == 429
    assert len(backoff) == 5
    assert all(delay <= 30.0 for delay in backoff)
    assert all(delay >= 15.0 for delay in backoff[2:])


async def test_rate_limit_without_retries(
    sim: TuyaCloudSimulator,
    session: aiohttp.ClientSession,
    clock: FakeClock,
    backoff: list[float],
) -> None:
    client = TuyaCloudClient(
        session, sim.url, ACCESS_ID, ACCESS_SECRET, clock=clock, rate_limit_retries=0
    )
    sim.fail_next("/v1.0/token", code=1199)
    with pytest.raises(TuyaRateLimitError):
        await client.get_homes(UID)
    assert backoff == []


async def test_real_backoff_sleep_is_used(
    sim: TuyaCloudSimulator, session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    client = TuyaCloudClient(
        session, sim.url, ACCESS_ID, ACCESS_SECRET, clock=clock, rate_limit_backoff=0.01
    )
    sim.fail_next("/homes", code=1110)
    assert await client.get_homes(UID)


async def test_clock_skew_retried_once(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    sim.fail_next("/homes", code=1013)
    assert await client.get_homes(UID)
    assert sim.call_count("/homes") == 2
    assert "check the system clock" in caplog.text


async def test_clock_skew_gives_up(
    sim: TuyaCloudSimulator,
    session: aiohttp.ClientSession,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    skewed = FakeClock(clock.now + 20 * 60)
    client = TuyaCloudClient(session, sim.url, ACCESS_ID, ACCESS_SECRET, clock=skewed)
    with pytest.raises(TuyaConnectionError, match="check the system clock"):
        await client.get_homes(UID)
    assert sim.call_count("/v1.0/token") == 2
    assert [r.levelno for r in caplog.records if "system clock" in r.getMessage()] == [
        logging.WARNING
    ]


# --- logging hygiene -----------------------------------------------------------------------


async def test_logs_hold_no_secrets(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="custom_components.tuya_ota.tuya_cloud")
    await client.get_home_devices(HOME_ID)
    sim.expire_tokens()
    await client.get_firmware(PLUG)
    sim.fail_next("/homes", code=1110)
    await client.get_homes(UID)
    text = caplog.text
    assert "GET /v1.0/homes/31000001/devices: HTTP 200, success" in text
    assert "code 1010" in text
    assert LOCAL_KEY not in text
    assert ACCESS_SECRET not in text
    for token in [*sim._access_tokens, *sim._refresh_tokens]:
        assert token not in text
    assert not re.search(r"[0-9A-F]{64}", text)  # no signature


# --- wire details --------------------------------------------------------------------------


async def test_headers_on_the_wire(session: aiohttp.ClientSession, clock: FakeClock) -> None:
    seen: list[dict[str, str]] = []

    async def token(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response(
            {
                "success": True,
                "t": 1,
                "result": {
                    "access_token": "at",
                    "refresh_token": "rt",
                    "expire_time": 7200,
                    "uid": "u",
                },
            }
        )

    async def devices(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"success": True, "t": 1, "result": {"devices": []}})

    app = web.Application()
    app.router.add_get("/v1.0/token", token)
    app.router.add_get("/v1.0/homes/{home}/devices", devices)
    async with serve(app) as url:
        client = TuyaCloudClient(session, url + "/", ACCESS_ID, ACCESS_SECRET, clock=clock)
        assert await client.get_home_devices(1) == []
        assert await client.get_home_devices(1) == []
    token_headers, first, second = seen
    assert "access_token" not in token_headers
    assert first["access_token"] == second["access_token"] == "at"
    for headers in seen:
        assert headers["client_id"] == ACCESS_ID
        assert headers["t"] == str(int(START * 1000))
        assert len(headers["t"]) == 13
        assert headers["sign_method"] == "HMAC-SHA256"
        assert re.fullmatch(r"[0-9A-F]{64}", headers["sign"])
        assert re.fullmatch(r"[0-9a-f]{32}", headers["nonce"])
    assert len({headers["nonce"] for headers in seen}) == 3


# --- endpoint validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://openapi.tuyaeu.com", "https://openapi.tuyaeu.com"),
        ("https://openapi.tuyaeu.com/", "https://openapi.tuyaeu.com"),
        ("  HTTPS://OpenAPI.TuyaUS.com//  ", "https://openapi.tuyaus.com"),
        ("https://example.com:8443/prefix/", "https://example.com:8443/prefix"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://127.8.9.10:80/", "http://127.8.9.10:80"),
        ("http://localhost:8765/", "http://localhost:8765"),
        ("http://[::1]:8765", "http://[::1]:8765"),
    ],
)
def test_valid_endpoints(url: str, expected: str) -> None:
    assert validate_endpoint(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "openapi.tuyaeu.com",
        "http://openapi.tuyaeu.com",
        "http://192.168.1.2:8765",
        "http://10.0.0.1",
        "ftp://openapi.tuyaeu.com",
        "https://",
        "https://user:pass@openapi.tuyaeu.com",
        "https://openapi.tuyaeu.com/?x=1",
        "https://openapi.tuyaeu.com/#frag",
        "https://openapi.tuyaeu.com:99999",
        "http://[::1",
        "http://localhost.evil.com",
        123,
    ],
)
def test_invalid_endpoints(url: Any) -> None:
    with pytest.raises(TuyaInvalidEndpointError):
        validate_endpoint(url)


def test_constructor_validates_endpoint() -> None:
    with pytest.raises(TuyaInvalidEndpointError):
        TuyaCloudClient(None, "http://example.com", ACCESS_ID, ACCESS_SECRET)  # type: ignore[arg-type]


def test_scrub() -> None:
    assert client_module._scrub("a secret b", "secret", "") == "a *** b"
