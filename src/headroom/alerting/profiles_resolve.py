"""Resolve an SLO's alerting spec into the concrete tiers it alerts on.

Pure. An SLO names a profile (a catalog of burn-rate pairs, ``spec/profiles.py``) and may
override each tier by name or by severity (``tiers: {page: {severity: critical}}``,
``tiers: {ticket-slow: {disabled: true}}``); a tier-name override wins over a severity
override. Each pair's factor is recomputed for the SLO's period (``burn_rate_factor``)::

    factor    = budget_percent / 100 x period_h / long_window_h     (Sloth, exact float order)
    threshold = factor x (1 - objective)                             (SRE Workbook ch. 5)

Besides the burn-rate pairs, two budget alerts ride along as extra tiers:

``exhaustion`` (only when ``alerting.exhaustion_horizon`` is set; severity ``ticket``)
    fires while the budget would run out within the horizon at the current (1 h) burn
    rate: ``0 < time_to_exhaustion_s < horizon_s``.
``exhausted`` (on unless disabled; severity ``ticket``)
    fires while the remaining budget ratio is ``<= 0``.

Calendar windows alert on a nominal period (week 7 d, month 30 d, quarter 90 d), so a
month's factors do not change from one month to the next.

``validate_alerting`` returns the issues a spec author should see: an unknown profile or
override key (errors), a pair that can never fire because ``factor x (1 - objective) >= 1``
(the Workbook's 90 % example: a 100 % outage spends only 1.4 % of the budget in an hour),
and a short window that is not about 1/12 of the long one (warnings).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from headroom.errors import SpecIssue
from headroom.spec.durations import format_duration
from headroom.spec.model import SLO, CalendarWindow, RollingWindow, TierOverride
from headroom.spec.profiles import BUILTIN_PROFILES, AlertProfile, AlertTier, burn_rate_factor

__all__ = [
    "EXHAUSTED_TIER",
    "EXHAUSTION_TIER",
    "SHORT_WINDOW_RATIO_RANGE",
    "ResolvedTier",
    "TierKind",
    "nominal_period_s",
    "resolve_tiers",
    "validate_alerting",
]

TierKind = Literal["burn_rate", "exhaustion", "exhausted"]

#: Name of the time-to-exhaustion tier.
EXHAUSTION_TIER = "exhaustion"
#: Name of the budget-exhausted tier.
EXHAUSTED_TIER = "exhausted"
#: long / short window ratios accepted as "about 12" (the Workbook's 1/12 rule, +-50 %).
SHORT_WINDOW_RATIO_RANGE: tuple[float, float] = (8.0, 18.0)

_DAY_S = 86400
#: Nominal length of calendar periods for burn-rate factors (a "month" is 30 d, as in Sloth).
_CALENDAR_PERIOD_S: dict[str, int] = {"week": 7 * _DAY_S, "month": 30 * _DAY_S, "quarter": 90 * _DAY_S}


@dataclass(frozen=True)
class ResolvedTier:
    """One tier as an SLO alerts on it: windows, factor for its period, labels, severity."""

    name: str
    severity: str
    kind: TierKind
    factor: float = float("nan")
    threshold: float = float("nan")
    budget_percent: float = float("nan")
    long_window_s: int = 0
    short_window_s: int = 0
    for_s: int = 0
    horizon_s: int = 0
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


def nominal_period_s(window: RollingWindow | CalendarWindow) -> int:
    """The period factors are computed on: the rolling length, or the nominal calendar length."""
    if isinstance(window, RollingWindow):
        return window.duration_s
    return _CALENDAR_PERIOD_S[window.unit]


def _override(slo: SLO, name: str, severity: str) -> TierOverride | None:
    tiers = slo.alerting.tiers
    return tiers.get(name) or tiers.get(severity)


def _labels(slo: SLO, tier_name: str, severity: str, extra: Mapping[str, str]) -> dict[str, str]:
    labels = {**slo.labels, **slo.alerting.labels, **extra}
    labels.update(service=slo.service, slo=slo.name, tier=tier_name, severity=severity)
    return dict(sorted(labels.items()))


def _annotations(slo: SLO, extra: Mapping[str, str]) -> dict[str, str]:
    annotations = {**slo.alerting.annotations, **extra}
    if slo.alerting.runbook_url and "runbook_url" not in annotations:
        annotations["runbook_url"] = slo.alerting.runbook_url
    return dict(sorted(annotations.items()))


def _resolve(slo: SLO, tier: ResolvedTier) -> ResolvedTier | None:
    """Apply the SLO's override for ``tier`` (by name, else by severity) and add labels."""
    over = _override(slo, tier.name, tier.severity)
    if over is not None and over.disabled:
        return None
    severity = over.severity if over is not None and over.severity else tier.severity
    return replace(
        tier,
        severity=severity,
        labels=_labels(slo, tier.name, severity, over.labels if over else {}),
        annotations=_annotations(slo, over.annotations if over else {}),
    )


