"""The one number formatter: percentages, durations and counts as people read them.

Rounding happens here and only here, at rendering (STYLE habit 4).
"""

from __future__ import annotations

import math

__all__ = ["fmt_count", "fmt_duration_s", "fmt_minutes", "fmt_percent", "fmt_rate"]


def _absent(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_percent(ratio: float | None, digits: int = 1) -> str:
    """0.4567 -> '45.7%'; None -> '—'."""
    if ratio is None or _absent(ratio):
        return "—"
    return f"{ratio * 100:.{digits}f}%"


def fmt_rate(value: float | None) -> str:
    """A burn rate: '14.4x', '0.03x'."""
    if value is None or _absent(value):
        return "—"
    if value == 0:
        return "0x"
    return f"{value:.2f}x" if abs(value) < 10 else f"{value:.1f}x"


def fmt_minutes(minutes: float | None) -> str:
    """43.2 -> '43.2 min'; 1440 -> '24h 0m'."""
    if minutes is None or _absent(minutes):
        return "—"
    if abs(minutes) < 120:
        return f"{minutes:.1f} min"
    sign = "-" if minutes < 0 else ""
    whole = round(abs(minutes))
    return f"{sign}{whole // 60}h {whole % 60}m"


def fmt_duration_s(seconds: float | None) -> str:
    """Seconds as '52s', '43m', '14h 24m', '3d 2h'; None -> '—'."""
    if seconds is None or _absent(seconds):
        return "—"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60}s" if s % 60 else f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h {(s % 3600) // 60}m"
    return f"{s // 86400}d {(s % 86400) // 3600}h"


def fmt_count(value: float | None) -> str:
    """A count with thousands separators; fractional counts (from Prometheus) keep one decimal."""
    if value is None or _absent(value):
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
