"""Wilcoxon rank-sum (Mann-Whitney) location shift: Kayenta's interval and the exact one.

Two estimators of the shift ``d`` in ``canary ~ baseline + d`` live here:

``kayenta_confidence_interval``
    A faithful port of Kayenta's ``MannWhitney.calculateConfidenceInterval``, itself a port
    of R's ``wilcox.test(x=canary, y=baseline, conf.int=TRUE, exact=FALSE, correct=TRUE)``
    (``src/library/stats/R/wilcox.test.R``). With ``r`` the average ranks of
    ``concat(x - d, y)``::

        dz(d)    = sum(r[:n_x]) - n_x (n_x + 1) / 2 - n_x n_y / 2       (= U_x(d) - n_x n_y / 2)
        sigma    = sqrt(n_x n_y / 12 * ((n_x + n_y + 1) - sum_ties(t^3 - t) / ((n_x + n_y)(n_x + n_y - 1))))
        w(d, zq) = (dz - sign(dz) / 2) / sigma - zq

    The interval ends are the roots of ``w(d, +-z_{1-alpha/2})`` on
    ``[min x - max y, max x - min y]`` (clamped to an end when there is no sign change) and
    the estimate is the root of ``w(d, 0)``, all found by R's ``zeroin`` (Brent) with the
    **absolute** tolerance 1e-4 and 1000 iterations that Kayenta copied from R's
    ``uniroot``. ``dz`` is computed from two sorted arrays with ``searchsorted`` (exactly the
    rank sum, since average ranks are half-integers), so one evaluation costs
    O(n log m) on the distinct values instead of a full re-ranking.

``hodges_lehmann``
    The exact Hodges-Lehmann estimate (median of the ``n_x n_y`` pairwise differences
    ``x_i - y_j``) and its distribution-free interval from order statistics of those
    differences (Hollander & Wolfe, *Nonparametric Statistical Methods*, 2nd ed., §4.3,
    large-sample ``C_alpha``). Small inputs materialise the differences; large inputs use
    a seeded sampling selection (Floyd-Rivest style) on the implicitly sorted difference
    matrix, which is exact (the final step partitions the real differences) and
    deterministic.

Pure: numpy and scipy only, no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

__all__ = [
    "ALL_TIED_MESSAGE",
    "KAYENTA_ROOT_MAX_ITERATIONS",
    "KAYENTA_ROOT_TOLERANCE",
    "ShiftInterval",
    "cles",
    "hodges_lehmann",
    "kayenta_confidence_interval",
    "kth_pairwise_difference",
    "zeroin",
]

FloatArray = npt.NDArray[np.float64]

KAYENTA_ROOT_TOLERANCE = 1e-4
"""Absolute root tolerance of Kayenta's Brent solver (R ``wilcox.test``: ``uniroot(tol=1e-4)``)."""

KAYENTA_ROOT_MAX_ITERATIONS = 1000
"""Iteration cap of Kayenta's solver (R ``uniroot`` ``maxiter``)."""

ALL_TIED_MESSAGE = "cannot compute confidence interval when all observations are tied"
"""R's and Kayenta's message when the rank-sum variance is zero."""

_DBL_EPSILON = float(np.finfo(np.float64).eps)

_DIRECT_PAIRS = 1 << 16
"""Up to this many pairwise differences (or live candidates), selection materialises them."""

_FINAL_CANDIDATES = 1 << 16
"""The selection's rounds stop once this few live candidates are left; they are then partitioned."""

_SAMPLE_SIZE = 4096
"""Sample drawn from the candidate differences per refinement round of the selection."""

_SELECTION_SEED = 20170901
"""Seed of the selection's sampling, so that every run takes the same path (the result is exact anyway)."""


@dataclass(frozen=True)
class ShiftInterval:
    """A location-shift interval ``[low, high]`` and its point estimate (canary minus baseline)."""

    low: float
    high: float
    estimate: float


