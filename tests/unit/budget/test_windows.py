"""Window spans: rolling exact to the minute; calendar periods of real length in their zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from headroom.budget.windows import epoch_minute, window_span
from headroom.spec.model import CalendarWindow, RollingWindow

DAY_S = 86400


def test_a_30_day_rolling_window_ends_at_the_last_whole_minute() -> None:
    at = datetime(2026, 11, 1, 0, 0, 30, tzinfo=UTC)
    span = window_span(RollingWindow(duration_s=30 * DAY_S), at)
    assert span.end == datetime(2026, 11, 1, tzinfo=UTC)
    assert span.start == datetime(2026, 10, 2, tzinfo=UTC)
    assert span.end_minute - span.start_minute == 43_200
    assert span.period_s == span.elapsed_s == 30 * DAY_S


@pytest.mark.parametrize(
    ("at", "start", "days"),
    [
        (datetime(2026, 2, 14, 12, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC), 28),
        (datetime(2028, 2, 14, 12, tzinfo=UTC), datetime(2028, 2, 1, tzinfo=UTC), 29),
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC), 31),
    ],
)
def test_a_calendar_month_has_its_real_length(at: datetime, start: datetime, days: int) -> None:
    span = window_span(CalendarWindow(unit="month"), at)
    assert span.start == start
    assert span.period_s == days * DAY_S
    assert span.elapsed_s == int((at - start).total_seconds()) // 60 * 60


def test_the_fourth_quarter_runs_from_october_for_92_days() -> None:
    span = window_span(CalendarWindow(unit="quarter"), datetime(2026, 11, 15, tzinfo=UTC))
    assert span.start == datetime(2026, 10, 1, tzinfo=UTC)
    assert span.period_s == 92 * DAY_S


def test_a_week_starts_on_monday() -> None:
    span = window_span(CalendarWindow(unit="week"), datetime(2026, 12, 2, 5, tzinfo=UTC))  # a Wednesday
    assert span.start == datetime(2026, 11, 30, tzinfo=UTC)
    assert span.elapsed_s == (2 * 24 + 5) * 3600


def test_a_berlin_october_starts_at_local_midnight_and_is_an_hour_longer_for_dst() -> None:
    span = window_span(
        CalendarWindow(unit="month", timezone="Europe/Berlin"), datetime(2026, 10, 20, tzinfo=UTC)
    )
    assert span.start == datetime(2026, 9, 30, 22, tzinfo=UTC)
    assert span.period_s == 31 * DAY_S + 3600


def test_a_naive_evaluation_time_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        epoch_minute(datetime(2026, 11, 1))  # noqa: DTZ001 - the point of the test


def test_evaluating_one_minute_later_moves_a_rolling_window_by_one_minute() -> None:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    a = window_span(RollingWindow(duration_s=7 * DAY_S), at)
    b = window_span(RollingWindow(duration_s=7 * DAY_S), at + timedelta(minutes=1))
    assert (b.start_minute - a.start_minute, b.end_minute - a.end_minute) == (1, 1)
