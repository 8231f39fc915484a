"""The call recorder: every request the simulator answered, and every start it accepted."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SimCall:
    """One request the simulator answered: ``code`` 0 is success, else the failure code.

    Raw HTTP failures (``fail_next(http_status=...)`` without a code) record the HTTP status
    as the code.
    """

    method: str
    path: str
    time: float
    code: int
    http_status: int = 200

    @property
    def kind(self) -> str:
        """What the call was for: token, progress, start, firmware, details, batch, homes..."""
        if self.path.startswith("/v1.0/token"):
            return "token"
        if self.path.endswith("/progress"):
            return "progress"
        if "/firmware/" in self.path and self.method == "POST":
            return "start"
        if self.path.endswith("/firmware"):
            return "firmware"
        if self.path.startswith("/v2.0/cloud/thing/") and self.path.count("/") == 4:
            return "batch" if self.path.endswith("/batch") else "details"
        return self.path.rsplit("/", 1)[-1]


@dataclass
class CallRecorder:
    """What tests count: the answered requests and the accepted start calls, in order."""

    calls: list[SimCall] = field(default_factory=list)
    start_calls: list[tuple[str, int, float]] = field(default_factory=list)

    def call_count(self, path_contains: str | None = None, method: str | None = None) -> int:
        """Count the recorded requests whose path contains ``path_contains``."""
        return sum(
            1
            for call in self.calls
            if (path_contains is None or path_contains in call.path)
            and (method is None or call.method == method.upper())
        )

    def reset(self) -> None:
        """Forget the recorded requests and start calls."""
        self.calls.clear()
        self.start_calls.clear()
