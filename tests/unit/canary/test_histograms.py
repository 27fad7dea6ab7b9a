"""Histogram metrics: the rank test on bucket counts equals scipy's test on the expanded data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from headroom.canary.config import CanaryConfig, MetricConfig
from headroom.canary.data_files import load_canary_data
from headroom.canary.judge import judge_canary
from headroom.canary.model import CanaryData, HistogramMetric, SampleMetric
from headroom.canary.rank_tests import binned_mann_whitney

BOUNDS = np.array([50.0, 100.0, 250.0, 500.0, np.inf])


def _expand(counts: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(counts), dtype=float), counts)


def _histogram(baseline: list[int], canary: list[int]) -> HistogramMetric:
    return HistogramMetric("latency_ms", BOUNDS, np.array(baseline), np.array(canary))


def test_the_binned_test_equals_scipy_on_the_expanded_observations() -> None:
    baseline, canary = [400, 300, 200, 80, 20], [300, 300, 250, 110, 40]
    u, greater, less = binned_mann_whitney(baseline, canary)
    x, y = _expand(canary), _expand(baseline)
    assert u == stats.mannwhitneyu(x, y).statistic
    assert greater == pytest.approx(
        stats.mannwhitneyu(x, y, alternative="greater", method="asymptotic").pvalue
    )
    assert less == pytest.approx(stats.mannwhitneyu(x, y, alternative="less", method="asymptotic").pvalue)


@given(
    st.lists(st.integers(0, 30), min_size=5, max_size=5).filter(lambda c: sum(c) > 0),
    st.lists(st.integers(0, 30), min_size=5, max_size=5).filter(lambda c: sum(c) > 0),
)
def test_the_binned_u_is_scipys_u_for_any_histograms(baseline: list[int], canary: list[int]) -> None:
    u, _, _ = binned_mann_whitney(baseline, canary)
    assert u == stats.mannwhitneyu(_expand(canary), _expand(baseline)).statistic


def test_a_histogram_shifted_to_slower_buckets_is_high() -> None:
    report = judge_canary(
        CanaryData((_histogram([4000, 3000, 2000, 800, 200], [3000, 3000, 2500, 1100, 400]),)), CanaryConfig()
    )
    m = report.metrics[0]
    assert m.classification == "high"
    assert m.samples.baseline == 10_000
    assert m.effect is not None
    assert 0.5 < m.effect < 0.6
    assert report.verdict == "fail"


def test_a_histogram_shift_below_the_cles_gate_passes() -> None:
    rules = (MetricConfig(name="latency_ms", effect_measure="cles", allowed_increase=0.6),)
    metric = _histogram([4000, 3000, 2000, 800, 200], [3000, 3000, 2500, 1100, 400])
    m = judge_canary(CanaryData((metric,)), CanaryConfig(metrics=rules)).metrics[0]
    assert m.classification == "pass"
    assert "below the allowed increase 0.6" in m.reason


def test_a_small_histogram_is_inconclusive() -> None:
    m = judge_canary(CanaryData((_histogram([10, 5, 3, 1, 1], [9, 6, 3, 1, 1]),)), CanaryConfig()).metrics[0]
    assert m.classification == "inconclusive"
    assert "104 observations per arm are needed" in m.reason


def test_bucket_rows_load_into_a_histogram_with_the_union_of_bounds(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "metric,variant,le,count\n"
        "lat,baseline,100,90\nlat,baseline,+Inf,10\nlat,canary,100,40\nlat,canary,250,5\nlat,canary,+Inf,5\n"
        "lat,canary,100,2\n",
        encoding="utf-8",
    )
    (lat,) = load_canary_data(path).metrics
    assert isinstance(lat, HistogramMetric)
    assert lat.upper_bounds.tolist() == [100.0, 250.0, float("inf")]
    assert lat.baseline_counts.tolist() == [90, 0, 10]
    assert lat.canary_counts.tolist() == [42, 5, 5]


def test_a_critical_histogram_that_slows_down_vetoes_the_run() -> None:
    rules = (MetricConfig(name="latency_ms", critical=True),)
    metric = _histogram([4000, 3000, 2000, 800, 200], [3000, 3000, 2500, 1100, 400])
    report = judge_canary(CanaryData((metric,)), CanaryConfig(metrics=rules))
    assert (report.verdict, report.score) == ("fail", 0.0)
    assert report.reasons[1].startswith("critical metric latency_ms is high")


def test_a_critical_cles_metric_vetoes_with_the_default_critical_threshold() -> None:
    rng = np.random.default_rng(5)
    rules = (MetricConfig(name="lat", critical=True, effect_measure="cles"),)
    metric = SampleMetric("lat", rng.normal(10, 1, 300), rng.normal(11, 1, 300))
    report = judge_canary(CanaryData((metric,)), CanaryConfig(metrics=rules))
    assert (report.verdict, report.score) == ("fail", 0.0)
