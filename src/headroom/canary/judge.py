"""The canary judge: ``judge_canary(data, config, budget) -> CanaryReport`` (pure).

Two judges share one report:

``mode="kayenta"``
    ``kayenta.classify_metric`` per sample metric, Kayenta's weighted-sum score and
    thresholds. Count and histogram metrics have no Kayenta equivalent (Kayenta judges
    time series), so they get headroom's tests, and their reason says so.

``mode="headroom"`` (default) fixes what Kayenta's users report (research §2.4, §7):

* **Counts** (errors = total - good per arm): one-sided test of ``p_canary > p_baseline``
  (mirrored for ``decrease``; two-sided for ``either``). Pooled two-proportion z-test,
  ``z = (p_c - p_b) / sqrt(p (1 - p) (1/n_c + 1/n_b))``; Fisher's exact test instead when
  any expected cell ``n p`` or ``n (1 - p)`` is below 5 (Cochran's rule), so an all-zero
  baseline against a failing canary is caught (Kayenta passes it, spinnaker#5622).
  Effect: ``p_c / p_b`` (null when the baseline has no errors).
* **Samples**: Mann-Whitney U, one-sided (scipy's exact test when an arm has 8 or fewer
  points and no ties, else the normal approximation with tie and continuity correction,
  equal to ``scipy.stats.mannwhitneyu(method="asymptotic")``). Effect: mean ratio or
  CLES (``effect_measure``); the report's interval is the exact Hodges-Lehmann interval
  at ``1 - 2 alpha`` (one-sided) or ``1 - alpha`` (``either``) and the reason quotes the
  Hodges-Lehmann shift.
* **Histograms**: the same test on bucket ranks (``rank_tests.binned_mann_whitney``);
  effect CLES.
* High / Low need significance (``p < alpha``) **and** the Kayenta-style effect gate
  (``allowed_increase`` / ``allowed_decrease``; a NaN effect passes the gate).
* Not significant with too little data for ``power`` is **Inconclusive**, with the sample
  size needed per arm (``power.py``): counts must be able to detect ``min_detectable_ratio``
  times ``max(p_baseline, error_ratio_floor)``; samples ``P(canary > baseline) =
  min_detectable_cles``. Unequal arms count as their harmonic-mean equivalent.
* Verdict: a critical metric that fails -> fail (score 0); budget projection fails ->
  fail; score below ``marginal`` -> fail; otherwise any Inconclusive or Nodata metric ->
  inconclusive (a quiet canary never passes silently); else pass / marginal by score.
  The score is Kayenta's weighted sum, where High/Low count as failures only in a judged
  direction and Inconclusive/Nodata are left out of the group denominators.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats
from scipy.special import ndtr

from headroom.canary import kayenta, power
from headroom.canary.config import CanaryConfig, Direction, MetricConfig
from headroom.canary.mannwhitney import hodges_lehmann
from headroom.canary.model import (
    CanaryData,
    CanaryReport,
    Classification,
    CountMetric,
    HistogramMetric,
    MetricResult,
    SampleCounts,
    SampleMetric,
    Verdict,
)
from headroom.canary.projection import BudgetInputs, BudgetProjection, project_blast_radius
from headroom.canary.rank_tests import binned_mann_whitney, mann_whitney_p_values

__all__ = ["judge_canary", "judge_count_metric", "judge_histogram_metric", "judge_sample_metric"]

FloatArray = npt.NDArray[np.float64]

_EXPECTED_CELL_MIN = 5.0
"""Cochran's rule: below 5 expected events in a cell the z-test is replaced by Fisher's exact test."""


@dataclass(frozen=True)
class _Judged:
    result: MetricResult
    group: str
    label: kayenta.KayentaLabel  # the label Kayenta's scorer sees
    veto: bool  # a critical metric failed: the run fails whatever the score

    @property
    def fails(self) -> bool:
        return self.label in ("High", "Low", "NodataFailMetric")

    @property
    def counted(self) -> bool:
        return self.label in ("Pass", "High", "Low", "NodataFailMetric")


def _alternative(direction: Direction) -> str:
    return {"increase": "greater", "decrease": "less", "either": "two-sided"}[direction]


def _label(
    direction: Direction, significant: bool, up: bool, gate_up: bool, gate_down: bool
) -> Classification:
    if not significant:
        return "pass"
    if up and direction in ("increase", "either") and gate_up:
        return "high"
    if not up and direction in ("decrease", "either") and gate_down:
        return "low"
    return "pass"


def _gate(effect: float, threshold: float, up: bool) -> bool:
    if math.isnan(effect):
        return True
    return effect >= threshold if up else effect <= threshold


def _not_flagged(cfg: MetricConfig, up: bool, effect: float, measure: str) -> str:
    """Why a significant change is not High/Low: wrong direction, or below the effect gate."""
    if up and cfg.direction == "decrease":
        return "the change is an increase and only a decrease is judged"
    if not up and cfg.direction == "increase":
        return "the change is a decrease and only an increase is judged"
    if up:
        return f"{measure} {effect:.4g} is below the allowed increase {cfg.effective_allowed_increase:g}"
    return f"{measure} {effect:.4g} is above the allowed decrease {cfg.effective_allowed_decrease:g}"


def _is_critical_failure(cfg: MetricConfig, label: Classification, effect: float) -> bool:
    if not cfg.critical:
        return False
    if label == "high":
        return _gate(effect, cfg.effective_critical_increase, up=True)
    if label == "low":
        return _gate(effect, cfg.effective_critical_decrease, up=False)
    return False


def _nodata(name: str, cfg: MetricConfig, n_baseline: int, n_canary: int, what: str) -> _Judged:
    fail = cfg.must_have_data and not cfg.critical
    reason = f"no data: {what}" + ("; the metric must have data, so it counts as failed" if fail else "")
    result = MetricResult(
        name=name,
        classification="nodata",
        statistic=None,
        p_value=None,
        interval=None,
        effect=None,
        samples=SampleCounts(baseline=n_baseline, canary=n_canary),
        critical=cfg.critical,
        reason=reason,
    )
    return _Judged(result, cfg.group, "NodataFailMetric" if fail else "Nodata", veto=False)


def judge_count_metric(metric: CountMetric, cfg: MetricConfig, config: CanaryConfig) -> _Judged:
    """Headroom's error-count test for one metric (module docstring)."""
    eb, nb, ec, nc = metric.baseline_bad, metric.baseline_total, metric.canary_bad, metric.canary_total
    if nb == 0 or nc == 0:
        what = "no requests in " + (
            "either variant" if nb == nc == 0 else "the baseline" if nb == 0 else "the canary"
        )
        return _nodata(metric.name, cfg, nb, nc, what)
    pb, pc = eb / nb, ec / nc
    pooled = (eb + ec) / (nb + nc)
    alternative = _alternative(cfg.direction)
    expected = [n * q for n in (nb, nc) for q in (pooled, 1 - pooled)]
    if min(expected) < _EXPECTED_CELL_MIN:
        table = [[ec, nc - ec], [eb, nb - eb]]
        fisher = stats.fisher_exact(table, alternative=alternative)
        statistic, p_value, test = float(fisher.statistic), float(fisher.pvalue), "Fisher's exact test"
    else:
        z = (pc - pb) / math.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / nb))
        if alternative == "greater":
            p_value = float(ndtr(-z))
        elif alternative == "less":
            p_value = float(ndtr(z))
        else:
            p_value = float(2 * ndtr(-abs(z)))
        statistic, test = z, "pooled two-proportion z-test"
    effect = pc / pb if pb > 0 else math.nan
    significant = p_value < config.alpha
    label = _label(
        cfg.direction,
        significant,
        up=pc > pb,
        gate_up=_gate(effect, cfg.effective_allowed_increase, up=True),
        gate_down=_gate(effect, cfg.effective_allowed_decrease, up=False),
    )
    rates = f"canary {ec}/{nc} = {pc:.4g} vs baseline {eb}/{nb} = {pb:.4g} errors"
    test_text = f"{test} ({alternative}) p = {p_value:.3g}"
    if label in ("high", "low"):
        reason = f"{rates}; {test_text} < alpha {config.alpha:g}"
    elif significant:
        reason = f"{rates}; {test_text} but {_not_flagged(cfg, pc > pb, effect, 'error ratio')}"
    else:
        p0 = max(pb, config.error_ratio_floor)
        p1 = min(p0 * cfg.min_detectable_ratio, 0.999999)
        needed = power.two_proportion_sample_size(p0, p1, config.alpha, config.power)
        have = power.effective_arm_size(nb, nc)
        if have < needed:
            label = "inconclusive"
            reason = (
                f"{rates}; {test_text} is not significant, but detecting {p0:.4g} -> {p1:.4g} with power "
                f"{config.power:g} needs {needed:,} requests per arm and the arms are worth {have:,.0f}"
            )
        else:
            reason = (
                f"{rates}; {test_text} >= alpha {config.alpha:g} with enough requests ({have:,.0f} per arm)"
            )
    return _tested(metric.name, cfg, label, statistic, p_value, effect, nb, nc, reason)


