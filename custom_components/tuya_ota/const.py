"""Constants of the Tuya Firmware Updates integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "tuya_ota"
LOGGER = logging.getLogger(__package__)

CONF_ENDPOINT: Final = "endpoint"
CONF_ACCESS_ID: Final = "access_id"
CONF_ACCESS_SECRET: Final = "access_secret"
CONF_UID: Final = "uid"
CONF_HOME_ID: Final = "home_id"

CONF_MAX_PARALLEL: Final = "max_parallel"
CONF_SCAN_INTERVAL_MINUTES: Final = "scan_interval_minutes"
CONF_FIRMWARE_CHECK_HOURS: Final = "firmware_check_hours"
CONF_PILOT_PER_PRODUCT: Final = "pilot_per_product"
CONF_MONTHLY_CALL_BUDGET: Final = "monthly_call_budget"

# ./scripts/bench api measures what these cost on homes whose devices share products: about
# 1,400 calls a month for 50 devices of 12 products, 2,850 for 200 devices of 30 products.
# Devices of one product with the same installed versions form a group: one of them is read
# every firmware period (11 h leaves an hour on the 12 h goal to notice new firmware) and
# the others right after it shows an offer; every device is also read on its own about once a
# week (SLOW_CHECK_PERIOD), which finds staged rollouts that reach only some of a group.
DEFAULT_MAX_PARALLEL: Final = 3
DEFAULT_SCAN_INTERVAL_MINUTES: Final = 360
DEFAULT_FIRMWARE_CHECK_HOURS: Final = 11
DEFAULT_MONTHLY_CALL_BUDGET: Final = 10000
# One device of a product updates first in a run, the others once it succeeded and is back.
DEFAULT_PILOT_PER_PRODUCT: Final = True
MAX_PARALLEL_RANGE: Final = (1, 10)
SCAN_INTERVAL_RANGE: Final = (5, 1440)
FIRMWARE_CHECK_RANGE: Final = (1, 168)
MONTHLY_CALL_BUDGET_RANGE: Final = (100, 1000000)

# Each device is read on its own at least about this often (a week, less one firmware period
# and the rounding to bursts), whatever its group does.
SLOW_CHECK_PERIOD: Final = timedelta(days=6)
# Scheduled reads come in bursts at most this far apart, a few per firmware period, so that
# a burst's reads share one token (a token lives two hours).
MAX_BURST_SPACING: Final = timedelta(hours=4)
# After a failed device-list refresh the next try comes this soon, doubling up to the period.
REFRESH_RETRY: Final = timedelta(minutes=5)
# During a bulk run the role is read again when the last read is older than this.
ROLE_FRESHNESS: Final = timedelta(minutes=10)

# Firmware reads of devices never read before are spaced by this much, so that a new entry
# shows every device's versions within minutes without a burst of calls.
FIRMWARE_READ_SPACING: Final = timedelta(seconds=0.5)
# An update the cloud no longer reports updating (no answer, another status) times out after
# this, or after the firmware's `timeout` when longer (its unit is undocumented: 60 in the
# documentation's example, so it never shortens this).
DEFAULT_UPDATE_TIMEOUT: Final = timedelta(minutes=20)
# An update the cloud keeps reporting updating is followed up to this long, unless the cloud
# ends it itself (7): Zigbee and Bluetooth updates behind a busy gateway can take an hour.
UPDATE_SAFETY_LIMIT: Final = timedelta(hours=6)
# A sleeping (low-power) device starts its update only when it wakes up.
LOW_POWER_WAKE_ALLOWANCE: Final = timedelta(hours=1)

# A cloud call that has not answered by then fails as a connection error.
REQUEST_TIMEOUT_S: Final = 20.0

EVENT_UPDATE_FINISHED: Final = "tuya_ota_update_finished"
SERVICE_UPDATE_ALL: Final = "update_all"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_WAIT: Final = "wait"

TUYA_CORE_DOMAIN: Final = "tuya"

DATA_CENTRES: Final = {
    "https://openapi.tuyacn.com": "China",
    "https://openapi.tuyaus.com": "Western America",
    "https://openapi-ueaz.tuyaus.com": "Eastern America",
    "https://openapi.tuyaeu.com": "Central Europe",
    "https://openapi-weaz.tuyaeu.com": "Western Europe",
    "https://openapi.tuyain.com": "India",
    "https://openapi-sg.iotbing.com": "Singapore",
}
