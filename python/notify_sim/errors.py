"""Exceptions raised by the notify_sim package."""

from __future__ import annotations

from typing import Any, Dict, List, Optional


class NotifySimError(Exception):
    """Base class of every error this package raises."""


class BinaryNotFound(NotifySimError):
    """The notify-sim executable is not where this package looked; the message lists where."""

    def __init__(self, looked_in: List[str]):
        self.looked_in = list(looked_in)
        lines = "\n".join("  - " + place for place in self.looked_in)
        super().__init__(
            "notify-sim executable not found. Looked in:\n" + lines + "\n"
            "Build it (bash scripts/build.sh) or set NOTIFY_SIM_BIN to its path.")


class ServerStartError(NotifySimError):
    """`notify-sim serve` exited, or did not become healthy in time. Carries its output."""

    def __init__(self, message: str, output: str = ""):
        self.output = output
        super().__init__(message + ("\n--- notify-sim output ---\n" + output if output else ""))


class ControlApiError(NotifySimError):
    """The control API answered with an error. `message` is the server's own text, `field` the
    input field it blames (when it names one) and `status` the HTTP status."""

    def __init__(self, method: str, path: str, status: int, message: str,
                 field: Optional[str] = None, body: Any = None):
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        self.field = field
        self.body = body
        where = " (field %s)" % field if field else ""
        super().__init__("%s %s: %d %s%s" % (method, path, status, message, where))


class JournalWaitTimeout(ControlApiError, AssertionError):
    """`wait_for` ran out of time before enough journal entries matched. It is also an
    AssertionError, so pytest reports it as a failed expectation. `entries` are those that did
    match when the time ran out."""

    def __init__(self, method: str, path: str, wanted: int, filters: Dict[str, Any],
                 entries: List[Any], timeout: float):
        self.wanted = wanted
        self.filters = dict(filters)
        self.entries = list(entries)
        self.timeout = timeout
        message = ("waited %.3g s for %d journal entr%s matching %s; found %d"
                   % (timeout, wanted, "y" if wanted == 1 else "ies",
                      filters or "anything", len(self.entries)))
        super().__init__(method, path, 408, message, None, None)
