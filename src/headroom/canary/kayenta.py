"""Kayenta's NetflixACAJudge, reproduced: preprocessing, the Mann-Whitney classifier, scoring.

Source: ``spinnaker/kayenta`` @ a69573be (2025-04-08), ``kayenta-judge``:
``NetflixACAJudge.scala`` (per-metric transforms), ``MannWhitneyClassifier.scala``,
``BaseMetricClassifier.scala``, ``EffectSizes.scala``, ``detectors/IQRDetector.scala``,
``scorers/WeightedSumScorer.scala``, ``classifiers/score/ThresholdScoreClassifier.scala``.

Per metric, in Kayenta's order:

1. NaN: ``remove`` drops NaN, ``replace`` maps NaN to 0.0 (each variant separately).
2. Outliers (only ``outlier_strategy="remove"``): IQR detector with ``reduceSensitivity``,
   R-7 percentiles, fences ``min(P1, Q1 - f IQR)`` and ``max(P99, Q3 + f IQR)``; points
   strictly outside are dropped.
3. Short-circuits: a side empty -> ``Nodata`` (``NodataFailMetric`` when ``must_have_data``
   and not critical; ``Pass`` under NaN ``replace``); identical sorted samples -> ``Pass``;
   one distinct value overall -> ``Pass``; each side constant but different -> add
   ``N(0, (v 1e-5)^2)`` noise to each side (``Transforms.addGaussianNoise``; seeded here).
4. ``mannwhitney.kayenta_confidence_interval`` at ``confidence_level``; bound
   ``b = tolerance |estimate|``; effect size ``ES`` = mean ratio (NaN when a mean is 0) or CLES;
   ``High`` iff direction allows it, ``CI_low > b`` and (``ES`` NaN or ``ES >= allowed_increase``);
   ``Low`` iff ``CI_high < -b`` and (``ES`` NaN or ``ES <= allowed_decrease``); else ``Pass``.
5. ``critical`` = critical metric and (High with ES NaN or >= ``critical_increase``, or Low
   with ES NaN or <= ``critical_decrease``); Nodata on a critical metric stays critical.

Scoring (``WeightedSumScorer``): per group ``100 #Pass / (#Pass + #High + #Low +
#NodataFailMetric)`` (a group with none of those scores 100 in the summary); groups without
a weight share ``100 - sum(weights)`` equally; the summary is the weighted sum rounded to 2
decimals; any critical non-Pass result, or Nodata on at least half of the metrics, forces 0.
``ThresholdScoreClassifier``: ``>= pass`` Pass, ``>= marginal`` Marginal, else Fail.

Pure: numpy only; the noise generator is passed in (or seeded), so results are repeatable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from headroom.canary.config import Direction, EffectMeasure
from headroom.canary.mannwhitney import ShiftInterval, cles, kayenta_confidence_interval

__all__ = [
    "KayentaLabel",
    "KayentaOutcome",
    "ScoredMetric",
    "classify_metric",
    "handle_nans",
    "mean_inequality_label",
    "mean_ratio",
    "remove_outliers_iqr",
    "score_label",
    "weighted_sum_score",
]

KayentaLabel = Literal["Pass", "High", "Low", "Nodata", "NodataFailMetric", "Error"]
FloatArray = npt.NDArray[np.float64]

_NOISE_SCALE = 1e-5
"""Relative standard deviation of Kayenta's jitter for two constant samples (``MannWhitneyClassifier``)."""

_NOISE_SEED = 0x6B61
"""Seed of the jitter when the caller passes no generator (Kayenta's own jitter is unseeded)."""


@dataclass(frozen=True)
class KayentaOutcome:
    """One metric as Kayenta classifies it, with the numbers behind the label."""

    label: KayentaLabel
    critical: bool
    interval: ShiftInterval | None
    effect_size: float
    mean_ratio: float
    bound: float | None
    n_baseline: int
    n_canary: int
    reason: str


