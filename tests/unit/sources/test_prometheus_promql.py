"""The PromQL the Prometheus source sends: windows, counts per SLI kind, le spellings, slices."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.sources.promql_window import (
    Part,
    bad_slices_expr,
    count_parts,
    le_matcher,
    le_values_equal,
    promql_duration,
    query_unit,
    ratio_timeslices_parts,
    tagged_union,
    with_window,
)
from headroom.spec.model import PrometheusHistogramSLI, PrometheusRatioSLI, PrometheusRawSLI

ERRORS = 'sum(increase(http_requests_total{job="api",code=~"5.."}[{{window}}]))'
TOTAL = 'sum(increase(http_requests_total{job="api"}[{{window}}]))'


def test_a_window_is_written_in_the_largest_unit_that_divides_it() -> None:
    assert [promql_duration(s) for s in (300, 3600, 86400, 259200, 604800, 90, 5400)] == [
        "5m",
        "1h",
        "1d",
        "3d",
        "1w",
        "90s",
        "90m",
    ]


def test_the_window_placeholder_is_replaced_everywhere_it_appears() -> None:
    query = "sum(increase(a[{{window}}])) / sum(increase(b[{{window}}]))"
    assert with_window(query, 3600) == "sum(increase(a[1h])) / sum(increase(b[1h]))"


def test_an_error_query_over_total_becomes_two_summed_counts() -> None:
    parts = count_parts(PrometheusRatioSLI(error_query=ERRORS, total_query=TOTAL), 3, 3600, "3_2")
    assert [(p.key, p.row, p.kind) for p in parts] == [("3_2e", 3, "errors"), ("3_2t", 3, "total")]
    assert parts[0].expr == 'sum(sum(increase(http_requests_total{job="api",code=~"5.."}[1h])))'
    assert parts[1].expr == 'sum(sum(increase(http_requests_total{job="api"}[1h])))'


def test_a_rate_query_is_scaled_by_the_window_in_seconds_to_become_a_count() -> None:
    sli = PrometheusRatioSLI(
        good_query='rate(http_requests_total{code="200"}[{{window}}])',
        total_query="rate(http_requests_total[{{window}}])",
    )
    good, total = count_parts(sli, 0, 1800, "0_1")
    assert good.kind == "good"
    assert good.expr == 'sum(rate(http_requests_total{code="200"}[30m])) * 1800'
    assert total.expr == "sum(rate(http_requests_total[30m])) * 1800"


@pytest.mark.parametrize(
    ("query", "unit"),
    [
        ("sum(increase(x[{{window}}]))", "count"),
        ("sum(rate(x[{{window}}]))", "per_second"),
        ("sum(irate(x[{{window}}]))", "per_second"),
        ("sum(increase(x[{{window}}])) / 1", "count"),
        ("job:requests:count", "count"),
    ],
)
def test_a_query_unit_is_read_from_the_function_it_calls(query: str, unit: str) -> None:
    assert query_unit(query) == unit


def test_a_raw_sli_is_one_error_ratio_part() -> None:
    (part,) = count_parts(PrometheusRawSLI(error_ratio_query="job:error_ratio:rate{{window}}"), 1, 300, "1_0")
    assert part == Part("1_0r", 1, "error_ratio", "job:error_ratio:rate5m")


def test_a_histogram_sli_counts_the_bucket_at_the_threshold_and_the_count_series() -> None:
    sli = PrometheusHistogramSLI(
        metric="http_request_duration_seconds", selector='job="api"', threshold_s=0.3
    )
    good, total = count_parts(sli, 0, 86400, "0_5", le=["0.30"])
    assert good.expr == 'sum(increase(http_request_duration_seconds_bucket{job="api",le="0.30"}[1d]))'
    assert total.expr == 'sum(increase(http_request_duration_seconds_count{job="api"}[1d]))'


def test_a_histogram_without_a_selector_gets_only_the_le_matcher() -> None:
    sli = PrometheusHistogramSLI(metric="lat", threshold_s=1)
    good, total = count_parts(sli, 0, 300, "0_0", le=["1", "1.0"])
    assert good.expr == 'sum(increase(lat_bucket{le=~"1|1\\\\.0"}[5m]))'
    assert total.expr == "sum(increase(lat_count{}[5m]))"


def test_le_values_are_matched_as_numbers_not_as_text() -> None:
    values = ["0.1", "0.3", "0.30", "0.300", "3e-1", "0.25", "+Inf", "not-a-number"]
    assert le_values_equal(0.3, values) == ["0.3", "0.30", "0.300", "3e-1"]
    assert le_values_equal(1.0, ["1", "1.0", "+Inf"]) == ["1", "1.0"]
    assert le_values_equal(0.5, values) == []


def test_one_le_spelling_is_an_equality_matcher_and_several_an_escaped_regex() -> None:
    assert le_matcher(["0.25"]) == 'le="0.25"'
    assert le_matcher(["1", "1.0", "1e+00"]) == 'le=~"1|1\\\\.0|1e\\\\+00"'


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=4))
def test_any_decimal_spelling_with_trailing_zeros_matches_its_number(millis: int, zeros: int) -> None:
    text = f"{millis / 1000:.3f}" + "0" * zeros
    assert le_values_equal(millis / 1000, [text, "+Inf"]) == [text]


@given(st.integers(min_value=1, max_value=10**8))
def test_a_promql_duration_reads_back_as_the_same_number_of_seconds(seconds: int) -> None:
    text = promql_duration(seconds)
    size = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}[text[-1]]
    assert int(text[:-1]) * size == seconds


def test_parts_are_tagged_and_joined_into_one_expression() -> None:
    parts = [Part("0_0g", 0, "good", "sum(a)"), Part("0_0t", 0, "total", "sum(b)")]
    assert tagged_union(parts) == (
        'label_replace(sum(a), "headroom_key", "0_0g", "", "") or '
        'label_replace(sum(b), "headroom_key", "0_0t", "", "")'
    )


def test_bad_slices_count_the_slices_below_target_over_exactly_the_period() -> None:
    sli = PrometheusRatioSLI(error_query=ERRORS, total_query=TOTAL)
    expr = bad_slices_expr(sli, 86400, 300, 0.95, None)
    assert expr.startswith("count_over_time(((1 - ((sum(sum(increase(")
    assert "[5m]" in expr
    assert "or vector(0)" in expr
    assert "> 0)) < 0.95)[86399s:5m])" in expr


def test_ratio_timeslices_is_the_mean_of_5_minute_good_ratios_over_the_period() -> None:
    sli = PrometheusRatioSLI(good_query="sum(increase(ok[{{window}}]))", total_query=TOTAL)
    (part,) = ratio_timeslices_parts(sli, 2, 604800, "2_0")
    assert part.kind == "error_ratio"
    assert re.fullmatch(
        r"\(1 - avg_over_time\(\(\(sum\(sum\(increase\(ok\[5m\]\)\)\)\) / .*\)\[604799s:5m\]\)\)", part.expr
    )


def test_many_parts_are_joined_as_a_balanced_tree_of_or() -> None:
    parts = [Part(f"k{i}", 0, "good", f"a{i}") for i in range(5)]
    text = re.sub(r'label_replace\((a\d), "headroom_key", "k\d", "", ""\)', r"\1", tagged_union(parts))
    assert text == "((a0 or a1) or (a2 or a3)) or a4"
