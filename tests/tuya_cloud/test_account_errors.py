"""How the client reports what real free-tier projects meet: every code its own exception."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable

import aiohttp
import pytest

from custom_components.tuya_ota.const import DATA_CENTRES
from custom_components.tuya_ota.tuya_cloud import (
    PRODUCT_IOT_CORE,
    PRODUCT_SMART_HOME,
    TuyaAccountError,
    TuyaApiError,
    TuyaApiNotSubscribedError,
    TuyaCloudClient,
    TuyaCloudError,
    TuyaConnectionError,
    TuyaIpNotAllowedError,
    TuyaPermissionError,
    TuyaQuotaExhaustedError,
    TuyaTrialExpiredError,
    api_product,
    validate_endpoint,
)
from tests.timetravel import FakeClock
from tuya_sim import IOT_CORE, TuyaCloudSimulator

from .conftest import ACCESS_ID, ACCESS_SECRET, HOME_ID, PLUG, UID

type Call = Callable[[TuyaCloudClient], Awaitable[object]]

CALLS: dict[str, tuple[Call, str]] = {
    "homes": (lambda client: client.get_homes(UID), PRODUCT_SMART_HOME),
    "members": (lambda client: client.get_home_members(HOME_ID), PRODUCT_SMART_HOME),
    "devices": (lambda client: client.get_home_devices(HOME_ID), PRODUCT_SMART_HOME),
    "firmware": (lambda client: client.get_firmware(PLUG), PRODUCT_IOT_CORE),
    "start": (lambda client: client.start_firmware_update(PLUG, 0), PRODUCT_IOT_CORE),
    "progress": (lambda client: client.get_firmware_progress(PLUG, 0), PRODUCT_IOT_CORE),
}


@pytest.fixture
def outcomes() -> list[tuple[str, TuyaCloudError | None]]:
    return []


@pytest.fixture
async def client(
    sim: TuyaCloudSimulator, clock: FakeClock, outcomes: list[tuple[str, TuyaCloudError | None]]
) -> AsyncGenerator[TuyaCloudClient]:
    async with aiohttp.ClientSession() as session:
        yield TuyaCloudClient(
            session,
            sim.url,
            ACCESS_ID,
            ACCESS_SECRET,
            clock=clock,
            call_observer=lambda product, error: outcomes.append((product, error)),
        )


@pytest.mark.parametrize(
    ("code", "error_type", "message"),
    [
        (28841002, TuyaTrialExpiredError, "subscription to cloud development plan has expired"),
        (28841004, TuyaQuotaExhaustedError, "quota is exhausted"),
        (1114, TuyaIpNotAllowedError, "IP not allowed"),
        (2406, TuyaPermissionError, "skill id invalid"),
    ],
)
async def test_each_code_its_exception(
    client: TuyaCloudClient,
    sim: TuyaCloudSimulator,
    code: int,
    error_type: type[TuyaApiError],
    message: str,
) -> None:
    sim.fail_next("/homes", code=code)
    with pytest.raises(error_type) as err:
        await client.get_homes(UID)
    assert type(err.value) is error_type
    assert isinstance(err.value, TuyaApiError)
    assert err.value.code == code
    assert message in err.value.msg


async def test_ip_not_allowed_is_no_permission_error(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    """1114 is the project's allow-list, not the account: it must not read as a wrong UID."""
    sim.fail_next("/homes", code=1114)
    with pytest.raises(TuyaIpNotAllowedError) as err:
        await client.get_homes(UID)
    assert not isinstance(err.value, TuyaPermissionError)
    assert not isinstance(err.value, TuyaAccountError)


