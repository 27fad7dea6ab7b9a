"""The PromQL builder: Go float text, ``le`` spellings, node rendering, placeholders."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.rules.promql import (
    Aggregate,
    Binary,
    Block,
    Call,
    Matcher,
    Matching,
    Number,
    Paren,
    Range,
    Raw,
    Selector,
    format_go_float,
    format_go_float_f,
    le_matcher,
    le_spellings,
    parse_matchers,
    quote_string,
    render,
    substitute_window,
    window_selectors,
)
from headroom.spec.profiles import burn_rate_factor


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (14.4, "14.4"),
        (6.0, "6"),
        (1.0, "1"),
        (5.6000000000000005, "5.6000000000000005"),
        (0.9333333333333333, "0.9333333333333333"),
        ((100 - 99.9) / 100, "0.0009999999999999432"),
        (99.9 / 100, "0.9990000000000001"),
        (1e-05, "1e-05"),
        (0.0001, "0.0001"),
        (123456.0, "123456"),
        (1e6, "1e+06"),
        (1.5e-07, "1.5e-07"),
        (-2.5, "-2.5"),
        (0.0, "0"),
    ],
)
def test_floats_render_as_go_percent_v(value: float, text: str) -> None:
    assert format_go_float(value) == text


def test_non_finite_floats_render_as_prometheus_writes_them() -> None:
    assert [format_go_float(v) for v in (math.inf, -math.inf, math.nan)] == ["+Inf", "-Inf", "NaN"]


def test_sloth_factors_for_28_days_print_with_their_float_artifacts() -> None:
    period_s = 28 * 86400
    factors = [
        burn_rate_factor(pct, period_s, long_s)
        for pct, long_s in ((2, 3600), (5, 6 * 3600), (10, 86400), (10, 3 * 86400))
    ]
    assert [format_go_float(f) for f in factors] == [
        "13.44",
        "5.6000000000000005",
        "2.8000000000000003",
        "0.9333333333333333",
    ]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_go_float_text_reads_back_as_the_same_float(value: float) -> None:
    assert float(format_go_float(value)) == value
    assert float(format_go_float_f(value)) == value


def test_f_format_never_uses_an_exponent() -> None:
    assert format_go_float_f(1e-05) == "0.00001"
    assert format_go_float_f(1e6) == "1000000"
    assert format_go_float_f(99.9) == "99.9"


@pytest.mark.parametrize(
    ("threshold", "spellings"),
    [
        (0.3, ("0.3", "0.30")),
        (0.25, ("0.25", "0.250")),
        (1.0, ("1", "1.0")),
        (10.0, ("10", "10.0")),
        (1e-05, ("1e-05", "0.00001", "1.0E-5")),
        (0.0005, ("0.0005", "0.00050", "5.0E-4")),
    ],
)
def test_le_spellings_cover_the_client_libraries(threshold: float, spellings: tuple[str, ...]) -> None:
    assert le_spellings(threshold) == spellings


def test_le_matcher_matches_0_3_and_0_30_alike() -> None:
    assert render(Selector("m_bucket", (le_matcher(0.3),))) == 'm_bucket{le=~"0\\\\.3|0\\\\.30"}'


def test_le_matcher_is_an_escaped_regex_over_all_spellings_otherwise() -> None:
    assert render(Selector("m_bucket", (le_matcher(1.0),))) == 'm_bucket{le=~"1|1\\\\.0"}'
    assert render(Selector("m_bucket", (le_matcher(1e6),))) == 'm_bucket{le=~"1e\\\\+06|1000000"}'


@given(st.floats(min_value=1e-9, max_value=1e9))
def test_every_le_spelling_is_the_same_number(threshold: float) -> None:
    assert {float(s) for s in le_spellings(threshold)} == {threshold}


def test_selectors_put_user_matchers_first_and_escape_values() -> None:
    selector = Selector("x", (Matcher("a", "=", 'say "hi"\\'),), 'job="api"', ",")
    assert render(selector) == 'x{job="api",a="say \\"hi\\"\\\\"}'
    assert render(Selector("up")) == "up"
    assert quote_string("a\nb") == '"a\\nb"'


def test_matchers_refuse_unknown_operators() -> None:
    with pytest.raises(ValueError, match="not one of"):
        Matcher("a", "==", "b")


def test_nodes_render_in_sloths_layout() -> None:
    ids = Selector("r", (Matcher("sloth_id", "=", "s-x"),))
    mean = Binary(
        "/",
        Call("sum_over_time", (Range(ids, "30d"),)),
        Call("count_over_time", (Range(ids, "30d"),)),
        Matching("ignoring", ("sloth_window",), space=True),
        multiline=True,
    )
    assert render(mean) == (
        'sum_over_time(r{sloth_id="s-x"}[30d])\n'
        "/ ignoring (sloth_window)\n"
        'count_over_time(r{sloth_id="s-x"}[30d])'
    )
    threshold = Paren(Binary("*", Number(14.4), Number(0.001)))
    over = Aggregate("max", Binary(">", ids, threshold), without=("sloth_window",))
    assert render(over) == 'max(r{sloth_id="s-x"} > (14.4 * 0.001)) without (sloth_window)'
    assert render(Aggregate("sum", Raw("x"), by=("a", "b"))) == "sum(x) by (a, b)"
    assert (
        render(Block(Binary("and", Raw("a"), Raw("b"), multiline=True), 4)) == "(\n    a\n    and\n    b\n)"
    )
    on = Matching("on", ("a", "b"), "group_left")
    assert render(Binary("/", Raw("x"), Raw("y"), on)) == "x / on(a, b) group_left y"


def test_blocks_leave_empty_lines_without_trailing_spaces() -> None:
    assert render(Block(Raw("a\n\nb"))) == "(\n  a\n\n  b\n)"


@pytest.mark.parametrize("placeholder", ["{{window}}", "{{.window}}", "{{ .window }}", "{{ window }}"])
def test_every_spelling_of_the_window_placeholder_is_substituted(placeholder: str) -> None:
    assert (
        substitute_window(f"rate(x[{placeholder}]) + rate(y[{placeholder}])", "5m")
        == "rate(x[5m]) + rate(y[5m])"
    )


def test_matcher_lists_are_read_with_their_quotes_and_escapes() -> None:
    assert parse_matchers(' job="api", code=~"5..|429" ,path!=\'/x\', m!~"a\\"b"') == (
        Matcher("job", "=", "api"),
        Matcher("code", "=~", "5..|429"),
        Matcher("path", "!=", "/x"),
        Matcher("m", "!~", 'a"b'),
    )
    assert parse_matchers("") == ()
    assert parse_matchers('job="a,b"') == (Matcher("job", "=", "a,b"),)
    assert parse_matchers("job") is None


def test_window_selectors_are_found_once_each_in_query_order() -> None:
    query = 'sum(rate(a{x="1"}[{{window}}])) / sum(rate(b[{{ .window }}]))'
    query += ' + rate(a{x="1"}[{{window}}]) + c[5m]'
    assert window_selectors(query) == [Selector("a", (Matcher("x", "=", "1"),)), Selector("b")]
    assert window_selectors("rate(a{x=~bad}[{{window}}])") is None