def _tested(
    name: str,
    cfg: MetricConfig,
    label: Classification,
    statistic: float | None,
    p_value: float | None,
    effect: float,
    nb: int,
    nc: int,
    reason: str,
) -> _Judged:
    """A metric judged by a hypothesis test (no interval), with its Kayenta label and veto."""
    result = MetricResult(
        name=name,
        classification=label,
        statistic=statistic,
        p_value=p_value,
        interval=None,
        effect=effect,
        samples=SampleCounts(baseline=nb, canary=nc),
        critical=cfg.critical,
        reason=reason,
    )
    return _Judged(
        result, cfg.group, _HEADROOM_TO_KAYENTA[label], veto=_is_critical_failure(cfg, label, effect)
    )


def judge_sample_metric(metric: SampleMetric, cfg: MetricConfig, config: CanaryConfig) -> _Judged:
    """Headroom's rank test for one sample metric (module docstring)."""
    x = kayenta.handle_nans(metric.canary, cfg.nan_strategy)
    y = kayenta.handle_nans(metric.baseline, cfg.nan_strategy)
    if cfg.outlier_strategy == "remove":
        x = kayenta.remove_outliers_iqr(x, cfg.outlier_factor)
        y = kayenta.remove_outliers_iqr(y, cfg.outlier_factor)
    nx, ny = int(x.size), int(y.size)
    if nx == 0 or ny == 0:
        what = "no samples in " + (
            "either variant" if nx == ny == 0 else "the canary" if nx == 0 else "the baseline"
        )
        return _nodata(metric.name, cfg, ny, nx, what)
    samples = SampleCounts(baseline=ny, canary=nx)
    if min(nx, ny) < config.min_samples:
        result = MetricResult(
            name=metric.name,
            classification="inconclusive",
            statistic=None,
            p_value=None,
            interval=None,
            effect=None,
            samples=samples,
            critical=cfg.critical,
            reason=f"{min(nx, ny)} samples in the smaller arm; at least {config.min_samples} are needed",
        )
        return _Judged(result, cfg.group, "Nodata", veto=False)
    x, y = np.sort(x), np.sort(y)
    u, p_greater, p_less = mann_whitney_p_values(x, y, presorted=True)
    if cfg.direction == "increase":
        p_value = p_greater
    elif cfg.direction == "decrease":
        p_value = p_less
    else:
        p_value = min(1.0, 2 * min(p_greater, p_less))
    up = p_greater <= p_less
    effect = kayenta.mean_ratio(x, y) if cfg.effect_measure == "meanRatio" else u / (nx * ny)
    level = 1 - config.alpha if cfg.direction == "either" else 1 - 2 * config.alpha
    hl = hodges_lehmann(x, y, level, presorted=True)
    significant = p_value < config.alpha
    label = _label(
        cfg.direction,
        significant,
        up=up,
        gate_up=_gate(effect, cfg.effective_allowed_increase, up=True),
        gate_down=_gate(effect, cfg.effective_allowed_decrease, up=False),
    )
    effect_text = f"{cfg.effect_measure} {effect:.4g}" if not math.isnan(effect) else "mean ratio undefined"
    shift = f"Hodges-Lehmann shift {hl.estimate:.4g} ({level:.0%} CI [{hl.low:.4g}, {hl.high:.4g}])"
    test_text = f"Mann-Whitney U = {u:g} ({_alternative(cfg.direction)}) p = {p_value:.3g}"
    if label in ("high", "low"):
        reason = f"{shift}; {test_text} < alpha {config.alpha:g}; {effect_text}"
    elif significant:
        reason = f"{shift}; {test_text} but {_not_flagged(cfg, up, effect, cfg.effect_measure)}"
    else:
        needed = power.rank_test_sample_size(cfg.min_detectable_cles, config.alpha, config.power)
        have = power.effective_arm_size(ny, nx)
        if have < needed:
            label = "inconclusive"
            reason = (
                f"{shift}; {test_text} is not significant, but detecting P(canary > baseline) = "
                f"{cfg.min_detectable_cles:g} with power {config.power:g} needs {needed:,} samples per arm "
                f"and the arms are worth {have:,.0f}"
            )
        else:
            reason = (
                f"{shift}; {test_text} >= alpha {config.alpha:g} with enough samples ({have:,.0f} per arm)"
            )
    result = MetricResult(
        name=metric.name,
        classification=label,
        statistic=u,
        p_value=p_value,
        interval=(hl.low, hl.high),
        effect=effect,
        samples=samples,
        critical=cfg.critical,
        reason=reason,
    )
    return _Judged(
        result, cfg.group, _HEADROOM_TO_KAYENTA[label], veto=_is_critical_failure(cfg, label, effect)
    )


