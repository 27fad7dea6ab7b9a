"""The ``alerting:`` block of headroom's spec format: profile, low-traffic guard, tier overrides.

Pure: takes a located tree (``locations.py``) and collects issues. Tier overrides may name
a profile's tiers, its severities, or the budget alerts every profile has.
"""

from __future__ import annotations

from headroom.spec.durations import DurationError, parse_duration_s
from headroom.spec.fields import check_labels
from headroom.spec.locations import (
    Issues,
    YMap,
    describe,
    field_path,
    get_bool,
    get_map,
    get_scalar,
    get_str,
    get_str_map,
    suggest,
)
from headroom.spec.model import (
    AlertingSpec,
    TierOverride,
)
from headroom.spec.profiles import BUILTIN_PROFILES

__all__ = ["parse_alerting"]

_ALERT_KEYS = (
    "name",
    "profile",
    "min_events",
    "labels",
    "annotations",
    "runbook",
    "runbook_url",
    "tiers",
    "exhaustion_horizon",
)
_TIER_KEYS = ("disabled", "severity", "labels", "annotations")
_BUDGET_TIERS = ("exhaustion", "exhausted", "ticket")
"""Tiers every profile has besides its burn-rate pairs (``alerting/profiles_resolve.py``):
time-to-exhaustion and budget-exhausted alerts, both of severity ``ticket``."""


def parse_alerting(issues: Issues, node: YMap, path: str) -> AlertingSpec | None:
    if not issues.check_keys(node, path, _ALERT_KEYS):
        return None
    before = len(issues.found)
    name = get_str(issues, node, "name", path)
    profile = get_str(issues, node, "profile", path) or "sre-workbook"
    if profile not in BUILTIN_PROFILES:
        issues.warning(
            node.line_of("profile"),
            field_path(path, "profile"),
            f"alert profile {profile!r} is not built in",
            f"{suggest(profile, BUILTIN_PROFILES)}built-in profiles: {', '.join(BUILTIN_PROFILES)}",
        )
    min_events = 0
    scalar = get_scalar(issues, node, "min_events", path)
    if scalar is not None:
        if scalar.kind != "int" or int(scalar.text) < 0:
            issues.error(
                node.line_of("min_events"),
                field_path(path, "min_events"),
                f"min_events {scalar.text!r} is not a whole number >= 0",
                "e.g. min_events: 100",
            )
        else:
            min_events = int(scalar.text)
    if "runbook" in node and "runbook_url" in node:
        issues.error(
            node.line_of("runbook_url"),
            field_path(path, "runbook_url"),
            "runbook and runbook_url are the same setting",
            "keep one of them",
        )
    runbook = get_str(issues, node, "runbook_url", path) or get_str(issues, node, "runbook", path)
    horizon_s = None
    horizon = get_str(issues, node, "exhaustion_horizon", path)
    if horizon is not None:
        try:
            horizon_s = parse_duration_s(horizon)
        except DurationError as exc:
            issues.error(
                node.line_of("exhaustion_horizon"),
                field_path(path, "exhaustion_horizon"),
                str(exc),
                "e.g. exhaustion_horizon: 3d",
            )
    tiers = _tiers(issues, node, path, profile)
    labels = check_labels(issues, node, "labels", path)
    annotations = get_str_map(issues, node, "annotations", path)
    if any(i.severity == "error" for i in issues.found[before:]):
        return None
    return AlertingSpec(
        name=name,
        profile=profile,
        min_events=min_events,
        labels=labels,
        annotations=annotations,
        runbook_url=runbook,
        tiers=tiers,
        exhaustion_horizon_s=horizon_s,
    )


def _tiers(issues: Issues, node: YMap, path: str, profile: str) -> dict[str, TierOverride]:
    raw = get_map(issues, node, "tiers", path)
    out: dict[str, TierOverride] = {}
    if raw is None:
        return out
    where = field_path(path, "tiers")
    known: list[str] = []
    if profile in BUILTIN_PROFILES:
        tiers = BUILTIN_PROFILES[profile].tiers
        known = list(
            dict.fromkeys([t.name for t in tiers] + [t.severity for t in tiers] + list(_BUDGET_TIERS))
        )
    for key, item in raw.items.items():
        item_path = f"{where}.{key}"
        if known and key not in known:
            issues.error(
                raw.line_of(key),
                item_path,
                f"profile {profile!r} has no tier or severity {key!r}",
                f"{suggest(key, known)}write one of {', '.join(known)}",
            )
            continue
        if not isinstance(item, YMap):
            issues.error(
                raw.line_of(key),
                item_path,
                f"expected a mapping but found {describe(item)}",
                "e.g. {disabled: true}",
            )
            continue
        if not issues.check_keys(item, item_path, _TIER_KEYS):
            continue
        out[key] = TierOverride(
            disabled=bool(get_bool(issues, item, "disabled", item_path)),
            severity=get_str(issues, item, "severity", item_path),
            labels=check_labels(issues, item, "labels", item_path),
            annotations=get_str_map(issues, item, "annotations", item_path),
        )
    return out
