"""Sloth ``prometheus/v1`` specs, mapped into the one model.

Sloth (slok/sloth v0.16, ``pkg/prometheus/api/v1``) writes objectives in percent
(``99.9``), which we read as exact decimals (``Decimal("0.999")``). Its SLO period is
not in the spec (a CLI flag, 30 d by default), so every Sloth SLO gets a 30-day rolling
window. Validation follows Sloth's own (``pkg/common/validation/slo.go``): names match
``^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$``, ``0 < objective <= 100`` (and headroom also
needs a budget, so 100 is refused), exactly one SLI kind, error and total queries differ,
every query has the ``{{.window}}`` placeholder, label names are valid and values not
empty, and an alert name is required unless both alerts are disabled.

Queries are kept verbatim except that the placeholder is normalised to ``{{window}}``,
so the rules generator can reproduce Sloth's expressions exactly. ``page_alert`` and
``ticket_alert`` become tier overrides keyed by severity, ``page`` and ``ticket``, which
apply to both tiers of that severity.

Sloth ignores keys it does not know (``pageAlert`` in a ``prometheus/v1`` file is dropped
silently); headroom reports them as warnings with a suggestion, so a file that passes
``sloth validate`` still loads.
"""

from __future__ import annotations

import re
from decimal import Decimal

from headroom.spec.fields import DEFAULT_WINDOW_S, check_labels, check_name, check_objective, window_query
from headroom.spec.headroom_format import build_slo
from headroom.spec.locations import (
    Issues,
    YMap,
    describe,
    field_path,
    get_bool,
    get_map,
    get_scalar,
    get_seq,
    get_str,
    get_str_map,
    suggest,
)
from headroom.spec.model import (
    SLI,
    SLO,
    AlertingSpec,
    Occurrences,
    PrometheusRatioSLI,
    PrometheusRawSLI,
    RollingWindow,
    TierOverride,
)

__all__ = ["SLOTH_VERSION", "load_sloth_document"]

SLOTH_VERSION = "prometheus/v1"

_NAME = re.compile(r"^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$")
"""Sloth's ID/name rule (``pkg/common/validation/slo.go``)."""

_DOC_KEYS = ("version", "service", "labels", "slos", "slo_plugins")
_SLO_KEYS = ("name", "objective", "description", "labels", "sli", "alerting", "plugins")
_SLI_KEYS = ("events", "raw", "plugin")
_ALERT_KEYS = ("name", "labels", "annotations", "page_alert", "ticket_alert")
_TIER_KEYS = ("disable", "labels", "annotations")


def _unknown_keys(issues: Issues, node: YMap, path: str, allowed: tuple[str, ...]) -> None:
    """Sloth drops unknown keys; we warn, so a file that Sloth accepts still loads."""
    for key in node:
        if key not in allowed:
            issues.warning(
                node.line_of(key),
                field_path(path, key),
                f"unknown key {key!r} (Sloth ignores it, and so does headroom)",
                f"{suggest(key, allowed)}allowed keys here: {', '.join(allowed)}",
            )


def load_sloth_document(doc: YMap, issues: Issues) -> list[SLO]:
    """Every SLO of one ``version: "prometheus/v1"`` document."""
    _unknown_keys(issues, doc, "", _DOC_KEYS)
    if "slo_plugins" in doc:
        issues.error(
            doc.line_of("slo_plugins"),
            "slo_plugins",
            "Sloth SLO plugins are not supported",
            "remove slo_plugins:",
        )
    service = get_str(issues, doc, "service", "", required=True)
    if service is not None and not check_name(issues, doc.line_of("service"), "service", service, _NAME):
        service = None
    labels = check_labels(issues, doc, "labels", "")
    items = get_seq(issues, doc, "slos", "", required=True)
    if items is not None and len(items) == 0:
        issues.error(doc.line_of("slos"), "slos", "no SLOs listed", "add at least one SLO")
    out: list[SLO] = []
    for i, item in enumerate(items or ()):
        path = f"slos[{i}]"
        if not isinstance(item, YMap):
            issues.error(item.line, path, f"expected an SLO mapping but found {describe(item)}")
            continue
        slo = _load_slo(item, issues, path, service, labels)
        if slo is not None:
            out.append(slo)
    return out


def _load_slo(
    node: YMap, issues: Issues, path: str, service: str | None, labels: dict[str, str]
) -> SLO | None:
    before = len(issues.found)
    _unknown_keys(issues, node, path, _SLO_KEYS)
    if "plugins" in node:
        issues.error(
            node.line_of("plugins"),
            field_path(path, "plugins"),
            "Sloth SLO plugins are not supported",
            "remove plugins:",
        )
    name = get_str(issues, node, "name", path, required=True)
    if name is not None:
        check_name(issues, node.line_of("name"), field_path(path, "name"), name, _NAME)
    objective = _objective(issues, node, path)
    description = get_str(issues, node, "description", path) or ""
    slo_labels = {**labels, **check_labels(issues, node, "labels", path)}
    sli_node = get_map(issues, node, "sli", path, required=True)
    sli = _sli(issues, sli_node, field_path(path, "sli")) if sli_node is not None else None
    alerting = _alerting(issues, node, path)
    if any(i.severity == "error" for i in issues.found[before:]):
        return None
    if service is None or name is None or objective is None or sli is None or alerting is None:
        return None
    return build_slo(
        issues,
        path,
        node.line,
        service=service,
        name=name,
        objective=objective,
        window=RollingWindow(duration_s=DEFAULT_WINDOW_S),
        sli=sli,
        budgeting=Occurrences(),
        description=description,
        labels=slo_labels,
        alerting=alerting,
    )


