"""Where an SLO window starts and ends for an evaluation instant ``at``.

Pure: ``at`` is passed in (an aware datetime), never read from a clock.

Everything the store holds is in whole UTC minutes, so an evaluation at ``at`` counts
the minutes that ended by ``at``: ``end_minute = floor(at / 60 s)``. A rolling window of
``D`` seconds covers ``[end_minute - D/60, end_minute)``, exact to the minute. A calendar
window covers ``[start of the period in its time zone, end_minute)``; its full length
(``period_s``) is what the budget is sized on (a 31-day month has a larger budget in
minutes than a 30-day one), and ``elapsed_s`` is how much of it has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from headroom.spec.model import CalendarWindow, RollingWindow

__all__ = [
    "BURN_RATE_WINDOWS_S",
    "WindowSpan",
    "epoch_minute",
    "minute_to_datetime",
    "window_span",
]

#: Lookback windows reported in every status, in seconds: the short and long windows of
#: the SRE Workbook's multi-window alerts (table 5-8): 5m/1h, 30m/6h, 2h/1d, 6h/3d.
BURN_RATE_WINDOWS_S: dict[str, int] = {
    "5m": 300,
    "30m": 1800,
    "1h": 3600,
    "2h": 7200,
    "6h": 21600,
    "1d": 86400,
    "3d": 259200,
}


@dataclass(frozen=True)
class WindowSpan:
    """The minutes an SLO window covers at one instant.

    ``start_minute``/``end_minute`` are epoch minutes, half-open. ``period_s`` is the full
    window length the budget is sized on; ``elapsed_s`` the part already past (equal to
    ``period_s`` for rolling windows).
    """

    start_minute: int
    end_minute: int
    period_s: int
    elapsed_s: int

    @property
    def start(self) -> datetime:
        return minute_to_datetime(self.start_minute)

    @property
    def end(self) -> datetime:
        return minute_to_datetime(self.end_minute)

    @property
    def remaining_s(self) -> int:
        return self.period_s - self.elapsed_s


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"evaluation time {at.isoformat()} has no time zone; pass an aware UTC datetime")


def epoch_minute(at: datetime) -> int:
    """Whole minutes since the Unix epoch that ended by ``at`` (floor)."""
    _require_aware(at)
    return int(at.timestamp() // 60)


def minute_to_datetime(minute: int) -> datetime:
    """The UTC instant at which epoch minute ``minute`` starts."""
    return datetime.fromtimestamp(minute * 60, tz=UTC)


def _calendar_start(window: CalendarWindow, local: datetime) -> tuple[datetime, datetime]:
    tz = local.tzinfo
    day = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    if window.unit == "week":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
    elif window.unit == "month":
        start = day.replace(day=1)
        end = (
            start.replace(year=start.year + 1, month=1)
            if start.month == 12
            else start.replace(month=start.month + 1)
        )
    else:
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = day.replace(month=first_month, day=1)
        end_month = first_month + 3
        end = (
            start.replace(year=start.year + 1, month=1) if end_month > 12 else start.replace(month=end_month)
        )
    return start.replace(tzinfo=tz), end.replace(tzinfo=tz)


def window_span(window: RollingWindow | CalendarWindow, at: datetime) -> WindowSpan:
    """The span of ``window`` evaluated at ``at`` (see the module docstring)."""
    end_minute = epoch_minute(at)
    if isinstance(window, RollingWindow):
        minutes = -(-window.duration_s // 60)
        return WindowSpan(end_minute - minutes, end_minute, window.duration_s, window.duration_s)
    local = minute_to_datetime(end_minute).astimezone(ZoneInfo(window.timezone))
    start_local, end_local = _calendar_start(window, local)
    # Local wall-clock midnights become UTC instants through the zone's own offset rules,
    # so a month that spans a DST change is an hour shorter or longer, as it really is.
    start_utc = start_local.astimezone(UTC)
    end_utc = end_local.astimezone(UTC)
    start_minute = epoch_minute(start_utc)
    period_s = int((end_utc - start_utc).total_seconds())
    return WindowSpan(start_minute, end_minute, period_s, (end_minute - start_minute) * 60)
