"""Canary analysis: Kayenta's judge reproduced, headroom's judge, and the error-budget blast radius.

Pure modules: ``config`` (settings), ``model`` (data in, report out), ``mannwhitney``
(Wilcoxon interval, Hodges-Lehmann), ``rank_tests`` (Mann-Whitney U from samples and
histograms), ``kayenta`` (NetflixACAJudge), ``power`` (sample sizes), ``projection``
(blast radius), ``judge`` (the entry point ``judge_canary``).
Adapter: ``data_files`` (reads the CSV/JSONL input). See ``docs/canary.md``.
"""

from headroom.canary.config import CanaryConfig, MetricConfig
from headroom.canary.judge import judge_canary
from headroom.canary.model import (
    CanaryData,
    CanaryReport,
    CountMetric,
    HistogramMetric,
    MetricResult,
    SampleMetric,
)
from headroom.canary.projection import BudgetInputs, BudgetProjection, project_blast_radius

__all__ = [
    "BudgetInputs",
    "BudgetProjection",
    "CanaryConfig",
    "CanaryData",
    "CanaryReport",
    "CountMetric",
    "HistogramMetric",
    "MetricConfig",
    "MetricResult",
    "SampleMetric",
    "judge_canary",
    "project_blast_radius",
]
