"""A typed client for the control API on notify-sim's admin port (docs/control-api.md)."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from .errors import ControlApiError, JournalWaitTimeout
from .faults import Rule

# The server never holds a /journal/wait longer than this (docs/control-api.md).
WAIT_TIMEOUT_MAX_S = 60.0
_HTTP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class JournalEntry:
    """One request that reached the edge. `raw` keeps every field the server sent."""

    seq: int
    at: str
    service: str
    operation: str
    recipient: str
    reference: str
    status: int
    outcome: str
    faults: Tuple[str, ...]
    method: str = ""
    target: str = ""
    provider: str = ""
    az: str = ""
    request_body: str = ""
    response_body: str = ""
    direction: str = "in"  # "in": a request a stub received; "out": one a stub sent
    parent: int = 0  # seq of the request that caused this one (a receipt, a CBC call); 0: none
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "JournalEntry":
        return cls(seq=int(j.get("seq", 0)), at=str(j.get("at", "")),
                   service=str(j.get("service", "")), operation=str(j.get("operation", "")),
                   recipient=str(j.get("recipient", "")), reference=str(j.get("reference", "")),
                   status=int(j.get("status", 0)), outcome=str(j.get("outcome", "")),
                   faults=tuple(j.get("faults", ())), method=str(j.get("method", "")),
                   target=str(j.get("target", "")), provider=str(j.get("provider", "")),
                   az=str(j.get("az", "")), request_body=str(j.get("request_body", "")),
                   response_body=str(j.get("response_body", "")),
                   direction=str(j.get("direction", "in")), parent=int(j.get("parent", 0) or 0),
                   raw=dict(j))


@dataclass(frozen=True)
class Firing:
    """One time a fault rule fired."""

    rule_id: str
    request_seq: int
    at: str
    action: str

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "Firing":
        return cls(rule_id=str(j.get("rule_id", "")), request_seq=int(j.get("request_seq", 0)),
                   at=str(j.get("at", "")), action=str(j.get("action", "")))


@dataclass(frozen=True)
class Sample:
    name: str
    labels: Dict[str, str]
    value: float


class Metrics:
    """GET /metrics, parsed. `value("notify_sim_requests_total", service="ses")` is one
    sample's value (0.0 when absent); `samples` lists them all; `text` is the raw answer."""

    _LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
    _LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')

    def __init__(self, text: str):
        self.text = text
        self.samples: List[Sample] = []
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            m = self._LINE.match(line)
            if not m:
                continue
            labels = {k: bytes(v, "utf-8").decode("unicode_escape")
                      for k, v in self._LABEL.findall(m.group(2) or "")}
            self.samples.append(Sample(m.group(1), labels, float(m.group(3))))

    def value(self, name: str, **labels: str) -> float:
        for s in self.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
        return 0.0

    def __iter__(self) -> Iterator[Sample]:
        return iter(self.samples)


class FaultHandle:
    """A rule added with `Control.add_fault`. `remove()` deletes it (a no-op if it is already
    gone, e.g. after a reset); as a context manager it removes itself on exit."""

    def __init__(self, control: "Control", rule_id: str):
        self.control = control
        self.id = rule_id

    def remove(self) -> None:
        try:
            self.control._call("DELETE", "/faults/" + urllib.parse.quote(self.id, safe=""))
        except ControlApiError as e:
            if e.status != 404:
                raise

    def rule(self) -> Dict[str, Any]:
        """The rule as the server holds it now."""
        return self.control._call("GET", "/faults/" + urllib.parse.quote(self.id, safe=""))

    def firings(self) -> List[Firing]:
        """The firings of this rule (of the latest 1000 the server lists)."""
        return [f for f in self.control.firings() if f.rule_id == self.id]

    def __enter__(self) -> "FaultHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()

    def __repr__(self) -> str:
        return "FaultHandle(%r)" % self.id


_FILTERS = ("service", "operation", "recipient", "reference", "outcome")


