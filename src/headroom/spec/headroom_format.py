"""headroom's own spec format: one YAML document per service, read as it is written.

::

    service: checkout
    labels: {team: payments}          # service-wide, merged under each SLO's labels
    slos:
      - name: availability
        objective: 99.9%              # or 0.999, or "99.9%"
        window: 30d                   # or 4w, month, week, quarter, {calendar: month, timezone: UTC}
        sli:
          events: checkout            # the event stream, as named at ingest
          good: status < 500          # a filter over event fields (or bad: ...)
          total: method != "OPTIONS"  # optional: which events count (default: all)

A file may hold several services as several YAML documents (``---``) or as
``services: [{service: ..., slos: [...]}]``. ``docs/spec.md`` is the full reference.

Pure: the loader takes located trees (``locations.py``) and collects issues; it reads no
files. The ``sli:`` and ``alerting:`` blocks have modules of their own (``headroom_sli``,
``headroom_alerting``); the readers every format shares are in ``fields.py``.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import ValidationError

from headroom.spec.durations import DurationError, parse_duration_s
from headroom.spec.fields import (
    DEFAULT_WINDOW_S,
    check_labels,
    check_name,
    check_objective,
    check_timezone,
    parse_ratio_text,
    window_warnings,
)
from headroom.spec.headroom_alerting import parse_alerting
from headroom.spec.headroom_sli import parse_sli
from headroom.spec.locations import (
    Issues,
    YMap,
    YNode,
    YScalar,
    describe,
    field_path,
    get_map,
    get_scalar,
    get_seq,
    get_str,
    suggest,
)
from headroom.spec.model import (
    SLI,
    SLO,
    AlertingSpec,
    Budgeting,
    CalendarWindow,
    Occurrences,
    RollingWindow,
    SourceLocation,
    Timeslices,
    Window,
)
from headroom.spec.policy_spec import parse_policy

__all__ = ["build_slo", "load_headroom_document"]


_DOC_KEYS = ("service", "description", "labels", "slos", "policy")
_SLO_KEYS = ("name", "description", "objective", "window", "sli", "budgeting", "labels", "alerting")
_CALENDAR_UNITS = ("week", "month", "quarter")


def load_headroom_document(doc: YNode, issues: Issues) -> list[SLO]:
    """Every SLO of one headroom-format document (a service, or ``services: [...]``)."""
    if not isinstance(doc, YMap):
        issues.error(
            getattr(doc, "line", None),
            "",
            f"expected a mapping with service: and slos: but found {describe(doc)}",
            "start the document with service: <name>",
        )
        return []
    if "services" in doc:
        issues.check_keys(doc, "", ("services",))
        services = get_seq(issues, doc, "services", "")
        slos: list[SLO] = []
        for i, item in enumerate(services or ()):
            path = f"services[{i}]"
            if not isinstance(item, YMap):
                issues.error(item.line, path, f"expected a service mapping but found {describe(item)}")
                continue
            slos.extend(_load_service(item, issues, path))
        return slos
    return _load_service(doc, issues, "")


def _load_service(doc: YMap, issues: Issues, path: str) -> list[SLO]:
    issues.check_keys(doc, path, _DOC_KEYS, required=("service", "slos"))
    service = get_str(issues, doc, "service", path)
    if service is not None:
        check_name(issues, doc.line_of("service"), field_path(path, "service"), service)
    get_str(issues, doc, "description", path)
    labels = check_labels(issues, doc, "labels", path)
    items = get_seq(issues, doc, "slos", path)
    out: list[SLO] = []
    if items is not None and len(items) == 0:
        issues.error(doc.line_of("slos"), field_path(path, "slos"), "no SLOs listed", "add at least one SLO")
    for i, item in enumerate(items or ()):
        slo_path = field_path(path, f"slos[{i}]")
        if not isinstance(item, YMap):
            issues.error(item.line, slo_path, f"expected an SLO mapping but found {describe(item)}")
            continue
        slo = _load_slo(item, issues, slo_path, service, labels)
        if slo is not None:
            out.append(slo)
    if doc.get("policy") is not None:  # the service's error-budget policy (spec/policy_spec.py)
        policy, found = parse_policy(doc.items["policy"], issues.file, field_path(path, "policy"))
        issues.found.extend(found)
        out = [s.model_copy(update={"policy": policy}) for s in out]
    return out


def _load_slo(
    node: YMap, issues: Issues, path: str, service: str | None, labels: dict[str, str]
) -> SLO | None:
    before = len(issues.found)
    issues.check_keys(node, path, _SLO_KEYS, required=("name", "objective", "sli"))
    name = get_str(issues, node, "name", path)
    if name is not None:
        check_name(issues, node.line_of("name"), field_path(path, "name"), name)
    objective = _objective(issues, node, path)
    window = _window(issues, node, path)
    sli_node = get_map(issues, node, "sli", path)
    sli = parse_sli(issues, sli_node, field_path(path, "sli")) if sli_node is not None else None
    budgeting = _budgeting(issues, node, path)
    description = get_str(issues, node, "description", path) or ""
    slo_labels = {**labels, **check_labels(issues, node, "labels", path)}
    alert_node = get_map(issues, node, "alerting", path)
    alerting = (
        parse_alerting(issues, alert_node, field_path(path, "alerting"))
        if alert_node is not None
        else AlertingSpec()
    )
    errors = [i for i in issues.found[before:] if i.severity == "error"]
    if errors or service is None or name is None or objective is None or window is None or sli is None:
        return None
    return build_slo(
        issues,
        path,
        node.line,
        service=service,
        name=name,
        objective=objective,
        window=window,
        sli=sli,
        budgeting=budgeting or Occurrences(),
        description=description,
        labels=slo_labels,
        alerting=alerting or AlertingSpec(),
    )


def build_slo(
    issues: Issues,
    path: str,
    line: int,
    *,
    service: str,
    name: str,
    objective: Decimal,
    window: Window,
    sli: SLI,
    budgeting: Budgeting,
    description: str,
    labels: dict[str, str],
    alerting: AlertingSpec,
) -> SLO | None:
    """The model object, or None and an issue if the model still rejects it (a loader gap)."""
    try:
        return SLO(
            service=service,
            name=name,
            objective=objective,
            window=window,
            sli=sli,
            budgeting=budgeting,
            description=description,
            labels=labels,
            alerting=alerting,
            location=SourceLocation(file=issues.file, line=line),
        )
    except ValidationError as exc:
        issues.error(line, path, f"not a valid SLO: {exc.errors()[0]['msg']}")
        return None


# ---------------------------------------------------------------- objective


def _objective(issues: Issues, node: YMap, path: str) -> Decimal | None:
    scalar = get_scalar(issues, node, "objective", path)
    if scalar is None:
        return None
    where = field_path(path, "objective")
    value = parse_ratio_text(scalar)
    if value is None:
        issues.error(
            node.line_of("objective"),
            where,
            f"objective {scalar.text!r} is not a number",
            'write 0.999 or "99.9%"',
        )
        return None
    return check_objective(issues, node.line_of("objective"), where, value, scalar.text)


# ---------------------------------------------------------------- window


def _window(issues: Issues, node: YMap, path: str) -> Window | None:
    where = field_path(path, "window")
    line = node.line_of("window")
    raw = node.get("window")
    window: Window | None
    if raw is None:
        return RollingWindow(duration_s=DEFAULT_WINDOW_S)
    if isinstance(raw, YScalar) and not raw.is_null:
        window = _window_text(issues, line, where, raw.text)
    elif isinstance(raw, YMap):
        window = _window_map(issues, raw, where)
    else:
        issues.error(
            line,
            where,
            f"expected a duration or calendar period but found {describe(raw)}",
            "write 30d or month",
        )
        return None
    if window is not None:
        window_warnings(issues, line, where, window)
    return window


def _window_text(issues: Issues, line: int, where: str, text: str) -> Window | None:
    if text.strip().lower() in _CALENDAR_UNITS:
        return CalendarWindow(unit=text.strip().lower())
    try:
        return RollingWindow(duration_s=parse_duration_s(text))
    except DurationError as exc:
        hint = suggest(text.strip().lower(), _CALENDAR_UNITS)
        issues.error(
            line, where, str(exc), f"{hint}write a rolling duration (30d, 4w) or month, week, quarter"
        )
        return None


def _window_map(issues: Issues, raw: YMap, where: str) -> Window | None:
    if not issues.check_keys(raw, where, ("calendar", "timezone", "rolling")):
        return None
    rolling = get_str(issues, raw, "rolling", where)
    calendar = get_str(issues, raw, "calendar", where)
    timezone = get_str(issues, raw, "timezone", where)
    if (rolling is None) == (calendar is None):
        issues.error(
            raw.line,
            where,
            "write exactly one of calendar: or rolling:",
            "e.g. {calendar: month, timezone: UTC}",
        )
        return None
    if rolling is not None:
        if timezone is not None:
            issues.error(
                raw.line_of("timezone"),
                f"{where}.timezone",
                "a rolling window has no time zone",
                "remove timezone:",
            )
            return None
        return _window_text(issues, raw.line_of("rolling"), f"{where}.rolling", rolling)
    unit = (calendar or "").strip().lower()
    if unit not in _CALENDAR_UNITS:
        hint = suggest(unit, _CALENDAR_UNITS)
        issues.error(
            raw.line_of("calendar"),
            f"{where}.calendar",
            f"calendar period {calendar!r} is not known",
            f"{hint}write week, month or quarter",
        )
        return None
    if timezone is not None and not check_timezone(
        issues, raw.line_of("timezone"), f"{where}.timezone", timezone
    ):
        return None
    return CalendarWindow(unit=unit, timezone=timezone or "UTC")


# ---------------------------------------------------------------- budgeting


def _budgeting(issues: Issues, node: YMap, path: str) -> Budgeting | None:
    where = field_path(path, "budgeting")
    raw = node.get("budgeting")
    example = "budgeting: {method: timeslices, slice: 1m, slice_target: 95%}"
    if raw is None or (isinstance(raw, YScalar) and raw.is_null):
        return Occurrences()
    if isinstance(raw, YScalar):
        method = raw.text.strip().lower()
        if method == "occurrences":
            return Occurrences()
        if method == "timeslices":
            issues.error(
                node.line_of("budgeting"),
                where,
                "timeslices budgeting needs a slice_target",
                f"write {example}",
            )
            return None
        issues.error(
            node.line_of("budgeting"),
            where,
            f"budgeting {raw.text!r} is not known",
            f"{suggest(method, ('occurrences', 'timeslices'))}write occurrences or {example}",
        )
        return None
    if not isinstance(raw, YMap):
        issues.error(
            node.line_of("budgeting"), where, f"expected occurrences or a mapping but found {describe(raw)}"
        )
        return None
    if not issues.check_keys(raw, where, ("method", "slice", "slice_target"), required=("method",)):
        return None
    method = (get_str(issues, raw, "method", where) or "").strip().lower()
    if method == "occurrences":
        if "slice" in raw or "slice_target" in raw:
            issues.error(
                raw.line,
                where,
                "slice and slice_target apply only to timeslices",
                "remove them or write method: timeslices",
            )
            return None
        return Occurrences()
    if method != "timeslices":
        issues.error(
            raw.line_of("method"),
            f"{where}.method",
            f"budgeting method {method!r} is not known",
            "write occurrences or timeslices",
        )
        return None
    slice_s = 60
    slice_text = get_str(issues, raw, "slice", where)
    if slice_text is not None:
        try:
            slice_s = parse_duration_s(slice_text)
        except DurationError as exc:
            issues.error(raw.line_of("slice"), f"{where}.slice", str(exc), "write e.g. 1m or 5m")
            return None
    target = get_scalar(issues, raw, "slice_target", where, required=True)
    if target is None:
        return None
    value = parse_ratio_text(target)
    if value is None or not value.is_finite() or not Decimal(0) < value <= Decimal(1):
        issues.error(
            raw.line_of("slice_target"),
            f"{where}.slice_target",
            f"slice_target {target.text} is not in (0, 1]",
            'write e.g. 0.95 or "95%"',
        )
        return None
    return Timeslices(slice_s=slice_s, slice_target=value)


# ---------------------------------------------------------------- SLI


# ---------------------------------------------------------------- alerting


# ---------------------------------------------------------------- names and labels
