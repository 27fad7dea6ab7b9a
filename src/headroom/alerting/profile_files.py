"""Custom alert profiles from YAML: a file with a top-level ``alert_profiles:`` list.

Adapter (parses YAML with ruamel through ``spec.locations``; reads no files itself:
``load_profile_files`` takes paths, ``parse_profile_text`` takes text). Each tier states
either ``budget_percent`` (share of the period budget spent over the long window, as in
the Workbook's table 5-8) or ``factor`` with the profile's reference ``period``; the factor
is turned into a budget share once, ``budget_percent = factor x long / period x 100``, so
that it scales to every SLO period like the built-in profiles::

    alert_profiles:
      - name: payments-strict
        description: Faster tickets for payment SLOs.
        period: 30d                 # only needed with `factor`
        tiers:
          - {name: page-fast, severity: page, budget_percent: 2, long_window: 1h, short_window: 5m}
          - {name: ticket, severity: ticket, factor: 2, long_window: 12h, short_window: 1h, for: 30m}

Every problem is reported with file, line and field (``SpecError``), all at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from headroom.errors import SpecError, SpecIssue
from headroom.spec.durations import DurationError, parse_duration_s
from headroom.spec.locations import Issues, YMap, YSeq, field_path, get_scalar, get_seq, get_str, parse_yaml
from headroom.spec.profiles import BUILTIN_PROFILES, AlertProfile, AlertTier

__all__ = ["load_profile_files", "parse_profile_text"]

_PROFILE_KEYS = ("name", "description", "period", "tiers")
_TIER_KEYS = ("name", "severity", "budget_percent", "factor", "long_window", "short_window", "for")


def _duration(issues: Issues, node: YMap, key: str, path: str, *, required: bool) -> int | None:
    text = get_str(issues, node, key, path, required=required)
    if text is None:
        return None
    try:
        return parse_duration_s(text)
    except DurationError as exc:
        issues.error(node.line_of(key), field_path(path, key), str(exc), f"e.g. {key}: 1h")
        return None


def _number(issues: Issues, node: YMap, key: str, path: str) -> float | None:
    scalar = get_scalar(issues, node, key, path)
    if scalar is None:
        return None
    value = scalar.decimal()
    if value is None or not value > 0:
        issues.error(
            node.line_of(key), field_path(path, key), f"{key} {scalar.text!r} is not a positive number"
        )
        return None
    return float(value)


def _tier(issues: Issues, node: YMap, path: str, period_s: int | None) -> AlertTier | None:
    before = len(issues.found)
    issues.check_keys(node, path, _TIER_KEYS, required=("name", "severity", "long_window", "short_window"))
    name = get_str(issues, node, "name", path)
    severity = get_str(issues, node, "severity", path)
    long_s = _duration(issues, node, "long_window", path, required=False)
    short_s = _duration(issues, node, "short_window", path, required=False)
    for_s = _duration(issues, node, "for", path, required=False) or 0
    percent = _number(issues, node, "budget_percent", path)
    factor = _number(issues, node, "factor", path)
    if (percent is None) == (factor is None) and len(issues.found) == before:
        issues.error(
            node.line, path, "state exactly one of budget_percent or factor", "e.g. budget_percent: 2"
        )
    if factor is not None and period_s is None:
        issues.error(
            node.line_of("factor"),
            field_path(path, "factor"),
            "factor needs the profile's period",
            "add period: 30d to the profile, or write budget_percent",
        )
    if long_s is not None and short_s is not None and short_s >= long_s:
        issues.error(
            node.line_of("short_window"),
            field_path(path, "short_window"),
            "short_window must be shorter than long_window",
            "about 1/12 of it, e.g. 5m for 1h",
        )
    if len(issues.found) > before or name is None or severity is None or long_s is None or short_s is None:
        return None
    if percent is None:
        assert factor is not None
        assert period_s is not None
        percent = factor * long_s / period_s * 100
    try:
        return AlertTier(
            name=name,
            severity=severity,
            budget_percent=percent,
            long_window_s=long_s,
            short_window_s=short_s,
            for_s=for_s,
        )
    except ValidationError as exc:
        issues.error(
            node.line, path, f"invalid tier: {exc.errors()[0]['msg']}", "budget_percent is in (0, 100]"
        )
        return None


def _profile(issues: Issues, node: YMap, path: str) -> AlertProfile | None:
    before = len(issues.found)
    issues.check_keys(node, path, _PROFILE_KEYS, required=("name", "tiers"))
    name = get_str(issues, node, "name", path)
    description = get_str(issues, node, "description", path) or ""
    period_s = _duration(issues, node, "period", path, required=False)
    seq = get_seq(issues, node, "tiers", path)
    tiers = []
    for k, item in enumerate(seq or ()):
        item_path = f"{field_path(path, 'tiers')}[{k}]"
        if not isinstance(item, YMap):
            issues.error(
                getattr(item, "line", node.line), item_path, "a tier is a mapping", "see docs/alerting.md"
            )
            continue
        tier = _tier(issues, item, item_path, period_s)
        if tier is not None:
            tiers.append(tier)
    names = [t.name for t in tiers]
    if len(set(names)) != len(names):
        issues.error(
            node.line_of("tiers"),
            field_path(path, "tiers"),
            "tier names repeat",
            "give each tier its own name",
        )
    if name in BUILTIN_PROFILES:
        issues.error(
            node.line_of("name"),
            field_path(path, "name"),
            f"{name!r} is a built-in profile",
            "choose another name",
        )
    if len(issues.found) > before or name is None or not tiers:
        if not tiers and len(issues.found) == before:
            issues.error(node.line, path, "a profile needs at least one tier", "add tiers: [...]")
        return None
    return AlertProfile(name=name, description=description, tiers=tuple(tiers))


def parse_profile_text(text: str, file: str) -> tuple[dict[str, AlertProfile], list[SpecIssue]]:
    """Profiles in one YAML text, and every issue found (the profiles of a file with errors are dropped)."""
    docs, parse_issues = parse_yaml(text, file)
    issues = Issues(file, list(parse_issues))
    out: dict[str, AlertProfile] = {}
    for doc in docs:
        if not isinstance(doc, YMap):
            issues.error(
                None,
                "",
                "the file must be a mapping with alert_profiles:",
                "see examples/alert-profiles.yaml",
            )
            continue
        issues.check_keys(doc, "", ("alert_profiles",), required=("alert_profiles",))
        seq = get_seq(issues, doc, "alert_profiles", "")
        for k, item in enumerate(seq if isinstance(seq, YSeq) else ()):
            path = f"alert_profiles[{k}]"
            if not isinstance(item, YMap):
                issues.error(doc.line_of("alert_profiles"), path, "a profile is a mapping", "name:, tiers:")
                continue
            profile = _profile(issues, item, path)
            if profile is None:
                continue
            if profile.name in out:
                issues.error(
                    item.line_of("name"),
                    f"{path}.name",
                    f"profile {profile.name!r} is defined twice",
                    "rename one",
                )
                continue
            out[profile.name] = profile
    if issues.has_errors:
        return {}, issues.found
    return out, issues.found


def load_profile_files(paths: Sequence[Path | str]) -> dict[str, AlertProfile]:
    """Built-in profiles plus those of ``paths``; raises ``SpecError`` with every issue."""
    profiles = dict(BUILTIN_PROFILES)
    issues: list[SpecIssue] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            issues.append(
                SpecIssue(str(path), None, "", f"cannot read the file: {exc.strerror}", "check the path")
            )
            continue
        found, file_issues = parse_profile_text(text, str(path))
        issues.extend(file_issues)
        for name, profile in found.items():
            if name in profiles and name not in BUILTIN_PROFILES:
                issues.append(
                    SpecIssue(
                        str(path),
                        None,
                        "alert_profiles",
                        f"profile {name!r} is defined in two files",
                        "rename one",
                    )
                )
            profiles[name] = profile
    if any(i.severity == "error" for i in issues):
        raise SpecError(issues)
    return profiles
