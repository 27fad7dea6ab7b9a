"""Canary judge configuration: per-metric rules and run-level thresholds (pure, frozen).

Field names follow Kayenta's canary config (Kayenta's ``docs/canary-config.md``; ours is
``docs/canary.md``, "Configuration") in snake case so a Kayenta user can read them across:
``direction``, ``critical``, ``must_have_data``,
``effect_measure`` / ``allowed_increase`` / ``allowed_decrease`` (Kayenta ``effectSize``),
``critical_increase`` / ``critical_decrease``, ``nan_strategy``, ``outlier_strategy`` /
``outlier_factor``, ``group`` with run-level ``group_weights``, and the score thresholds
``pass`` / ``marginal``.

Defaults, and why:

* ``mode="headroom"``: the tests in ``judge.py`` (count tests, one-sided rank test, power
  gate). ``mode="kayenta"`` reproduces NetflixACAJudge.
* ``direction="increase"``: an SLI that gets worse goes up (errors, latency). Kayenta's own
  default is ``either``; write ``direction: either`` to get it.
* ``allowed_increase`` / ``allowed_decrease``: Kayenta's defaults, 1.0 for ``meanRatio``
  (no practical-significance margin) and 0.5 for ``cles``.
* ``pass=95``, ``marginal=75``: the score thresholds of Spinnaker's canary stage defaults.
* ``alpha=0.05``, ``power=0.8``: the conventional one-sided test size and power; with
  ``min_detectable_ratio=2`` they give the ~18,500-requests-per-arm figure for 0.1% vs
  0.2% errors (see ``power.py``).
* ``confidence_level=0.98``, ``tolerance=0.25``: hard-coded in Kayenta's
  ``NetflixACAJudge.classifyMetric``; only the Kayenta mode reads them.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "DEFAULT_METRIC",
    "CanaryConfig",
    "Direction",
    "EffectMeasure",
    "JudgeMode",
    "MetricConfig",
]

Direction = Literal["increase", "decrease", "either"]
EffectMeasure = Literal["meanRatio", "cles"]
JudgeMode = Literal["kayenta", "headroom"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class MetricConfig(_Frozen):
    """How one metric is judged. Every field has a default; ``name`` ties it to the data."""

    name: str = Field(min_length=1)
    direction: Direction = "increase"
    critical: bool = False
    must_have_data: bool = False
    group: str = "default"
    effect_measure: EffectMeasure = "meanRatio"
    allowed_increase: float | None = Field(default=None, gt=0)
    allowed_decrease: float | None = Field(default=None, gt=0)
    critical_increase: float | None = Field(default=None, gt=0)
    critical_decrease: float | None = Field(default=None, gt=0)
    nan_strategy: Literal["remove", "replace"] = "remove"
    outlier_strategy: Literal["keep", "remove"] = "keep"
    outlier_factor: float = Field(default=3.0, gt=0)
    min_detectable_ratio: float = Field(default=2.0, gt=1)
    """Counts, headroom mode: the canary/baseline error-ratio the test must have the power to detect."""
    min_detectable_cles: float = Field(default=0.6, gt=0.5, lt=1)
    """Samples, headroom mode: the P(canary > baseline) the rank test must have the power to detect."""

    def _default_allowed(self) -> float:
        return 0.5 if self.effect_measure == "cles" else 1.0

    @property
    def effective_allowed_increase(self) -> float:
        """Effect-size gate for High (Kayenta ``effectSize.allowedIncrease``)."""
        return self.allowed_increase if self.allowed_increase is not None else self._default_allowed()

    @property
    def effective_allowed_decrease(self) -> float:
        """Effect-size gate for Low (Kayenta ``effectSize.allowedDecrease``)."""
        return self.allowed_decrease if self.allowed_decrease is not None else self._default_allowed()

    @property
    def effective_critical_increase(self) -> float:
        """Effect a High on a critical metric must reach to veto the run (default 1.0; CLES 0.5)."""
        return self.critical_increase if self.critical_increase is not None else self._default_allowed()

    @property
    def effective_critical_decrease(self) -> float:
        """Effect a Low on a critical metric must reach to veto the run (default 1.0; CLES 0.5)."""
        return self.critical_decrease if self.critical_decrease is not None else self._default_allowed()


DEFAULT_METRIC = MetricConfig(name="default")
"""The rules a metric gets when the config does not name it."""


class CanaryConfig(_Frozen):
    """Run-level judge settings plus the per-metric rules (``metrics``)."""

    mode: JudgeMode = "headroom"
    pass_score: float = Field(default=95.0, alias="pass", ge=0, le=100)
    marginal_score: float = Field(default=75.0, alias="marginal", ge=0, le=100)
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    power: float = Field(default=0.8, gt=0.5, lt=1)
    min_samples: int = Field(default=5, ge=1)
    """Headroom mode: fewer points than this on either side of a sample metric is Inconclusive."""
    error_ratio_floor: float = Field(default=0.001, gt=0, lt=1)
    """Headroom mode, counts: the smallest baseline error ratio the power check assumes (the SLO budget)."""
    confidence_level: float = Field(default=0.98, gt=0, lt=1)
    tolerance: float = Field(default=0.25, ge=0)
    group_weights: dict[str, float] = Field(default_factory=dict)
    metrics: tuple[MetricConfig, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> CanaryConfig:
        problems: list[str] = []
        if self.marginal_score > self.pass_score:
            problems.append(
                f"marginal {self.marginal_score} is above pass {self.pass_score}; marginal must be <= pass"
            )
        names = [m.name for m in self.metrics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            problems.append(f"metrics named more than once: {', '.join(duplicates)}; name each metric once")
        for group, weight in self.group_weights.items():
            if not math.isfinite(weight) or weight < 0:
                problems.append(f"group_weights.{group} = {weight} must be a finite number >= 0")
        if sum(self.group_weights.values()) > 100 + 1e-9:
            problems.append(
                f"group_weights sum to {sum(self.group_weights.values())}; they are percentages "
                "and must sum to at most 100"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def metric(self, name: str) -> MetricConfig:
        """The rules for ``name``: its entry in ``metrics``, else the defaults."""
        for m in self.metrics:
            if m.name == name:
                return m
        return DEFAULT_METRIC.model_copy(update={"name": name})