def _filters(service: Optional[str], operation: Optional[str], recipient: Optional[str],
             reference: Optional[str], outcome: Optional[str], since: Optional[float],
             until: Optional[float]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in zip(_FILTERS, (service, operation, recipient, reference, outcome)):
        if value is not None:
            out[key] = value
    if since is not None:
        out["since_ms"] = since
    if until is not None:
        out["until_ms"] = until
    return out


class Control:
    """The control API of one running server, at `admin_url` (e.g. http://127.0.0.1:4567)."""

    def __init__(self, admin_url: str, timeout: float = _HTTP_TIMEOUT_S,
                 token: Optional[str] = None):
        self.admin_url = admin_url.rstrip("/")
        self.timeout = timeout
        # serve's --admin-token; a control API beyond loopback needs it on every call.
        self.token = token if token is not None else os.environ.get("NOTIFY_SIM_ADMIN_TOKEN")

    # --- transport ---------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: Any = None,
                 timeout: Optional[float] = None) -> Tuple[int, str]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.admin_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as e:
            # No answer at all: one error naming the URL, rather than a socket traceback.
            reason = getattr(e, "reason", e)
            raise ControlApiError(method, path, 0, "no control API answered at %s (%s); is "
                                  "serve running, and is NOTIFY_SIM_ADMIN_URL right?"
                                  % (self.admin_url, reason)) from None

    def _call(self, method: str, path: str, body: Any = None,
              timeout: Optional[float] = None) -> Any:
        status, text = self._request(method, path, body, timeout)
        parsed: Any = None
        if text.strip():
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = text
        if status >= 400:
            message, fld = text.strip(), None
            if isinstance(parsed, dict):
                message = str(parsed.get("error", message))
                fld = parsed.get("field")
            raise ControlApiError(method, path, status, message, fld, parsed)
        return parsed

    # --- server ------------------------------------------------------------------------------

    def health(self) -> Dict[str, Any]:
        """GET /health: {"status": "ok", "services": [...], ...}."""
        return self._call("GET", "/health")

    def reset(self) -> None:
        """Clears the journal, every fault rule, the firings, the stubs' state and the metrics."""
        self._call("POST", "/reset", {})

    def metrics(self) -> Metrics:
        status, text = self._request("GET", "/metrics")
        if status >= 400:
            raise ControlApiError("GET", "/metrics", status, text.strip())
        return Metrics(text)

    # --- faults ------------------------------------------------------------------------------

    def add_fault(self, rule: Union[Rule, Mapping[str, Any], None] = None, *,
                  action: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> FaultHandle:
        """Adds one rule and returns its handle. Give a rule (see `notify_sim.faults`), or an
        `action=` with the same keywords the builders take:

            sim.add_fault(faults.ses.throttling(first=1))
            sim.add_fault(action={"type": "hang"}, service="ses", first=1)
        """
        if rule is None:
            if action is None:
                raise TypeError("add_fault needs a rule or an action=")
            from .faults import rule as build
            rule = build(dict(action), **kwargs)
        elif action is not None or kwargs:
            raise TypeError("add_fault takes a rule, or action= with keywords, not both")
        ids = self._call("POST", "/faults", dict(rule))["ids"]
        return FaultHandle(self, ids[0])

    def add_faults(self, rules: Iterable[Mapping[str, Any]]) -> List[FaultHandle]:
        """Adds several rules at once (all or nothing)."""
        ids = self._call("POST", "/faults", {"faults": [dict(r) for r in rules]})["ids"]
        return [FaultHandle(self, i) for i in ids]

    def faults(self) -> List[Dict[str, Any]]:
        """The rules the server holds."""
        return self._call("GET", "/faults")["faults"]

    def remove_fault(self, rule_id: str) -> None:
        FaultHandle(self, rule_id).remove()

    def clear_faults(self) -> int:
        """Removes every rule (firings are kept); returns how many were removed."""
        return int(self._call("DELETE", "/faults")["deleted"])

    def firings(self) -> List[Firing]:
        """The latest 1000 fault firings, oldest first."""
        return [Firing.from_json(f) for f in self._call("GET", "/faults")["firings"]]

    def fired_count(self) -> int:
        return int(self._call("GET", "/faults")["fired_count"])

    # --- journal -----------------------------------------------------------------------------

    def journal(self, service: Optional[str] = None, operation: Optional[str] = None,
                recipient: Optional[str] = None, reference: Optional[str] = None,
                outcome: Optional[str] = None, since: Optional[float] = None,
                until: Optional[float] = None, limit: Optional[int] = None
                ) -> List[JournalEntry]:
        """Journal entries, oldest first. Filters are exact; `since`/`until` are milliseconds
        since the server started or was last reset; `limit` keeps the newest N."""
        query = _filters(service, operation, recipient, reference, outcome, since, until)
        if limit is not None:
            query["limit"] = limit
        path = "/journal" + ("?" + urllib.parse.urlencode(query) if query else "")
        return [JournalEntry.from_json(e) for e in self._call("GET", path)["entries"]]

    def wait_for(self, count: int = 1, timeout: float = 5.0, service: Optional[str] = None,
                 operation: Optional[str] = None, recipient: Optional[str] = None,
                 reference: Optional[str] = None, outcome: Optional[str] = None,
                 since: Optional[float] = None, until: Optional[float] = None
                 ) -> List[JournalEntry]:
        """Waits (on the server, up to `timeout` seconds, at most 60) until at least `count`
        journal entries match, and returns the matching entries. Raises JournalWaitTimeout
        (an AssertionError) with the entries found so far when time runs out."""
        if timeout < 0 or timeout > WAIT_TIMEOUT_MAX_S:
            raise ValueError("timeout must be between 0 and %g seconds" % WAIT_TIMEOUT_MAX_S)
        filters = _filters(service, operation, recipient, reference, outcome, since, until)
        body = dict(filters, count=count, timeout_ms=int(round(timeout * 1000)))
        status, text = self._request("POST", "/journal/wait", body,
                                     timeout=timeout + self.timeout)
        parsed = json.loads(text) if text.strip() else {}
        entries = [JournalEntry.from_json(e) for e in parsed.get("entries", [])]
        if status == 408:
            raise JournalWaitTimeout("POST", "/journal/wait", count, filters, entries, timeout)
        if status >= 400:
            raise ControlApiError("POST", "/journal/wait", status,
                                  str(parsed.get("error", text.strip())), parsed.get("field"),
                                  parsed)
        return entries
