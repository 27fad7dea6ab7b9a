"""What the canary judge reads (``CanaryData``) and what it answers (``CanaryReport``).

``CanaryReport`` is a JSON contract shared by the CLI (``--output json``), the API and
the web page; its shape is::

    {"verdict": "pass|marginal|fail|inconclusive", "score": float,
     "metrics": [{"name", "classification": "pass|high|low|nodata|inconclusive",
                  "statistic", "p_value" | null, "interval": [lo, hi] | null, "effect",
                  "samples": {"baseline": n, "canary": n}, "critical", "reason"}],
     "budget": {...BudgetProjection...} | null, "reasons": [str, ...]}

Absent numbers are ``null`` (never NaN, never -1). Pure: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, field_validator

from headroom.canary.projection import BudgetProjection

__all__ = [
    "CanaryData",
    "CanaryReport",
    "Classification",
    "CountMetric",
    "HistogramMetric",
    "Metric",
    "MetricResult",
    "SampleCounts",
    "SampleMetric",
    "Verdict",
    "finite_or_none",
]

Classification = Literal["pass", "high", "low", "nodata", "inconclusive"]
Verdict = Literal["pass", "marginal", "fail", "inconclusive"]


def finite_or_none(value: float | None) -> float | None:
    """``value`` as a plain float, or ``None`` when it is missing, NaN or infinite."""
    if value is None:
        return None
    v = float(value)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class SampleMetric:
    """A metric given as samples per variant (e.g. p99 latency per interval). May hold NaN."""

    name: str
    baseline: npt.NDArray[np.float64]
    canary: npt.NDArray[np.float64]


@dataclass(frozen=True)
class CountMetric:
    """A metric given as event counts per variant: ``bad = total - good`` (errors)."""

    name: str
    baseline_good: int
    baseline_total: int
    canary_good: int
    canary_total: int

    @property
    def baseline_bad(self) -> int:
        """Baseline errors."""
        return self.baseline_total - self.baseline_good

    @property
    def canary_bad(self) -> int:
        """Canary errors."""
        return self.canary_total - self.canary_good


@dataclass(frozen=True)
class HistogramMetric:
    """A metric given as a histogram per variant: observations per bucket (not cumulative).

    ``upper_bounds`` are the buckets' upper edges, strictly increasing (the last may be
    ``inf``); bucket ``k`` holds the observations in ``(upper_bounds[k-1], upper_bounds[k]]``.
    """

    name: str
    upper_bounds: npt.NDArray[np.float64]
    baseline_counts: npt.NDArray[np.int64]
    canary_counts: npt.NDArray[np.int64]


Metric = SampleMetric | CountMetric | HistogramMetric
"""Any one metric of a canary run."""


@dataclass(frozen=True)
class CanaryData:
    """Every metric of one canary run, in input order; names are unique."""

    metrics: tuple[Metric, ...] = field(default_factory=tuple)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SampleCounts(_Frozen):
    """How many observations each variant contributed after NaN and outlier handling (requests for counts)."""

    baseline: int
    canary: int


class MetricResult(_Frozen):
    """One metric's classification with the numbers behind it and a one-line reason."""

    name: str
    classification: Classification
    statistic: float | None
    p_value: float | None
    interval: tuple[float, float] | None
    effect: float | None
    samples: SampleCounts
    critical: bool
    reason: str

    @field_validator("statistic", "p_value", "effect", mode="before")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        return finite_or_none(value)

    @field_validator("interval", mode="before")
    @classmethod
    def _finite_interval(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is None:
            return None
        lo, hi = finite_or_none(value[0]), finite_or_none(value[1])
        return None if lo is None or hi is None else (lo, hi)


class CanaryReport(_Frozen):
    """The judge's answer for one canary run (the JSON contract in the module docstring)."""

    verdict: Verdict
    score: float
    metrics: tuple[MetricResult, ...]
    budget: BudgetProjection | None
    reasons: tuple[str, ...]
