"""Builders for fault rules (docs/faults.md). Each returns a `Rule`, a plain dict that
`Control.add_fault` (and the `notify_sim_fault` pytest marker) accepts:

    from notify_sim import faults
    faults.ses.throttling(first=1)            # the next SES request is throttled
    faults.refuse(service="ses", first=3)     # the next three SES connections are refused
    faults.delay(ms=200, operation="SendEmail")

Every builder takes the same keyword arguments:

- selector (`match`): service, operation, recipient (a glob), provider, az;
- trigger: first, every, after, from_ms, until_ms, probability;
- id, description, enabled.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

_MATCH_KEYS = ("service", "operation", "recipient", "provider", "az")
_TRIGGER_KEYS = ("first", "every", "after", "from_ms", "until_ms", "probability")


class Rule(dict):
    """A fault rule as the control API takes it: {"id"?, "match"?, "action", "trigger"?}."""

    @property
    def action(self) -> Dict[str, Any]:
        return self["action"]


def rule(action: Dict[str, Any], *, id: Optional[str] = None,
         description: Optional[str] = None, enabled: Optional[bool] = None,
         match: Optional[Dict[str, Any]] = None, trigger: Optional[Dict[str, Any]] = None,
         **selector_and_trigger: Any) -> Rule:
    """A rule from an action and the selector and trigger keywords listed in the module help.
    `match=` and `trigger=` dicts may be given instead of (or as well as) the keywords."""
    m = dict(match or {})
    t = dict(trigger or {})
    for key, value in selector_and_trigger.items():
        if value is None:
            continue
        if key in _MATCH_KEYS:
            m[key] = value
        elif key in _TRIGGER_KEYS:
            t[key] = value
        else:
            raise TypeError("unknown fault keyword %r; expected one of %s"
                            % (key, ", ".join(_MATCH_KEYS + _TRIGGER_KEYS)))
    r = Rule()
    if id is not None:
        r["id"] = id
    if description is not None:
        r["description"] = description
    if m:
        r["match"] = m
    r["action"] = dict(action)
    if t:
        r["trigger"] = t
    if enabled is not None:
        r["enabled"] = enabled
    return r


def error(name: str, **kwargs: Any) -> Rule:
    """The stub answers with the provider error `name` (e.g. "ses.throttling") in the
    request's own protocol. Selects the error's service unless `service=` says otherwise."""
    kwargs.setdefault("service", name.split(".", 1)[0])
    return rule({"type": "error", "name": name}, **kwargs)


def refuse(**kwargs: Any) -> Rule:
    """Connections are refused (a whole service: the listener closes, ECONNREFUSED)."""
    return rule({"type": "refuse"}, **kwargs)


def reset(**kwargs: Any) -> Rule:
    """Connections are aborted with a TCP RST."""
    return rule({"type": "reset"}, **kwargs)


def hang(**kwargs: Any) -> Rule:
    """No answer: the connection stays open until the client gives up."""
    return rule({"type": "hang"}, **kwargs)


def truncate(**kwargs: Any) -> Rule:
    """The answer is cut off halfway through its body."""
    return rule({"type": "truncate"}, **kwargs)


def delay(ms: Optional[float] = None, *, distribution: str = "fixed",
          min_ms: Optional[float] = None, max_ms: Optional[float] = None,
          median_ms: Optional[float] = None, sigma: Optional[float] = None,
          **kwargs: Any) -> Rule:
    """The answer is sent late: fixed `ms`, uniform `min_ms`..`max_ms`, or lognormal
    `median_ms` (`sigma`)."""
    action: Dict[str, Any] = {"type": "delay", "distribution": distribution}
    for key, value in (("ms", ms), ("min_ms", min_ms), ("max_ms", max_ms),
                       ("median_ms", median_ms), ("sigma", sigma)):
        if value is not None:
            action[key] = value
    return rule(action, **kwargs)


def az_outage(az: str, service: str = "cbc", **kwargs: Any) -> Rule:
    """Every connection through one availability zone is refused: by default the CBC listeners
    on that AZ path (add provider="ee" for one operator), so the proxy Lambdas of that AZ raise
    CBCNewConnectionError and Notify fails over (docs/faults.md, docs/stubs/cbc.md)."""
    return rule({"type": "refuse"}, service=service, az=az, **kwargs)


class _Ses:
    """SES's named errors (docs/stubs/ses.md). Each answers in the request's own protocol:
    v1 XML, v2 JSON, or Notify's /ses contract."""

    @staticmethod
    def throttling(**kwargs: Any) -> Rule:
        """v1 400 Throttling "Maximum sending rate exceeded."; v2 429 TooManyRequestsException."""
        return error("ses.throttling", **kwargs)

    @staticmethod
    def daily_quota(**kwargs: Any) -> Rule:
        """v1 400 Throttling "Daily message quota exceeded."; v2 429."""
        return error("ses.daily_quota", **kwargs)

    @staticmethod
    def header_too_long(**kwargs: Any) -> Rule:
        """400 InvalidParameterValue "Header too long: 'Subject'" (v2: BadRequestException)."""
        return error("ses.header_too_long", **kwargs)

    @staticmethod
    def message_rejected(**kwargs: Any) -> Rule:
        """400 MessageRejected "Email address is not verified. ..."."""
        return error("ses.message_rejected", **kwargs)

    @staticmethod
    def service_unavailable(**kwargs: Any) -> Rule:
        """503 ServiceUnavailable."""
        return error("ses.service_unavailable", **kwargs)

    @staticmethod
    def internal_failure(**kwargs: Any) -> Rule:
        """500 InternalFailure."""
        return error("ses.internal_failure", **kwargs)

    @staticmethod
    def event_drop(**kwargs: Any) -> Rule:
        """The send succeeds; its delivery events are never sent."""
        return error("ses.event_drop", **kwargs)

    @staticmethod
    def event_duplicate(**kwargs: Any) -> Rule:
        """The send succeeds; each delivery event is sent twice (an SNS redelivery)."""
        return error("ses.event_duplicate", **kwargs)

    @staticmethod
    def refuse(**kwargs: Any) -> Rule:
        """SES's listener refuses connections."""
        return refuse(service="ses", **kwargs)

    @staticmethod
    def reset(**kwargs: Any) -> Rule:
        """SES connections are reset."""
        return reset(service="ses", **kwargs)

    @staticmethod
    def hang(**kwargs: Any) -> Rule:
        """SES never answers."""
        return hang(service="ses", **kwargs)


ses = _Ses()
