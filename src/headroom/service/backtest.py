"""Use case: backtest alert profiles on stored history, side by side.

One ``minute_series`` read covers ``[from - warm-up, to)`` for every SLO, where the warm-up
is the longest long window of the profiles compared, so the first minutes are judged on
full windows. Then, per profile, the pure replay (``alerting.backtest``) runs over all SLOs
at once; spans, events and detections before ``from`` are dropped.

Each SLO replays its own tiers, thresholds and low-traffic guard (its objective, period,
overrides and ``min_events``); a tier disabled for one SLO never fires for it. The budget
tiers (exhaustion, exhausted) are not replayed: they depend on the SLO window, not on
burn-rate pairs. ``backtest_chart.write_backtest_chart`` draws the result as a PNG.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
from pydantic import BaseModel, ConfigDict

from headroom.alerting.backtest import BacktestResult, TierSpec, backtest
from headroom.alerting.profiles_resolve import nominal_period_s, resolve_tiers
from headroom.budget.windows import epoch_minute, minute_to_datetime
from headroom.errors import UsageError
from headroom.sources.base import SLISource
from headroom.spec.durations import format_duration
from headroom.spec.model import SLO
from headroom.spec.profiles import BUILTIN_PROFILES, AlertProfile

__all__ = [
    "BacktestReport",
    "DetectionOut",
    "EventOut",
    "ProfileBacktest",
    "SLOBacktest",
    "SpanOut",
    "TierOut",
    "TierSummary",
    "run_backtest",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class SpanOut(_Out):
    """A firing span: from the first firing evaluation to the first quiet one (None: still firing)."""

    start: datetime
    end: datetime | None


class EventOut(_Out):
    """A significant event: its bad minutes ``[start, end)`` and the budget share it spent."""

    start: datetime
    end: datetime
    bad_events: float
    consumed_ratio: float


class DetectionOut(_Out):
    """How a tier met one event: seconds to detect and to reset (None: missed / no reset)."""

    event_start: datetime
    detection_s: float | None
    reset_s: float | None


class TierOut(_Out):
    tier: str
    severity: str
    long_window: str | None
    short_window: str | None
    factor: float | None
    spans: list[SpanOut]
    detections: list[DetectionOut]
    precision: float | None
    recall: float | None


class SLOBacktest(_Out):
    service: str
    slo: str
    events: list[EventOut]
    tiers: list[TierOut]


class TierSummary(_Out):
    """One tier over all SLOs: counts, precision, recall, median detection and reset."""

    tier: str
    severity: str
    spans: int
    matched_spans: int
    events: int
    detected: int
    precision: float | None
    recall: float | None
    median_detection_s: float | None
    median_reset_s: float | None


class ProfileBacktest(_Out):
    profile: str
    summary: list[TierSummary]
    slos: list[SLOBacktest]


class BacktestReport(_Out):
    """The ``backtest --output json`` contract."""

    start: datetime
    end: datetime
    minutes: int
    significant_share: float
    merge_gap_minutes: int
    profiles: list[ProfileBacktest]


def _none(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _with_profile(slo: SLO, profile: str) -> SLO:
    return slo.model_copy(update={"alerting": slo.alerting.model_copy(update={"profile": profile})})


def _tier_specs(
    slos: Sequence[SLO], profile: AlertProfile, profiles: Mapping[str, AlertProfile]
) -> list[TierSpec]:
    resolved = [
        {t.name: t for t in resolve_tiers(_with_profile(s, profile.name), profiles) if t.kind == "burn_rate"}
        for s in slos
    ]
    specs = []
    for tier in profile.tiers:
        thr = np.array([r[tier.name].threshold if tier.name in r else np.inf for r in resolved])
        severity = next((r[tier.name].severity for r in resolved if tier.name in r), tier.severity)
        specs.append(
            TierSpec(tier.name, severity, tier.long_window_s // 60, max(tier.short_window_s // 60, 1), thr)
        )
    return specs


def _slo_out(
    i: int,
    slo: SLO,
    result: BacktestResult,
    warm: int,
    first: int,
    windows: Mapping[str, tuple[str, str]],
    factors: Mapping[str, float],
) -> SLOBacktest:
    ev = result.events
    ev_sel = (ev.row == i) & (ev.end > warm)
    ev_idx = np.flatnonzero(ev_sel)
    tiers = []
    for t in result.tiers:
        span_sel = (t.spans.row == i) & (t.spans.end > warm)
        spans = [
            SpanOut(
                start=minute_to_datetime(first + max(int(a), warm) + 1),
                end=None if int(b) >= result.minutes else minute_to_datetime(first + int(b) + 1),
            )
            for a, b in zip(t.spans.start[span_sel], t.spans.end[span_sel], strict=True)
        ]
        detections = [
            DetectionOut(
                event_start=minute_to_datetime(first + int(ev.start[j])),
                detection_s=_none(t.detection_s[j]),
                reset_s=_none(t.reset_s[j]),
            )
            for j in ev_idx
        ]
        matched = t.span_matches[span_sel]
        window = windows.get(t.name)
        tiers.append(
            TierOut(
                tier=t.name,
                severity=t.severity,
                long_window=window[0] if window else None,
                short_window=window[1] if window else None,
                factor=factors.get(t.name),
                spans=spans,
                detections=detections,
                precision=float(matched.mean()) if matched.size else None,
                recall=float((~np.isnan(t.detection_s[ev_idx])).mean()) if ev_idx.size else None,
            )
        )
    events = [
        EventOut(
            start=minute_to_datetime(first + int(ev.start[j])),
            end=minute_to_datetime(first + int(ev.end[j])),
            bad_events=float(ev.bad[j]),
            consumed_ratio=float(ev.consumed_ratio[j]),
        )
        for j in ev_idx
    ]
    return SLOBacktest(service=slo.service, slo=slo.name, events=events, tiers=tiers)


def _summary(result: BacktestResult, warm: int) -> list[TierSummary]:
    out = []
    events = result.events
    ev_keep = events.end > warm
    for t in result.tiers:
        span_keep = t.spans.end > warm
        matched = t.span_matches[span_keep]
        det = t.detection_s[ev_keep]
        reset = t.reset_s[ev_keep]
        hit = ~np.isnan(det)
        out.append(
            TierSummary(
                tier=t.name,
                severity=t.severity,
                spans=int(span_keep.sum()),
                matched_spans=int(matched.sum()),
                events=int(ev_keep.sum()),
                detected=int(hit.sum()),
                precision=float(matched.mean()) if matched.size else None,
                recall=float(hit.mean()) if det.size else None,
                median_detection_s=float(np.median(det[hit])) if hit.any() else None,
                median_reset_s=float(np.median(reset[~np.isnan(reset)]))
                if (~np.isnan(reset)).any()
                else None,
            )
        )
    return out


def run_backtest(
    slos: Sequence[SLO],
    source: SLISource,
    start: datetime,
    end: datetime,
    *,
    profile_names: Sequence[str] = (),
    profiles: Mapping[str, AlertProfile] = BUILTIN_PROFILES,
    share: float = 0.02,
    merge_gap_minutes: int = 5,
    workers: int = 1,
) -> BacktestReport:
    """Backtest each named profile (default: each SLO's own) over ``[start, end)``.

    ``workers`` threads share the replay (worth it on an otherwise idle multi-core host).
    """
    first_minute, end_minute = epoch_minute(start), epoch_minute(end)
    if end_minute <= first_minute:
        raise UsageError(f"--from {start.isoformat()} is not before --to {end.isoformat()}")
    names = list(profile_names) or list(dict.fromkeys(s.alerting.profile for s in slos))
    unknown = [n for n in names if n not in profiles]
    if unknown:
        raise UsageError(
            f"unknown profile(s) {', '.join(unknown)}; choose from {', '.join(sorted(profiles))}"
        )
    warm = max((t.long_window_s // 60 for n in names for t in profiles[n].tiers), default=0)
    fetch_from = first_minute - warm
    out: list[ProfileBacktest] = []
    series = source.minute_series(slos, fetch_from, end_minute) if slos else None
    for name in names:
        rows = [i for i, s in enumerate(slos) if profile_names or s.alerting.profile == name]
        if series is None or not rows:
            out.append(ProfileBacktest(profile=name, summary=[], slos=[]))
            continue
        group = [slos[i] for i in rows]
        specs = _tier_specs(group, profiles[name], profiles)
        result = backtest(
            series.good[rows],
            series.total[rows],
            specs,
            error_budget_ratio=np.array([s.error_budget_ratio for s in group]),
            period_minutes=np.array([nominal_period_s(s.window) / 60 for s in group], dtype=np.float64),
            min_events=np.array([s.alerting.min_events for s in group], dtype=np.float64),
            share=share,
            merge_gap_minutes=merge_gap_minutes,
            workers=workers,
        )
        windows = {
            t.name: (format_duration(t.long_window_s), format_duration(t.short_window_s))
            for t in profiles[name].tiers
        }
        slo_out = []
        for k, slo in enumerate(group):
            factors = {
                t.name: t.factor
                for t in resolve_tiers(_with_profile(slo, name), profiles)
                if t.kind == "burn_rate"
            }
            slo_out.append(_slo_out(k, slo, result, warm, fetch_from, windows, factors))
        out.append(ProfileBacktest(profile=name, summary=_summary(result, warm), slos=slo_out))
    return BacktestReport(
        start=minute_to_datetime(first_minute),
        end=minute_to_datetime(end_minute),
        minutes=end_minute - first_minute,
        significant_share=share,
        merge_gap_minutes=merge_gap_minutes,
        profiles=out,
    )
