"""Filters compile to parameterised SQL; user text never becomes SQL."""

from __future__ import annotations

import pytest

from headroom.errors import DataError
from headroom.spec.filters import parse_filter
from headroom.store.sql import Params, column_kind, compile_filter, quote_identifier

COLUMNS = {"status": "BIGINT", "latency_ms": "DOUBLE", "outcome": "VARCHAR", "cached": "BOOLEAN"}


def compile_text(text: str) -> tuple[str, list[object]]:
    params = Params()
    sql = compile_filter(parse_filter(text), COLUMNS, params, where="f.csv, SLO a/b")
    return sql, params.values


def test_a_comparison_becomes_a_quoted_column_and_a_numbered_parameter() -> None:
    assert compile_text("status < 500") == ('"status" < $1', [500])


def test_conditions_under_not_read_null_as_false() -> None:
    assert compile_text("not status < 500") == ('(NOT COALESCE("status" < $1, FALSE))', [500])
    params = Params()
    negated = compile_filter(parse_filter("cached or status >= 500"), COLUMNS, params, where="", negated=True)
    assert negated == '(COALESCE("cached", FALSE) OR COALESCE("status" >= $1, FALSE))'


def test_values_are_parameters_even_when_they_look_like_sql() -> None:
    sql, values = compile_text('outcome == "x\'); DROP TABLE buckets; --"')
    assert "DROP" not in sql
    assert values == ["x'); DROP TABLE buckets; --"]


def test_membership_not_and_or_compose_with_parameters_in_order() -> None:
    sql, values = compile_text('not (outcome in ("a", "b") or cached) and latency_ms >= 1.5')
    assert values == ["a", "b", 1.5]
    assert sql == (
        '((NOT ((COALESCE("outcome" IN ($1, $2), FALSE)) OR COALESCE("cached", FALSE))) '
        'AND "latency_ms" >= $3)'
    )


def test_null_literals_test_for_missing_values() -> None:
    assert compile_text("outcome == null") == ('("outcome" IS NULL)', [])
    assert compile_text("outcome != null") == ('("outcome" IS NOT NULL)', [])


def test_ordering_against_null_is_refused() -> None:
    with pytest.raises(DataError, match="use status == null"):
        compile_text("status < null")


def test_a_number_against_a_text_column_names_the_field_and_the_fix() -> None:
    with pytest.raises(DataError, match=r"f\.csv, SLO a/b: field 'outcome' holds text \(VARCHAR\)"):
        compile_text("outcome == 5")


def test_a_string_against_a_numeric_column_is_refused() -> None:
    with pytest.raises(DataError, match="holds numbers"):
        compile_text('status == "500"')


def test_a_truth_test_on_a_text_column_suggests_a_comparison() -> None:
    with pytest.raises(DataError, match='outcome == "yes"'):
        compile_text("outcome")


def test_an_unknown_field_lists_the_columns() -> None:
    with pytest.raises(DataError, match=r"'tokens'.*status, latency_ms, outcome, cached"):
        compile_text("tokens > 3")


def test_identifiers_double_their_quotes() -> None:
    assert quote_identifier('we"ird') == '"we""ird"'


@pytest.mark.parametrize(
    ("duckdb_type", "kind"),
    [
        ("BIGINT", "number"),
        ("DECIMAL(10,2)", "number"),
        ("VARCHAR", "text"),
        ("BOOLEAN", "bool"),
        ("JSON", "other"),
    ],
)
def test_column_kinds_follow_the_duckdb_type(duckdb_type: str, kind: str) -> None:
    assert column_kind(duckdb_type) == kind