def zeroin(
    f: Callable[[float], float],
    ax: float,
    bx: float,
    fa: float,
    fb: float,
    tol: float = KAYENTA_ROOT_TOLERANCE,
    max_iterations: int = KAYENTA_ROOT_MAX_ITERATIONS,
) -> float:
    """Brent's root finder exactly as R's ``R_zeroin2`` (``src/library/stats/src/zeroin.c``).

    Kayenta's ``BrentSolver`` is a line-by-line port of this C function; keeping every
    operation in the same order keeps the returned roots bit-identical, which is what the
    R tie-out values in Kayenta's ``MannWhitneySuite`` rely on. Returns ``b`` after
    ``max_iterations`` without convergence, as both do.
    """
    a, b = ax, bx
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(max_iterations + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _DBL_EPSILON * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0.0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0.0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


class _StandardisedRankSum:
    """``d -> (dz(d) - sign(dz)/2) / sigma(d)`` for fixed samples, from their sorted distinct values.

    Each side is kept as sorted distinct values with counts, so one evaluation is a single
    ``searchsorted`` of the canary's distinct values (shifted by ``d``) into the baseline's.
    Tie sums are integers held exactly in float64, so the result is bit-identical to
    re-ranking the pooled sample.
    """

    def __init__(self, x: FloatArray, y: FloatArray) -> None:
        self.xs = np.sort(x)
        self.ys = np.sort(y)
        self.nx = float(x.size)
        self.ny = float(y.size)
        ux, cx = np.unique(self.xs, return_counts=True)
        uy, cy = np.unique(self.ys, return_counts=True)
        self.ux, self.cx = ux, cx.astype(np.int64)
        self.uy, self.cy = uy, cy.astype(np.int64)
        self.y_below = np.concatenate([[0], np.cumsum(self.cy)])  # y values below uy[k]
        self.x_ties = float(np.sum(cx.astype(np.float64) ** 3 - cx))
        self.y_ties = float(np.sum(cy.astype(np.float64) ** 3 - cy))

    def __call__(self, d: float) -> float:
        values = self.ux - d
        a, x_ties = self.cx, self.x_ties
        if values.size > 1 and not bool(np.all(values[1:] > values[:-1])):
            # Rounding in x - d merged distinct values: regroup them.
            starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
            a = np.add.reduceat(a, starts)
            values = values[starts]
            x_ties = float(np.sum(a.astype(np.float64) ** 3 - a))
        idx = np.searchsorted(self.uy, values, side="left")
        below = self.y_below[idx]
        safe = np.minimum(idx, self.uy.size - 1)
        equal = self.uy[safe] == values
        b = np.where(equal, self.cy[safe], 0)
        # U_x = #(x - d > y) + #(x - d == y) / 2; doubled to stay in integers.
        twice_u = 2 * int(np.dot(a, below)) + int(np.dot(a, b))
        nx, ny = self.nx, self.ny
        dz = twice_u / 2 - nx * ny / 2
        # Ties of the pooled sample: a group of a (x - d) values meeting b y values has
        # (a+b)^3 - (a+b) = (a^3 - a) + (b^3 - b) + 3ab(a+b).
        if equal.any():
            af = a[equal].astype(np.float64)
            bf = b[equal].astype(np.float64)
            cross = float(np.sum(3 * af * bf * (af + bf)))
        else:
            cross = 0.0
        ties = x_ties + self.y_ties + cross
        correction = math.copysign(0.5, dz) if dz != 0 else 0.0
        sigma = math.sqrt((nx * ny / 12) * ((nx + ny + 1) - ties / ((nx + ny) * (nx + ny - 1))))
        if sigma == 0:
            raise ValueError(ALL_TIED_MESSAGE)
        return (dz - correction) / sigma


def kayenta_confidence_interval(
    canary: npt.ArrayLike, baseline: npt.ArrayLike, confidence_level: float = 0.98
) -> ShiftInterval:
    """Kayenta's Mann-Whitney interval and estimate for ``canary - baseline`` (see module docstring).

    Raises ``ValueError`` (message ``ALL_TIED_MESSAGE``) when every observation is tied, as
    R and Kayenta do; the caller short-circuits that case before calling.
    """
    x = np.asarray(canary, dtype=np.float64)
    y = np.asarray(baseline, dtype=np.float64)
    if x.size == 0 or y.size == 0:
        raise ValueError("both samples must be non-empty")
    g = _StandardisedRankSum(x, y)
    mu_min = float(g.xs[0] - g.ys[-1])
    mu_max = float(g.xs[-1] - g.ys[0])
    f_min = g(mu_min)
    f_max = g(mu_max)
    z_lower = float(ndtri((1.0 - confidence_level) / 2))  # negative, e.g. -2.326 at 98%

    def root(zq: float) -> float:
        f_lower = f_min - zq
        f_upper = f_max - zq
        if f_lower <= 0:
            return mu_min
        if f_upper >= 0:
            return mu_max
        return zeroin(lambda d: g(d) - zq, mu_min, mu_max, f_lower, f_upper)

    low = root(-z_lower)
    high = root(z_lower)
    estimate = zeroin(lambda d: g(d) - 0.0, mu_min, mu_max, f_min - 0.0, f_max - 0.0)
    return ShiftInterval(low=low, high=high, estimate=estimate)


def cles(canary: npt.ArrayLike, baseline: npt.ArrayLike) -> float:
    """Common-language effect size ``P(X > Y) + P(X = Y) / 2`` = ``U_canary / (n m)`` (McGraw & Wong 1992).

    Equals Kayenta's ``EffectSizes.cles`` ``(2 R_x - n(n+1)) / (2 n m)``. NaN when a side is empty.
    """
    x = np.sort(np.asarray(canary, dtype=np.float64))
    y = np.sort(np.asarray(baseline, dtype=np.float64))
    if x.size == 0 or y.size == 0:
        return math.nan
    left = np.searchsorted(y, x, side="left")
    right = np.searchsorted(y, x, side="right")
    return float((2 * left.sum() + (right - left).sum()) / (2.0 * x.size * y.size))


def _row_counts_below(
    xs: FloatArray, ys: FloatArray, threshold: float, inclusive: bool
) -> npt.NDArray[np.int64]:
    """Per row ``i``: how many ``xs[i] - ys[j]`` are ``< threshold`` (or ``<=`` when inclusive)."""
    cut = np.searchsorted(ys, xs - threshold, side="left" if inclusive else "right")
    return np.asarray(ys.size - cut, dtype=np.int64)


@dataclass(frozen=True)
class _Bracket:
    """Live candidates of the implicit difference matrix: row ``i`` keeps columns ``[lo[i], hi[i])``.

    ``below`` differences are known to be smaller than every live one.
    """

    lo: npt.NDArray[np.int64]
    hi: npt.NDArray[np.int64]
    below: int
    live: int


def _full_bracket(n: int, m: int) -> _Bracket:
    return _Bracket(np.zeros(n, dtype=np.int64), np.full(n, m, dtype=np.int64), 0, n * m)


def _shrink(
    xs: FloatArray, ys: FloatArray, k: int, k_last: int, br: _Bracket, rng: np.random.Generator
) -> _Bracket | float:
    """One sampling round around ranks ``k..k_last``; a float when all of them are that one value."""
    m = ys.size
    lo, hi, below, live = br.lo, br.hi, br.below, br.live
    widths = hi - lo
    cum = np.cumsum(widths)
    picks = np.sort(rng.integers(0, live, size=_SAMPLE_SIZE))
    rows = np.searchsorted(cum, picks, side="right")
    cols = lo[rows] + picks - (cum[rows] - widths[rows])
    sample = np.sort(xs[rows] - ys[m - 1 - cols])
    frac_lo = (k - below + 0.5) / live
    frac_hi = (k_last - below + 0.5) / live
    i_lo = math.floor(frac_lo * _SAMPLE_SIZE - 4.0 * math.sqrt(_SAMPLE_SIZE * frac_lo * (1 - frac_lo)) - 2)
    i_hi = math.ceil(frac_hi * _SAMPLE_SIZE + 4.0 * math.sqrt(_SAMPLE_SIZE * frac_hi * (1 - frac_hi)) + 2)
    if i_lo >= 0 and i_hi < _SAMPLE_SIZE and sample[i_lo] == sample[i_hi]:
        # Heavy ties (e.g. zero-inflated data): the answer is probably this one value.
        value = float(sample[i_lo])
        n_below = int(_row_counts_below(xs, ys, value, inclusive=False).sum())
        n_upto = int(_row_counts_below(xs, ys, value, inclusive=True).sum())
        if n_below <= k and k_last < n_upto:
            return value
    new_lo, new_hi = lo, hi
    if i_lo >= 0:
        cand = np.clip(_row_counts_below(xs, ys, float(sample[i_lo]), inclusive=False), lo, hi)
        if below + int((cand - lo).sum()) <= k:
            new_lo = cand
    new_below = below + int((new_lo - lo).sum())
    if i_hi < _SAMPLE_SIZE:
        cand = np.clip(_row_counts_below(xs, ys, float(sample[i_hi]), inclusive=True), new_lo, hi)
        if new_below + int((cand - new_lo).sum()) > k_last:
            new_hi = cand
    return _Bracket(new_lo, new_hi, new_below, int((new_hi - new_lo).sum()))


def _select(
    xs: FloatArray, ys: FloatArray, k: int, k_last: int, br: _Bracket, rng: np.random.Generator
) -> list[float]:
    """Shrink ``br`` around ranks ``k..k_last`` until few candidates are left, then partition them."""
    stalls = 0
    while br.live > _FINAL_CANDIDATES and stalls < 3:
        shrunk = _shrink(xs, ys, k, k_last, br, rng)
        if isinstance(shrunk, float):
            return [shrunk] * (k_last - k + 1)
        stalls = stalls + 1 if shrunk.live > 0.5 * br.live else 0
        br = shrunk
    widths = br.hi - br.lo
    rows = np.repeat(np.arange(xs.size), widths)
    offsets = np.arange(br.live) - np.repeat(np.cumsum(widths) - widths, widths)
    values = xs[rows] - ys[ys.size - 1 - (br.lo[rows] + offsets)]
    first, last = k - br.below, k_last - br.below
    return [float(v) for v in np.partition(values, [first, last])[first : last + 1]]


def kth_pairwise_difference(xs: FloatArray, ys: FloatArray, k: int, k_last: int | None = None) -> list[float]:
    """The ``k``-th .. ``k_last``-th smallest (0-based) of the ``n m`` differences ``xs[i] - ys[j]``.

    ``xs`` and ``ys`` must be sorted ascending; ``k_last`` defaults to ``k`` and should be
    close to it (the two middle ranks of a median). Row ``i`` of the implicit matrix, read
    with ``ys`` descending, is sorted ascending, so a threshold cuts every row at one column
    found by ``searchsorted``. Each round draws ``_SAMPLE_SIZE`` candidates uniformly from
    the rows' live column ranges, takes sample order statistics a few standard errors
    either side of the target ranks as a bracket, and keeps each side of the bracket only
    if the exact counts confirm it. Once few candidates remain they are materialised and
    partitioned. The generator is seeded, so the result is deterministic; it is exact up to
    floating-point ties of one ulp between ``x_i - y_j`` and ``y_j >= x_i - t``.
    """
    n, m = xs.size, ys.size
    total = n * m
    k_last = k if k_last is None else k_last
    if not 0 <= k <= k_last < total:
        raise ValueError(f"ranks {k}..{k_last} are outside [0, {total})")
    if total <= _DIRECT_PAIRS:
        diffs = np.subtract.outer(xs, ys).ravel()
        return [float(v) for v in np.partition(diffs, [k, k_last])[k : k_last + 1]]
    return _select(xs, ys, k, k_last, _full_bracket(n, m), np.random.default_rng(_SELECTION_SEED))


def hodges_lehmann(
    canary: npt.ArrayLike, baseline: npt.ArrayLike, confidence_level: float = 0.95, *, presorted: bool = False
) -> ShiftInterval:
    """Exact Hodges-Lehmann shift ``median(x_i - y_j)`` and its order-statistic interval.

    ``C = floor(n m / 2 - z_{1-alpha/2} sqrt(n m (n + m + 1) / 12))`` (Hollander & Wolfe §4.3,
    large-sample form, no tie correction, floored so the interval is conservative) and the
    interval is ``[D_(C), D_(n m + 1 - C)]`` in 1-based order statistics of the differences;
    with ``C < 1`` the ends are the smallest and largest differences. ``presorted`` skips
    sorting arrays the caller has already sorted ascending.
    """
    xs = np.asarray(canary, dtype=np.float64)
    ys = np.asarray(baseline, dtype=np.float64)
    if not presorted:
        xs, ys = np.sort(xs), np.sort(ys)
    n, m = xs.size, ys.size
    if n == 0 or m == 0:
        raise ValueError("both samples must be non-empty")
    total = n * m
    z = float(ndtri(1 - (1 - confidence_level) / 2))
    c = math.floor(total / 2 - z * math.sqrt(total * (n + m + 1) / 12))
    c = min(max(c, 1), (total + 1) // 2)
    ranks = [c - 1, (total - 1) // 2, total // 2, total - c]
    if total <= _DIRECT_PAIRS:
        low, mid_lo, mid_hi, high = (
            float(v) for v in np.partition(np.subtract.outer(xs, ys).ravel(), ranks)[ranks]
        )
        return ShiftInterval(low=low, high=high, estimate=(mid_lo + mid_hi) / 2)
    # One shared round brackets all four ranks (they sit within a few percent of the
    # middle); each rank then continues from that bracket.
    rng = np.random.default_rng(_SELECTION_SEED)
    shared = _shrink(xs, ys, ranks[0], ranks[-1], _full_bracket(n, m), rng)
    if isinstance(shared, float):
        return ShiftInterval(low=shared, high=shared, estimate=shared)
    (low,) = _select(xs, ys, ranks[0], ranks[0], shared, rng)
    mid_lo, mid_hi = _select(xs, ys, ranks[1], ranks[2], shared, rng)
    (high,) = _select(xs, ys, ranks[3], ranks[3], shared, rng)
    return ShiftInterval(low=low, high=high, estimate=(mid_lo + mid_hi) / 2)
