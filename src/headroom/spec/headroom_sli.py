"""The ``sli:`` block of headroom's spec format: event filters, latency sugar, Prometheus queries.

Pure: takes a located tree (``locations.py``) and collects issues. ``docs/spec.md`` has
every form with examples.
"""

from __future__ import annotations

import re

from headroom.spec.fields import window_query
from headroom.spec.filters import Compare, FilterExpr, FilterSyntaxError, parse_filter
from headroom.spec.locations import (
    Issues,
    YMap,
    field_path,
    get_map,
    get_scalar,
    get_str,
    suggest,
)
from headroom.spec.model import (
    SLI,
    EventsSLI,
    PrometheusHistogramSLI,
    PrometheusRatioSLI,
    PrometheusRawSLI,
)

__all__ = ["parse_sli"]

_STREAM = re.compile(r"^[A-Za-z0-9_][-A-Za-z0-9_.]*$")
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
_INDICATORS = ("availability", "latency", "quality", "ratio")
_FILTER_EXAMPLES = 'status < 500, latency_ms <= 300, outcome == "success" and not hallucinated'


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


def parse_sli(issues: Issues, node: YMap, path: str) -> SLI | None:
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
