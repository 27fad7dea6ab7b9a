"""Pre-aggregated counts files: summed per minute, checked row by row, deduplicated."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom.errors import DataError
from headroom.store import DuckDBStore
from tests.unit.store.helpers import FIXTURES, MINUTE_0, other_slo

SLOS = [other_slo("availability"), other_slo("latency"), other_slo("latency", service="search")]


def test_counts_rows_are_summed_per_minute_and_short_names_resolve_when_unambiguous(
    store: DuckDBStore,
) -> None:
    report = store.ingest_counts(FIXTURES / "counts.csv", SLOS)
    assert report.ingested == ("checkout/availability", "checkout/latency")
    assert report.rows == 5
    good, total = store.minute_series_many(
        ["checkout/availability", "checkout/latency", "search/latency"], MINUTE_0, MINUTE_0 + 3
    )
    assert good.tolist() == [[99, 0, 0], [7, 0, 3], [0, 0, 0]]
    assert total.tolist() == [[105, 10, 0], [8, 0, 3], [0, 0, 0]]


def test_re_ingesting_a_counts_file_is_skipped_per_slo(store: DuckDBStore) -> None:
    store.ingest_counts(FIXTURES / "counts.csv", SLOS)
    again = store.ingest_counts(FIXTURES / "counts.csv", SLOS)
    assert again.ingested == ()
    assert again.skipped == ("checkout/availability", "checkout/latency")
    good, _ = store.minute_series("checkout/availability", MINUTE_0, MINUTE_0 + 1)
    assert good.tolist() == [99]


def test_good_above_total_names_the_line_and_stores_nothing(store: DuckDBStore) -> None:
    with pytest.raises(DataError, match=r"counts_good_above_total_line4\.csv: line 4: good=11 total=10"):
        store.ingest_counts(FIXTURES / "counts_good_above_total_line4.csv", SLOS)
    assert store.list_slos() == []
    assert store.ingest_history() == []


def test_an_ambiguous_short_name_is_an_unknown_slo_with_the_choices(
    tmp_path: Path, store: DuckDBStore
) -> None:
    path = tmp_path / "counts.csv"
    path.write_text("timestamp,slo,good,total\n1714564800,checkout/latency,1,1\n1714564800,latency,1,1\n")
    with pytest.raises(DataError, match=r"line 3: unknown SLO 'latency'; write one of: .*search/latency"):
        store.ingest_counts(path, SLOS)


def test_negative_counts_are_rejected(tmp_path: Path, store: DuckDBStore) -> None:
    path = tmp_path / "counts.jsonl"
    path.write_text('{"timestamp": 1714564800, "slo": "availability", "good": -1, "total": 3}\n')
    with pytest.raises(DataError, match="line 1: good=-1 total=3"):
        store.ingest_counts(path, SLOS)


def test_a_counts_file_without_the_count_columns_says_which_are_missing(
    tmp_path: Path, store: DuckDBStore
) -> None:
    path = tmp_path / "counts.csv"
    path.write_text("timestamp,slo,ok\n1714564800,availability,1\n")
    with pytest.raises(DataError, match="good, total missing"):
        store.ingest_counts(path, SLOS)


def test_a_count_that_is_not_a_number_names_the_line(tmp_path: Path, store: DuckDBStore) -> None:
    path = tmp_path / "counts.csv"
    path.write_text("timestamp,slo,good,total\n1714564800,availability,1,2\n1714564860,availability,x,2\n")
    with pytest.raises(DataError, match=r"line 3: good 'x' and total '2(\.0)?' must both be numbers"):
        store.ingest_counts(path, SLOS)
