"""Use case: the backtest as a picture — error ratio, alert thresholds and firing spans.

One panel per profile and SLO: the error ratio over the tiers' long windows (trailing,
from prefix sums over the same per-minute history the backtest replayed), each tier's
threshold ``factor x (1 - objective)`` as a dashed line, significant events shaded, and
each tier's firing spans as bars under the curve. matplotlib (Agg) writes a PNG.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from headroom.budget.series import trailing_error_ratios
from headroom.budget.windows import epoch_minute
from headroom.service.backtest import BacktestReport
from headroom.sources.base import SLISource
from headroom.spec.durations import parse_duration_s
from headroom.spec.model import SLO

__all__ = ["write_backtest_chart"]

_COLOURS = ("tab:red", "tab:orange", "tab:purple", "tab:green", "tab:brown", "tab:pink")


def write_backtest_chart(
    report: BacktestReport, slos: Sequence[SLO], source: SLISource, path: Path, *, max_panels: int = 8
) -> Path:
    """Draw ``report`` with the error ratios read again from ``source``; returns ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    by_id = {s.id: s for s in slos}
    panels = [(p, s) for p in report.profiles for s in p.slos if f"{s.service}/{s.slo}" in by_id][:max_panels]
    longest_min = max(
        (parse_duration_s(t.long_window) // 60 for _, s in panels for t in s.tiers if t.long_window),
        default=60,
    )
    first, end = epoch_minute(report.start), epoch_minute(report.end)
    wanted = list(dict.fromkeys(f"{s.service}/{s.slo}" for _, s in panels))
    series = source.minute_series([by_id[i] for i in wanted], first - longest_min, end)
    row_of = {slo_id: k for k, slo_id in enumerate(wanted)}
    times = np.array([datetime.fromtimestamp((first + m) * 60, tz=UTC) for m in range(end - first)])

    fig, axes = plt.subplots(
        max(len(panels), 1), 1, figsize=(12, 2.6 * max(len(panels), 1) + 0.6), sharex=True, squeeze=False
    )
    for ax, (profile, slo_out) in zip(axes[:, 0], panels, strict=False):
        slo = by_id[f"{slo_out.service}/{slo_out.slo}"]
        k = row_of[slo.id]
        bad = series.total[k] - series.good[k]
        drawn: set[str] = set()
        for c, tier in enumerate(t for t in slo_out.tiers if t.long_window and t.factor is not None):
            colour = _COLOURS[c % len(_COLOURS)]
            long_min = parse_duration_s(tier.long_window or "1h") // 60
            if tier.long_window not in drawn:
                ratio = trailing_error_ratios(bad, series.total[k], long_min, partial=True)[longest_min:]
                ax.plot(times, ratio, linewidth=0.8, color=colour, label=f"error ratio {tier.long_window}")
                drawn.add(tier.long_window or "")
            threshold = (tier.factor or 0.0) * slo.error_budget_ratio
            ax.axhline(threshold, color=colour, linestyle="--", linewidth=0.8)
            ax.annotate(
                f"{tier.tier} {tier.factor:g}x",
                (1.0, threshold),
                xycoords=("axes fraction", "data"),
                fontsize=6,
                color=colour,
                ha="right",
                va="bottom",
            )
            for span in tier.spans:
                ax.axvspan(
                    span.start, span.end or report.end, ymin=0.02 * c, ymax=0.02 * c + 0.018, color=colour
                )
        for event in slo_out.events:
            ax.axvspan(event.start, event.end, color="tab:red", alpha=0.12)
        ax.set_yscale("symlog", linthresh=max(slo.error_budget_ratio / 10, 1e-6))
        ax.set_ylim(bottom=0)
        ax.set_title(f"{profile.profile}: {slo_out.service}/{slo_out.slo}", fontsize=8, loc="left")
        ax.set_ylabel("error ratio", fontsize=7)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6, loc="upper left", ncols=4, frameon=False)
    axes[-1, 0].set_xlim(report.start, report.end)
    axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M"))  # type: ignore[no-untyped-call]
    fig.suptitle(
        "Backtest: error ratio (solid), tier thresholds (dashed), firing spans (bars), "
        "significant events (shaded)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)
    return path