def _burn_tier(slo: SLO, tier: AlertTier, period_s: int) -> ResolvedTier | None:
    factor = burn_rate_factor(tier.budget_percent, period_s, tier.long_window_s)
    return _resolve(
        slo,
        ResolvedTier(
            name=tier.name,
            severity=tier.severity,
            kind="burn_rate",
            factor=factor,
            threshold=factor * slo.error_budget_ratio,
            budget_percent=tier.budget_percent,
            long_window_s=tier.long_window_s,
            short_window_s=tier.short_window_s,
            for_s=tier.for_s,
        ),
    )


def resolve_tiers(
    slo: SLO, profiles: Mapping[str, AlertProfile] = BUILTIN_PROFILES
) -> tuple[ResolvedTier, ...]:
    """The enabled tiers of ``slo``: its profile's pairs, then the exhaustion and exhausted alerts.

    Raises ``KeyError`` naming the profile when it is unknown (``validate_alerting``
    reports that as a spec error first).
    """
    if slo.alerting.profile not in profiles:
        raise KeyError(slo.alerting.profile)
    period_s = nominal_period_s(slo.window)
    out: list[ResolvedTier | None] = [
        _burn_tier(slo, t, period_s) for t in profiles[slo.alerting.profile].tiers
    ]
    if slo.alerting.exhaustion_horizon_s is not None:
        horizon_s = slo.alerting.exhaustion_horizon_s
        out.append(_resolve(slo, ResolvedTier(EXHAUSTION_TIER, "ticket", "exhaustion", horizon_s=horizon_s)))
    out.append(_resolve(slo, ResolvedTier(EXHAUSTED_TIER, "ticket", "exhausted")))
    return tuple(t for t in out if t is not None)


def _where(slo: SLO) -> tuple[str, int | None]:
    if slo.location is None:
        return f"<{slo.id}>", None
    return slo.location.file, slo.location.line


def _pair_issues(slo: SLO, tier: AlertTier, period_s: int) -> Iterable[SpecIssue]:
    file, line = _where(slo)
    path = f"{slo.id}.alerting.{tier.name}"
    factor = burn_rate_factor(tier.budget_percent, period_s, tier.long_window_s)
    threshold = factor * slo.error_budget_ratio
    if threshold >= 1:
        yield SpecIssue(
            file,
            line,
            path,
            f"tier {tier.name!r} can never fire: factor {factor:g} x (1 - {slo.objective}) = {threshold:g}"
            " >= 1, and an error ratio cannot exceed 1",
            "use a longer long window or a profile meant for low objectives, or disable this tier",
            "warning",
        )
    ratio = tier.long_window_s / tier.short_window_s
    low, high = SHORT_WINDOW_RATIO_RANGE
    if not low <= ratio <= high:
        yield SpecIssue(
            file,
            line,
            path,
            f"tier {tier.name!r}: short window {format_duration(tier.short_window_s)} is 1/{ratio:g} of the"
            f" long window {format_duration(tier.long_window_s)}, not about 1/12",
            "the SRE Workbook recommends a short window of 1/12 of the long one"
            f" (about {format_duration(max(tier.long_window_s // 12, 1))})",
            "warning",
        )


def validate_alerting(
    slos: Sequence[SLO], profiles: Mapping[str, AlertProfile] = BUILTIN_PROFILES
) -> list[SpecIssue]:
    """Every alerting issue of ``slos`` (module docstring), errors and warnings together."""
    issues: list[SpecIssue] = []
    for slo in slos:
        file, line = _where(slo)
        profile = profiles.get(slo.alerting.profile)
        if profile is None:
            issues.append(
                SpecIssue(
                    file,
                    line,
                    f"{slo.id}.alerting.profile",
                    f"alert profile {slo.alerting.profile!r} is not defined",
                    f"choose one of {', '.join(sorted(profiles))} or load a profile file (--profiles FILE)",
                )
            )
            continue
        known = {t.name for t in profile.tiers} | {t.severity for t in profile.tiers}
        known |= {EXHAUSTION_TIER, EXHAUSTED_TIER, "ticket"}
        for key in slo.alerting.tiers:
            if key not in known:
                issues.append(
                    SpecIssue(
                        file,
                        line,
                        f"{slo.id}.alerting.tiers.{key}",
                        f"profile {profile.name!r} has no tier or severity {key!r}",
                        f"write one of {', '.join(sorted(known))}",
                    )
                )
        period_s = nominal_period_s(slo.window)
        for tier in profile.tiers:
            over = _override(slo, tier.name, tier.severity)
            if over is None or not over.disabled:
                issues.extend(_pair_issues(slo, tier, period_s))
    return issues
