"""Read the canary judge's input file (CSV or JSONL) into ``CanaryData`` (adapter: does I/O).

One row per observation; a file may mix sample metrics and count metrics, but each metric
is one kind::

    metric,variant,value              # samples: one value per row, NaN / empty allowed
    latency_p99_ms,baseline,120.5
    latency_p99_ms,canary,131.0

    metric,variant,good,total         # counts: rows of the same metric and variant add up
    http_requests,baseline,99870,100000
    http_requests,canary,9931,10000

A CSV may carry all four columns (``metric,variant,value,good,total``): a row with
``good``/``total`` filled is a count row, otherwise a sample row. JSONL has one object per
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

from headroom.canary.model import CanaryData, CountMetric, SampleMetric
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


def parse_canary_rows(rows: list[tuple[int, dict[str, Any]]], source: str) -> CanaryData:
    """Turn ``(line, row)`` pairs into ``CanaryData``; raises one ``DataError`` listing every bad row."""
    errors: list[str] = []
    metrics: dict[str, _Metric] = {}
    for line, row in rows:
        where = f"{source}:{line}"
        name = _as_text(row.get("metric"))
        variant_text = _as_text(row.get("variant"))
        if not name:
            errors.append(
                f"{where}: the metric name is empty; write the metric's name in the 'metric' column"
            )
            continue
        variant = _VARIANTS.get(variant_text.lower())
        if variant is None:
            errors.append(f"{where}: unknown variant {variant_text!r}; write 'baseline' or 'canary'")
            continue
        is_count = _as_text(row.get("good")) != "" or _as_text(row.get("total")) != ""
        kind = "counts" if is_count else "samples"
        metric = metrics.setdefault(name, _Metric(kind=kind, first_line=line))
        if metric.kind != kind:
            errors.append(
                f"{where}: metric {name!r} was given as {metric.kind} on line {metric.first_line} and as "
                f"{kind} here; give each metric as either value rows or good,total rows"
            )
            continue
        if is_count:
            good = _parse_count(row.get("good"), "good", where, errors)
            total = _parse_count(row.get("total"), "total", where, errors)
            if good is None or total is None:
                continue
            if good > total:
                errors.append(
                    f"{where}: good {good} is greater than total {total}; good counts are part of total"
                )
                continue
            metric.good[variant] += good
            metric.total[variant] += total
        else:
            raw = row.get("value")
            text = _as_text(raw)
            if text in _NAN_TEXT:
                metric.values[variant].append(math.nan)
                continue
            try:
                value = (
                    float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else float(text)
                )
            except ValueError:
                errors.append(
                    f"{where}: value {text!r} is not a number; write a number, or NaN for a missing point"
                )
                continue
            if math.isinf(value):
                errors.append(f"{where}: value {text!r} is infinite; write a finite number or NaN")
                continue
            metric.values[variant].append(value)
    if errors:
        raise DataError(f"{len(errors)} bad row(s) in canary data:\n" + "\n".join(errors))
    out: list[SampleMetric | CountMetric] = []
    for name, m in metrics.items():
        if m.kind == "counts":
            out.append(
                CountMetric(
                    name, m.good["baseline"], m.total["baseline"], m.good["canary"], m.total["canary"]
                )
            )
        else:
            out.append(
                SampleMetric(
                    name,
                    baseline=np.asarray(m.values["baseline"], dtype=np.float64),
                    canary=np.asarray(m.values["canary"], dtype=np.float64),
                )
            )
    return CanaryData(tuple(out))


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = {"metric", "variant"} - set(header)
    has_value = "value" in header
    has_counts = {"good", "total"} <= set(header)
    if missing or not (has_value or has_counts):
        raise DataError(
            f"{path}:1: header {','.join(header) or '(empty)'} lacks "
            f"{', '.join(sorted(missing)) or 'value or good,total'}; "
            "write 'metric,variant,value' for samples or 'metric,variant,good,total' for counts"
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