_HEADROOM_TO_KAYENTA: dict[Classification, kayenta.KayentaLabel] = {
    "pass": "Pass",
    "high": "High",
    "low": "Low",
    "nodata": "Nodata",
    "inconclusive": "Nodata",
}


def judge_histogram_metric(metric: HistogramMetric, cfg: MetricConfig, config: CanaryConfig) -> _Judged:
    """Headroom's rank test on two histograms (``rank_tests.binned_mann_whitney``).

    The effect is always CLES (a histogram has no exact mean); its gates are the configured
    ones when ``effect_measure`` is ``cles``, else CLES's neutral defaults (0.5).
    """
    nb, nc = int(metric.baseline_counts.sum()), int(metric.canary_counts.sum())
    if nb == 0 or nc == 0:
        what = "an empty histogram for " + (
            "both variants" if nb == nc == 0 else "the baseline" if nb == 0 else "the canary"
        )
        return _nodata(metric.name, cfg, nb, nc, what)
    if cfg.effect_measure != "cles":  # a histogram has no exact mean: judge CLES, no gate
        cfg = cfg.model_copy(
            update={
                "effect_measure": "cles",
                "allowed_increase": None,
                "allowed_decrease": None,
                "critical_increase": None,
                "critical_decrease": None,
            }
        )
    u, p_greater, p_less = binned_mann_whitney(metric.baseline_counts, metric.canary_counts)
    if cfg.direction == "increase":
        p_value = p_greater
    elif cfg.direction == "decrease":
        p_value = p_less
    else:
        p_value = min(1.0, 2 * min(p_greater, p_less))
    effect = u / (nb * nc)
    significant = p_value < config.alpha
    up = p_greater <= p_less
    label = _label(
        cfg.direction,
        significant,
        up=up,
        gate_up=_gate(effect, cfg.effective_allowed_increase, up=True),
        gate_down=_gate(effect, cfg.effective_allowed_decrease, up=False),
    )
    test_text = (
        f"Mann-Whitney U = {u:g} on {metric.upper_bounds.size} buckets ({_alternative(cfg.direction)}) "
        f"p = {p_value:.3g}; P(canary > baseline) = {effect:.4g}"
    )
    if label in ("high", "low"):
        reason = f"{test_text}; p < alpha {config.alpha:g}"
    elif significant:
        reason = f"{test_text}; significant but {_not_flagged(cfg, up, effect, 'cles')}"
    else:
        needed = power.rank_test_sample_size(cfg.min_detectable_cles, config.alpha, config.power)
        have = power.effective_arm_size(nb, nc)
        if have < needed:
            label = "inconclusive"
            reason = (
                f"{test_text}; not significant, and {needed:,} observations per arm are needed ({have:,.0f})"
            )
        else:
            reason = f"{test_text} >= alpha {config.alpha:g} with enough observations ({have:,.0f} per arm)"
    return _tested(metric.name, cfg, label, u, p_value, effect, nb, nc, reason)


