"""Backtest an alert profile on per-minute history: when would each tier have fired?

Pure, vectorised with numpy over SLOs and minutes (rows are processed in chunks so memory
stays bounded: 90 days x 1,000 SLOs is 130 M minutes).

**Replay.** ``good``/``total`` hold one row per SLO and one column per minute; column
``k`` is evaluated at the end of minute ``k``, on the trailing windows ending there
(prefix sums; minutes before the history count as empty). A tier fires at ``k`` when both
its windows' error ratios exceed its threshold and both hold ``min_events`` (``mwmb``).
A *firing span* ``[a, b)`` is a maximal run of firing minutes; ``b`` is the first quiet
minute (``b = minutes`` while still firing at the end).

**Significant events** (SRE Workbook ch. 5: "an event that consumes a large fraction of
the error budget"). A minute *burns* when its error ratio exceeds ``1 - objective`` (burn
rate > 1). Burning minutes separated by at most ``merge_gap_minutes`` quiet minutes form
one candidate ``[s, e)``. It is significant when its bad events exceed ``share`` (2 % by
default) of the budget of one SLO period at the history's average traffic::

    period_budget = (1 - objective) x total_events x period_minutes / history_minutes
    significant   = bad_events_in[s, e) > share x period_budget

**Matching.** A span matches an event when it overlaps ``[s, e + short_window)``: after
the last bad minute a tier's short window still holds it for ``short_window`` minutes, and
no later firing can be caused by the event.

- detection_s = (first firing minute >= s of a matching span + 1 - s) x 60 (``NaN`` if
  no span matches: missed). A full outage detected in its first minute gives 60 s.
- reset_s = (end of the last matching span + 1 - e) x 60, floored at 0 (``NaN`` when
  missed or still firing at the end of the history).
- precision = matching spans / all spans; recall = detected events / all events (NaN
  when there is nothing to divide by).

The last tier of every result, ``any``, is the union of all tiers (the profile as a whole).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from headroom.budget.series import FloatArray

__all__ = [
    "ANY_TIER",
    "BacktestResult",
    "BacktestTier",
    "Events",
    "Spans",
    "TierSpec",
    "backtest",
    "significant_events",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Name of the union of all tiers in results.
ANY_TIER = "any"
#: Chunk size in cells (rows x minutes) of one vectorised pass: 2 MB per float array, cache-sized.
_CHUNK_CELLS = 262_144


@dataclass(frozen=True)
class TierSpec:
    """One tier to replay: windows in minutes, a threshold per SLO row (``inf`` = disabled)."""

    name: str
    severity: str
    long_minutes: int
    short_minutes: int
    threshold: FloatArray


@dataclass(frozen=True)
class Spans:
    """Firing spans ``[start, end)`` in minute indexes, sorted by (row, start)."""

    row: IntArray
    start: IntArray
    end: IntArray


@dataclass(frozen=True)
class Events:
    """Significant events ``[start, end)`` in minute indexes, their bad events and budget share."""

    row: IntArray
    start: IntArray
    end: IntArray
    bad: FloatArray
    consumed_ratio: FloatArray


@dataclass(frozen=True)
class BacktestTier:
    """One tier's replay: spans, and per event (aligned with ``Events``) detection and reset."""

    name: str
    severity: str
    short_minutes: int
    spans: Spans
    span_matches: BoolArray
    detection_s: FloatArray
    reset_s: FloatArray

    def precision(self, row: int | None = None) -> float:
        sel = self.span_matches if row is None else self.span_matches[self.spans.row == row]
        return float(sel.mean()) if sel.size else float("nan")

    def recall(self, events: Events, row: int | None = None) -> float:
        det = self.detection_s if row is None else self.detection_s[events.row == row]
        return float((~np.isnan(det)).mean()) if det.size else float("nan")


@dataclass(frozen=True)
class BacktestResult:
    """Events and every tier's replay (``ANY_TIER`` last) over ``minutes`` minutes."""

    minutes: int
    events: Events
    tiers: tuple[BacktestTier, ...]


