"""The SVG chart builders: series, gaps, thresholds, scales, text alternatives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from headroom.service.charts import BurndownChart, Threshold
from headroom.web.svg import burn_rate_svg, burndown_svg, sparkline_svg

START = datetime(2026, 11, 1, tzinfo=UTC)


def _chart(
    remaining: list[float | None], rates: list[float | None], *, period_days: int = 0
) -> BurndownChart:
    times = [START + timedelta(hours=i) for i in range(len(remaining))]
    return BurndownChart(
        service="checkout",
        slo="availability",
        objective=0.999,
        window="30d",
        budgeting="occurrences",
        at=times[-1],
        window_start=times[0],
        window_end=times[-1],
        period_end=times[-1] + timedelta(days=period_days),
        step_minutes=60,
        times=times,
        remaining_ratio=remaining,
        burn_rates={"1h": rates, "6h": rates, "1d": rates},
        profile="sre-workbook",
        thresholds=[
            Threshold(tier="page-fast", severity="page", long_window="1h", factor=14.4),
            Threshold(tier="ticket-slow", severity="ticket", long_window="3d", factor=1.0),
        ],
    )


def test_a_gap_in_the_series_starts_a_new_run_and_is_not_counted() -> None:
    svg = str(burndown_svg(_chart([1.0, 0.9, None, 0.8, 0.7], [1.0] * 5)))
    path = svg.split('data-series="remaining_ratio"')[1].split("/>")[0]
    assert 'data-points="4"' in path
    assert path.count("M") == 2
    assert path.count("L") == 2


def test_an_overspent_budget_extends_the_axis_below_zero() -> None:
    svg = str(burndown_svg(_chart([1.0, 0.2, -0.3], [1.0] * 3)))
    assert ">-50%</text>" in svg
    assert ">now -30.0%</text>" in svg


def test_a_calendar_window_shades_the_rest_of_the_period() -> None:
    assert 'class="future"' in str(burndown_svg(_chart([1.0, 0.9], [1.0] * 2, period_days=10)))
    assert 'class="future"' not in str(burndown_svg(_chart([1.0, 0.9], [1.0] * 2)))


def test_thresholds_are_dashed_lines_labelled_with_factor_severity_and_window() -> None:
    svg = str(burn_rate_svg(_chart([1.0] * 3, [0.5, 2.0, None])))
    assert 'data-factor="14.4"' in svg
    assert ">14.4x page 1h</text>" in svg
    assert ">1.00x ticket 3d</text>" in svg
    assert svg.count('data-points="2"') == 3


def test_burn_rates_far_above_the_top_threshold_are_clipped_not_squashing_the_lines() -> None:
    svg = str(burn_rate_svg(_chart([1.0] * 2, [0.0, 1000.0])))
    assert ">40.0x</text>" in svg  # the axis stops at 4 x 14.4 = 57.6
    assert ">60.0x</text>" not in svg
    assert ">1000" not in svg
    assert 'clip-path="url(#burnrates-clip)"' in svg


def test_charts_are_images_with_a_title_and_a_description() -> None:
    svg = str(burn_rate_svg(_chart([1.0] * 2, [0.5, 1.5]), "rates"))
    assert 'role="img" aria-labelledby="rates-title rates-desc"' in svg
    assert '<title id="rates-title">Burn rates of checkout/availability</title>' in svg
    assert "Burn rates now: 1h 1.50x, 6h 1.50x, 1d 1.50x." in svg


def test_a_sparkline_has_a_label_the_zero_line_and_a_dot_for_now() -> None:
    svg = str(sparkline_svg([1.0, 0.5, 0.25], "checkout/availability: 25.0% left"))
    assert 'aria-label="checkout/availability: 25.0% left"' in svg
    assert 'class="zero"' in svg
    assert 'data-points="3"' in svg
    assert "<circle" in svg


def test_labels_are_escaped() -> None:
    assert "&lt;b&gt;" in str(sparkline_svg([1.0], "<b>"))
