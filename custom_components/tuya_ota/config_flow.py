"""Config flow: authenticate the cloud project, pick the home, check the role and the firmware.

Every call of the flow answers in a form error that says what to fix, so that a project
lacking a product (or a trial, or its quota) fails here and not after setup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .compat import ReloadingOptionsFlow, vol
from .const import (
    CONF_ACCESS_ID,
    CONF_ACCESS_SECRET,
    CONF_ENDPOINT,
    CONF_FIRMWARE_CHECK_HOURS,
    CONF_HOME_ID,
    CONF_MAX_PARALLEL,
    CONF_MONTHLY_CALL_BUDGET,
    CONF_PILOT_PER_PRODUCT,
    CONF_SCAN_INTERVAL_MINUTES,
    CONF_UID,
    DATA_CENTRES,
    DEFAULT_FIRMWARE_CHECK_HOURS,
    DEFAULT_MAX_PARALLEL,
    DEFAULT_MONTHLY_CALL_BUDGET,
    DEFAULT_PILOT_PER_PRODUCT,
    DEFAULT_SCAN_INTERVAL_MINUTES,
    DOMAIN,
    FIRMWARE_CHECK_RANGE,
    LOGGER,
    MAX_PARALLEL_RANGE,
    MONTHLY_CALL_BUDGET_RANGE,
    SCAN_INTERVAL_RANGE,
)
from .coordinator import role_of
from .errors import error_key, error_placeholders
from .tuya_cloud import (
    Home,
    Role,
    TuyaCloudClient,
    TuyaCloudError,
    TuyaDeviceNotFoundError,
    TuyaDeviceOfflineError,
    TuyaResponseError,
)

SECRET_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


def _user_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_ENDPOINT, default=defaults.get(CONF_ENDPOINT, next(iter(DATA_CENTRES)))
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(value=url, label=f"{name} ({url})")
                        for url, name in DATA_CENTRES.items()
                    ],
                    custom_value=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Required(CONF_ACCESS_ID, default=defaults.get(CONF_ACCESS_ID, "")): str,
            vol.Required(CONF_ACCESS_SECRET): SECRET_SELECTOR,
            vol.Required(CONF_UID, default=defaults.get(CONF_UID, "")): str,
        }
    )


class TuyaOtaConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up one home of a Tuya cloud project."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with nothing known."""
        self._input: dict[str, Any] = {}
        self._client: TuyaCloudClient | None = None
        self._homes: dict[int, Home] = {}
        self._role = Role.MEMBER
        # What the last form error names (the product a refused call needs).
        self._placeholders: dict[str, str] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> TuyaOtaOptionsFlow:
        """The options: parallel updates, cadences and the call budget."""
        return TuyaOtaOptionsFlow()

    def _form_error(self, err: TuyaCloudError) -> str:
        """The form error for a failed call, logged, with what its message names."""
        LOGGER.debug("Cloud check failed: %s", err)
        self._placeholders = error_placeholders(err)
        return error_key(err)

    async def _async_list_homes(self, user_input: dict[str, Any]) -> str | None:
        """Authenticate and list the user's homes; the form error on failure."""
        self._placeholders = {}
        try:
            client = TuyaCloudClient(
                async_get_clientsession(self.hass),
                user_input[CONF_ENDPOINT].strip(),
                user_input[CONF_ACCESS_ID].strip(),
                user_input[CONF_ACCESS_SECRET].strip(),
            )
            homes = await client.get_homes(user_input[CONF_UID].strip())
        except TuyaCloudError as err:
            return self._form_error(err)
        self._client = client
        self._input = {
            CONF_ENDPOINT: client.endpoint,
            CONF_ACCESS_ID: user_input[CONF_ACCESS_ID].strip(),
            CONF_ACCESS_SECRET: user_input[CONF_ACCESS_SECRET].strip(),
            CONF_UID: user_input[CONF_UID].strip(),
        }
        self._homes = {home.home_id: home for home in homes}
        return None

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the cloud project and the linked user."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if (error := await self._async_list_homes(user_input)) is not None:
                errors["base"] = error
            elif not self._homes:
                return self.async_abort(reason="no_homes")
            elif len(self._homes) == 1:
                home = next(iter(self._homes.values()))
                if (result := await self._async_create_for_home(home, errors)) is not None:
                    return result
            else:
                return await self.async_step_home()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _user_schema(user_input or {}), user_input or {}
            ),
            errors=errors,
            description_placeholders=self._placeholders,
        )

    async def async_step_home(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Pick one of the user's homes."""
        errors: dict[str, str] = {}
        if user_input is not None:
            home = self._homes[int(user_input[CONF_HOME_ID])]
            if (result := await self._async_create_for_home(home, errors)) is not None:
                return result
        options = [
            SelectOptionDict(value=str(home.home_id), label=home.name)
            for home in self._homes.values()
        ]
        return self.async_show_form(
            step_id="home",
            data_schema=vol.Schema(
                {vol.Required(CONF_HOME_ID): SelectSelector(SelectSelectorConfig(options=options))}
            ),
            errors=errors,
            description_placeholders=self._placeholders,
        )

    async def _async_create_for_home(
        self, home: Home, errors: dict[str, str]
    ) -> ConfigFlowResult | None:
        """Create the entry, or abort; None with ``errors`` set when a call failed."""
        await self.async_set_unique_id(str(home.home_id))
        self._abort_if_unique_id_configured()
        if (error := await self._async_check_home(home)) is not None:
            errors["base"] = error
            return None
        if not self._role.may_update:
            return self._abort_insufficient_role(home)
        return self.async_create_entry(
            title=home.name, data={**self._input, CONF_HOME_ID: home.home_id}
        )

    def _abort_insufficient_role(self, home: Home) -> ConfigFlowResult:
        return self.async_abort(
            reason="insufficient_role", description_placeholders={"home": home.name}
        )

    async def _async_check_home(self, home: Home) -> str | None:
        """Read the user's role in the home and, for an owner or admin, one device's firmware.

        The firmware read needs the project's IoT Core, which the other calls of the flow do
        not; the form error on failure.
        """
        if self._client is None:  # only reached after the homes were listed
            raise RuntimeError("home check before authentication")
        self._placeholders = {}
        try:
            members = await self._client.get_home_members(home.home_id)
            self._role = role_of(self._input[CONF_UID], members)
            if self._role.may_update:
                await self._async_read_one_firmware(home)
        except TuyaCloudError as err:
            return self._form_error(err)
        return None

    async def _async_read_one_firmware(self, home: Home) -> None:
        """Read the firmware of one device of the home (an online one when there is one).

        Only what says the project may not make the call counts: a device gone or offline
        meanwhile, or an answer of an unexpected shape, still shows that it may.
        """
        if self._client is None:  # only reached after the homes were listed
            raise RuntimeError("firmware check before authentication")
        devices = await self._client.get_home_devices(home.home_id)
        if not devices:
            return
        device = next((device for device in devices if device.online), devices[0])
        try:
            await self._client.get_firmware(device.device_id)
        except (TuyaDeviceNotFoundError, TuyaDeviceOfflineError, TuyaResponseError) as err:
            LOGGER.debug("Firmware of %s not read, the call is allowed: %s", device.name, err)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The cloud refused the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the Access Secret again; everything else is kept."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            error = await self._async_list_homes({**entry.data, **user_input})
            if error is None:
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_ACCESS_SECRET: self._input[CONF_ACCESS_SECRET]}
                )
            errors["base"] = error
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_ACCESS_SECRET): SECRET_SELECTOR}),
            description_placeholders={
                "access_id": entry.data[CONF_ACCESS_ID],
                **self._placeholders,
            },
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the data centre, the project or the user; the home stays the same."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            if (error := await self._async_list_homes(user_input)) is not None:
                errors["base"] = error
            elif (home := self._homes.get(entry.data[CONF_HOME_ID])) is None:
                errors["base"] = "home_not_found"
            elif (error := await self._async_check_home(home)) is not None:
                errors["base"] = error
            elif not self._role.may_update:
                return self._abort_insufficient_role(home)
            else:
                return self.async_update_reload_and_abort(entry, data_updates=self._input)
        defaults = {**entry.data, **(user_input or {})}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(_user_schema(defaults), defaults),
            errors=errors,
            description_placeholders=self._placeholders,
        )