#: Relative margin of the multiplicative pre-filter: ``bad > total x thr x (1 - margin)`` keeps
#: every cell whose exact ratio ``bad / total`` exceeds ``thr`` (float error is ~1e-16); the
#: candidates are then checked with the exact division, as ``mwmb`` computes it.
_PREFILTER_MARGIN = 1e-9


def _window_sums(cums: FloatArray, width: int, out: FloatArray) -> FloatArray:
    """Trailing sums from prefix sums ``cums`` (r, m + 1) into ``out`` (r, m)."""
    m = out.shape[1]
    w = min(width, m)
    out[:, :w] = cums[:, 1 : w + 1]
    np.subtract(cums[:, w + 1 :], cums[:, 1 : m - w + 1], out=out[:, w:])
    return out


def _window_at(cums: FloatArray, row: IntArray, minute: IntArray, width: int) -> FloatArray:
    """The same trailing sums as ``_window_sums``, at sparse (row, minute) cells only."""
    return cums[row, minute + 1] - cums[row, np.maximum(minute + 1 - width, 0)]


def _ratio_above(bad: FloatArray, total: FloatArray, thr: FloatArray) -> BoolArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(bad / total > thr, dtype=bool)


def _runs_of(row: IntArray, minute: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Maximal runs of consecutive minutes per row, from sorted (row, minute) cells."""
    if row.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    new = np.ones(row.size, dtype=bool)
    new[1:] = (row[1:] != row[:-1]) | (minute[1:] != minute[:-1] + 1)
    first = np.flatnonzero(new)
    last = np.r_[first[1:], row.size] - 1
    return row[first], minute[first], minute[last] + 1


def _cells(mask: BoolArray, m: int) -> tuple[IntArray, IntArray]:
    flat = np.flatnonzero(mask)
    return (flat // m).astype(np.int64), (flat % m).astype(np.int64)


def _events_chunk(
    bad: FloatArray,
    total: FloatArray,
    bad_c: FloatArray,
    total_c: FloatArray,
    ebr: FloatArray,
    period_minutes: FloatArray,
    share: float,
    merge_gap_minutes: int,
    scratch: FloatArray,
    mask: BoolArray,
) -> tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray]:
    m = bad.shape[1]
    np.multiply(total, (ebr * (1 - _PREFILTER_MARGIN)).reshape(-1, 1), out=scratch)
    flat = np.flatnonzero(np.greater(bad, scratch, out=mask))
    row_of = flat // m
    exact = _ratio_above(bad.ravel()[flat], total.ravel()[flat], ebr[row_of])
    flat, row_of = flat[exact], row_of[exact]
    if flat.size:
        new = np.ones(flat.size, dtype=bool)
        new[1:] = (flat[1:] != flat[:-1] + 1) | (row_of[1:] != row_of[:-1])
        first = np.flatnonzero(new)
        last = np.r_[first[1:], flat.size] - 1
        row = row_of[first].astype(np.int64)
        start = (flat[first] - row * m).astype(np.int64)
        end = (flat[last] + 1 - row * m).astype(np.int64)
        new = np.ones(row.size, dtype=bool)
        new[1:] = (row[1:] != row[:-1]) | (start[1:] - end[:-1] > merge_gap_minutes)
        first = np.flatnonzero(new)
        last = np.r_[first[1:], row.size] - 1
        row, start, end = row[first], start[first], end[last]
    else:
        row = start = end = np.zeros(0, dtype=np.int64)
    bad_in = bad_c[row, end] - bad_c[row, start]
    budget = ebr * total_c[:, m] * period_minutes / max(m, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        consumed = bad_in / budget[row]
    keep = consumed > share
    return row[keep], start[keep], end[keep], bad_in[keep], consumed[keep]


def _prefix(values: FloatArray) -> FloatArray:
    out = np.zeros((values.shape[0], values.shape[1] + 1))
    np.cumsum(values, axis=1, out=out[:, 1:])
    return out


def _row_step(m: int) -> int:
    return max(1, _CHUNK_CELLS // max(m, 1))


def significant_events(
    good: FloatArray,
    total: FloatArray,
    error_budget_ratio: FloatArray,
    period_minutes: FloatArray,
    *,
    share: float = 0.02,
    merge_gap_minutes: int = 5,
) -> Events:
    """Significant events of each row (module docstring)."""
    total = np.asarray(total, dtype=np.float64)
    bad = total - np.asarray(good, dtype=np.float64)
    ebr = np.asarray(error_budget_ratio, dtype=np.float64)
    period = np.asarray(period_minutes, dtype=np.float64)
    parts = []
    step = _row_step(bad.shape[1])
    for lo in range(0, bad.shape[0], step):
        rows = slice(lo, lo + step)
        b, t = bad[rows], total[rows]
        ev = _events_chunk(
            b,
            t,
            _prefix(b),
            _prefix(t),
            ebr[rows],
            period[rows],
            share,
            merge_gap_minutes,
            np.empty(b.shape),
            np.empty(b.shape, dtype=bool),
        )
        parts.append((ev[0] + lo, *ev[1:]))
    return _concat_events(parts)


def _concat_events(parts: list[tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray]]) -> Events:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Events(empty, empty, empty, np.zeros(0), np.zeros(0))
    return Events(*(np.concatenate([p[i] for p in parts]) for i in range(5)))


def _firing_cells(
    bad_c: FloatArray,
    total_c: FloatArray,
    short_bad: FloatArray,
    short_total: FloatArray,
    tier: TierSpec,
    thr: FloatArray,
    minimum: FloatArray,
    scratch: FloatArray,
    mask: BoolArray,
) -> tuple[IntArray, IntArray]:
    """Sorted (row, minute) cells where ``tier`` fires, for one chunk of rows.

    The short window is filtered densely with a multiplication; the few candidates are
    checked exactly (division) on both windows and for the low-traffic guard.
    """
    m = short_bad.shape[1]
    with np.errstate(invalid="ignore"):  # a disabled tier (inf) over no events: NaN, never fires
        np.multiply(short_total, (thr * (1 - _PREFILTER_MARGIN)).reshape(-1, 1), out=scratch)
    row, minute = _cells(np.greater(short_bad, scratch, out=mask), m)
    return _exact_cells(bad_c, total_c, row, minute, tier, thr, minimum)


def _exact_cells(
    bad_c: FloatArray,
    total_c: FloatArray,
    row: IntArray,
    minute: IntArray,
    tier: TierSpec,
    thr: FloatArray,
    minimum: FloatArray,
) -> tuple[IntArray, IntArray]:
    """The candidate cells where ``tier`` really fires: exact ratios of both windows, low traffic."""
    sb = _window_at(bad_c, row, minute, tier.short_minutes)
    st_ = _window_at(total_c, row, minute, tier.short_minutes)
    lb = _window_at(bad_c, row, minute, tier.long_minutes)
    lt = _window_at(total_c, row, minute, tier.long_minutes)
    fire = _ratio_above(sb, st_, thr[row]) & _ratio_above(lb, lt, thr[row])
    fire &= (lt >= minimum[row]) & (st_ >= minimum[row])
    return row[fire], minute[fire]


def _pruned_cells(
    bad_c: FloatArray, total_c: FloatArray, tier: TierSpec, thr: FloatArray, minimum: FloatArray
) -> tuple[IntArray, IntArray] | None:
    """Firing cells found by pruning blocks of minutes on the long window; None when pruning fails.

    For a block ``[k0, k1)`` of at most a quarter of the long window, every long window
    ending in it holds at most the bad events of their union and at least the events of
    their intersection (counts are non-negative, so prefix sums never decrease). When
    ``union_bad <= threshold x intersection_total`` (less a rounding tolerance) no minute of
    the block can fire, and it is skipped. The rest is checked exactly, cell by cell; if
    more than a third of the cells survive, the dense path is cheaper (None).
    """
    r, m = bad_c.shape[0], bad_c.shape[1] - 1
    long_m = tier.long_minutes
    block = max(1, long_m // 4)
    k0 = np.arange(0, m, block, dtype=np.int64)
    k1 = np.minimum(k0 + block, m)
    union_bad = bad_c[:, k1] - bad_c[:, np.maximum(k0 + 1 - long_m, 0)]
    inter_total = total_c[:, k0 + 1] - total_c[:, np.maximum(k1 - long_m, 0)]
    limit = thr.reshape(-1, 1)
    tol = (1e-12 * (bad_c[:, m] + thr * total_c[:, m])).reshape(-1, 1)
    with np.errstate(invalid="ignore"):  # a disabled tier (inf) over no events: NaN, pruned
        keep = union_bad - limit * inter_total > -tol
    rr, bb = np.nonzero(keep)
    lengths = (k1 - k0)[bb]
    count = int(lengths.sum())
    if count * 3 > r * m:
        return None
    row = np.repeat(rr.astype(np.int64), lengths)
    ends = np.cumsum(lengths)
    minute = np.repeat(k0[bb] - (ends - lengths), lengths) + np.arange(count, dtype=np.int64)
    return _exact_cells(bad_c, total_c, row, minute, tier, thr, minimum)


def _match(
    spans: Spans, events: Events, short_minutes: int, minutes: int
) -> tuple[BoolArray, FloatArray, FloatArray]:
    """Span matches, detection and reset times (module docstring), by sorted keys."""
    stride = np.int64(minutes + short_minutes + 2)
    reach = events.end + short_minutes
    ev_reach_key = events.row * stride + reach
    matches = np.zeros(spans.row.size, dtype=bool)
    if events.row.size and spans.row.size:
        j = np.searchsorted(ev_reach_key, spans.row * stride + spans.start, side="right")
        ok = j < events.row.size
        jj = np.minimum(j, events.row.size - 1)
        matches = ok & (events.row[jj] == spans.row) & (events.start[jj] < spans.end)
    detection = np.full(events.row.size, np.nan)
    reset = np.full(events.row.size, np.nan)
    if events.row.size and spans.row.size:
        n_spans = spans.row.size
        i = np.searchsorted(spans.row * stride + spans.end, events.row * stride + events.start, side="right")
        ii = np.minimum(i, n_spans - 1)
        hit = (i < n_spans) & (spans.row[ii] == events.row) & (spans.start[ii] < reach)
        first_minute = np.maximum(spans.start[ii], events.start)
        detection = np.where(hit, (first_minute + 1 - events.start) * 60.0, np.nan)
        k = np.searchsorted(spans.row * stride + spans.start, events.row * stride + reach, side="left") - 1
        kk = np.maximum(k, 0)
        last_end = spans.end[kk]
        done = hit & (last_end < minutes)
        reset = np.where(done, np.maximum((last_end + 1 - events.end) * 60.0, 0.0), np.nan)
    return matches, detection, reset


@dataclass(frozen=True)
class _Chunk:
    events: tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray]
    cells: list[tuple[IntArray, IntArray]]


class _Workspace:
    """Arrays one thread reuses from chunk to chunk (no page faults on fresh memory)."""

    def __init__(self, rows: int, m: int) -> None:
        self.bad = np.empty((rows, m))
        self.bad_c = np.zeros((rows, m + 1))
        self.total_c = np.zeros((rows, m + 1))
        self.scratch = np.empty((rows, m))
        self.mask = np.empty((rows, m), dtype=bool)
        self.short_total: FloatArray | None = None


def _replay_chunk(
    good: FloatArray,
    total: FloatArray,
    lo: int,
    tiers: Sequence[TierSpec],
    ebr: FloatArray,
    period: FloatArray,
    minimum: FloatArray,
    share: float,
    merge_gap_minutes: int,
    ws: _Workspace,
) -> _Chunk:
    """Events and every tier's firing cells for rows ``lo .. lo + len(good)``."""
    r, m = total.shape
    rows = slice(lo, lo + r)
    bad = np.subtract(total, good, out=ws.bad[:r])
    bad_c, total_c = ws.bad_c[:r], ws.total_c[:r]
    np.cumsum(bad, axis=1, out=bad_c[:, 1:])
    np.cumsum(total, axis=1, out=total_c[:, 1:])
    scratch, mask = ws.scratch[:r], ws.mask[:r]
    ev = _events_chunk(
        bad, total, bad_c, total_c, ebr[rows], period[rows], share, merge_gap_minutes, scratch, mask
    )
    cells: list[tuple[IntArray, IntArray]] = [(np.zeros(0, np.int64), np.zeros(0, np.int64))] * (
        len(tiers) + 1
    )
    union: list[IntArray] = []
    summed_width = 0
    for t_i, tier in sorted(enumerate(tiers), key=lambda it: it[1].short_minutes):
        thr, low = tier.threshold[rows], minimum[rows]
        found = _pruned_cells(bad_c, total_c, tier, thr, low)
        if found is None:
            if ws.short_total is None:
                ws.short_total = np.empty(ws.bad.shape)
            short_bad, short_total = bad, ws.short_total[:r]  # per-minute bad is no longer needed
            if summed_width != tier.short_minutes:
                _window_sums(bad_c, tier.short_minutes, short_bad)
                _window_sums(total_c, tier.short_minutes, short_total)
                summed_width = tier.short_minutes
            found = _firing_cells(bad_c, total_c, short_bad, short_total, tier, thr, low, scratch, mask)
        row, minute = found
        cells[t_i] = (row + lo, minute)
        union.append((row + lo) * m + minute)
    flat = np.unique(np.concatenate(union)) if union else np.zeros(0, dtype=np.int64)
    cells[-1] = (flat // m, flat % m)
    return _Chunk((ev[0] + lo, *ev[1:]), cells)


def backtest(
    good: FloatArray,
    total: FloatArray,
    tiers: Sequence[TierSpec],
    *,
    error_budget_ratio: FloatArray,
    period_minutes: FloatArray,
    min_events: FloatArray | None = None,
    share: float = 0.02,
    merge_gap_minutes: int = 5,
    workers: int = 1,
) -> BacktestResult:
    """Replay ``tiers`` over the history (module docstring).

    ``workers > 1`` replays chunks of rows on that many threads (numpy releases the GIL);
    the result is the same, in the same order.
    """
    good = np.asarray(good, dtype=np.float64)
    total = np.asarray(total, dtype=np.float64)
    n, m = total.shape
    ebr = np.asarray(error_budget_ratio, dtype=np.float64)
    period = np.asarray(period_minutes, dtype=np.float64)
    minimum = np.zeros(n) if min_events is None else np.asarray(min_events, dtype=np.float64)
    shorts = sorted({t.short_minutes for t in tiers})
    step = _row_step(m)
    starts = list(range(0, n, step))
    parts = max(1, min(workers, len(starts)))

    def run(share_of_starts: list[int]) -> list[_Chunk]:
        ws = _Workspace(min(step, n), m)
        return [
            _replay_chunk(
                good[lo : lo + step],
                total[lo : lo + step],
                lo,
                tiers,
                ebr,
                period,
                minimum,
                share,
                merge_gap_minutes,
                ws,
            )
            for lo in share_of_starts
        ]

    # Each thread takes a contiguous run of chunks, so results concatenate in row order.
    bounds = np.linspace(0, len(starts), parts + 1).astype(int)
    shares = [starts[a:b] for a, b in itertools.pairwise(bounds)]
    if parts > 1:
        with ThreadPoolExecutor(max_workers=parts) as pool:
            chunks = [c for part in pool.map(run, shares) for c in part]
    else:
        chunks = run(starts)
    event_parts = [c.events for c in chunks]
    cells = [[c.cells[t_i] for c in chunks] for t_i in range(len(tiers) + 1)]
    events = _concat_events(event_parts)
    out: list[BacktestTier] = []
    for t_i, spec in enumerate([*tiers, None]):
        row = np.concatenate([c[0] for c in cells[t_i]]) if cells[t_i] else np.zeros(0, np.int64)
        minute = np.concatenate([c[1] for c in cells[t_i]]) if cells[t_i] else np.zeros(0, np.int64)
        order = np.lexsort((minute, row))
        spans = Spans(*_runs_of(row[order].astype(np.int64), minute[order].astype(np.int64)))
        short = spec.short_minutes if spec is not None else max(shorts, default=0)
        matches, detection, reset = _match(spans, events, short, m)
        out.append(
            BacktestTier(
                name=spec.name if spec is not None else ANY_TIER,
                severity=spec.severity if spec is not None else "",
                short_minutes=short,
                spans=spans,
                span_matches=matches,
                detection_s=detection,
                reset_s=reset,
            )
        )
    return BacktestResult(m, events, tuple(out))