def handle_nans(values: npt.ArrayLike, strategy: Literal["remove", "replace"]) -> FloatArray:
    """Kayenta ``Transforms.removeNaNs`` / ``replaceNaNs`` (NaN -> 0.0)."""
    v = np.asarray(values, dtype=np.float64)
    nan = np.isnan(v)
    if strategy == "remove":
        return v[~nan]
    return np.where(nan, 0.0, v)


def remove_outliers_iqr(values: FloatArray, factor: float = 3.0) -> FloatArray:
    """Kayenta ``IQRDetector(factor, reduceSensitivity=true)``: drop points outside the fences."""
    if values.size < 2:
        return values
    p1, q1, q3, p99 = np.percentile(values, [1, 25, 75, 99])  # numpy "linear" = R-7
    iqr = q3 - q1
    lower = min(p1, q1 - factor * iqr)
    upper = max(p99, q3 + factor * iqr)
    kept: FloatArray = values[(values >= lower) & (values <= upper)]
    return kept


def mean_ratio(canary: FloatArray, baseline: FloatArray) -> float:
    """Kayenta ``EffectSizes.meanRatio``: ``mean(canary) / mean(baseline)``, NaN when either mean is 0."""
    if canary.size == 0 or baseline.size == 0:
        return math.nan
    mc, mb = float(np.mean(canary)), float(np.mean(baseline))
    if mc == 0.0 or mb == 0.0:
        return math.nan
    return mc / mb


def _jitter(values: FloatArray, rng: np.random.Generator) -> FloatArray:
    scale = abs(float(values[0])) * _NOISE_SCALE
    if scale == 0.0:
        return values
    return values + rng.normal(0.0, scale, size=values.size)


def classify_metric(
    canary: npt.ArrayLike,
    baseline: npt.ArrayLike,
    *,
    direction: Direction = "either",
    nan_strategy: Literal["remove", "replace"] = "remove",
    outlier_strategy: Literal["keep", "remove"] = "keep",
    outlier_factor: float = 3.0,
    critical: bool = False,
    must_have_data: bool = False,
    effect_measure: EffectMeasure = "meanRatio",
    allowed_increase: float = 1.0,
    allowed_decrease: float = 1.0,
    critical_increase: float = 1.0,
    critical_decrease: float = 1.0,
    tolerance: float = 0.25,
    confidence_level: float = 0.98,
    rng: np.random.Generator | None = None,
) -> KayentaOutcome:
    """Classify one metric as ``NetflixACAJudge`` + ``MannWhitneyClassifier`` do (module docstring)."""
    x = handle_nans(canary, nan_strategy)
    y = handle_nans(baseline, nan_strategy)
    if outlier_strategy == "remove":
        x = remove_outliers_iqr(x, outlier_factor)
        y = remove_outliers_iqr(y, outlier_factor)
    nx, ny = int(x.size), int(y.size)

    def outcome(
        label: KayentaLabel,
        reason: str,
        *,
        is_critical: bool = False,
        interval: ShiftInterval | None = None,
        effect: float = math.nan,
        bound: float | None = None,
    ) -> KayentaOutcome:
        return KayentaOutcome(label, is_critical, interval, effect, mean_ratio(x, y), bound, ny, nx, reason)

    if nx == 0 or ny == 0:
        side = (
            "canary and baseline have"
            if nx == 0 and ny == 0
            else ("canary has" if nx == 0 else "baseline has")
        )
        if nan_strategy == "replace":
            return outcome("Pass", f"{side} no data; Kayenta passes missing data under nanStrategy=replace")
        if must_have_data and not critical:
            return outcome("NodataFailMetric", f"{side} no data and the metric must have data")
        return outcome("Nodata", f"{side} no data", is_critical=critical)
    xs, ys = np.sort(x), np.sort(y)
    if nx == ny and np.array_equal(xs, ys):
        return outcome("Pass", "canary and baseline data are identical")
    if float(min(xs[0], ys[0])) == float(max(xs[-1], ys[-1])):
        return outcome("Pass", "every observation has the same value")
    if xs[0] == xs[-1] and ys[0] == ys[-1]:
        generator = rng if rng is not None else np.random.default_rng(_NOISE_SEED)
        x = _jitter(x, generator)
        y = _jitter(y, generator)
    try:
        ci = kayenta_confidence_interval(x, y, confidence_level)
    except ValueError as error:
        return outcome("Error", f"Kayenta's interval failed: {error}")
    effect = mean_ratio(x, y) if effect_measure == "meanRatio" else cles(x, y)
    bound = tolerance * abs(ci.estimate)
    nan_effect = math.isnan(effect)
    is_high = (
        direction in ("increase", "either") and ci.low > bound and (nan_effect or effect >= allowed_increase)
    )
    is_low = (
        direction in ("decrease", "either")
        and ci.high < -bound
        and (nan_effect or effect <= allowed_decrease)
    )
    label: KayentaLabel = "High" if is_high else "Low" if is_low else "Pass"
    is_critical = critical and (
        (label == "High" and (nan_effect or effect >= critical_increase))
        or (label == "Low" and (nan_effect or effect <= critical_decrease))
    )
    ci_text = f"{confidence_level:.0%} CI of the shift [{ci.low:.6g}, {ci.high:.6g}]"
    if label == "High":
        reason = f"{ci_text} lies above +{bound:.6g} ({tolerance:g} x |estimate {ci.estimate:.6g}|)"
    elif label == "Low":
        reason = f"{ci_text} lies below -{bound:.6g} ({tolerance:g} x |estimate {ci.estimate:.6g}|)"
    else:
        reason = f"{ci_text} not beyond +-{bound:.6g} in a judged direction ({direction}) and effect gate"
    return outcome(label, reason, is_critical=is_critical, interval=ci, effect=effect, bound=bound)


