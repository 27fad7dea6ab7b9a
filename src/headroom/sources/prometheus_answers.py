"""From tagged Prometheus answers to ``Counts``: absence, NaN and clamping, made explicit.

Pure: numbers and strings in, arrays out. ``PrometheusSource`` gathers the answers of its
batched queries by ``headroom_key`` and hands them here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from headroom.budget.series import FloatArray
from headroom.sources.base import Counts
from headroom.sources.promql_window import Part, promql_duration

__all__ = ["Cells", "Group", "MissingErrors", "fill_counts", "fill_minutes"]

MissingErrors = Literal["zero", "no-data"]


@dataclass(frozen=True)
class Group:
    """The parts answering one cell: SLO ``row`` over window ``col`` of ``window_s`` seconds."""

    row: int
    col: int
    window_s: int
    parts: list[Part]


@dataclass
class Cells:
    """Answers gathered for a (rows x cols) batch, before they become ``Counts``."""

    rows: int
    cols: int
    good: FloatArray = field(init=False)
    total: FloatArray = field(init=False)
    known: npt.NDArray[np.bool_] = field(init=False)
    missing: dict[int, str] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.good = np.full((self.rows, self.cols), np.nan)
        self.total = np.full((self.rows, self.cols), np.nan)
        self.known = np.ones(self.rows, dtype=bool)

    def miss(self, row: int, reason: str) -> None:
        self.missing.setdefault(row, reason)

    def note(self, row: int, text: str) -> None:
        self.notes.setdefault(row, text)

    def counts(self) -> Counts:
        return Counts(self.good, self.total, self.known, dict(self.missing), dict(self.notes))


def fill_minutes(
    cells: Cells, row: int, own: Sequence[Part], seen: Mapping[str, FloatArray], missing_errors: MissingErrors
) -> None:
    """One SLO's per-minute answers (NaN where a minute had no sample) into ``cells`` row ``row``.

    Minutes without a usable sample count as 0 events, with a note; a part with no sample
    at all is missing, except an error part while ``missing_errors`` is ``"zero"``.
    """
    by_kind = {p.kind: (p, seen[p.key]) for p in own}
    if "error_ratio" in by_kind:
        part, ratio = by_kind["error_ratio"]
        cells.known[row] = False
        ok = np.isfinite(ratio) & (ratio >= 0) & (ratio <= 1)
        cells.good[row] = np.where(ok, 1.0 - np.where(ok, ratio, 0.0), 0.0)
        cells.total[row] = np.where(ok, 1.0, 0.0)
        _note_gaps(cells, row, int(np.count_nonzero(~ok)), ratio.size, part)
        return
    total_part, total = by_kind["total"]
    if not np.isfinite(total).any():
        cells.miss(row, f"no data from {total_part.expr} (range query, step 60s)")
        return
    ok = np.isfinite(total) & (total >= 0)
    cells.total[row] = np.where(ok, total, 0.0)
    if "good" in by_kind:
        good_part, good = by_kind["good"]
        if not np.isfinite(good).any():
            cells.miss(row, f"no data from {good_part.expr} (range query, step 60s)")
            cells.total[row] = 0.0
            return
        good_ok = np.isfinite(good) & (good >= 0)
        cells.good[row] = np.where(
            ok & good_ok, np.minimum(np.where(good_ok, good, 0.0), cells.total[row]), 0.0
        )
        _note_gaps(cells, row, int(np.count_nonzero(~(ok & good_ok))), total.size, total_part)
        return
    err_part, errors = by_kind["errors"]
    if not np.isfinite(errors).any() and missing_errors == "no-data":
        cells.miss(row, f"no data from {err_part.expr} (range query, step 60s)")
        cells.total[row] = 0.0
        return
    bad = np.where(np.isfinite(errors) & (errors >= 0), errors, 0.0)
    cells.good[row] = np.where(ok, cells.total[row] - np.minimum(bad, cells.total[row]), 0.0)
    _note_gaps(cells, row, int(np.count_nonzero(~ok)), total.size, total_part)


def _note_gaps(cells: Cells, row: int, gaps: int, minutes: int, part: Part) -> None:
    if gaps:
        cells.note(
            row, f"{gaps} of {minutes} minutes had no usable sample and count as 0 events: {part.expr}"
        )


def fill_counts(
    cells: Cells, groups: Sequence[Group], answers: Mapping[str, list[float]], missing_errors: MissingErrors
) -> None:
    """Turn tagged answers into counts, NaN plus a reason where a part had no usable value.

    A part with several series, none, NaN, Inf or a negative value makes its cell missing
    (an absent error part counts 0 errors while ``missing_errors`` is ``"zero"``); a ratio
    above 1 too. Good outside [0, total] is clamped, with a note.
    """
    for group in groups:
        row, col = group.row, group.col
        kinds = {p.kind: p for p in group.parts}
        where = promql_duration(group.window_s)
        values: dict[str, float] = {}
        problem = ""
        for kind, part in kinds.items():
            got = answers.get(part.key, [])
            if len(got) > 1:
                problem = (
                    f"[{where}] {part.expr} returned {len(got)} series; aggregate it to one (e.g. sum())"
                )
            elif not got:
                if kind == "errors" and missing_errors == "zero":
                    values[kind] = 0.0
                else:
                    problem = f"[{where}] no data from {part.expr}"
            elif not math.isfinite(got[0]) or got[0] < 0:
                problem = f"[{where}] {part.expr} returned {got[0]!r}, not a count or ratio"
            else:
                values[kind] = got[0]
            if problem:
                break
        if not problem and "error_ratio" in values and values["error_ratio"] > 1:
            problem = (
                f"[{where}] {kinds['error_ratio'].expr} returned {values['error_ratio']!r}, not in [0, 1]"
            )
        if problem:
            cells.miss(row, problem)
            continue
        if "error_ratio" in values:
            cells.known[row] = False
            cells.good[row, col], cells.total[row, col] = 1.0 - values["error_ratio"], 1.0
            continue
        total = values["total"]
        good = values["good"] if "good" in values else total - values["errors"]
        if good > total or good < 0:
            cells.note(row, f"[{where}] good {good!r} outside [0, total {total!r}]; clamped")
            good = min(max(good, 0.0), total)
        cells.good[row, col], cells.total[row, col] = good, total
