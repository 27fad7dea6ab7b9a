"""OpenSLO v1 (``apiVersion: openslo/v1``), mapped into the one model.

Read: kinds ``SLO`` and ``SLI``; ``DataSource`` only to learn the ``type`` of a
``metricSourceRef``. ``Service``, ``AlertPolicy``, ``AlertCondition`` and
``AlertNotificationTarget`` are noted (severity ``info``) and skipped: headroom alerts
with its own burn-rate profiles.

Mapping (OpenSLO spec README at ``aa5cb78d``; validator OpenSLO/go-sdk):

- one SLO per ``objectives[]`` item; with several objectives the name is
  ``<metadata.name>-<displayName or index>``;
- ``target`` or ``targetPercent`` -> exact Decimal objective;
- ``timeWindow`` (exactly one): ``isRolling: true`` -> rolling window of ``duration``;
  calendar windows take their unit from ``duration`` (``1w`` week, ``1M`` month,
  ``1Q`` quarter) and their zone from ``calendar.timeZone``;
- ``budgetingMethod``: ``Occurrences``; ``Timeslices`` (``timeSliceTarget``,
  ``timeSliceWindow``); ``RatioTimeslices`` becomes Timeslices whose slice target is the
  objective (with a warning, because a mean of slice ratios is not the same budget);
- ``ratioMetric`` good/bad + total, or ``raw`` + ``rawType``; metric sources
  ``type: Prometheus`` (``spec.query`` or ``spec.promql``, with a ``{{window}}``
  placeholder) or ``type: headroom`` (``spec: {events, filter}``). ``thresholdMetric``
  and composite objectives are refused with the reason.

go-sdk forbids ``op``/``value`` on ratio objectives, yet several official examples carry
``op: gt``; we accept them with a warning that ``oslo validate`` would not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from headroom.spec.durations import parse_duration_s
from headroom.spec.fields import (
    WINDOW_PLACEHOLDER,
    check_name,
    check_objective,
    check_timezone,
    normalise_placeholder,
    window_warnings,
)
from headroom.spec.filters import FilterExpr, FilterSyntaxError, parse_filter
from headroom.spec.headroom_format import build_slo
from headroom.spec.locations import (
    Issues,
    YMap,
    YScalar,
    YSeq,
    describe,
    field_path,
    get_bool,
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
    EventsSLI,
    Occurrences,
    PrometheusRatioSLI,
    PrometheusRawSLI,
    RollingWindow,
    Timeslices,
    Window,
)

__all__ = ["OPENSLO_VERSION", "OpenSLOObject", "load_openslo_objects"]

OPENSLO_VERSION = "openslo/v1"

_KINDS = ("SLO", "SLI", "DataSource", "Service", "AlertPolicy", "AlertCondition", "AlertNotificationTarget")
_SKIPPED = ("Service", "AlertPolicy", "AlertCondition", "AlertNotificationTarget")
_OBJECT_KEYS = ("apiVersion", "kind", "metadata", "spec")
_METADATA_KEYS = ("name", "displayName", "labels", "annotations")
_SLO_SPEC_KEYS = (
    "description",
    "service",
    "indicator",
    "indicatorRef",
    "timeWindow",
    "budgetingMethod",
    "objectives",
    "alertPolicies",
)
_SLI_SPEC_KEYS = ("description", "ratioMetric", "thresholdMetric")
_RATIO_KEYS = ("counter", "good", "bad", "total", "raw", "rawType")
_OBJECTIVE_KEYS = (
    "displayName",
    "op",
    "value",
    "target",
    "targetPercent",
    "timeSliceTarget",
    "timeSliceWindow",
    "indicator",
    "indicatorRef",
    "compositeWeight",
)
_METHODS = ("Occurrences", "Timeslices", "RatioTimeslices")
_SOURCE_TYPES = ("Prometheus", "headroom")
_SHORTHAND = re.compile(r"^(\d+)([mhdwMQY])$")
_CALENDAR = {"1w": "week", "1M": "month", "1Q": "quarter"}
_LABEL_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class OpenSLOObject:
    """One OpenSLO object and where it came from (its file's issue list and its path)."""

    issues: Issues
    node: YMap
    path: str = ""


@dataclass
class _Catalog:
    slis: dict[str, OpenSLOObject] = field(default_factory=dict)
    source_types: dict[str, str] = field(default_factory=dict)
    parsed: dict[str, SLI | None] = field(default_factory=dict)


def load_openslo_objects(objects: Sequence[OpenSLOObject]) -> list[SLO]:
    """Every SLO the objects declare; ``indicatorRef`` resolves across the whole set."""
    catalog = _Catalog()
    slos: list[tuple[OpenSLOObject, str | None]] = []
    for obj in objects:
        kind = _kind(obj)
        name = _name(obj) if kind else None
        if kind == "SLO":
            slos.append((obj, name))
        elif kind == "SLI" and name is not None:
            if name in catalog.slis:
                first = catalog.slis[name]
                obj.issues.error(
                    obj.node.line,
                    obj.path,
                    f"SLI {name!r} is defined twice (also at {first.issues.file}:{first.node.line})",
                    "rename one of them",
                )
            catalog.slis[name] = obj
        elif kind == "DataSource" and name is not None:
            spec = get_map(obj.issues, obj.node, "spec", obj.path)
            source_type = get_str(obj.issues, spec, "type", field_path(obj.path, "spec")) if spec else None
            if source_type:
                catalog.source_types[name] = source_type
        elif kind in _SKIPPED:
            fix = (
                "services are named by each SLO's spec.service"
                if kind == "Service"
                else "headroom alerts with its burn-rate profiles (alerting: in headroom's format)"
            )
            obj.issues.info(obj.node.line, obj.path, f"OpenSLO {kind} {name!r} is not used", fix)
    out: list[SLO] = []
    for obj, name in slos:
        out.extend(_load_slo(obj, name, catalog))
    return out


def _kind(obj: OpenSLOObject) -> str | None:
    obj.issues.check_keys(obj.node, obj.path, _OBJECT_KEYS, required=("kind", "metadata"))
    kind = get_str(obj.issues, obj.node, "kind", obj.path)
    if kind is not None and kind not in _KINDS:
        obj.issues.error(
            obj.node.line_of("kind"),
            field_path(obj.path, "kind"),
            f"OpenSLO kind {kind!r} is not known",
            f"{suggest(kind, _KINDS)}kinds: {', '.join(_KINDS)}",
        )
        return None
    return kind


def _name(obj: OpenSLOObject) -> str | None:
    metadata = get_map(obj.issues, obj.node, "metadata", obj.path)
    if metadata is None:
        return None
    where = field_path(obj.path, "metadata")
    obj.issues.check_keys(metadata, where, _METADATA_KEYS, required=("name",))
    return get_str(obj.issues, metadata, "name", where)


def _load_slo(obj: OpenSLOObject, name: str | None, catalog: _Catalog) -> list[SLO]:
    issues, node, path = obj.issues, obj.node, obj.path
    before = len(issues.found)
    metadata = node.get("metadata")
    spec = get_map(issues, node, "spec", path, required=True)
    if spec is None or not isinstance(metadata, YMap) or name is None:
        return []
    spath = field_path(path, "spec")
    issues.check_keys(
        spec, spath, _SLO_SPEC_KEYS, required=("service", "timeWindow", "budgetingMethod", "objectives")
    )
    service = get_str(issues, spec, "service", spath)
    if service is not None:
        check_name(issues, spec.line_of("service"), field_path(spath, "service"), service)
    description = (
        get_str(issues, spec, "description", spath)
        or get_str(issues, metadata, "displayName", field_path(path, "metadata"))
        or ""
    )
    labels = _labels(issues, metadata, field_path(path, "metadata"))
    sli = _indicator(issues, spec, spath, catalog)
    window = _time_window(issues, spec, spath)
    method = get_str(issues, spec, "budgetingMethod", spath)
    if method is not None and method not in _METHODS:
        issues.error(
            spec.line_of("budgetingMethod"),
            field_path(spath, "budgetingMethod"),
            f"budgetingMethod {method!r} is not known",
            f"{suggest(method, _METHODS)}write one of {', '.join(_METHODS)}",
        )
        method = None
    policies = spec.get("alertPolicies")
    if isinstance(policies, YSeq) and len(policies):
        issues.info(
            spec.line_of("alertPolicies"),
            field_path(spath, "alertPolicies"),
            "OpenSLO alert policies are not used",
            "headroom alerts with its burn-rate profiles",
        )
    objectives = get_seq(issues, spec, "objectives", spath)
    if objectives is not None and len(objectives) == 0:
        issues.error(
            spec.line_of("objectives"),
            field_path(spath, "objectives"),
            "no objectives listed",
            "add - target: 0.999",
        )
    out: list[SLO] = []
    for i, item in enumerate(objectives or ()):
        opath = field_path(spath, f"objectives[{i}]")
        if not isinstance(item, YMap):
            issues.error(item.line, opath, f"expected an objective mapping but found {describe(item)}")
            continue
        slo_name = (
            name
            if len(objectives or ()) == 1
            else f"{name}-{_slug(get_str(issues, item, 'displayName', opath)) or i}"
        )
        objective, budgeting = _objective(issues, item, opath, method, ratio=sli is not None)
        if any(x.severity == "error" for x in issues.found[before:]):
            continue
        if service is None or objective is None or budgeting is None or sli is None or window is None:
            continue
        if not check_name(issues, item.line, opath, slo_name):
            continue
        slo = build_slo(
            issues,
            opath,
            node.line if len(objectives or ()) == 1 else item.line,
            service=service,
            name=slo_name,
            objective=objective,
            window=window,
            sli=sli,
            budgeting=budgeting,
            description=description,
            labels=labels,
            alerting=AlertingSpec(),
        )
        if slo is not None:
            out.append(slo)
    return out


def _slug(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")


def _labels(issues: Issues, metadata: YMap, path: str) -> dict[str, str]:
    """OpenSLO labels map to text or to a list of texts; lists are joined with commas."""
    raw = get_map(issues, metadata, "labels", path)
    out: dict[str, str] = {}
    for key, value in (raw.items if raw else {}).items():
        where = f"{path}.labels.{key}"
        line = raw.line_of(key) if raw else metadata.line
        if not _LABEL_KEY.match(key) or key.startswith("__"):
            issues.error(
                line,
                where,
                f"label name {key!r} is not a valid Prometheus label name",
                "use letters, digits and _",
            )
        elif isinstance(value, YScalar) and not value.is_null and value.text:
            out[key] = value.text
        elif isinstance(value, YSeq) and value.items and all(isinstance(v, YScalar) for v in value):
            out[key] = ",".join(v.text for v in value if isinstance(v, YScalar))
        else:
            issues.error(
                line, where, f"label {key!r} must be a text or a list of texts, found {describe(value)}"
            )
    return out


# ---------------------------------------------------------------- windows and objectives


def _time_window(issues: Issues, spec: YMap, path: str) -> Window | None:
    items = get_seq(issues, spec, "timeWindow", path)
    where = field_path(path, "timeWindow")
    if items is None:
        return None
    if len(items) != 1 or not isinstance(items.items[0], YMap):
        issues.error(
            spec.line_of("timeWindow"),
            where,
            f"timeWindow must hold exactly one window (found {len(items)})",
            "e.g. - {duration: 28d, isRolling: true}",
        )
        return None
    item = items.items[0]
    wpath = f"{where}[0]"
    issues.check_keys(item, wpath, ("duration", "isRolling", "calendar"), required=("duration",))
    duration = get_str(issues, item, "duration", wpath)
    rolling = get_bool(issues, item, "isRolling", wpath)
    calendar = get_map(issues, item, "calendar", wpath)
    if duration is None:
        return None
    is_rolling = rolling if rolling is not None else calendar is None
    line = item.line_of("duration")
    match = _SHORTHAND.match(duration.strip())
    if match is None:
        issues.error(
            line,
            f"{wpath}.duration",
            f"duration {duration!r} is not an OpenSLO duration",
            "write <number><unit> with unit m h d w M Q Y, e.g. 28d or 1M",
        )
        return None
    window: Window
    if is_rolling:
        if match.group(2) in "MQ":
            issues.error(
                line,
                f"{wpath}.duration",
                f"a rolling window of {duration} has no fixed length",
                "write days (30d, 90d), or isRolling: false for a calendar period",
            )
            return None
        window = RollingWindow(duration_s=parse_duration_s(duration.strip().lower()))
    else:
        unit = _CALENDAR.get(duration.strip())
        if unit is None:
            fix = (
                "write 1M for a calendar month (1m is one minute)"
                if duration.strip() == "1m"
                else "write 1w, 1M or 1Q"
            )
            issues.error(
                line,
                f"{wpath}.duration",
                f"calendar window {duration!r} is not a week, month or quarter",
                fix,
            )
            return None
        zone = "UTC"
        if calendar is not None:
            cpath = f"{wpath}.calendar"
            issues.check_keys(calendar, cpath, ("startTime", "timeZone"))
            zone = get_str(issues, calendar, "timeZone", cpath) or "UTC"
            if not check_timezone(issues, calendar.line_of("timeZone"), f"{cpath}.timeZone", zone):
                return None
        window = CalendarWindow(unit=unit, timezone=zone)
    window_warnings(issues, line, wpath, window)
    return window


def _objective(
    issues: Issues, item: YMap, path: str, method: str | None, *, ratio: bool
) -> tuple[Decimal | None, Budgeting | None]:
    issues.check_keys(item, path, _OBJECTIVE_KEYS)
    for key in ("indicator", "indicatorRef", "compositeWeight"):
        if key in item:
            issues.error(
                item.line_of(key),
                field_path(path, key),
                "composite SLOs (an indicator per objective) are not supported",
                "write one SLO per indicator",
            )
            return None, None
    for key in ("op", "value"):
        if key in item and ratio:
            issues.warning(
                item.line_of(key),
                field_path(path, key),
                f"{key} applies to thresholdMetric only and is ignored here",
                f"remove {key}: (oslo validate rejects it on a ratioMetric)",
            )
    objective: Decimal | None = None
    if ("target" in item) == ("targetPercent" in item):
        issues.error(item.line, path, "write exactly one of target or targetPercent", "e.g. target: 0.999")
    else:
        key = "target" if "target" in item else "targetPercent"
        scalar = get_scalar(issues, item, key, path)
        value = scalar.decimal() if scalar is not None else None
        if scalar is not None and value is None:
            issues.error(
                item.line_of(key),
                field_path(path, key),
                f"{key} {scalar.text!r} is not a number",
                "e.g. target: 0.999",
            )
        elif scalar is not None and value is not None:
            written = scalar.text if key == "target" else f"{scalar.text}%"
            value = value if key == "target" else value.scaleb(-2)
            objective = check_objective(issues, item.line_of(key), field_path(path, key), value, written)
    if method is None or method == "Occurrences":
        return objective, Occurrences()
    slice_s = _slice_window(issues, item, path)
    if method == "RatioTimeslices":
        if objective is None or slice_s is None:
            return objective, None
        issues.warning(
            item.line,
            path,
            "RatioTimeslices (the mean of slice ratios) is budgeted as Timeslices"
            " with slice target = objective",
            "write budgetingMethod: Timeslices with a timeSliceTarget to say it exactly",
        )
        return objective, Timeslices(slice_s=slice_s, slice_target=objective)
    target = get_scalar(issues, item, "timeSliceTarget", path, required=True)
    value = target.decimal() if target is not None else None
    if target is not None and (
        value is None or not value.is_finite() or not Decimal(0) < value <= Decimal(1)
    ):
        issues.error(
            item.line_of("timeSliceTarget"),
            field_path(path, "timeSliceTarget"),
            f"timeSliceTarget {target.text} is not in (0, 1]",
            "e.g. timeSliceTarget: 0.95",
        )
        return objective, None
    if value is None or slice_s is None:
        return objective, None
    return objective, Timeslices(slice_s=slice_s, slice_target=value)


def _slice_window(issues: Issues, item: YMap, path: str) -> int | None:
    scalar = get_scalar(issues, item, "timeSliceWindow", path, required=True)
    if scalar is None:
        return None
    if scalar.kind == "int":
        return int(scalar.text) * 60
    match = _SHORTHAND.match(scalar.text.strip())
    if match is None or match.group(2) in "MQY":
        issues.error(
            item.line_of("timeSliceWindow"),
            field_path(path, "timeSliceWindow"),
            f"timeSliceWindow {scalar.text!r} is not a fixed duration",
            "e.g. timeSliceWindow: 1m",
        )
        return None
    return parse_duration_s(scalar.text.strip())


# ---------------------------------------------------------------- indicators


def _indicator(issues: Issues, spec: YMap, path: str, catalog: _Catalog) -> SLI | None:
    if ("indicator" in spec) == ("indicatorRef" in spec):
        issues.error(
            spec.line,
            path,
            "write exactly one of indicator or indicatorRef",
            "indicatorRef: <name of an SLI document>",
        )
        return None
    if "indicatorRef" in spec:
        ref = get_str(issues, spec, "indicatorRef", path)
        if ref is None:
            return None
        target = catalog.slis.get(ref)
        if target is None:
            issues.error(
                spec.line_of("indicatorRef"),
                field_path(path, "indicatorRef"),
                f"no SLI named {ref!r} in the loaded files",
                f"{suggest(ref, catalog.slis)}load the file that defines it, or inline it as indicator:",
            )
            return None
        if ref not in catalog.parsed:
            sli_spec = get_map(target.issues, target.node, "spec", target.path, required=True)
            catalog.parsed[ref] = (
                _sli_spec(target.issues, sli_spec, field_path(target.path, "spec"), catalog)
                if sli_spec
                else None
            )
        return catalog.parsed[ref]
    inline = get_map(issues, spec, "indicator", path)
    if inline is None:
        return None
    ipath = field_path(path, "indicator")
    issues.check_keys(inline, ipath, ("metadata", "spec"), required=("spec",))
    sli_spec = get_map(issues, inline, "spec", ipath)
    return _sli_spec(issues, sli_spec, field_path(ipath, "spec"), catalog) if sli_spec else None


def _sli_spec(issues: Issues, node: YMap, path: str, catalog: _Catalog) -> SLI | None:
    issues.check_keys(node, path, _SLI_SPEC_KEYS)
    if "thresholdMetric" in node:
        issues.error(
            node.line_of("thresholdMetric"),
            field_path(path, "thresholdMetric"),
            "thresholdMetric is not supported: headroom budgets ratios of good to total events",
            "write a ratioMetric, e.g. good = requests under 500 ms over total requests",
        )
        return None
    ratio = get_map(issues, node, "ratioMetric", path, required=True)
    if ratio is None:
        return None
    rpath = field_path(path, "ratioMetric")
    issues.check_keys(ratio, rpath, _RATIO_KEYS)
    if "raw" in ratio:
        return _raw(issues, ratio, rpath, catalog)
    parts = [k for k in ("good", "bad") if k in ratio]
    if len(parts) != 1 or "total" not in ratio:
        issues.error(
            ratio.line,
            rpath,
            "a ratioMetric needs exactly one of good or bad, and total (or raw with rawType)",
            "e.g. good: {metricSource: ...}, total: {metricSource: ...}",
        )
        return None
    part = parts[0]
    first = _source(issues, ratio, part, rpath, catalog)
    total = _source(issues, ratio, "total", rpath, catalog)
    if first is None or total is None:
        return None
    if first[0] != total[0]:
        issues.error(
            ratio.line_of("total"),
            f"{rpath}.total",
            f"{part} and total use different metric sources ({first[0]} and {total[0]})",
            "use one source type for both",
        )
        return None
    if first[0] == "prometheus":
        query = _prom_query(issues, first[1], f"{rpath}.{part}.metricSource.spec")
        total_query = _prom_query(issues, total[1], f"{rpath}.total.metricSource.spec")
        if query is None or total_query is None:
            return None
        if part == "good":
            return PrometheusRatioSLI(good_query=query, total_query=total_query)
        return PrometheusRatioSLI(error_query=query, total_query=total_query)
    events, selected = _events(issues, first[1], f"{rpath}.{part}.metricSource.spec", required=True)
    total_events, total_filter = _events(issues, total[1], f"{rpath}.total.metricSource.spec", required=False)
    if events is None or total_events is None or selected is None:
        return None
    if events != total_events:
        issues.error(
            total[1].line_of("events"),
            f"{rpath}.total.metricSource.spec.events",
            f"{part} counts stream {events!r} but total counts {total_events!r}",
            "count both over the same event stream",
        )
        return None
    if part == "good":
        return EventsSLI(events=events, good=selected, total=total_filter)
    return EventsSLI(events=events, bad=selected, total=total_filter)


def _raw(issues: Issues, ratio: YMap, path: str, catalog: _Catalog) -> SLI | None:
    raw_type = get_str(issues, ratio, "rawType", path, required=True)
    if raw_type not in ("success", "failure"):
        if raw_type is not None:
            issues.error(
                ratio.line_of("rawType"),
                f"{path}.rawType",
                f"rawType {raw_type!r} is not known",
                "write success or failure",
            )
        return None
    source = _source(issues, ratio, "raw", path, catalog)
    if source is None:
        return None
    if source[0] != "prometheus":
        issues.error(
            ratio.line_of("raw"),
            f"{path}.raw",
            "a raw ratio needs a Prometheus metric source",
            "write type: Prometheus with spec.query",
        )
        return None
    query = _prom_query(issues, source[1], f"{path}.raw.metricSource.spec")
    if query is None:
        return None
    # A success ratio q has error ratio 1 - q; Sloth's OpenSLO import does the same.
    return PrometheusRawSLI(error_ratio_query=query if raw_type == "failure" else f"1 - ({query})")


def _source(issues: Issues, ratio: YMap, key: str, path: str, catalog: _Catalog) -> tuple[str, YMap] | None:
    """(``prometheus`` | ``headroom``, metricSource.spec) for ``ratioMetric.<key>``."""
    holder = get_map(issues, ratio, key, path, required=True)
    if holder is None:
        return None
    kpath = field_path(path, key)
    issues.check_keys(holder, kpath, ("metricSource",), required=("metricSource",))
    source = get_map(issues, holder, "metricSource", kpath)
    if source is None:
        return None
    spath = field_path(kpath, "metricSource")
    issues.check_keys(source, spath, ("metricSourceRef", "type", "spec"), required=("spec",))
    source_type = get_str(issues, source, "type", spath)
    ref = get_str(issues, source, "metricSourceRef", spath)
    if source_type is None and ref is not None:
        source_type = catalog.source_types.get(ref)
    spec = get_map(issues, source, "spec", spath)
    if source_type is None:
        issues.error(
            source.line, spath, "metric source has no type", f"add type: (one of {', '.join(_SOURCE_TYPES)})"
        )
        return None
    if source_type.lower() not in ("prometheus", "headroom"):
        issues.error(
            source.line_of("type"),
            f"{spath}.type",
            f"metric source type {source_type!r} is not supported",
            f"supported types: {', '.join(_SOURCE_TYPES)}",
        )
        return None
    return (source_type.lower(), spec) if spec is not None else None


def _prom_query(issues: Issues, spec: YMap, path: str) -> str | None:
    key = "query" if "query" in spec else "promql"
    text = get_str(issues, spec, key, path)
    if text is None:
        issues.error(
            spec.line,
            path,
            "a Prometheus metric source needs spec.query (or spec.promql)",
            "e.g. query: sum(rate(http_requests_total[{{window}}]))",
        )
        return None
    query = normalise_placeholder(text)
    if WINDOW_PLACEHOLDER not in query:
        issues.error(
            spec.line_of(key),
            f"{path}.{key}",
            f"query has no {WINDOW_PLACEHOLDER} placeholder, so headroom cannot evaluate it over its windows",
            "add {{window}} as the range, e.g. sum(rate(http_requests_total[{{window}}]))",
        )
        return None
    return query


def _events(issues: Issues, spec: YMap, path: str, *, required: bool) -> tuple[str | None, FilterExpr | None]:
    issues.check_keys(spec, path, ("events", "filter"), required=("events",))
    events = get_str(issues, spec, "events", path)
    text = get_str(issues, spec, "filter", path, required=required)
    if text is None:
        return events, None
    try:
        return events, parse_filter(text)
    except FilterSyntaxError as exc:
        message = str(exc).rsplit(" at column ", 1)[0]
        issues.error(
            spec.line_of("filter"),
            f"{path}.filter",
            f"filter {text!r}: {message} at column {exc.column} of the filter",
            "filters look like: status < 500",
        )
        return events, None
