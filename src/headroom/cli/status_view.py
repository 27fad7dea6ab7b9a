"""Rich rendering of SLO statuses (the table of ``headroom status`` and ``headroom demo``)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from headroom.budget.status import SLOStatus
from headroom.service.formatting import fmt_count, fmt_duration_s, fmt_minutes, fmt_percent, fmt_rate

__all__ = ["status_table"]


#: Every column keeps its figures whole; the window's description wraps instead.
_WRAPS = {"window"}


def _remaining_style(ratio: float | None) -> str:
    if ratio is None:
        return "dim"
    if ratio <= 0:
        return "bold red"
    if ratio < 0.25:
        return "yellow"
    return "green"


def status_table(statuses: Sequence[SLOStatus], title: str) -> Table:
    """One row per SLO: SLI, budget left (ratio and time), burn rates, exhaustion, forecast.

    The window's own burn rate is in ``--output json`` (``burn_rates.window``).
    """
    table = Table(title=title, title_justify="left", header_style="bold")
    for name, justify in (
        ("service", "left"),
        ("slo", "left"),
        ("objective", "right"),
        ("window", "left"),
        ("SLI", "right"),
        ("budget left", "right"),
        ("left (time)", "right"),
        ("burn 1h", "right"),
        ("burn 6h", "right"),
        ("burn 1d", "right"),
        ("exhausted in", "right"),
        ("forecast", "right"),
        ("events", "right"),
    ):
        table.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            no_wrap=name not in _WRAPS,
            min_width=12 if name in _WRAPS else None,
        )
    for s in statuses:
        remaining = s.budget.remaining_ratio
        table.add_row(
            s.service,
            s.slo,
            fmt_percent(s.objective, 2),
            s.window if s.budgeting == "occurrences" else f"{s.window}, {s.budgeting}",
            fmt_percent(s.sli, 3),
            f"[{_remaining_style(remaining)}]{fmt_percent(remaining)}[/]",
            fmt_minutes(s.budget.remaining_minutes),
            fmt_rate(s.burn_rates.get("1h")),
            fmt_rate(s.burn_rates.get("6h")),
            fmt_rate(s.burn_rates.get("1d")),
            fmt_duration_s(s.time_to_exhaustion_s),
            fmt_percent(s.forecast_remaining_ratio),
            fmt_count(s.events.total),
        )
    return table