@pytest.mark.parametrize("code", [28841101, 28841105])
@pytest.mark.parametrize("call", list(CALLS))
async def test_not_subscribed_names_call_and_product(
    client: TuyaCloudClient, sim: TuyaCloudSimulator, code: int, call: str
) -> None:
    """The refused call and the product it needs, for each call and each of the two codes."""
    make_call, product = CALLS[call]
    await client.authenticate()
    sim.fail_next(code=code)
    with pytest.raises(TuyaApiNotSubscribedError) as err:
        await make_call(client)
    assert err.value.code == code
    assert err.value.product == product
    path = sim.calls[-1].path
    assert err.value.call == f"{sim.calls[-1].method} {path}"
    assert product in str(err.value)
    assert path in str(err.value)
    assert isinstance(err.value, TuyaAccountError)


def test_api_product_of_paths() -> None:
    assert api_product(f"/v2.0/cloud/thing/{PLUG}/firmware/9/progress") == "IoT Core"
    assert api_product(f"/v1.0/homes/{HOME_ID}/devices") == "Smart Home Basic Service"
    assert api_product(f"/v1.0/users/{UID}/homes") == "Smart Home Basic Service"


async def test_spent_quota_is_never_retried(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    """Every call fails until the month turns: one request, no retry, no new token."""
    await client.authenticate()
    sim.exhaust_quota()
    sim.reset_calls()
    with pytest.raises(TuyaQuotaExhaustedError):
        await client.get_firmware(PLUG)
    assert [(call.kind, call.code) for call in sim.calls] == [("firmware", 28841004)]


async def test_account_error_on_refresh_takes_no_new_token(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    """A refused refresh normally falls back to a new token; for the quota that is waste."""
    await client.authenticate()
    sim.expire_tokens()
    sim.fail_next("/v1.0/token/", code=28841004)
    sim.reset_calls()
    with pytest.raises(TuyaQuotaExhaustedError):
        await client.get_homes(UID)
    assert [call.path.startswith("/v1.0/token/") for call in sim.calls] == [False, True]


async def test_observer_hears_every_business_call(
    client: TuyaCloudClient,
    sim: TuyaCloudSimulator,
    outcomes: list[tuple[str, TuyaCloudError | None]],
) -> None:
    """Successes and failures with their product; token calls are not business calls."""
    await client.get_homes(UID)
    await client.get_firmware(PLUG)
    sim.fail_next("/firmware", code=28841101)
    with pytest.raises(TuyaApiNotSubscribedError):
        await client.get_firmware(PLUG)
    sim.fail_next("/members", http_status=502)
    with pytest.raises(TuyaConnectionError):
        await client.get_home_members(HOME_ID)
    assert [(product, type(error)) for product, error in outcomes] == [
        (PRODUCT_SMART_HOME, type(None)),
        (PRODUCT_IOT_CORE, type(None)),
        (PRODUCT_IOT_CORE, TuyaApiNotSubscribedError),
        (PRODUCT_SMART_HOME, TuyaConnectionError),
    ]
    assert sim.call_count("/v1.0/token") == 1


async def test_project_without_iot_core(client: TuyaCloudClient, sim: TuyaCloudSimulator) -> None:
    """Homes, members and devices answer; every firmware call is refused."""
    sim.unsubscribe(IOT_CORE)
    assert await client.get_homes(UID)
    assert await client.get_home_devices(HOME_ID)
    for call in ("firmware", "start", "progress"):
        with pytest.raises(TuyaApiNotSubscribedError) as err:
            await CALLS[call][0](client)
        assert err.value.product == "IoT Core"
    sim.subscribe(IOT_CORE)
    assert await client.get_firmware(PLUG)


async def test_expired_trial_refuses_every_business_call(
    client: TuyaCloudClient, sim: TuyaCloudSimulator
) -> None:
    sim.expire_trial()
    for make_call, _ in CALLS.values():
        with pytest.raises(TuyaTrialExpiredError):
            await make_call(client)
    sim.renew_trial()
    assert await client.get_homes(UID)


def test_singapore_is_offered() -> None:
    assert DATA_CENTRES["https://openapi-sg.iotbing.com"] == "Singapore"
    assert all(validate_endpoint(url) == url for url in DATA_CENTRES)
    assert len(DATA_CENTRES) == 7