def _objective(issues: Issues, node: YMap, path: str) -> Decimal | None:
    scalar = get_scalar(issues, node, "objective", path, required=True)
    if scalar is None:
        return None
    where = field_path(path, "objective")
    line = node.line_of("objective")
    percent = scalar.decimal()
    if percent is None or not percent.is_finite():
        issues.error(
            line,
            where,
            f"objective {scalar.text!r} is not a number",
            "Sloth objectives are percents: write 99.9",
        )
        return None
    if not Decimal(0) < percent <= Decimal(100):
        issues.error(
            line,
            where,
            f"objective {scalar.text} is not in (0, 100]",
            "Sloth objectives are percents: write 99.9",
        )
        return None
    if percent == Decimal(100):
        issues.error(line, where, "objective 100 leaves no error budget", "write 99.99 or lower")
        return None
    return check_objective(issues, line, where, percent.scaleb(-2), f"{scalar.text}%")


def _query(issues: Issues, node: YMap, key: str, path: str) -> str | None:
    return window_query(issues, node, key, path, required=True, spelling="{{.window}}")


def _sli(issues: Issues, node: YMap, path: str) -> SLI | None:
    _unknown_keys(issues, node, path, _SLI_KEYS)
    kinds = [k for k in _SLI_KEYS if k in node]
    if len(kinds) != 1:
        found = " and ".join(kinds) if kinds else "none"
        issues.error(
            node.line,
            path,
            f"write exactly one SLI type: events, raw or plugin (found {found})",
            "e.g. events: {error_query: ..., total_query: ...}",
        )
        return None
    kind = kinds[0]
    where = field_path(path, kind)
    if kind == "plugin":
        issues.error(
            node.line_of("plugin"),
            where,
            "Sloth SLI plugins are not supported",
            "write the plugin's query as raw: {error_ratio_query: ...}",
        )
        return None
    body = get_map(issues, node, kind, path, required=True)
    if body is None:
        return None
    if kind == "raw":
        _unknown_keys(issues, body, where, ("error_ratio_query",))
        raw = _query(issues, body, "error_ratio_query", where)
        return PrometheusRawSLI(error_ratio_query=raw) if raw is not None else None
    _unknown_keys(issues, body, where, ("error_query", "total_query"))
    error = _query(issues, body, "error_query", where)
    total = _query(issues, body, "total_query", where)
    if error is None or total is None:
        return None
    if error == total:
        issues.error(
            body.line_of("error_query"),
            f"{where}.error_query",
            "error_query and total_query are the same query",
            "error_query must select only the failed events",
        )
        return None
    return PrometheusRatioSLI(error_query=error, total_query=total)


def _alerting(issues: Issues, node: YMap, path: str) -> AlertingSpec | None:
    raw = node.get("alerting")
    where = field_path(path, "alerting")
    if raw is None:
        issues.error(
            node.line,
            where,
            "missing alerting: (Sloth needs an alert name unless both alerts are disabled)",
            "add alerting: {name: MyServiceHighErrorRate}",
        )
        return None
    if not isinstance(raw, YMap):
        issues.error(node.line_of("alerting"), where, f"expected a mapping but found {describe(raw)}")
        return None
    _unknown_keys(issues, raw, where, _ALERT_KEYS)
    tiers = {
        "page": _tier(issues, raw, "page_alert", where),
        "ticket": _tier(issues, raw, "ticket_alert", where),
    }
    name = get_str(issues, raw, "name", where)
    if not name and not all(t.disabled for t in tiers.values()):
        issues.error(
            raw.line_of("name"),
            f"{where}.name",
            "an alert name is required unless page_alert and ticket_alert are both disabled",
            "add name: MyServiceHighErrorRate",
        )
        return None
    return AlertingSpec(
        name=name or None,
        labels=check_labels(issues, raw, "labels", where),
        annotations=_annotations(issues, raw, where),
        tiers=tiers,
    )


def _tier(issues: Issues, alerting: YMap, key: str, path: str) -> TierOverride:
    raw = get_map(issues, alerting, key, path)
    if raw is None:
        return TierOverride()
    where = field_path(path, key)
    _unknown_keys(issues, raw, where, _TIER_KEYS)
    return TierOverride(
        disabled=bool(get_bool(issues, raw, "disable", where)),
        labels=check_labels(issues, raw, "labels", where),
        annotations=_annotations(issues, raw, where),
    )


def _annotations(issues: Issues, node: YMap, path: str) -> dict[str, str]:
    annotations = get_str_map(issues, node, "annotations", path)
    for key, value in annotations.items():
        if value == "":
            issues.error(
                node.line_of("annotations"),
                f"{field_path(path, 'annotations')}.{key}",
                f"annotation {key!r} has an empty value",
                "give it a value or remove it",
            )
    return annotations
