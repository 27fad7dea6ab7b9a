"""Use case: a Markdown budget report for a set of SLOs, for a weekly review or a postmortem."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from headroom.budget.status import SLOStatus
from headroom.service.formatting import fmt_count, fmt_duration_s, fmt_minutes, fmt_percent, fmt_rate

__all__ = ["Report", "build_report", "render_markdown"]


class Report(BaseModel):
    """The report's data (``--output json``): the statuses, grouped by service, at one instant."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    services: dict[str, list[SLOStatus]]
    exhausted: list[str]
    at_risk: list[str]


def build_report(statuses: Sequence[SLOStatus], at: datetime, *, risk_ratio: float = 0.25) -> Report:
    """Group statuses by service and name the SLOs that are exhausted or below ``risk_ratio`` left."""
    services: dict[str, list[SLOStatus]] = {}
    for status in statuses:
        services.setdefault(status.service, []).append(status)
    remaining = {s.id: s.budget.remaining_ratio for s in statuses}
    exhausted = [k for k, r in remaining.items() if r is not None and r <= 0]
    at_risk = [k for k, r in remaining.items() if r is not None and 0 < r < risk_ratio]
    return Report(at=at, services=services, exhausted=exhausted, at_risk=at_risk)


def render_markdown(report: Report) -> str:
    """The report as Markdown: a summary, then one table per service."""
    lines = [f"# Error-budget report, {report.at.strftime('%Y-%m-%d %H:%M UTC')}", ""]
    total = sum(len(v) for v in report.services.values())
    lines.append(f"{total} SLO(s) in {len(report.services)} service(s).")
    if report.exhausted:
        lines.append(f"**Budget exhausted:** {', '.join(report.exhausted)}.")
    if report.at_risk:
        lines.append(f"**Under 25% of budget left:** {', '.join(report.at_risk)}.")
    if not report.exhausted and not report.at_risk:
        lines.append("Every SLO has at least 25% of its budget left.")
    for service, statuses in report.services.items():
        lines += [
            "",
            f"## {service}",
            "",
            "| SLO | objective | window | SLI | budget left | left (time) | burn 1h | burn 1d | "
            "window burn | exhausted in | forecast at window end | events |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for s in statuses:
            lines.append(
                f"| {s.slo} | {fmt_percent(s.objective, 2)} | {s.window} | {fmt_percent(s.sli, 3)} "
                f"| {fmt_percent(s.budget.remaining_ratio)} | {fmt_minutes(s.budget.remaining_minutes)} "
                f"| {fmt_rate(s.burn_rates.get('1h'))} | {fmt_rate(s.burn_rates.get('1d'))} "
                f"| {fmt_rate(s.burn_rates.get('window'))} | {fmt_duration_s(s.time_to_exhaustion_s)} "
                f"| {fmt_percent(s.forecast_remaining_ratio)} | {fmt_count(s.events.total)} |"
            )
    lines.append("")
    return "\n".join(lines)