_KAYENTA_TO_CLASSIFICATION: dict[str, Classification] = {
    "Pass": "pass",
    "High": "high",
    "Low": "low",
    "Nodata": "nodata",
    "NodataFailMetric": "nodata",
    "Error": "nodata",
}


def _judge_kayenta_sample(metric: SampleMetric, cfg: MetricConfig, config: CanaryConfig) -> _Judged:
    out = kayenta.classify_metric(
        metric.canary,
        metric.baseline,
        direction=cfg.direction,
        nan_strategy=cfg.nan_strategy,
        outlier_strategy=cfg.outlier_strategy,
        outlier_factor=cfg.outlier_factor,
        critical=cfg.critical,
        must_have_data=cfg.must_have_data,
        effect_measure=cfg.effect_measure,
        allowed_increase=cfg.effective_allowed_increase,
        allowed_decrease=cfg.effective_allowed_decrease,
        critical_increase=cfg.effective_critical_increase,
        critical_decrease=cfg.effective_critical_decrease,
        tolerance=config.tolerance,
        confidence_level=config.confidence_level,
    )
    ci = out.interval
    result = MetricResult(
        name=metric.name,
        classification=_KAYENTA_TO_CLASSIFICATION[out.label],
        statistic=ci.estimate if ci is not None else None,
        p_value=None,
        interval=(ci.low, ci.high) if ci is not None else None,
        effect=out.effect_size,
        samples=SampleCounts(baseline=out.n_baseline, canary=out.n_canary),
        critical=cfg.critical,
        reason=f"Kayenta {out.label}: {out.reason}",
    )
    veto = out.critical or (cfg.critical and out.label == "Nodata")
    return _Judged(result, cfg.group, out.label, veto=veto)


