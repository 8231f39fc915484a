"""How whoever owns a change tells those who show it: one notifier per owner.

The firmware tracker owns one for the firmware it reads, the update queue one for its jobs
and the call budget one for its counts. A device's entity hears of its device's changes at
once; the summary sensors, which count over every device, once per burst of changes, since
recounting per change made a bulk run of 1,000 devices quadratic.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback


class ChangeNotifier:
    """Listeners of one owner's changes: of one device, of every device, or once per burst."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Bursts are ended by the event loop's next turn."""
        self._hass = hass
        self._device_listeners: dict[str, list[CALLBACK_TYPE]] = {}
        self._each_listeners: list[Callable[[str], None]] = []
        self._burst_listeners: list[CALLBACK_TYPE] = []
        self._burst_pending = False

    @callback
    def async_listen_device(self, device_id: str, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener`` at once whenever this device changes."""
        self._device_listeners.setdefault(device_id, []).append(listener)
        return lambda: self._device_listeners[device_id].remove(listener)

    @callback
    def async_listen_each(self, listener: Callable[[str], None]) -> CALLBACK_TYPE:
        """Call ``listener(device_id)`` at once whenever any device changes."""
        self._each_listeners.append(listener)
        return lambda: self._each_listeners.remove(listener)

    @callback
    def async_listen_burst(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener`` once after a burst of changes, whichever devices they were of."""
        self._burst_listeners.append(listener)
        return lambda: self._burst_listeners.remove(listener)

    @callback
    def async_notify(self, device_id: str | None = None) -> None:
        """Something changed: of ``device_id``, or of the owner as a whole."""
        if device_id is not None:
            for each in list(self._each_listeners):
                each(device_id)
            for listener in list(self._device_listeners.get(device_id, ())):
                listener()
        if not self._burst_pending:
            self._burst_pending = True
            self._hass.loop.call_soon(self._end_burst)

    @callback
    def _end_burst(self) -> None:
        self._burst_pending = False
        for listener in list(self._burst_listeners):
            listener()