def mean_inequality_label(
    canary: npt.ArrayLike, baseline: npt.ArrayLike, direction: Direction = "either"
) -> str:
    """Kayenta's benchmark ``MeanInequalityClassifier``: compares the two means only."""
    mc = float(np.mean(np.asarray(canary, dtype=np.float64)))
    mb = float(np.mean(np.asarray(baseline, dtype=np.float64)))
    if mc > mb and direction in ("increase", "either"):
        return "High"
    if mc < mb and direction in ("decrease", "either"):
        return "Low"
    return "Pass"


@dataclass(frozen=True)
class ScoredMetric:
    """What the scorer needs from one metric."""

    group: str
    label: KayentaLabel
    critical: bool


def weighted_sum_score(results: Sequence[ScoredMetric], group_weights: Mapping[str, float]) -> float:
    """Kayenta ``WeightedSumScorer`` plus the critical and majority-Nodata overrides (module docstring)."""
    if not results:
        return 0.0
    if any(r.critical and r.label != "Pass" for r in results):
        return 0.0
    if sum(r.label == "Nodata" for r in results) / len(results) >= 0.5:
        return 0.0
    groups = list(dict.fromkeys(r.group for r in results))
    configured = {g: w for g, w in group_weights.items() if g in groups}
    unweighted = [g for g in groups if g not in configured]
    share = (100.0 - sum(configured.values())) / len(unweighted) if unweighted else 0.0
    summary = 0.0
    for g in groups:
        members = [r for r in results if r.group == g]
        passed = sum(r.label == "Pass" for r in members)
        counted = sum(r.label in ("Pass", "High", "Low", "NodataFailMetric") for r in members)
        score = 100.0 * passed / counted if counted else 100.0
        summary += score * configured.get(g, share) / 100.0
    return round(summary, 2)


def score_label(
    score: float, pass_score: float, marginal_score: float
) -> Literal["pass", "marginal", "fail"]:
    """Kayenta ``ThresholdScoreClassifier``: ``>= pass`` pass, ``>= marginal`` marginal, else fail."""
    if score >= pass_score:
        return "pass"
    if score >= marginal_score:
        return "marginal"
    return "fail"