def _group_score(judged: list[_Judged], group_weights: dict[str, float]) -> float:
    scored = [kayenta.ScoredMetric(j.group, j.label, critical=False) for j in judged if j.counted]
    if not scored:
        return 100.0
    return kayenta.weighted_sum_score(scored, group_weights)


def _budget(data: CanaryData, budget: BudgetInputs) -> BudgetProjection | str:
    counts = [m for m in data.metrics if isinstance(m, CountMetric)]
    chosen = [m for m in counts if budget.metric is None or m.name == budget.metric]
    if not chosen:
        wanted = f"count metric {budget.metric!r}" if budget.metric else "a count metric"
        return f"budget projection skipped: the data has no {wanted} (rows with good,total)"
    m = chosen[0]
    return project_blast_radius(
        m.canary_bad,
        m.canary_total,
        error_budget_ratio=budget.error_budget_ratio,
        remaining_budget_ratio=budget.remaining_budget_ratio,
        window_s=budget.window_s,
        remaining_window_s=budget.remaining_window_s,
        expected_total_rate_per_s=budget.expected_total_rate_per_s,
        confidence=budget.confidence,
        reserve_ratio=budget.reserve_ratio,
        canary_allotment_ratio=budget.canary_allotment_ratio,
        metric=m.name,
    )


