"""One device of a product first: a bad firmware reaches one device, not all of them.

While the queue holds several devices of one product, one of them updates first (the pilot).
Its product is proven once an update of it succeeded in this run and its device is back
online; then the others follow. A pilot that fails, times out or does not come back holds the
rest of its product for the rest of the run, and a repair issue names product and pilot until
an update of that product succeeds. A run ends when the queue is empty.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from .account_issues import async_sync_issue
from .storage import TuyaOtaStore

ISSUE_PILOT_FAILED = "pilot_failed"


def pilot_issue_id(entry_id: str, product_id: str) -> str:
    """The repair issue of one product whose pilot failed."""
    return f"{ISSUE_PILOT_FAILED}_{entry_id}_{product_id}"


class ProductPilots:
    """Which products of the run are proven or held, and the repair issues of failed pilots."""

    def __init__(
        self, hass: HomeAssistant, store: TuyaOtaStore, entry_id: str, *, enabled: bool
    ) -> None:
        """Take up the run's state stored before a restart, and show its issues again."""
        self._hass = hass
        self._store = store
        self._entry_id = entry_id
        self.enabled = enabled
        for product_id in store.safety["failed_pilots"]:
            self._sync_issue(product_id)

    def is_proven(self, product_id: str) -> bool:
        """Whether the product's devices may update side by side in this run."""
        return not self.enabled or not product_id or product_id in self._store.safety["proven"]

    def is_held(self, product_id: str) -> bool:
        """Whether the product's pilot failed in this run."""
        return self.enabled and product_id in self._store.safety["held"]

    @callback
    def async_proven(self, product_id: str) -> None:
        """An update of the product succeeded and its device is back: the others may follow."""
        safety = self._store.safety
        if product_id and product_id not in safety["proven"]:
            safety["proven"].append(product_id)
        if safety["failed_pilots"].pop(product_id, None) is not None:
            self._sync_issue(product_id)
        self._store.safety_changed()

    @callback
    def async_failed(self, product_id: str, product: str, pilot: str) -> None:
        """The product's pilot failed: the rest of the product is held for this run."""
        safety = self._store.safety
        if product_id not in safety["held"]:
            safety["held"].append(product_id)
        safety["failed_pilots"][product_id] = {"product": product, "pilot": pilot}
        self._store.safety_changed()
        self._sync_issue(product_id)

    @callback
    def async_end_run(self) -> None:
        """The queue is empty: the next run proves each product again."""
        safety = self._store.safety
        if safety["proven"] or safety["held"]:
            safety["proven"].clear()
            safety["held"].clear()
            self._store.safety_changed()

    def _sync_issue(self, product_id: str) -> None:
        failure = self._store.safety["failed_pilots"].get(product_id)
        async_sync_issue(
            self._hass,
            pilot_issue_id(self._entry_id, product_id),
            failure is not None,
            translation_key=ISSUE_PILOT_FAILED,
            translation_placeholders={
                "product": failure["product"] if failure else "",
                "pilot": failure["pilot"] if failure else "",
            },
            config_entry_id=self._entry_id,
        )
