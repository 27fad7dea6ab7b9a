"""Read the canary judge's input file (CSV or JSONL) into ``CanaryData`` (adapter: does I/O).

One row per observation; a file may mix sample metrics and count metrics, but each metric
is one kind::

    metric,variant,value              # samples: one value per row, NaN / empty allowed
    latency_p99_ms,baseline,120.5
    latency_p99_ms,canary,131.0

    metric,variant,good,total         # counts: rows of the same metric and variant add up
    http_requests,baseline,99870,100000
    http_requests,canary,9931,10000

    metric,variant,le,count           # histograms: observations per bucket, NOT cumulative
    latency_ms,baseline,100,9120      # (Prometheus buckets are cumulative: difference them first)
    latency_ms,baseline,+Inf,880

A CSV may carry all the columns (``metric,variant,value,good,total,le,count``): a row with
``le``/``count`` filled is a bucket row, one with ``good``/``total`` a count row, otherwise a
sample row. JSONL has one object per
line with the same keys (``{"metric": "latency", "variant": "canary", "value": 12.5}``);
blank lines are skipped. ``variant`` is ``baseline`` or ``canary`` (``control`` and
``experiment``, Kayenta's words, are accepted too).

Every bad row is reported, each as ``file:line: problem; fix``, in one ``DataError``.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from headroom.canary.model import CanaryData, CountMetric, HistogramMetric, Metric, SampleMetric
from headroom.errors import DataError

__all__ = ["load_canary_data", "parse_canary_rows"]

_VARIANTS = {"baseline": "baseline", "control": "baseline", "canary": "canary", "experiment": "canary"}
_NAN_TEXT = {"", "nan", "NaN", "NAN", "null", "None"}


@dataclass
class _Metric:
    kind: str
    first_line: int
    values: dict[str, list[float]] = field(default_factory=lambda: {"baseline": [], "canary": []})
    good: dict[str, int] = field(default_factory=lambda: {"baseline": 0, "canary": 0})
    total: dict[str, int] = field(default_factory=lambda: {"baseline": 0, "canary": 0})
    buckets: dict[str, dict[float, int]] = field(default_factory=lambda: {"baseline": {}, "canary": {}})


_KIND_HELP = "give each metric as value rows, good,total rows or le,count rows"


def _as_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _parse_count(raw: Any, name: str, where: str, errors: list[str]) -> int | None:
    text = _as_text(raw)
    try:
        number = float(text) if not isinstance(raw, int | float) else float(raw)
    except ValueError:
        errors.append(f"{where}: {name} {text!r} is not a number; write a whole count such as 1000")
        return None
    if not math.isfinite(number) or number != int(number) or number < 0:
        errors.append(f"{where}: {name} {text!r} must be a whole number >= 0")
        return None
    return int(number)


def _add_counts(metric: _Metric, variant: str, row: dict[str, Any], where: str, errors: list[str]) -> None:
    good = _parse_count(row.get("good"), "good", where, errors)
    total = _parse_count(row.get("total"), "total", where, errors)
    if good is None or total is None:
        return
    if good > total:
        errors.append(f"{where}: good {good} is greater than total {total}; good is part of total")
        return
    metric.good[variant] += good
    metric.total[variant] += total


def _add_value(metric: _Metric, variant: str, row: dict[str, Any], where: str, errors: list[str]) -> None:
    raw = row.get("value")
    text = _as_text(raw)
    if text in _NAN_TEXT:
        metric.values[variant].append(math.nan)
        return
    try:
        value = float(raw if isinstance(raw, int | float) and not isinstance(raw, bool) else text)
    except ValueError:
        errors.append(f"{where}: value {text!r} is not a number; write a number, or NaN if missing")
        return
    if math.isinf(value):
        errors.append(f"{where}: value {text!r} is infinite; write a finite number or NaN")
        return
    metric.values[variant].append(value)


def _add_bucket(metric: _Metric, variant: str, row: dict[str, Any], where: str, errors: list[str]) -> None:
    raw = row.get("le")
    text = _as_text(raw)
    try:
        upper = float(raw) if isinstance(raw, int | float) else float(text)
    except ValueError:
        errors.append(f"{where}: le {text!r} is not a number; write the bucket's upper bound, or +Inf")
        return
    if math.isnan(upper):
        errors.append(f"{where}: le is NaN; write the bucket's upper bound, or +Inf")
        return
    count = _parse_count(row.get("count"), "count", where, errors)
    if count is not None:
        buckets = metric.buckets[variant]
        buckets[upper] = buckets.get(upper, 0) + count


def _row_kind(row: dict[str, Any]) -> str:
    if _as_text(row.get("le")) != "" or _as_text(row.get("count")) != "":
        return "histogram"
    if _as_text(row.get("good")) != "" or _as_text(row.get("total")) != "":
        return "counts"
    return "samples"


def _build(name: str, m: _Metric) -> Metric:
    if m.kind == "counts":
        good, total = m.good, m.total
        return CountMetric(name, good["baseline"], total["baseline"], good["canary"], total["canary"])
    if m.kind == "histogram":
        bounds = sorted(set(m.buckets["baseline"]) | set(m.buckets["canary"]))
        return HistogramMetric(
            name,
            upper_bounds=np.asarray(bounds, dtype=np.float64),
            baseline_counts=np.asarray([m.buckets["baseline"].get(b, 0) for b in bounds], dtype=np.int64),
            canary_counts=np.asarray([m.buckets["canary"].get(b, 0) for b in bounds], dtype=np.int64),
        )
    return SampleMetric(
        name,
        baseline=np.asarray(m.values["baseline"], dtype=np.float64),
        canary=np.asarray(m.values["canary"], dtype=np.float64),
    )


def parse_canary_rows(rows: list[tuple[int, dict[str, Any]]], source: str) -> CanaryData:
    """Turn ``(line, row)`` pairs into ``CanaryData``; raises one ``DataError`` listing every bad row."""
    errors: list[str] = []
    metrics: dict[str, _Metric] = {}
    adders = {"counts": _add_counts, "samples": _add_value, "histogram": _add_bucket}
    for line, row in rows:
        where = f"{source}:{line}"
        name = _as_text(row.get("metric"))
        variant_text = _as_text(row.get("variant"))
        if not name:
            errors.append(f"{where}: the metric name is empty; write it in the 'metric' column")
            continue
        variant = _VARIANTS.get(variant_text.lower())
        if variant is None:
            errors.append(f"{where}: unknown variant {variant_text!r}; write 'baseline' or 'canary'")
            continue
        kind = _row_kind(row)
        metric = metrics.setdefault(name, _Metric(kind=kind, first_line=line))
        if metric.kind != kind:
            errors.append(
                f"{where}: metric {name!r} was given as {metric.kind} on line {metric.first_line} and as "
                f"{kind} here; {_KIND_HELP}"
            )
            continue
        adders[kind](metric, variant, row, where, errors)
    if errors:
        raise DataError(f"{len(errors)} bad row(s) in canary data:\n" + "\n".join(errors))
    return CanaryData(tuple(_build(name, m) for name, m in metrics.items()))


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = {"metric", "variant"} - set(header)
    has_value = "value" in header
    has_counts = {"good", "total"} <= set(header)
    has_buckets = {"le", "count"} <= set(header)
    if missing or not (has_value or has_counts or has_buckets):
        raise DataError(
            f"{path}:1: header {','.join(header) or '(empty)'} lacks "
            f"{', '.join(sorted(missing)) or 'value, good,total or le,count'}; write 'metric,variant,value' "
            "for samples, 'metric,variant,good,total' for counts or 'metric,variant,le,count' for histograms"
        )
    reader.fieldnames = header
    return [(reader.line_num, {k: v for k, v in row.items() if k is not None}) for row in reader]


def _jsonl_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{path}:{number}: not valid JSON ({error.msg}); write one JSON object per line")
            continue
        if not isinstance(obj, dict):
            problems.append(
                f'{path}:{number}: expected a JSON object such as {{"metric": ..., "variant": ...}}'
            )
            continue
        rows.append((number, obj))
    if problems:
        raise DataError(f"{len(problems)} bad line(s) in canary data:\n" + "\n".join(problems))
    return rows


def load_canary_data(path: str | Path) -> CanaryData:
    """Load a ``.csv`` or ``.jsonl`` / ``.ndjson`` canary data file (module docstring)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as error:
        raise DataError(f"{p}: cannot read canary data ({error.strerror}); check the path") from error
    suffix = p.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(p, text)
    elif suffix in (".jsonl", ".ndjson"):
        rows = _jsonl_rows(p, text)
    else:
        raise DataError(f"{p}: unknown data format {suffix!r}; use a .csv or .jsonl file")
    return parse_canary_rows(rows, str(p))
