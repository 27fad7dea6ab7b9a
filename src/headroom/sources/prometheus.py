"""PrometheusSource: SLI counts from a Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir).

Every instant query of one evaluation is sent with the same ``time=``: the minute
boundary ``T = floor(at / 60 s) x 60 s`` at which headroom's windows end
(``budget/windows.py``), so every window, the SLO window and the bad-slice count read one
snapshot, and on minute-aligned scrapes ``increase()`` needs no extrapolation.

Batching: each SLO x window is a handful of tagged parts (``promql_window.py``); the
parts of several SLOs, all their windows included, are joined with ``or`` into one query
of at most ``max_parts_per_query`` parts, and the queries run ``concurrency`` at a time
over one connection pool. Good and total of a window are always in the same query, hence
evaluated at the same instant over the same data. Batches stay small (64 parts, about
four SLOs x 7 windows) because Prometheus 2.42 spends more than linear time on a query's
parts: measured on the benchmark data, 14 parts took ~5 ms, 196 parts 0.6-1.3 s, and 100
SLOs took 2.4 s in 22 queries of 64 parts but 10.7 s in one query of 1,400
(``benchmarks/bench_prometheus.py``).

Absence is explicit: a good or total part that returns nothing (or NaN, or Inf) makes that
cell NaN and ``Counts.missing[row]`` names the query; it never becomes an SLI of 0. An
error part that returns nothing while its total exists counts 0 errors (Prometheus client
libraries create a labelled series such as ``code="500"`` on its first increment) unless
``missing_errors="no-data"``.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Literal, TypeVar

import httpx
import numpy as np

from headroom.budget.series import FloatArray
from headroom.budget.windows import WindowSpan, epoch_minute
from headroom.errors import SourceError
from headroom.sources.base import Counts
from headroom.sources.prometheus_answers import Cells, Group, MissingErrors, fill_counts, fill_minutes
from headroom.sources.prometheus_http import PrometheusHTTP, QueryRejectedError, RangeSeries, Sample
from headroom.sources.promql_window import (
    KEY_LABEL,
    Part,
    bad_slices_expr,
    bucket_selector,
    count_parts,
    le_values_equal,
    minute_parts,
    ratio_timeslices_parts,
    tagged_union,
)
from headroom.spec.model import SLO, PrometheusHistogramSLI, PrometheusRatioSLI, PrometheusRawSLI, Timeslices

__all__ = ["PeriodMode", "PrometheusSource"]

PeriodMode = Literal["events", "ratio-timeslices"]
_T = TypeVar("_T")

#: Prometheus refuses range queries of more than 11,000 points per series
#: (web/api/v1 ``queryRange``); a week of minutes stays well below it.
_MAX_RANGE_STEPS = 10_080
_PROMETHEUS_SLIS = (PrometheusRatioSLI, PrometheusRawSLI, PrometheusHistogramSLI)


class PrometheusSource:
    """An ``SLISource`` over the Prometheus HTTP API (module docstring).

    ``period_mode`` chooses the SLO-window SLI: ``"events"`` (default) counts events over the
    whole period with ``increase()``, like the embedded store; ``"ratio-timeslices"`` is the
    cheaper mean of 5-minute good ratios (``avg_over_time`` of a subquery), which weighs
    every 5 minutes alike and so gives no event counts.
    """

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.Client | None = None,
        timeout_s: float = 30.0,
        retries: int = 2,
        backoff_s: float = 0.25,
        bearer_token: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        period_mode: PeriodMode = "events",
        max_parts_per_query: int = 64,
        concurrency: int = 2,
        missing_errors: MissingErrors = "zero",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if period_mode not in ("events", "ratio-timeslices"):
            raise SourceError(f"period_mode {period_mode!r} is not one of 'events', 'ratio-timeslices'")
        if max_parts_per_query < 1 or concurrency < 1:
            raise SourceError("max_parts_per_query and concurrency must be at least 1")
        self._http = PrometheusHTTP(
            base_url,
            client=client,
            timeout_s=timeout_s,
            retries=retries,
            backoff_s=backoff_s,
            bearer_token=bearer_token,
            basic_auth=basic_auth,
            headers=headers,
            sleep=sleep,
        )
        self.period_mode: PeriodMode = period_mode
        self._max_parts = max_parts_per_query
        self._concurrency = concurrency
        self._missing_errors = missing_errors
        self._le_cache: dict[str, list[str]] = {}

    @property
    def name(self) -> str:
        return "prometheus" if self.period_mode == "events" else "prometheus (ratio-timeslices)"

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent so far (retries included); for benchmarks and tests."""
        return self._http.requests_sent

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PrometheusSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ SLISource

    def lookback_counts(self, slos: Sequence[SLO], at: datetime, lookbacks_s: Sequence[int]) -> Counts:
        at_s = epoch_minute(at) * 60
        # Each distinct lookback is asked once (the SLO window often repeats one, e.g. 3d).
        unique = list(dict.fromkeys(lookbacks_s))
        cells = Cells(len(slos), len(unique))
        les = self._resolve_le(slos, cells, at_s, max(lookbacks_s, default=60))
        groups: list[Group] = []
        for i, slo in enumerate(slos):
            if i in cells.missing:
                continue
            for j, lookback_s in enumerate(unique):
                groups.append(
                    Group(i, j, lookback_s, count_parts(slo.sli, i, lookback_s, f"{i}_{j}", les.get(i)))
                )
        answers = self._instant(slos, groups, at_s)
        fill_counts(cells, groups, answers, self._missing_errors)
        counts = cells.counts()
        if len(unique) == len(lookbacks_s):
            return counts
        columns = [unique.index(lb) for lb in lookbacks_s]
        good, total = counts.good[:, columns], counts.total[:, columns]
        return Counts(good, total, counts.counts_known, counts.missing, counts.notes)

    def window_counts(self, slos: Sequence[SLO], spans: Sequence[WindowSpan]) -> Counts:
        cells = Cells(len(slos), 1)
        by_end: dict[int, list[int]] = defaultdict(list)
        for i, span in enumerate(spans):
            by_end[span.end_minute].append(i)
        for end_minute, rows in by_end.items():
            at_s = end_minute * 60
            longest = max((spans[i].end_minute - spans[i].start_minute) * 60 for i in rows)
            les = self._resolve_le([slos[i] for i in rows], cells, at_s, max(longest, 60), rows)
            groups: list[Group] = []
            for i in rows:
                if i in cells.missing:
                    continue
                period_s = (spans[i].end_minute - spans[i].start_minute) * 60
                if period_s <= 0:
                    cells.good[i, 0] = cells.total[i, 0] = 0.0
                    continue
                if self.period_mode == "ratio-timeslices":
                    parts = ratio_timeslices_parts(slos[i].sli, i, period_s, f"{i}_0", les.get(i))
                else:
                    parts = count_parts(slos[i].sli, i, period_s, f"{i}_0", les.get(i))
                groups.append(Group(i, 0, period_s, parts))
            answers = self._instant(slos, groups, at_s)
            fill_counts(cells, groups, answers, self._missing_errors)
        return cells.counts()

    def bad_slices(self, slos: Sequence[SLO], spans: Sequence[WindowSpan]) -> FloatArray:
        out = np.full(len(slos), np.nan)
        cells = Cells(len(slos), 1)
        by_end: dict[int, list[int]] = defaultdict(list)
        for i, (slo, span) in enumerate(zip(slos, spans, strict=True)):
            if isinstance(slo.budgeting, Timeslices) and isinstance(slo.sli, _PROMETHEUS_SLIS):
                by_end[span.end_minute].append(i)
        for end_minute, rows in by_end.items():
            at_s = end_minute * 60
            longest = max((spans[i].end_minute - spans[i].start_minute) * 60 for i in rows)
            les = self._resolve_le([slos[i] for i in rows], cells, at_s, max(longest, 60), rows)
            groups: list[Group] = []
            for i in rows:
                budgeting = slos[i].budgeting
                period_s = (spans[i].end_minute - spans[i].start_minute) * 60
                if i in cells.missing or not isinstance(budgeting, Timeslices):
                    continue
                if period_s < budgeting.slice_s:
                    out[i] = 0.0
                    continue
                expr = bad_slices_expr(
                    slos[i].sli, period_s, budgeting.slice_s, float(budgeting.slice_target), les.get(i)
                )
                groups.append(Group(i, 0, period_s, [Part(f"{i}_b", i, "bad_slices", expr)]))
            answers = self._instant(slos, groups, at_s)
            for group in groups:
                values = answers.get(group.parts[0].key, [])
                # No sample: no slice fell below target (count_over_time of nothing is empty).
                out[group.row] = values[0] if values and math.isfinite(values[0]) else 0.0
        return out

    def minute_series(self, slos: Sequence[SLO], start_minute: int, end_minute: int) -> Counts:
        width = max(end_minute - start_minute, 0)
        cells = Cells(len(slos), width)
        cells.good[:] = 0.0
        cells.total[:] = 0.0
        if width == 0:
            return cells.counts()
        les = self._resolve_le(slos, cells, end_minute * 60, width * 60)
        groups = [
            Group(i, 0, 60, minute_parts(slo.sli, i, f"{i}_m", les.get(i)))
            for i, slo in enumerate(slos)
            if i not in cells.missing
        ]
        parts = [p for g in groups for p in g.parts]
        # The value at t = (m + 1) x 60 is the increase over [m x 60, (m + 1) x 60]: minute m.
        seen: dict[str, FloatArray] = {p.key: np.full(width, np.nan) for p in parts}
        for lo in range(start_minute, end_minute, _MAX_RANGE_STEPS):
            hi = min(lo + _MAX_RANGE_STEPS, end_minute)
            for series in self._range(slos, groups, (lo + 1) * 60, hi * 60):
                key = series.labels.get(KEY_LABEL, "")
                if key not in seen:
                    continue
                idx = np.asarray(series.times_s, dtype=np.float64) // 60 - 1 - start_minute
                seen[key][idx.astype(np.int64)] = series.values
        for group in groups:
            fill_minutes(cells, group.row, group.parts, seen, self._missing_errors)
        return cells.counts()

    # ------------------------------------------------------------------ helpers

    def _chunks(self, groups: Sequence[Group]) -> Iterator[list[Part]]:
        """Parts in queries of at most ``max_parts_per_query``; a window's good and total stay together."""
        chunk: list[Part] = []
        for group in groups:
            if chunk and len(chunk) + len(group.parts) > self._max_parts:
                yield chunk
                chunk = []
            chunk.extend(group.parts)
        if chunk:
            yield chunk

    def _instant(self, slos: Sequence[SLO], groups: Sequence[Group], at_s: int) -> dict[str, list[float]]:
        """Run the tagged parts as batched instant queries at ``at_s``; values by key."""
        answers: dict[str, list[float]] = defaultdict(list)
        chunks = list(self._chunks(groups))

        def run(chunk: list[Part]) -> list[Sample]:
            return self._named(slos, chunk, lambda c: self._http.instant(tagged_union(c), at_s))

        for samples in self._map(run, chunks):
            for sample in samples:
                answers[sample.labels.get(KEY_LABEL, "")].append(sample.value)
        return answers

    def _range(
        self, slos: Sequence[SLO], groups: Sequence[Group], start_s: int, end_s: int
    ) -> list[RangeSeries]:
        chunks = list(self._chunks(groups))

        def run(chunk: list[Part]) -> list[RangeSeries]:
            return self._named(slos, chunk, lambda c: self._http.range(tagged_union(c), start_s, end_s, 60))

        return [series for result in self._map(run, chunks) for series in result]

    def _map(self, run: Callable[[list[Part]], list[_T]], chunks: list[list[Part]]) -> list[list[_T]]:
        if len(chunks) <= 1 or self._concurrency == 1:
            return [run(c) for c in chunks]
        with ThreadPoolExecutor(max_workers=min(self._concurrency, len(chunks))) as pool:
            return list(pool.map(run, chunks))

    def _named(self, slos: Sequence[SLO], chunk: list[Part], call: Callable[[list[Part]], _T]) -> _T:
        """Run ``call``; when Prometheus rejects the batch, find and name the SLO at fault."""
        try:
            return call(chunk)
        except QueryRejectedError as error:
            rows = sorted({p.row for p in chunk})
            if len(rows) > 1:
                for row in rows:
                    self._named(slos, [p for p in chunk if p.row == row], call)
                raise
            slo = slos[rows[0]]
            where = f" ({slo.location})" if slo.location is not None else ""
            raise SourceError(
                f"SLO {slo.id}{where}: Prometheus at {self.base_url} rejected its query: "
                f"{error.error_type}: {error.detail}\n  query: {tagged_union(chunk)}\n"
                "  fix: correct the PromQL in this SLO's sli block (try it in the Prometheus UI)"
            ) from None

    def _resolve_le(
        self,
        slos: Sequence[SLO],
        cells: Cells,
        at_s: int,
        lookback_s: int,
        rows: Sequence[int] | None = None,
    ) -> dict[int, list[str]]:
        """The ``le`` spellings equal to each histogram SLO's threshold; non-Prometheus SLIs are missing.

        Asked once per bucket selector (``/api/v1/label/le/values?match[]=...``) and cached
        for the life of the source, since bucket layouts change with a deploy, not a query.
        """
        out: dict[int, list[str]] = {}
        for k, slo in enumerate(slos):
            row = rows[k] if rows is not None else k
            if not isinstance(slo.sli, _PROMETHEUS_SLIS):
                cells.miss(
                    row,
                    f"SLO {slo.id} has a {slo.sli.kind} SLI, which the Prometheus source cannot answer; "
                    "evaluate it with the embedded store",
                )
                continue
            if not isinstance(slo.sli, PrometheusHistogramSLI):
                continue
            selector = bucket_selector(slo.sli)
            if selector not in self._le_cache:
                try:
                    values = self._http.label_values("le", [selector], at_s - lookback_s, at_s)
                except QueryRejectedError as error:
                    where = f" ({slo.location})" if slo.location is not None else ""
                    raise SourceError(
                        f"SLO {slo.id}{where}: Prometheus at {self.base_url} rejected the histogram selector "
                        f"{selector}: {error.error_type}: {error.detail}\n"
                        "  fix: correct metric and selector in this SLO's sli block"
                    ) from None
                if not values:
                    cells.miss(row, f"no data: no series match {selector}")
                    continue
                self._le_cache[selector] = values
            matching = le_values_equal(slo.sli.threshold_s, self._le_cache[selector])
            if not matching:
                present = ", ".join(sorted(self._le_cache[selector], key=_le_order))
                cells.miss(
                    row,
                    f"{selector} has no bucket with le = {slo.sli.threshold_s!r}; its buckets are {present}; "
                    "set threshold_s to one of them",
                )
                continue
            out[row] = matching
        return out


def _le_order(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return math.inf
