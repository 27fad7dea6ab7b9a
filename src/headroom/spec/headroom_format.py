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
files. The small readers at the bottom (objective, window, labels, query placeholder) are
shared with the OpenSLO and Sloth loaders so that every format validates the same way.
"""

from __future__ import annotations

import re
import zoneinfo
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from headroom.spec.durations import DurationError, parse_duration_s
from headroom.spec.filters import Compare, FilterExpr, FilterSyntaxError, parse_filter
from headroom.spec.locations import (
    Issues,
    YMap,
    YNode,
    YScalar,
    describe,
    field_path,
    get_bool,
    get_map,
    get_scalar,
    get_seq,
    get_str,
    get_str_map,
    suggest,
)
from headroom.spec.model import (
    SLI,
    SLO,
    AlertingSpec,
    Budgeting,
    CalendarWindow,
    EventsSLI,
    Occurrences,
    PrometheusHistogramSLI,
    PrometheusRatioSLI,
    PrometheusRawSLI,
    RollingWindow,
    SourceLocation,
    TierOverride,
    Timeslices,
    Window,
)
from headroom.spec.policy_spec import parse_policy
from headroom.spec.profiles import BUILTIN_PROFILES

__all__ = [
    "DEFAULT_WINDOW_S",
    "WINDOW_PLACEHOLDER",
    "build_slo",
    "check_labels",
    "check_name",
    "check_objective",
    "check_timezone",
    "load_headroom_document",
    "normalise_placeholder",
    "parse_ratio_text",
    "window_query",
    "window_warnings",
]

DEFAULT_WINDOW_S = 30 * 86400
"""30 days: the window when a spec names none (Sloth's ``--default-slo-period`` default too)."""

WINDOW_PLACEHOLDER = "{{window}}"
"""The range placeholder in PromQL templates, stored in this one spelling."""

_PLACEHOLDER = re.compile(r"\{\{\s*\.?window\s*\}\}")
_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_STREAM = re.compile(r"^[A-Za-z0-9_][-A-Za-z0-9_.]*$")
_LABEL_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DAY_S = 86400
_OBJECTIVE_WARN = Decimal("0.99999")
"""At 99.999 % a 30-day budget is 25.9 s: one slow deploy spends it."""

_DOC_KEYS = ("service", "description", "labels", "slos", "policy")
_SLO_KEYS = ("name", "description", "objective", "window", "sli", "budgeting", "labels", "alerting")
_SLI_KEYS = ("events", "good", "bad", "total", "indicator", "latency", "prometheus")
_PROM_KEYS = (
    "error_query",
    "good_query",
    "total_query",
    "error_ratio_query",
    "histogram",
    "selector",
    "threshold",
)
_ALERT_KEYS = (
    "name",
    "profile",
    "min_events",
    "labels",
    "annotations",
    "runbook",
    "runbook_url",
    "tiers",
    "exhaustion_horizon",
)
_TIER_KEYS = ("disabled", "severity", "labels", "annotations")
_BUDGET_TIERS = ("exhaustion", "exhausted", "ticket")
"""Tiers every profile has besides its burn-rate pairs (``alerting/profiles_resolve.py``):
time-to-exhaustion and budget-exhausted alerts, both of severity ``ticket``."""
_INDICATORS = ("availability", "latency", "quality", "ratio")
_CALENDAR_UNITS = ("week", "month", "quarter")
_FILTER_EXAMPLES = 'status < 500, latency_ms <= 300, outcome == "success" and not hallucinated'


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
    sli = _sli(issues, sli_node, field_path(path, "sli")) if sli_node is not None else None
    budgeting = _budgeting(issues, node, path)
    description = get_str(issues, node, "description", path) or ""
    slo_labels = {**labels, **check_labels(issues, node, "labels", path)}
    alert_node = get_map(issues, node, "alerting", path)
    alerting = (
        _alerting(issues, alert_node, field_path(path, "alerting"))
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


def parse_ratio_text(scalar: YScalar) -> Decimal | None:
    """``0.999``, ``"0.999"``, ``99.9%`` or ``"99.9%"`` as an exact Decimal (from the text)."""
    number = scalar.decimal()
    if number is not None:
        return number
    if scalar.kind != "str":
        return None
    text = scalar.text.strip()
    percent = text.endswith("%")
    try:
        value = Decimal(text[:-1].strip() if percent else text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value.scaleb(-2) if percent else value


def check_objective(issues: Issues, line: int, path: str, value: Decimal, written: str) -> Decimal | None:
    """Objective in (0, 1), with the fix spelled out; a warning above 99.999 %."""
    if not value.is_finite() or not Decimal(0) < value < Decimal(1):
        if value.is_finite() and Decimal(50) <= value < Decimal(100):
            fix = f'write {value.scaleb(-2)} or "{written.strip()}%"'
        else:
            fix = 'write 0.999 or "99.9%"'
        issues.error(line, path, f"objective {written} is not in (0, 1)", fix)
        return None
    if value >= _OBJECTIVE_WARN:
        budget_s = float((Decimal(1) - value) * DEFAULT_WINDOW_S)
        issues.warning(
            line,
            path,
            f"objective {written} leaves a budget of {budget_s:.1f} s per 30 days",
            "few services can meet it; check that 99.99% or lower is not what you mean",
        )
    return value


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


def check_timezone(issues: Issues, line: int, path: str, name: str) -> bool:
    """True when ``name`` is an IANA time zone; else an issue with the closest name."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        hint = suggest(name, zoneinfo.available_timezones())
        issues.error(
            line,
            path,
            f"time zone {name!r} is not an IANA time zone name",
            f"{hint}e.g. Europe/Berlin or UTC",
        )
        return False
    return True


def window_warnings(issues: Issues, line: int, path: str, window: Window) -> None:
    """Rolling windows under a day or over 90 days rarely mean what their author wants."""
    if isinstance(window, RollingWindow) and not _DAY_S <= window.duration_s <= 90 * _DAY_S:
        issues.warning(
            line,
            path,
            f"a {window.text} window is unusual",
            "SLO windows are usually 7d to 30d (28d or 4w keeps weekdays aligned)",
        )


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


def _filter(issues: Issues, node: YMap, key: str, path: str) -> FilterExpr | None:
    scalar = get_scalar(issues, node, key, path)
    if scalar is None:
        return None
    try:
        return parse_filter(scalar.text)
    except FilterSyntaxError as exc:
        message = str(exc).rsplit(" at column ", 1)[0]
        issues.error(
            node.line_of(key),
            field_path(path, key),
            f"filter {scalar.text!r}: {message} at column {exc.column} of the filter",
            f"filters look like: {_FILTER_EXAMPLES}",
        )
        return None


def _sli(issues: Issues, node: YMap, path: str) -> SLI | None:
    if not issues.check_keys(node, path, _SLI_KEYS):
        return None
    prom = get_map(issues, node, "prometheus", path)
    if prom is not None:
        extra = [k for k in node if k != "prometheus"]
        if extra:
            issues.error(
                node.line_of(extra[0]),
                field_path(path, extra[0]),
                f"{extra[0]}: does not apply to a prometheus SLI",
                "remove it, or use events: with filters instead",
            )
            return None
        return _prometheus_sli(issues, prom, field_path(path, "prometheus"))
    events = get_str(issues, node, "events", path, required=True)
    if events is not None and not _STREAM.match(events):
        issues.error(
            node.line_of("events"),
            field_path(path, "events"),
            f"event stream name {events!r} has characters other than letters, digits, - _ .",
            "name the stream as at ingest, e.g. checkout",
        )
        events = None
    chosen = [k for k in ("good", "bad", "latency") if k in node]
    if len(chosen) != 1:
        said = " and ".join(chosen) if chosen else "none of them"
        issues.error(
            node.line,
            path,
            f"write exactly one of good:, bad: or latency: (found {said})",
            "e.g. good: status < 500",
        )
        return None
    indicator = get_str(issues, node, "indicator", path)
    if indicator is not None and indicator not in _INDICATORS:
        issues.error(
            node.line_of("indicator"),
            field_path(path, "indicator"),
            f"indicator {indicator!r} is not known",
            f"{suggest(indicator, _INDICATORS)}write one of {', '.join(_INDICATORS)}",
        )
        return None
    total = _filter(issues, node, "total", path) if "total" in node else None
    good = bad = None
    if chosen[0] == "latency":
        good = _latency(issues, node, path)
        indicator = indicator or "latency"
        if good is None:
            return None
    elif chosen[0] == "good":
        good = _filter(issues, node, "good", path)
        if good is None:
            return None
    else:
        bad = _filter(issues, node, "bad", path)
        if bad is None:
            return None
    if events is None or ("total" in node and total is None):
        return None
    return EventsSLI(events=events, good=good, bad=bad, total=total, indicator=indicator or "ratio")


def _latency(issues: Issues, node: YMap, path: str) -> FilterExpr | None:
    raw = get_map(issues, node, "latency", path)
    where = field_path(path, "latency")
    if raw is None or not issues.check_keys(
        raw, where, ("field", "threshold"), required=("field", "threshold")
    ):
        return None
    field = get_str(issues, raw, "field", where)
    threshold = get_scalar(issues, raw, "threshold", where)
    if field is None or threshold is None:
        return None
    value = threshold.value()
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        issues.error(
            raw.line_of("threshold"),
            f"{where}.threshold",
            f"threshold {threshold.text!r} is not a positive number",
            "write the bound in the field's unit, e.g. threshold: 300 for latency_ms",
        )
        return None
    try:
        parse_filter(field)
    except FilterSyntaxError:
        issues.error(
            raw.line_of("field"), f"{where}.field", f"{field!r} is not a field name", "e.g. field: latency_ms"
        )
        return None
    return Compare(field, "<=", value)


def window_query(
    issues: Issues, node: YMap, key: str, path: str, *, required: bool = False, spelling: str = "{{window}}"
) -> str | None:
    """A PromQL query with its window placeholder normalised; an error when it has none.

    ``spelling`` is how the fix writes the placeholder, in the dialect of the spec format.
    """
    text = get_str(issues, node, key, path, required=required)
    if text is None:
        return None
    normalised = normalise_placeholder(text)
    if WINDOW_PLACEHOLDER not in normalised:
        issues.error(
            node.line_of(key),
            field_path(path, key),
            f"{key} has no {spelling} placeholder",
            f"write the range as [{spelling}], e.g. rate(http_requests_total[{spelling}])",
        )
        return None
    return normalised


def _prometheus_sli(issues: Issues, node: YMap, path: str) -> SLI | None:
    if not issues.check_keys(node, path, _PROM_KEYS):
        return None
    forms = "error_query + total_query, good_query + total_query, error_ratio_query, or histogram + threshold"
    present = set(node.keys())
    if present == {"error_ratio_query"}:
        raw = window_query(issues, node, "error_ratio_query", path)
        return PrometheusRawSLI(error_ratio_query=raw) if raw is not None else None
    if "histogram" in present and present <= {"histogram", "selector", "threshold"}:
        metric = get_str(issues, node, "histogram", path)
        selector = (get_str(issues, node, "selector", path) or "").strip()
        threshold = get_scalar(issues, node, "threshold", path, required=True)
        value = threshold.decimal() if threshold is not None else None
        if threshold is not None and (value is None or not value.is_finite() or value <= 0):
            issues.error(
                node.line_of("threshold"),
                field_path(path, "threshold"),
                f"threshold {threshold.text!r} is not a positive number of seconds",
                "write the bucket bound in seconds, e.g. threshold: 0.3",
            )
            return None
        if metric is None or value is None:
            return None
        metric = metric.removesuffix("_bucket")
        if selector.startswith("{") and selector.endswith("}"):
            selector = selector[1:-1].strip()
        return PrometheusHistogramSLI(metric=metric, selector=selector, threshold_s=float(value))
    if "total_query" in present and present in (
        {"total_query", "error_query"},
        {"total_query", "good_query"},
    ):
        first = "error_query" if "error_query" in present else "good_query"
        part = window_query(issues, node, first, path)
        total = window_query(issues, node, "total_query", path)
        if part is None or total is None:
            return None
        if part == total:
            issues.error(
                node.line_of(first),
                field_path(path, first),
                f"{first} and total_query are the same query",
                "the numerator must select only the errors (or good events)",
            )
            return None
        if first == "error_query":
            return PrometheusRatioSLI(error_query=part, total_query=total)
        return PrometheusRatioSLI(good_query=part, total_query=total)
    issues.error(
        node.line,
        path,
        f"a prometheus SLI needs {forms} (found {', '.join(sorted(present)) or 'nothing'})",
        "see docs/spec.md, Prometheus SLIs",
    )
    return None


def normalise_placeholder(query: str) -> str:
    """``{{.window}}``, ``{{ window }}``, ``{{ .window }}`` -> ``{{window}}``; the rest verbatim."""
    return _PLACEHOLDER.sub(WINDOW_PLACEHOLDER, query)


# ---------------------------------------------------------------- alerting


def _alerting(issues: Issues, node: YMap, path: str) -> AlertingSpec | None:
    if not issues.check_keys(node, path, _ALERT_KEYS):
        return None
    before = len(issues.found)
    name = get_str(issues, node, "name", path)
    profile = get_str(issues, node, "profile", path) or "sre-workbook"
    if profile not in BUILTIN_PROFILES:
        issues.warning(
            node.line_of("profile"),
            field_path(path, "profile"),
            f"alert profile {profile!r} is not built in",
            f"{suggest(profile, BUILTIN_PROFILES)}built-in profiles: {', '.join(BUILTIN_PROFILES)}",
        )
    min_events = 0
    scalar = get_scalar(issues, node, "min_events", path)
    if scalar is not None:
        if scalar.kind != "int" or int(scalar.text) < 0:
            issues.error(
                node.line_of("min_events"),
                field_path(path, "min_events"),
                f"min_events {scalar.text!r} is not a whole number >= 0",
                "e.g. min_events: 100",
            )
        else:
            min_events = int(scalar.text)
    if "runbook" in node and "runbook_url" in node:
        issues.error(
            node.line_of("runbook_url"),
            field_path(path, "runbook_url"),
            "runbook and runbook_url are the same setting",
            "keep one of them",
        )
    runbook = get_str(issues, node, "runbook_url", path) or get_str(issues, node, "runbook", path)
    horizon_s = None
    horizon = get_str(issues, node, "exhaustion_horizon", path)
    if horizon is not None:
        try:
            horizon_s = parse_duration_s(horizon)
        except DurationError as exc:
            issues.error(
                node.line_of("exhaustion_horizon"),
                field_path(path, "exhaustion_horizon"),
                str(exc),
                "e.g. exhaustion_horizon: 3d",
            )
    tiers = _tiers(issues, node, path, profile)
    labels = check_labels(issues, node, "labels", path)
    annotations = get_str_map(issues, node, "annotations", path)
    if any(i.severity == "error" for i in issues.found[before:]):
        return None
    return AlertingSpec(
        name=name,
        profile=profile,
        min_events=min_events,
        labels=labels,
        annotations=annotations,
        runbook_url=runbook,
        tiers=tiers,
        exhaustion_horizon_s=horizon_s,
    )


def _tiers(issues: Issues, node: YMap, path: str, profile: str) -> dict[str, TierOverride]:
    raw = get_map(issues, node, "tiers", path)
    out: dict[str, TierOverride] = {}
    if raw is None:
        return out
    where = field_path(path, "tiers")
    known: list[str] = []
    if profile in BUILTIN_PROFILES:
        tiers = BUILTIN_PROFILES[profile].tiers
        known = list(
            dict.fromkeys([t.name for t in tiers] + [t.severity for t in tiers] + list(_BUDGET_TIERS))
        )
    for key, item in raw.items.items():
        item_path = f"{where}.{key}"
        if known and key not in known:
            issues.error(
                raw.line_of(key),
                item_path,
                f"profile {profile!r} has no tier or severity {key!r}",
                f"{suggest(key, known)}write one of {', '.join(known)}",
            )
            continue
        if not isinstance(item, YMap):
            issues.error(
                raw.line_of(key),
                item_path,
                f"expected a mapping but found {describe(item)}",
                "e.g. {disabled: true}",
            )
            continue
        if not issues.check_keys(item, item_path, _TIER_KEYS):
            continue
        out[key] = TierOverride(
            disabled=bool(get_bool(issues, item, "disabled", item_path)),
            severity=get_str(issues, item, "severity", item_path),
            labels=check_labels(issues, item, "labels", item_path),
            annotations=get_str_map(issues, item, "annotations", item_path),
        )
    return out


# ---------------------------------------------------------------- names and labels


def check_name(issues: Issues, line: int, path: str, name: str, pattern: re.Pattern[str] = _NAME) -> bool:
    """Service and SLO names go into ids, rule names and labels: letters, digits, - _ . only."""
    if pattern.match(name):
        return True
    issues.error(
        line,
        path,
        f"name {name!r} may hold only letters, digits, '-', '_' and '.' and must start and end"
        " with a letter or digit",
        f"e.g. {re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-_.') or 'checkout'}",
    )
    return False


def check_labels(issues: Issues, node: YMap, key: str, path: str) -> dict[str, str]:
    """Labels become Prometheus labels: keys ``[A-Za-z_][A-Za-z0-9_]*``, not reserved, values not empty."""
    labels = get_str_map(issues, node, key, path)
    raw = node.get(key)
    out: dict[str, str] = {}
    for k, v in labels.items():
        line = raw.line_of(k) if isinstance(raw, YMap) else node.line_of(key)
        where = f"{field_path(path, key)}.{k}"
        if not _LABEL_KEY.match(k) or k.startswith("__"):
            issues.error(
                line,
                where,
                f"label name {k!r} is not a valid Prometheus label name",
                "use letters, digits and _, not starting with a digit or __",
            )
        elif v == "":
            issues.error(line, where, f"label {k!r} has an empty value", "give it a value or remove it")
        else:
            out[k] = v
    return out
