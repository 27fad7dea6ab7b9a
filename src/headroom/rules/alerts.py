"""Multi-window multi-burn-rate alert rules for one SLO.

Pure. Each tier of the alert profile is a pair (SRE Workbook ch. 5, "Multiwindow,
multi-burn-rate alerts")::

    max(slo:sli_error:ratio_rate<short>{ids} > (factor * EB)) without (sloth_window)
    and
    max(slo:sli_error:ratio_rate<long>{ids}  > (factor * EB)) without (sloth_window)

with ``factor = budget_percent / 100 x period_h / long_h`` (``spec.profiles.burn_rate_factor``)
and ``EB = (100 - objective_percent) / 100`` printed as Sloth prints it. Tiers that share a
severity and a ``for:`` duration are OR-ed into one alert, as Sloth does (its page and
ticket alerts); tiers with their own ``for:`` (the ``four-tier`` profile) become one alert
each. ``max(...) without (sloth_window)`` keeps an alert's identity the same whichever
window fired it (Sloth v0.11).

Tier overrides (``alerting.tiers``) are looked up by severity (``page``/``ticket``, which
is where Sloth's ``page_alert``/``ticket_alert`` land) and then by tier name; the tier
name wins. A disabled tier is omitted; an alert with no enabled tier is not generated.
"""

from __future__ import annotations

from dataclasses import dataclass

from headroom.rules import naming
from headroom.rules.promql import Aggregate, Binary, Block, Expr, Number, Paren, render
from headroom.rules.recording import Labels, SlothNumbers, id_selector, period_s
from headroom.spec.durations import format_duration
from headroom.spec.model import SLO, TierOverride
from headroom.spec.profiles import AlertProfile, AlertTier, burn_rate_factor

__all__ = ["AlertRule", "EffectiveTier", "alert_rules", "effective_tiers"]

TITLE = (
    "({severity}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}} "
    "SLO error budget burn rate is too fast."
)
SUMMARY = "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected."
"""Sloth's default annotations (``alert_rules_v1``); spec annotations override them."""


@dataclass(frozen=True)
class EffectiveTier:
    """A profile tier after the SLO's overrides: its severity, factor and extra labels."""

    tier: AlertTier
    severity: str
    factor: float
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AlertRule:
    """``alert: <name>`` with its PromQL, ``for:`` in seconds (0 = none), labels and annotations.

    ``tiers`` are the profile tiers the expression ORs (not rendered; the promtool test
    generator predicts firing from them).
    """

    alert: str
    expr: str
    for_s: int
    labels: Labels
    annotations: Labels
    tiers: tuple[EffectiveTier, ...] = ()


def effective_tiers(slo: SLO, profile: AlertProfile) -> tuple[EffectiveTier, ...]:
    """The profile's enabled tiers for ``slo``, with overrides applied, in profile order."""
    overrides = slo.alerting.tiers
    result = []
    for tier in profile.tiers:
        layers = [o for o in (overrides.get(tier.severity), overrides.get(tier.name)) if o is not None]
        merged = TierOverride()
        for layer in layers:
            merged = TierOverride(
                disabled=merged.disabled or layer.disabled,
                severity=layer.severity or merged.severity,
                labels={**merged.labels, **layer.labels},
                annotations={**merged.annotations, **layer.annotations},
            )
        if merged.disabled:
            continue
        factor = burn_rate_factor(tier.budget_percent, period_s(slo), tier.long_window_s)
        result.append(
            EffectiveTier(
                tier=tier,
                severity=merged.severity or tier.severity,
                factor=factor,
                labels=tuple(merged.labels.items()),
                annotations=tuple(merged.annotations.items()),
            )
        )
    return tuple(result)


def _pair(slo: SLO, tier: EffectiveTier, error_budget: float) -> Expr:
    threshold = Paren(Binary("*", Number(tier.factor), Number(error_budget)))

    def over(window_s: int) -> Expr:
        record = naming.sli_record(format_duration(window_s))
        over_threshold = Binary(">", id_selector(slo, record), threshold)
        return Aggregate("max", over_threshold, without=(naming.SLOTH_WINDOW,))

    both = Binary("and", over(tier.tier.short_window_s), over(tier.tier.long_window_s), multiline=True)
    return Block(both, 4)


def alert_rules(slo: SLO, profile: AlertProfile, *, extras: bool) -> tuple[AlertRule, ...]:
    """One alert per (severity, ``for:``) of the enabled tiers; each an OR of AND-ed window pairs."""
    tiers = effective_tiers(slo, profile)
    groups: dict[tuple[str, int], list[EffectiveTier]] = {}
    for tier in tiers:
        groups.setdefault((tier.severity, tier.tier.for_s), []).append(tier)
    error_budget = SlothNumbers.of(slo.objective).error_budget_ratio
    alerting = slo.alerting
    name = alerting.name or naming.DEFAULT_ALERT_NAME
    rules = []
    for (severity, for_s), members in groups.items():
        pairs = [_pair(slo, t, error_budget) for t in members]
        expr = pairs[0]
        for pair in pairs[1:]:
            expr = Binary("or", expr, pair, multiline=True)
        labels: dict[str, str] = dict(alerting.labels)
        annotations = {"title": TITLE.format(severity=severity), "summary": SUMMARY}
        annotations.update(alerting.annotations)
        if alerting.runbook_url:
            annotations["runbook_url"] = alerting.runbook_url
        for member in members:
            labels.update(dict(member.labels))
            annotations.update(dict(member.annotations))
        labels[naming.SLOTH_SEVERITY] = severity
        if extras:
            labels[naming.TIER] = ",".join(m.tier.name for m in members)
            labels[naming.HEADROOM_SLO] = slo.id
        rules.append(
            AlertRule(
                alert=name,
                expr=render(expr) + "\n",
                for_s=for_s,
                labels=tuple(sorted(labels.items())),
                annotations=tuple(sorted(annotations.items())),
                tiers=tuple(members),
            )
        )
    return tuple(rules)
