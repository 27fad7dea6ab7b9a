"""Kayenta's Wilcoxon interval against R's tie-out values, then the exact Hodges-Lehmann selection."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from headroom.canary.mannwhitney import (
    ALL_TIED_MESSAGE,
    cles,
    hodges_lehmann,
    kayenta_confidence_interval,
    kth_pairwise_difference,
    zeroin,
)
from tests.unit.canary.fixtures import CLASSIFIER_CASES, TIEOUT_CASES


@pytest.mark.parametrize("case", TIEOUT_CASES, ids=lambda c: c["test"])
def test_the_kayenta_interval_matches_the_r_tie_out_values(case: dict[str, object]) -> None:
    ci = kayenta_confidence_interval(case["canary"], case["baseline"], case["confidence_level"])  # type: ignore[arg-type]
    assert ci.low == pytest.approx(case["ci_low"], abs=1e-6)
    assert ci.high == pytest.approx(case["ci_high"], abs=1e-6)
    assert ci.estimate == pytest.approx(case["estimate"], abs=1e-4)


def test_the_kayenta_interval_of_1_to_4_against_10_to_40_is_6_to_39_around_22_5() -> None:
    ci = kayenta_confidence_interval([10.0, 20.0, 30.0, 40.0], [1.0, 2.0, 3.0, 4.0], 0.95)
    assert (ci.low, ci.high, ci.estimate) == (6.0, 39.0, 22.5)


@pytest.mark.parametrize(
    "case", [c for c in CLASSIFIER_CASES if "reference_ci" in c], ids=lambda c: c["test"]
)
def test_the_interval_equals_the_reference_port_that_matched_kayenta_jvm(case: dict[str, object]) -> None:
    ci = kayenta_confidence_interval(case["canary"], case["baseline"], case["confidence_level"])  # type: ignore[arg-type]
    low, high = case["reference_ci"]  # type: ignore[misc]
    assert ci.low == pytest.approx(low, abs=1e-9)
    assert ci.high == pytest.approx(high, abs=1e-9)
    assert ci.estimate == pytest.approx(case["reference_estimate"], abs=1e-9)


def test_all_tied_observations_raise_rs_message() -> None:
    with pytest.raises(ValueError, match=ALL_TIED_MESSAGE):
        kayenta_confidence_interval([1.0, 1.0], [1.0, 1.0, 1.0])


def test_zeroin_finds_the_square_root_of_two_to_its_tolerance() -> None:
    root = zeroin(lambda x: x * x - 2, 0.0, 2.0, -2.0, 2.0, tol=1e-12)
    assert root == pytest.approx(math.sqrt(2), abs=1e-11)


def test_zeroin_returns_an_end_whose_value_is_zero() -> None:
    assert zeroin(lambda x: x, 0.0, 1.0, 0.0, 1.0) == 0.0


def test_cles_is_u_over_nm_as_scipy_counts_it() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.integers(0, 20, 50).astype(float), rng.integers(0, 20, 40).astype(float)
    u = stats.mannwhitneyu(x, y).statistic
    assert cles(x, y) == pytest.approx(u / (50 * 40))


def _brute_force_hl(x: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float, float]:
    d = np.sort(np.subtract.outer(x, y).ravel())
    n, m, total = x.size, y.size, d.size
    z = stats.norm.ppf(1 - (1 - level) / 2)
    c = max(1, math.floor(total / 2 - z * math.sqrt(total * (n + m + 1) / 12)))
    return float(d[c - 1]), float(d[total - c]), float(np.median(d))


def test_hodges_lehmann_of_1_to_4_against_10_to_40_is_the_median_difference_22_5() -> None:
    hl = hodges_lehmann([10.0, 20.0, 30.0, 40.0], [1.0, 2.0, 3.0, 4.0], 0.95)
    assert hl.estimate == 22.5
    # n m = 16: C = floor(8 - 1.96 sqrt(16 * 9 / 12)) = floor(1.21) = 1 -> the extreme differences.
    assert (hl.low, hl.high) == (6.0, 39.0)


@pytest.mark.parametrize(("n", "m", "ties"), [(700, 600, False), (900, 500, True), (1200, 800, False)])
def test_the_sampling_selection_equals_sorting_every_pairwise_difference(n: int, m: int, ties: bool) -> None:
    rng = np.random.default_rng(n + m)
    x = rng.normal(1.0, 2.0, n)
    y = rng.normal(0.0, 1.0, m)
    if ties:
        x, y = np.round(x, 1), np.round(y, 1)
    assert tuple(_brute_force_hl(x, y, 0.9)) == pytest.approx(
        (lambda h: (h.low, h.high, h.estimate))(hodges_lehmann(x, y, 0.9)), abs=0
    )


def test_the_selection_handles_zero_inflated_data_with_massive_ties() -> None:
    rng = np.random.default_rng(11)
    x = np.where(rng.random(1500) < 0.8, 0.0, rng.random(1500))
    y = np.where(rng.random(1000) < 0.8, 0.0, rng.random(1000))
    xs, ys = np.sort(x), np.sort(y)
    d = np.sort(np.subtract.outer(xs, ys).ravel())
    for k in (0, 400_000, 750_000, 1_499_999):
        assert kth_pairwise_difference(xs, ys, k) == [d[k]]


@given(
    st.lists(st.integers(0, 1000), min_size=1, max_size=40),
    st.lists(st.integers(0, 1000), min_size=1, max_size=40),
    st.integers(-500, 500),
)
def test_shifting_the_canary_shifts_the_hodges_lehmann_estimate_by_the_same_amount(
    xs: list[int], ys: list[int], shift: int
) -> None:
    x, y = np.array(xs, dtype=float), np.array(ys, dtype=float)
    assert hodges_lehmann(x + shift, y).estimate == hodges_lehmann(x, y).estimate + shift