def _judge_metric(metric: SampleMetric | CountMetric | HistogramMetric, config: CanaryConfig) -> _Judged:
    """One metric's classification, by the judge its kind and the mode call for."""
    cfg = config.metric(metric.name)
    if isinstance(metric, CountMetric | HistogramMetric):
        if isinstance(metric, CountMetric):
            j, kind = judge_count_metric(metric, cfg, config), "counts"
        else:
            j, kind = judge_histogram_metric(metric, cfg, config), "histograms"
        if config.mode == "kayenta":
            note = f"{kind} are judged by headroom's test in Kayenta mode: {j.result.reason}"
            j = _Judged(j.result.model_copy(update={"reason": note}), j.group, j.label, j.veto)
        return j
    if config.mode == "kayenta":
        return _judge_kayenta_sample(metric, cfg, config)
    return judge_sample_metric(metric, cfg, config)


def judge_canary(
    data: CanaryData, config: CanaryConfig, budget: BudgetInputs | None = None, *, workers: int = 2
) -> CanaryReport:
    """Judge every metric of one canary run and decide the verdict (module docstring).

    The single pure entry point of the canary package: the service loads the files, this
    function does the statistics, the surfaces render the returned ``CanaryReport``.
    """
    reasons: list[str] = []
    # Metrics are independent and numpy's sorting and searching release the GIL, so two
    # threads judge them about twice as fast on two cores; the order of results is kept.
    if workers > 1 and len(data.metrics) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            judged = list(pool.map(lambda m: _judge_metric(m, config), data.metrics))
    else:
        judged = [_judge_metric(m, config) for m in data.metrics]

    projection: BudgetProjection | None = None
    if budget is not None:
        outcome = _budget(data, budget)
        if isinstance(outcome, str):
            reasons.append(outcome)
        else:
            projection = outcome

    verdict: Verdict
    vetoes = [j.result for j in judged if j.veto]
    if config.mode == "kayenta":
        scored = [kayenta.ScoredMetric(j.group, j.label, j.veto) for j in judged]
        score = kayenta.weighted_sum_score(scored, config.group_weights)
        verdict = kayenta.score_label(score, config.pass_score, config.marginal_score)
        if vetoes:
            reasons.append(
                f"critical metric {vetoes[0].name} is {vetoes[0].classification}: score forced to 0"
            )
        elif judged and sum(j.label == "Nodata" for j in judged) / len(judged) >= 0.5:
            reasons.append("half or more of the metrics have no data: score forced to 0")
    else:
        score = _group_score(judged, config.group_weights)
        if vetoes:
            score = 0.0
            verdict = "fail"
            reasons.extend(f"critical metric {v.name} is {v.classification}: {v.reason}" for v in vetoes)
        else:
            verdict = kayenta.score_label(score, config.pass_score, config.marginal_score)
            unsure = [j.result for j in judged if j.result.classification in ("inconclusive", "nodata")]
            if verdict != "fail" and unsure:
                verdict = "inconclusive"
                reasons.extend(f"{r.name} is {r.classification}: {r.reason}" for r in unsure)
    failing = [j.result for j in judged if j.fails and not j.veto]
    reasons.extend(f"{r.name} is {r.classification}: {r.reason}" for r in failing)
    if projection is not None and not projection.passed:
        verdict = "fail"
        reasons.append(f"error budget: {projection.reason}")
    elif projection is not None:
        reasons.append(f"error budget: {projection.reason}")
    if not data.metrics:
        verdict = "inconclusive"
        reasons.append("no metrics to judge")
    reasons.insert(
        0,
        f"{verdict}: score {score:g} (pass >= {config.pass_score:g}, marginal >= {config.marginal_score:g}), "
        f"{config.mode} judge, {len(judged)} metric(s)",
    )
    return CanaryReport(
        verdict=verdict,
        score=score,
        metrics=tuple(j.result for j in judged),
        budget=projection,
        reasons=tuple(reasons),
    )
