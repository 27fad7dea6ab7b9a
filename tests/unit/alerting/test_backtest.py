"""Backtest replay: Workbook detection and reset times, events, precision and recall."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from headroom.alerting.backtest import ANY_TIER, TierSpec, backtest, significant_events
from headroom.alerting.mwmb import evaluate_pairs
from headroom.budget.series import trailing_sums
from tests.unit.alerting.helpers import incident_series

CLEAN = 3 * 1440 + 60
PERIOD = np.array([30 * 1440.0])
EBR = np.array([0.001])


def _workbook(rows: int = 1) -> list[TierSpec]:
    def spec(name: str, severity: str, long_m: int, short_m: int, factor: float) -> TierSpec:
        return TierSpec(name, severity, long_m, short_m, np.full(rows, factor * 0.001))

    return [
        spec("page-fast", "page", 60, 5, 14.4),
        spec("page-slow", "page", 360, 30, 6.0),
        spec("ticket-fast", "ticket", 1440, 120, 3.0),
        spec("ticket-slow", "ticket", 4320, 360, 1.0),
    ]


def _run(bad_minutes: int, ratio: float, after: int = 600, **kw: float) -> dict[str, tuple[float, float]]:
    good, total = incident_series(CLEAN, bad_minutes, ratio, after=after)
    res = backtest(
        good[None, :], total[None, :], _workbook(), error_budget_ratio=EBR, period_minutes=PERIOD, **kw
    )
    assert res.events.row.size == 1
    return {t.name: (float(t.detection_s[0]), float(t.reset_s[0])) for t in res.tiers}


def test_a_full_outage_is_detected_by_the_fast_page_in_its_first_minute_and_resets_after_5_minutes() -> None:
    times = _run(10, 1.0)
    assert times["page-fast"] == (60.0, 300.0)


def test_a_full_outage_is_detected_by_the_slow_ticket_within_a_minute_of_the_workbooks_259_s() -> None:
    detection, _ = _run(10, 1.0)["ticket-slow"]
    assert 259.2 <= detection < 259.2 + 60


def test_a_two_percent_error_ratio_is_detected_by_the_fast_page_within_a_minute_of_2592_s() -> None:
    detection, _ = _run(120, 0.02)["page-fast"]
    assert detection == 44 * 60


def test_half_a_percent_is_missed_by_the_pages_and_caught_by_the_tickets_after_14_4_hours() -> None:
    times = _run(2000, 0.005)
    assert math.isnan(times["page-fast"][0])
    assert math.isnan(times["page-slow"][0])
    assert times["ticket-slow"][0] == 865 * 60
    assert times["ticket-fast"][0] == 865 * 60


def test_an_alert_still_firing_at_the_end_of_history_has_no_reset_time() -> None:
    detection, reset = _run(30, 1.0, after=3)["page-fast"]
    assert detection == 60.0
    assert math.isnan(reset)


def test_any_tier_detects_as_early_as_the_fastest_tier() -> None:
    times = _run(10, 1.0)
    assert times[ANY_TIER][0] == min(d for d, _ in times.values())


def test_significant_events_exceed_two_percent_of_a_period_budget() -> None:
    # 1,000 events a minute: one period's budget is 0.001 x 1,000 x 43,200 = 43,200 bad events.
    good, total = incident_series(300, 1, 0.5, after=300)
    assert significant_events(good[None], total[None], EBR, PERIOD).row.size == 0  # 500 = 1.16 %
    good, total = incident_series(300, 2, 0.5, after=300)
    events = significant_events(good[None], total[None], EBR, PERIOD)
    assert (events.start.tolist(), events.end.tolist()) == ([300], [302])
    assert events.consumed_ratio.tolist() == [1000 / 43200]


def test_burning_minutes_a_few_minutes_apart_are_one_event() -> None:
    total = np.full(600, 1000.0)
    bad = np.zeros(600)
    bad[[100, 104]] = 500  # 3 quiet minutes between: merged, 1,000 bad events = 2.3 %
    bad[[300, 310]] = 500  # 9 quiet minutes between: two events of 1.16 % each
    events = significant_events((total - bad)[None], total[None], EBR, PERIOD)
    assert (events.start.tolist(), events.end.tolist()) == ([100], [105])


def test_a_span_without_a_significant_event_counts_against_precision() -> None:
    good, total = incident_series(CLEAN, 10, 1.0, after=600)
    res = backtest(
        good[None], total[None], _workbook(), error_budget_ratio=EBR, period_minutes=PERIOD, share=0.5
    )
    page = res.tiers[0]
    assert res.events.row.size == 0
    assert page.spans.row.size == 1
    assert page.precision() == 0.0
    assert math.isnan(page.recall(res.events))


def test_precision_and_recall_are_one_when_every_span_matches_an_event() -> None:
    good, total = incident_series(CLEAN, 10, 1.0, after=600)
    res = backtest(good[None], total[None], _workbook(), error_budget_ratio=EBR, period_minutes=PERIOD)
    page = res.tiers[0]
    assert (page.precision(), page.recall(res.events)) == (1.0, 1.0)
    assert (page.precision(row=0), page.recall(res.events, row=0)) == (1.0, 1.0)


def test_rows_are_replayed_independently_across_chunks() -> None:
    good, total = incident_series(CLEAN, 10, 1.0, after=600)
    rows = 40  # with ~4,990 minutes a chunk holds ~400 rows; 40 rows of two shapes is enough
    g = np.tile(good, (rows, 1))
    g[1::2] = total  # odd rows are clean
    res = backtest(
        g,
        np.tile(total, (rows, 1)),
        _workbook(rows),
        error_budget_ratio=np.full(rows, 0.001),
        period_minutes=np.full(rows, 43200.0),
    )
    assert res.tiers[0].spans.row.tolist() == list(range(0, rows, 2))
    assert res.events.row.tolist() == list(range(0, rows, 2))


series = hnp.arrays(np.int64, st.integers(1, 80), elements=st.integers(0, 20))


@given(
    bad=series,
    extra=series,
    thr=st.floats(0.01, 0.9),
    min_events=st.integers(0, 30),
    windows=st.sampled_from([(6, 2), (24, 2), (40, 4)]),
)
def test_replay_fires_exactly_where_a_live_evaluation_would(
    bad: np.ndarray, extra: np.ndarray, thr: float, min_events: int, windows: tuple[int, int]
) -> None:
    long_m, short_m = windows
    m = min(bad.size, extra.size)
    bad_f, total_f = bad[:m].astype(float), (bad[:m] + extra[:m]).astype(float)
    tier = TierSpec("t", "page", long_m, short_m, np.array([thr]))
    res = backtest(
        (total_f - bad_f)[None],
        total_f[None],
        [tier],
        error_budget_ratio=EBR,
        period_minutes=PERIOD,
        min_events=np.array([float(min_events)]),
    )
    mask = np.zeros(m, dtype=bool)
    for a, b in zip(res.tiers[0].spans.start, res.tiers[0].spans.end, strict=True):
        mask[a:b] = True
    live = evaluate_pairs(
        trailing_sums(bad_f, long_m, partial=True),
        trailing_sums(total_f, long_m, partial=True),
        trailing_sums(bad_f, short_m, partial=True),
        trailing_sums(total_f, short_m, partial=True),
        thr,
        min_events,
    )
    assert mask.tolist() == live.firing.tolist()


def test_two_workers_give_the_same_replay_as_one() -> None:
    rng = np.random.default_rng(3)
    rows, minutes = 12, 30_000  # ~9 rows a chunk: two chunks
    total = rng.poisson(50, size=(rows, minutes)).astype(float)
    bad = rng.binomial(total.astype(np.int64), 0.002).astype(float)
    bad[:, 20_000:20_030] = total[:, 20_000:20_030]
    kw = {"error_budget_ratio": np.full(rows, 0.001), "period_minutes": np.full(rows, 43200.0)}
    one = backtest(total - bad, total, _workbook(rows), **kw)
    two = backtest(total - bad, total, _workbook(rows), workers=2, **kw)
    assert one.events.row.size >= rows
    for a, b in zip(one.tiers, two.tiers, strict=True):
        assert a.spans.start.tolist() == b.spans.start.tolist()
        assert a.spans.row.tolist() == b.spans.row.tolist()
        np.testing.assert_array_equal(a.detection_s, b.detection_s)
