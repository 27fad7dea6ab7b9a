"""The ``policy:`` block of a headroom spec: a service's error-budget policy.

::

    service: checkout
    policy:
      freeze_below: 0%              # remaining budget under this freezes releases
      caution_below: 25%            # under this (or a page alert firing) needs --approved
      caution_on_page_alert: true
      page_severities: [page, critical]
      change_types: [feature, fix, security]
      freeze_exempt: [fix, security]  # what may ship during a freeze
      caution_exempt: []              # what needs no approval under caution
      exempt_slos: []                 # reported, never gating (out-of-scope budget spend)
      postmortem:
        incident_budget: 20%        # one incident spending more requires a postmortem
        incident_burn_rate: 1       # a minute burning faster is part of an incident
        merge_gap: 10m              # quieter gaps shorter than this join two runs

Every key is optional; the defaults are the SRE Workbook's example policy (appendix B),
documented in ``docs/gate.md``. Pure: takes a located tree, returns the model and the
issues (every one, with line and fix); it reads no files.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from headroom.errors import SpecIssue
from headroom.spec.durations import DurationError, parse_duration_s
from headroom.spec.locations import (
    Issues,
    YMap,
    YNode,
    YScalar,
    YSeq,
    describe,
    field_path,
    get_bool,
    get_map,
)
from headroom.spec.model import ErrorBudgetPolicy, SourceLocation

__all__ = ["POLICY_KEYS", "parse_policy"]

POLICY_KEYS = (
    "freeze_below",
    "caution_below",
    "caution_on_page_alert",
    "page_severities",
    "change_types",
    "freeze_exempt",
    "caution_exempt",
    "exempt_slos",
    "postmortem",
)
_POSTMORTEM_KEYS = ("incident_budget", "incident_burn_rate", "merge_gap")


def _ratio(issues: Issues, node: YMap, key: str, path: str, *, low: Decimal, high: Decimal) -> float | None:
    value = node.get(key)
    if value is None:
        return None
    where = field_path(path, key)
    line = node.line_of(key)
    if not isinstance(value, YScalar) or value.is_null:
        issues.error(
            line, where, f"expected a percentage or ratio but found {describe(value)}", "write e.g. 25%"
        )
        return None
    text = value.text.strip()
    try:
        number = Decimal(text[:-1].strip()) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        issues.error(line, where, f"{text!r} is not a percentage or ratio", "write e.g. 25% or 0.25")
        return None
    if not low <= number <= high:
        issues.error(
            line,
            where,
            f"{text} is outside [{low * 100}%, {high * 100}%]",
            "write a percentage in that range",
        )
        return None
    return float(number)


def _words(issues: Issues, node: YMap, key: str, path: str) -> tuple[str, ...] | None:
    value = node.get(key)
    if value is None:
        return None
    where = field_path(path, key)
    if not isinstance(value, YSeq):
        issues.error(
            node.line_of(key), where, f"expected a list but found {describe(value)}", f"write {key}: [a, b]"
        )
        return None
    out: list[str] = []
    for item in value:
        if not isinstance(item, YScalar) or item.is_null or not item.text.strip():
            issues.error(item.line, where, f"expected a word but found {describe(item)}")
            continue
        out.append(item.text.strip())
    return tuple(out)


def _postmortem(issues: Issues, node: YMap, path: str, values: dict[str, object]) -> None:
    issues.check_keys(node, path, _POSTMORTEM_KEYS)
    budget = _ratio(issues, node, "incident_budget", path, low=Decimal("0.0001"), high=Decimal(1))
    if budget is not None:
        values["postmortem_incident_ratio"] = budget
    burn = node.get("incident_burn_rate")
    if isinstance(burn, YScalar) and not burn.is_null:
        number = burn.decimal()
        if number is None or number <= 0:
            issues.error(
                node.line_of("incident_burn_rate"),
                field_path(path, "incident_burn_rate"),
                f"{burn.text!r} is not a burn rate > 0",
                "write e.g. 1 (faster than the budget allows)",
            )
        else:
            values["incident_burn_rate"] = float(number)
    gap = node.get("merge_gap")
    if isinstance(gap, YScalar) and not gap.is_null:
        try:
            seconds = parse_duration_s(gap.text) if gap.kind == "str" else int(gap.text) * 60
        except (DurationError, ValueError):
            seconds = -1
        if seconds < 0 or seconds % 60:
            issues.error(
                node.line_of("merge_gap"),
                field_path(path, "merge_gap"),
                f"{gap.text!r} is not a whole number of minutes",
                "write e.g. 10m (0m merges nothing)",
            )
        else:
            values["incident_merge_gap_minutes"] = seconds // 60


def parse_policy(
    node: YNode, file: str, path: str = "policy"
) -> tuple[ErrorBudgetPolicy | None, list[SpecIssue]]:
    """The policy of one ``policy:`` node, and every issue found (None when there are errors)."""
    issues = Issues(file)
    if not isinstance(node, YMap):
        issues.error(
            getattr(node, "line", None),
            path,
            f"expected a mapping but found {describe(node)}",
            "write policy: with keys such as caution_below: 25%",
        )
        return None, issues.found
    issues.check_keys(node, path, POLICY_KEYS)
    values: dict[str, object] = {}
    for key, field in (("freeze_below", "freeze_below_ratio"), ("caution_below", "caution_below_ratio")):
        ratio = _ratio(issues, node, key, path, low=Decimal(-1), high=Decimal(1))
        if ratio is not None:
            values[field] = ratio
    flag = get_bool(issues, node, "caution_on_page_alert", path)
    if flag is not None:
        values["caution_on_page_alert"] = flag
    for key in ("page_severities", "change_types", "freeze_exempt", "caution_exempt", "exempt_slos"):
        words = _words(issues, node, key, path)
        if words is not None:
            values[key] = words
    post = get_map(issues, node, "postmortem", path)
    if post is not None:
        _postmortem(issues, post, field_path(path, "postmortem"), values)
    if issues.has_errors:
        return None, issues.found
    policy = ErrorBudgetPolicy.model_validate(
        {**values, "location": SourceLocation(file=file, line=node.line)}
    )
    if policy.freeze_below_ratio > policy.caution_below_ratio:
        issues.error(
            node.line_of("freeze_below"),
            field_path(path, "freeze_below"),
            f"freeze_below ({policy.freeze_below_ratio:.0%}) is above caution_below "
            f"({policy.caution_below_ratio:.0%})",
            "a freeze must start at less budget left than a caution",
        )
    for key in ("freeze_exempt", "caution_exempt"):
        unknown = [t for t in getattr(policy, key) if t not in policy.change_types]
        if unknown:
            issues.error(
                node.line_of(key),
                field_path(path, key),
                f"{', '.join(unknown)} not among change_types ({', '.join(policy.change_types)})",
                "add them to change_types or remove them here",
            )
    return (None if issues.has_errors else policy), issues.found