def _number(low: int, high: int, unit: str | None = None) -> NumberSelector:
    config = NumberSelectorConfig(min=low, max=high, step=1, mode=NumberSelectorMode.BOX)
    if unit is not None:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


class TuyaOtaOptionsFlow(ReloadingOptionsFlow):
    """Parallel updates, how often the cloud is read, the call budget, a pilot per product."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the options; the entry reloads with them."""
        if user_input is not None:
            return self.async_create_entry(
                data={
                    key: value if isinstance(value, bool) else int(value)
                    for key, value in user_input.items()
                }
            )
        options = self.config_entry.options
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_MAX_PARALLEL, default=options.get(CONF_MAX_PARALLEL, DEFAULT_MAX_PARALLEL)
                ): _number(*MAX_PARALLEL_RANGE),
                vol.Required(
                    CONF_SCAN_INTERVAL_MINUTES,
                    default=options.get(CONF_SCAN_INTERVAL_MINUTES, DEFAULT_SCAN_INTERVAL_MINUTES),
                ): _number(*SCAN_INTERVAL_RANGE, "min"),
                vol.Required(
                    CONF_FIRMWARE_CHECK_HOURS,
                    default=options.get(CONF_FIRMWARE_CHECK_HOURS, DEFAULT_FIRMWARE_CHECK_HOURS),
                ): _number(*FIRMWARE_CHECK_RANGE, "h"),
                vol.Required(
                    CONF_MONTHLY_CALL_BUDGET,
                    default=options.get(CONF_MONTHLY_CALL_BUDGET, DEFAULT_MONTHLY_CALL_BUDGET),
                ): _number(*MONTHLY_CALL_BUDGET_RANGE),
                vol.Required(
                    CONF_PILOT_PER_PRODUCT,
                    default=options.get(CONF_PILOT_PER_PRODUCT, DEFAULT_PILOT_PER_PRODUCT),
                ): BooleanSelector(),
            }
        )
        return self.async_show_form(step_id="init", data_schema=schema)
