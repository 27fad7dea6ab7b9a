"""PromQL text for the Prometheus SLI source: windows, counts, tagged batches, slices.

Pure: strings in, strings out; no I/O, no clock. ``PrometheusSource`` sends what this
module builds.

Counts over a window ``W`` ending at the evaluation instant ``T`` (one ``time=`` for every
query of an evaluation)::

    ratio SLI       good  = sum(<good_query with {{window}} = W>)      (or total - errors)
                    total = sum(<total_query with {{window}} = W>)
    histogram SLI   good  = sum(increase(<metric>_bucket{<selector>,le=~"<le>"}[W]))
                    total = sum(increase(<metric>_count{<selector>}[W]))
    raw SLI         error ratio = <error_ratio_query with {{window}} = W>   (no counts)

A query written with ``rate(...[{{window}}])`` returns events per second; it is scaled by
``W`` in seconds, because Prometheus computes ``increase(v[W])`` as ``rate(v[W]) * W`` with
the same extrapolation (promql/functions.go ``extrapolatedRate``), so the product is the
count ``increase`` would have returned.

Good and total of one SLO, and of many SLOs, travel in ONE instant query: each part is
wrapped in ``label_replace(..., "headroom_key", "<key>", "", "")`` and the parts are joined
with ``or``. Prometheus evaluates the whole expression at one instant over one snapshot,
so a good count can never come from a later moment than its total.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from headroom.spec.model import SLI, PrometheusHistogramSLI, PrometheusRatioSLI, PrometheusRawSLI

__all__ = [
    "KEY_LABEL",
    "WINDOW_PLACEHOLDER",
    "Part",
    "bad_slices_expr",
    "count_parts",
    "le_matcher",
    "le_values_equal",
    "minute_parts",
    "promql_duration",
    "promql_string",
    "query_unit",
    "ratio_timeslices_parts",
    "tagged_union",
    "with_window",
]

#: The label each tagged part carries in a batched answer; chosen not to start with ``__``
#: (reserved for Prometheus' own labels) and unlikely to clash with an exporter's label.
KEY_LABEL = "headroom_key"
#: The placeholder spec authors write in Prometheus SLI queries (``spec/model.py``).
WINDOW_PLACEHOLDER = "{{window}}"

#: Duration units PromQL accepts, largest first (Prometheus ``model.ParseDuration``).
_UNITS: tuple[tuple[str, int], ...] = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_RATE_CALL = re.compile(r"\b(?:i?rate)\s*\(")
_INCREASE_CALL = re.compile(r"\bincrease\s*\(")

PartKind = Literal["good", "total", "errors", "error_ratio", "bad_slices"]


@dataclass(frozen=True)
class Part:
    """One tagged piece of a batched query: ``key`` names it in the answer.

    ``row`` is the SLO's row in the batch, ``kind`` what the value means, ``expr`` the
    PromQL sent (before tagging) and ``text`` the query a user would run by hand to
    check it (reported when the part returns nothing).
    """

    key: str
    row: int
    kind: PartKind
    expr: str


def promql_duration(seconds: int) -> str:
    """A PromQL range duration: the largest unit that divides ``seconds`` (``3600`` -> ``1h``)."""
    if seconds <= 0:
        raise ValueError(f"a PromQL range must be positive, got {seconds} s")
    for unit, size in _UNITS:
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    raise AssertionError("unreachable: 1 s divides every integer")


def promql_string(value: str) -> str:
    """A double-quoted PromQL string literal (Go escapes; JSON's are a subset)."""
    return json.dumps(value)


def with_window(query: str, window_s: int) -> str:
    """``query`` with every ``{{window}}`` replaced by the PromQL duration of ``window_s``."""
    return query.replace(WINDOW_PLACEHOLDER, promql_duration(window_s))


def query_unit(query: str) -> Literal["per_second", "count"]:
    """Whether a windowed query returns events per second (``rate``) or events (``increase``).

    A query that calls ``increase`` is a count; one that calls ``rate``/``irate`` (and no
    ``increase``) is per second and is scaled by the window; anything else (a recording
    rule of counts, ``count_over_time``) is taken as a count.
    """
    if _INCREASE_CALL.search(query):
        return "count"
    if _RATE_CALL.search(query):
        return "per_second"
    return "count"


def _as_count(query: str, window_s: int) -> str:
    """``sum(<query>)`` as a count over ``window_s``, scaled when the query is a rate."""
    expr = f"sum({with_window(query, window_s)})"
    return f"{expr} * {window_s}" if query_unit(query) == "per_second" else expr


def le_values_equal(threshold_s: float, values: Iterable[str]) -> list[str]:
    """The ``le`` label values equal to ``threshold_s`` as floats (``0.3`` = ``0.30`` = ``3e-1``).

    Compared as floats, never as text, so whatever spelling the exporter chose matches;
    unparsable values are ignored. Sorted for a stable query text.
    """
    out: list[str] = []
    for value in values:
        try:
            number = float(value)
        except ValueError:
            continue
        if number == threshold_s:
            out.append(value)
    return sorted(set(out))


def le_matcher(values: Sequence[str]) -> str:
    """An ``le`` matcher selecting exactly these spellings: ``le="0.3"`` or ``le=~"0\\.3|0\\.30"``."""
    if not values:
        raise ValueError("le_matcher needs at least one le value")
    if len(values) == 1:
        return f"le={promql_string(values[0])}"
    return f"le=~{promql_string('|'.join(re.escape(v) for v in values))}"


def _selector(*matchers: str) -> str:
    return "{" + ",".join(m for m in matchers if m.strip()) + "}"


def bucket_selector(sli: PrometheusHistogramSLI) -> str:
    """The series selector of a histogram SLI's buckets, without ``le`` (for ``/label/le/values``)."""
    return f"{sli.metric}_bucket{_selector(sli.selector)}"


def _histogram_counts(sli: PrometheusHistogramSLI, le: Sequence[str], window: str) -> tuple[str, str]:
    good = f"sum(increase({sli.metric}_bucket{_selector(sli.selector, le_matcher(le))}[{window}]))"
    total = f"sum(increase({sli.metric}_count{_selector(sli.selector)}[{window}]))"
    return good, total


def count_parts(sli: SLI, row: int, window_s: int, tag: str, le: Sequence[str] | None = None) -> list[Part]:
    """The parts that give one SLO's counts over ``window_s`` (module docstring).

    ``le`` is required for histogram SLIs: the bucket spellings equal to the threshold.
    """
    if isinstance(sli, PrometheusRatioSLI):
        total = Part(f"{tag}t", row, "total", _as_count(sli.total_query, window_s))
        if sli.good_query is not None:
            return [Part(f"{tag}g", row, "good", _as_count(sli.good_query, window_s)), total]
        if sli.error_query is None:
            raise ValueError("a PrometheusRatioSLI needs good_query or error_query")
        return [Part(f"{tag}e", row, "errors", _as_count(sli.error_query, window_s)), total]
    if isinstance(sli, PrometheusRawSLI):
        return [Part(f"{tag}r", row, "error_ratio", with_window(sli.error_ratio_query, window_s))]
    if isinstance(sli, PrometheusHistogramSLI):
        if not le:
            raise ValueError(f"histogram SLI {sli.metric}: no le value given for {sli.threshold_s}")
        good_expr, total_expr = _histogram_counts(sli, le, promql_duration(window_s))
        return [Part(f"{tag}g", row, "good", good_expr), Part(f"{tag}t", row, "total", total_expr)]
    raise TypeError(f"not a Prometheus SLI: {sli.kind}")


def _good_ratio(sli: SLI, window_s: int, le: Sequence[str] | None) -> str:
    """PromQL for the good ratio over a trailing ``window_s``; absent where there is no traffic.

    The total is filtered with ``> 0`` so a slice without events yields no sample (it is
    neither good nor bad) instead of NaN from 0/0.
    """
    if isinstance(sli, PrometheusRawSLI):
        return f"(1 - ({with_window(sli.error_ratio_query, window_s)}))"
    parts = count_parts(sli, 0, window_s, "", le)
    num, den = parts[0], parts[1]
    if num.kind == "errors":
        # An absent error series means no errors yet (client libraries create a labelled
        # series on its first increment), so it is 0 here, not a missing slice.
        return f"(1 - (({num.expr}) or vector(0)) / (({den.expr}) > 0))"
    return f"(({num.expr}) / (({den.expr}) > 0))"


def ratio_timeslices_parts(
    sli: SLI, row: int, period_s: int, tag: str, le: Sequence[str] | None = None, slice_s: int = 300
) -> list[Part]:
    """The "ratio-timeslices" period SLI: the mean of the ``slice_s`` good ratios in the period.

    ``avg_over_time(<5m good ratio>[P:5m])`` (a subquery) as an ``error_ratio`` part. Cheaper
    than counting events, but each 5-minute slice weighs the same whatever its traffic, so
    it differs from the event-weighted SLI whenever traffic is uneven (docs/prometheus.md).
    """
    ratio = _good_ratio(sli, slice_s, le)
    subquery = f"[{_subquery_range(period_s)}:{promql_duration(slice_s)}]"
    return [Part(f"{tag}r", row, "error_ratio", f"(1 - avg_over_time({ratio}{subquery}))")]


def _subquery_range(period_s: int) -> str:
    """A subquery range holding exactly ``period_s / step`` aligned steps.

    Prometheus 2.x subquery and range bounds are closed (``[T - P, T]``), which would hold
    one step too many when ``T`` is step-aligned; one second less keeps exactly the steps
    in ``(T - P, T]`` on 2.x and 3.x alike.
    """
    return f"{period_s - 1}s"


def bad_slices_expr(
    sli: SLI, period_s: int, slice_s: int, slice_target: float, le: Sequence[str] | None
) -> str:
    """Number of bad slices in the trailing ``period_s``: slices whose good ratio < target.

    ``count_over_time((<slice good ratio> < target)[P:slice])``: the subquery evaluates the
    ratio over each ``slice_s`` slice ending on a multiple of ``slice_s``; slices without
    traffic yield no sample and count as good (OpenSLO). An empty answer means 0 bad slices.
    """
    ratio = _good_ratio(sli, slice_s, le)
    target = repr(float(slice_target))
    subquery = f"[{_subquery_range(period_s)}:{promql_duration(slice_s)}]"
    return f"count_over_time(({ratio} < {target}){subquery})"


def minute_parts(sli: SLI, row: int, tag: str, le: Sequence[str] | None = None) -> list[Part]:
    """Per-minute counts for a range query at a 60 s step: the window is one minute."""
    return count_parts(sli, row, 60, tag, le)


def tagged_union(parts: Sequence[Part]) -> str:
    """One expression answering every part, each series tagged ``headroom_key="<key>"``."""
    if not parts:
        raise ValueError("tagged_union needs at least one part")
    key = promql_string(KEY_LABEL)
    terms = [
        f"label_replace({p.expr}, {key}, {promql_string(p.key)}, {promql_string('')}, {promql_string('')})"
        for p in parts
    ]
    # A balanced tree of ``or``: Prometheus evaluates ``a or b`` by indexing the left-hand
    # side, so a left-deep chain of n terms costs O(n^2) and a balanced one O(n log n).
    while len(terms) > 1:
        paired = [f"({terms[k]} or {terms[k + 1]})" for k in range(0, len(terms) - 1, 2)]
        terms = paired + ([terms[-1]] if len(terms) % 2 else [])
    return terms[0].removeprefix("(").removesuffix(")") if len(parts) > 1 else terms[0]
