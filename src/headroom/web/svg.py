"""Server-rendered SVG charts: burn-down, burn rates and the overview sparklines.

Markup is built from escaped parts (``markupsafe``), never from request text. Each chart is
an ``<svg role="img">`` labelled by its ``<title>`` and ``<desc>`` (a sentence with the
figures, for screen readers); each series is one ``<path class="series">`` whose
``data-points`` says how many instants it draws (gaps where a value is absent split the
path into several ``M`` runs). Numbers in labels go through ``service.formatting``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup, escape

from headroom.service.charts import BurndownChart
from headroom.service.formatting import fmt_percent, fmt_rate

__all__ = ["SERIES_COLOURS", "burn_rate_svg", "burndown_svg", "hover_points", "sparkline_svg"]

#: Line colours of the burn-rate windows (distinguishable with the common colour-vision deficiencies).
SERIES_COLOURS: dict[str, str] = {"1h": "#d9480f", "6h": "#7048e8", "1d": "#1c7ed6"}

_W, _H = 760.0, 280.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 52.0, 112.0, 14.0, 30.0


@dataclass(frozen=True)
class _Frame:
    """Maps (epoch seconds, value) to SVG coordinates inside the plot area."""

    x0: float
    x1: float
    y0: float
    y1: float
    width: float = _W
    height: float = _H
    left: float = _LEFT
    right: float = _RIGHT
    top: float = _TOP
    bottom: float = _BOTTOM

    def x(self, t: float) -> float:
        span = self.x1 - self.x0 or 1.0
        return self.left + (t - self.x0) / span * (self.width - self.left - self.right)

    def y(self, v: float) -> float:
        span = self.y1 - self.y0 or 1.0
        return self.top + (self.y1 - v) / span * (self.height - self.top - self.bottom)

    @property
    def plot_right(self) -> float:
        return self.width - self.right

    @property
    def plot_bottom(self) -> float:
        return self.height - self.bottom


def _n(value: float) -> str:
    return f"{value:.1f}"


def _path(frame: _Frame, times: Sequence[float], values: Sequence[float | None]) -> tuple[str, int]:
    """An SVG path through the present values (a new ``M`` after each gap) and its point count."""
    parts: list[str] = []
    pen_down = False
    count = 0
    for t, v in zip(times, values, strict=True):
        if v is None or math.isnan(v):
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{_n(frame.x(t))},{_n(frame.y(v))}")
        pen_down = True
        count += 1
    return "".join(parts), count


def _x_ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """UTC midnights every 1, 2, 7 or 14 days (or every 3/6 hours under two days), labelled."""
    span_days = (end - start).total_seconds() / 86400
    if span_days <= 2:
        step = timedelta(hours=3 if span_days <= 1 else 6)
        first = start.replace(minute=0, second=0, microsecond=0)
        label = "{:%H:%M}"
    else:
        step = timedelta(days=1 if span_days <= 8 else 2 if span_days <= 16 else 7 if span_days <= 60 else 14)
        first = start.replace(hour=0, minute=0, second=0, microsecond=0)
        label = "{:%b} {.day}"
    ticks: list[tuple[datetime, str]] = []
    t = first
    while t <= end:
        if t >= start:
            ticks.append((t, label.format(t, t)))
        t += step
    return ticks


def _axes(
    frame: _Frame, y_ticks: Sequence[tuple[float, str]], x_ticks: Sequence[tuple[datetime, str]]
) -> str:
    out = ['<g class="axis" aria-hidden="true">']
    for v, label in y_ticks:
        y = _n(frame.y(v))
        out.append(
            f'<line class="grid" x1="{_n(frame.left)}" x2="{_n(frame.plot_right)}" y1="{y}" y2="{y}"/>'
        )
        out.append(f'<text class="tick" x="{_n(frame.left - 6)}" y="{y}" text-anchor="end" dy="0.32em">')
        out.append(f"{escape(label)}</text>")
    for t, label in x_ticks:
        x = _n(frame.x(t.timestamp()))
        out.append(f'<line class="tickmark" x1="{x}" x2="{x}" y1="{_n(frame.plot_bottom)}" ')
        out.append(f'y2="{_n(frame.plot_bottom + 4)}"/>')
        out.append(f'<text class="tick" x="{x}" y="{_n(frame.plot_bottom + 17)}" text-anchor="middle">')
        out.append(f"{escape(label)}</text>")
    out.append(
        f'<line class="frame" x1="{_n(frame.left)}" x2="{_n(frame.plot_right)}" '
        f'y1="{_n(frame.plot_bottom)}" y2="{_n(frame.plot_bottom)}"/></g>'
    )
    return "".join(out)


def _open(chart_id: str, css_class: str, title: str, desc: str) -> str:
    cid = escape(chart_id)
    return (
        f'<svg class="chart {css_class}" id="{cid}" viewBox="0 0 {_n(_W)} {_n(_H)}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(desc)}</desc>'
    )


def _line(css_class: str, x1: float, y1: float, x2: float, y2: float, extra: str = "") -> str:
    return f'<line class="{css_class}" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}"{extra}/>'


def _ratio_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    step = 0.25 if hi - lo <= 1.5 else 0.5 if hi - lo <= 3 else 1.0
    first = math.ceil(lo / step) * step
    count = math.floor((hi - first) / step + 1e-9) + 1
    return [(first + i * step, fmt_percent(first + i * step, 0)) for i in range(count)]


def burndown_svg(chart: BurndownChart, chart_id: str = "burndown") -> Markup:
    """Remaining budget ratio across the window, the 0 line, the even-spend guide and 'now'."""
    times = [t.timestamp() for t in chart.times]
    present = [v for v in chart.remaining_ratio if v is not None]
    lo = math.floor(min(0.0, *present) * 4) / 4 if present else 0.0
    hi = max(1.0, *present) if present else 1.0
    frame = _Frame(chart.window_start.timestamp(), chart.period_end.timestamp(), lo, hi)
    now = chart.remaining_ratio[-1] if chart.remaining_ratio else None
    desc = (
        f"Error budget left across the {chart.window} window: "
        f"{fmt_percent(chart.remaining_ratio[0] if chart.remaining_ratio else None)} at the window start, "
        f"{fmt_percent(now)} now; lowest {fmt_percent(min(present) if present else None)}."
    )
    out = [_open(chart_id, "burndown", f"Burn-down of {chart.service}/{chart.slo}", desc)]
    out.append(_axes(frame, _ratio_ticks(lo, hi), _x_ticks(chart.window_start, chart.period_end)))
    top, bottom, right = frame.top, frame.plot_bottom, frame.plot_right
    if chart.period_end > chart.at:
        x_now = frame.x(chart.at.timestamp())
        out.append(
            f'<rect class="future" x="{_n(x_now)}" y="{_n(top)}" width="{_n(right - x_now)}" '
            f'height="{_n(bottom - top)}" aria-hidden="true"/>'
        )
    x0, x1 = frame.x(frame.x0), frame.x(frame.x1)
    out.append(_line("guide even-spend", x0, frame.y(1.0), x1, frame.y(0.0), ' aria-hidden="true"'))
    label_x = _n(right + 6)
    y_zero = _n(frame.y(0.0))
    out.append(f'<text class="guide-label" x="{label_x}" y="{_n(frame.y(0.0) - 14)}">even spend</text>')
    out.append(_line("zero", frame.left, frame.y(0.0), right, frame.y(0.0)))
    out.append(f'<text class="zero-label" x="{label_x}" y="{y_zero}" dy="0.32em">budget spent</text>')
    d, count = _path(frame, times, chart.remaining_ratio)
    if d:
        area = f"{d}L{_n(frame.x(times[-1]))},{y_zero}L{_n(frame.x(times[0]))},{y_zero}Z"
        out.append(f'<path class="area" d="{area}" aria-hidden="true"/>')
    out.append(
        f'<path class="series remaining" data-series="remaining_ratio" data-points="{count}" d="{d}"/>'
    )
    if now is not None:
        cx, cy = frame.x(times[-1]), frame.y(now)
        anchor = "end" if cx > right - 60 else "start"
        tx = cx - 8 if anchor == "end" else cx + 8
        out.append(
            f'<g class="now"><circle cx="{_n(cx)}" cy="{_n(cy)}" r="4.5"/>'
            f'<text x="{_n(tx)}" y="{_n(cy - 9)}" text-anchor="{anchor}">'
            f"now {escape(fmt_percent(now))}</text></g>"
        )
    out.append(_hover_guide(frame))
    out.append("</svg>")
    return Markup("".join(out))


def _hover_guide(frame: _Frame) -> str:
    return _line("hover-guide", frame.left, frame.top, frame.left, frame.plot_bottom, ' visibility="hidden"')


def _rate_ticks(hi: float) -> list[tuple[float, str]]:
    raw = hi / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.floor(hi / step + 1e-9) + 1
    return [(i * step, fmt_rate(i * step)) for i in range(count)]


def burn_rate_svg(chart: BurndownChart, chart_id: str = "burnrates") -> Markup:
    """1h, 6h and 1d burn rates across the window, with the profile's tiers as dashed lines.

    The y axis reaches past the highest threshold; burn rates more than 4x above it are cut
    off at the top (the table on the page has the exact figures).
    """
    times = [t.timestamp() for t in chart.times]
    top_threshold = max((t.factor for t in chart.thresholds), default=1.0)
    data_max = max((v for s in chart.burn_rates.values() for v in s if v is not None), default=0.0)
    hi = max(top_threshold * 1.2, min(data_max * 1.1, top_threshold * 4))
    frame = _Frame(chart.window_start.timestamp(), chart.period_end.timestamp(), 0.0, hi)
    latest = ", ".join(f"{w} {fmt_rate(s[-1] if s else None)}" for w, s in chart.burn_rates.items())
    tiers = ", ".join(f"{t.tier} {fmt_rate(t.factor)} over {t.long_window}" for t in chart.thresholds)
    desc = f"Burn rates now: {latest}. Alert thresholds ({chart.profile}): {tiers}."
    out = [_open(chart_id, "burnrates", f"Burn rates of {chart.service}/{chart.slo}", desc)]
    out.append(_axes(frame, _rate_ticks(hi), _x_ticks(chart.window_start, chart.period_end)))
    clip = f"{escape(chart_id)}-clip"
    out.append(
        f'<clipPath id="{clip}"><rect x="{_n(frame.left)}" y="{_n(frame.top)}" '
        f'width="{_n(frame.plot_right - frame.left)}" height="{_n(frame.plot_bottom - frame.top)}"/>'
        "</clipPath>"
    )
    last_label_y = -100.0
    for t in sorted(chart.thresholds, key=lambda th: -th.factor):
        y = frame.y(t.factor)
        label_y = max(y, last_label_y + 12)
        last_label_y = label_y
        out.append(
            f'<g class="threshold severity-{escape(t.severity)}" data-factor="{t.factor!r}">'
            + _line("", frame.left, y, frame.plot_right, y)
            + f'<text x="{_n(frame.plot_right + 6)}" y="{_n(label_y)}" dy="0.32em">'
            f"{escape(fmt_rate(t.factor))} {escape(t.severity)} {escape(t.long_window)}</text></g>"
        )
    out.append(f'<g clip-path="url(#{clip})">')
    for window, values in chart.burn_rates.items():
        d, count = _path(frame, times, values)
        colour = SERIES_COLOURS.get(window, "#495057")
        out.append(
            f'<path class="series rate rate-{escape(window)}" data-series="{escape(window)}" '
            f'data-points="{count}" stroke="{colour}" d="{d}"/>'
        )
    out.append("</g>")
    out.append(_hover_guide(frame))
    out.append("</svg>")
    return Markup("".join(out))


def hover_points(chart: BurndownChart) -> dict[str, list[Any]]:
    """Per instant: its x in both charts' viewBox and a label with the figures, for the hover readout.

    The labels are formatted here, by ``service.formatting``, so the script only shows them.
    """
    frame = _Frame(chart.window_start.timestamp(), chart.period_end.timestamp(), 0.0, 1.0)
    labels = []
    for k, t in enumerate(chart.times):
        rates = " · ".join(f"{w} {fmt_rate(s[k])}" for w, s in chart.burn_rates.items())
        labels.append(f"{t:%Y-%m-%d %H:%M} UTC · {fmt_percent(chart.remaining_ratio[k])} left · {rates}")
    return {"x": [round(frame.x(t.timestamp()), 1) for t in chart.times], "labels": labels}


def sparkline_svg(values: Sequence[float | None], label: str) -> Markup:
    """A small burn-down: the remaining ratio from window start to now, with the 0 line."""
    present = [v for v in values if v is not None]
    lo = min(0.0, *present) if present else 0.0
    hi = max(1.0, *present) if present else 1.0
    frame = _Frame(0.0, float(max(len(values) - 1, 1)), lo, hi, 120.0, 32.0, 2.0, 2.0, 3.0, 3.0)
    d, count = _path(frame, [float(i) for i in range(len(values))], values)
    y_zero = _n(frame.y(0.0))
    last = ""
    if present and values and values[-1] is not None:
        last = f'<circle cx="{_n(frame.x(len(values) - 1))}" cy="{_n(frame.y(values[-1]))}" r="2.2"/>'
    return Markup(
        f'<svg class="sparkline" viewBox="0 0 120 32" role="img" aria-label="{escape(label)}">'
        f'<line class="zero" x1="2" x2="118" y1="{y_zero}" y2="{y_zero}"/>'
        f'<path class="series" data-points="{count}" d="{d}"/>{last}</svg>'
    )
