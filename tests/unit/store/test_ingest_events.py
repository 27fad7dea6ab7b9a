"""Raw events become exactly the per-minute counts worked out by hand."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import numpy as np
import pytest

from headroom.errors import DataError, UsageError
from headroom.store import DuckDBStore
from tests.unit.store.helpers import (
    AVAILABILITY,
    EXPECTED,
    FIXTURES,
    LATENCY,
    MINUTE_0,
    OUTCOME,
    WORKED_SLOS,
    events_slo,
)

IDS = [s.id for s in WORKED_SLOS]


def series(store: DuckDBStore) -> dict[str, tuple[list[float], list[float]]]:
    good, total = store.minute_series_many(IDS, MINUTE_0 - 1, MINUTE_0 + 4)
    return {slo_id: (good[i].tolist(), total[i].tolist()) for i, slo_id in enumerate(IDS)}


def expected_series() -> dict[str, tuple[list[float], list[float]]]:
    return {k: ([0, *g, 0], [0, *t, 0]) for k, (g, t) in EXPECTED.items()}


def as_parquet(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / (source.stem + ".parquet")
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{source}', header = true)) TO '{target}' (FORMAT parquet)")
    con.close()
    return target


def test_csv_events_give_the_hand_counted_minutes_for_good_latency_and_bad(store: DuckDBStore) -> None:
    report = store.ingest_events(FIXTURES / "events.csv", "http", WORKED_SLOS)
    assert series(store) == expected_series()
    assert report.ingested == tuple(IDS)
    assert report.skipped == ()
    assert report.rows == 20
    assert report.minutes == 9
    assert (report.first_minute, report.end_minute) == (MINUTE_0, MINUTE_0 + 3)
    sha = hashlib.sha256((FIXTURES / "events.csv").read_bytes()).hexdigest()
    assert report.content_sha256 == sha
    assert {r.content_sha256 for r in store.ingest_history()} == {sha}


@pytest.mark.parametrize(
    "name", ["events.jsonl", "events_epoch.csv", "events_offsets.csv", "events.csv.gz", "events.parquet"]
)
def test_every_format_and_timestamp_style_gives_the_same_minutes(
    tmp_path: Path, store: DuckDBStore, name: str
) -> None:
    if name == "events.csv.gz":
        import gzip

        path = tmp_path / name
        path.write_bytes(gzip.compress((FIXTURES / "events.csv").read_bytes()))
    elif name == "events.parquet":
        path = as_parquet(tmp_path, FIXTURES / "events.csv")
    else:
        path = FIXTURES / name
    store.ingest_events(path, "http", WORKED_SLOS)
    assert series(store) == expected_series()


def test_parquet_with_epoch_seconds_gives_the_same_minutes(tmp_path: Path, store: DuckDBStore) -> None:
    store.ingest_events(as_parquet(tmp_path, FIXTURES / "events_epoch.csv"), "http", WORKED_SLOS)
    assert series(store) == expected_series()


def test_re_ingesting_the_same_file_adds_nothing_and_reports_it_skipped(
    tmp_path: Path, store: DuckDBStore
) -> None:
    store.ingest_events(FIXTURES / "events.csv", "http", WORKED_SLOS)
    renamed = tmp_path / "copy-of-events.csv"
    shutil.copy(FIXTURES / "events.csv", renamed)
    seen: list[int] = []
    again = store.ingest_events(renamed, "http", WORKED_SLOS, progress=seen.append)
    assert again.ingested == ()
    assert again.skipped == tuple(IDS)
    assert seen == [0]
    assert series(store) == expected_series()
    assert len(store.ingest_history()) == 3


def test_an_slo_added_later_ingests_the_same_file_while_the_others_skip(store: DuckDBStore) -> None:
    store.ingest_events(FIXTURES / "events.csv", "http", [AVAILABILITY])
    report = store.ingest_events(FIXTURES / "events.csv", "http", WORKED_SLOS)
    assert report.ingested == (LATENCY.id, OUTCOME.id)
    assert report.skipped == (AVAILABILITY.id,)
    assert series(store) == expected_series()


def test_a_changed_filter_is_a_new_definition_that_ingests_again(store: DuckDBStore) -> None:
    store.ingest_events(FIXTURES / "events.csv", "http", [AVAILABILITY])
    stricter = events_slo("availability", good="status < 400")
    report = store.ingest_events(FIXTURES / "events.csv", "http", [stricter])
    assert report.ingested == (stricter.id,)
    fingerprints = {r.sli_fingerprint for r in store.ingest_history()}
    assert fingerprints == {"events=http;good=status < 500", "events=http;good=status < 400"}


def test_two_ingests_of_the_same_minutes_are_summed(tmp_path: Path, store: DuckDBStore) -> None:
    store.ingest_events(FIXTURES / "events.csv", "http", [AVAILABILITY])
    store.ingest_events(FIXTURES / "events_epoch.csv", "http", [AVAILABILITY])
    good, total = store.minute_series(AVAILABILITY.id, MINUTE_0, MINUTE_0 + 3)
    assert good.tolist() == [10, 10, 12]
    assert total.tolist() == [14, 12, 14]


def test_progress_is_told_the_number_of_rows_at_the_end(store: DuckDBStore) -> None:
    seen: list[int] = []
    store.ingest_events(FIXTURES / "events.csv", "http", WORKED_SLOS, progress=seen.append)
    assert seen[-1] == 20


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("bad_timestamp_line7.csv", ["line 7", "not-a-time", "RFC 3339"]),
        ("extra_column_line7.csv", ["line 7", "too many columns"]),
        ("bad_json_line7.jsonl", ["line 7"]),
        ("text_status_line7.csv", ["line 7", "'status' is 'abc', not a number"]),
    ],
)
def test_a_malformed_row_names_its_line_and_stores_nothing_of_the_file(
    store: DuckDBStore, name: str, words: list[str]
) -> None:
    store.ingest_events(FIXTURES / "events_epoch.csv", "http", [AVAILABILITY])
    spans = [(MINUTE_0 - 60, MINUTE_0 + 60)]
    before = store.window_sums(IDS, spans)
    with pytest.raises(DataError) as caught:
        store.ingest_events(FIXTURES / name, "http", WORKED_SLOS)
    message = str(caught.value)
    assert name in message
    for word in words:
        assert word in message
    after = store.window_sums(IDS, spans)
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])
    assert len(store.ingest_history()) == 1
    assert store.list_slos() == [AVAILABILITY.id]


def test_epoch_milliseconds_are_rejected_with_a_hint(tmp_path: Path, store: DuckDBStore) -> None:
    path = tmp_path / "ms.csv"
    path.write_text("timestamp,status\n1714564801000,200\n")
    with pytest.raises(DataError, match=r"ms\.csv: line 2: .*milliseconds"):
        store.ingest_events(path, "http", [AVAILABILITY])


def test_a_field_missing_from_the_file_is_named_with_the_slo_and_the_columns(store: DuckDBStore) -> None:
    slo = events_slo("tokens", good="tokens_out > 0")
    with pytest.raises(DataError) as caught:
        store.ingest_events(FIXTURES / "events.csv", "http", [slo])
    message = str(caught.value)
    for word in ["events.csv", "tokens_out", "checkout/tokens", "timestamp, status, latency_ms, outcome"]:
        assert word in message


def test_comparing_a_text_column_with_a_number_is_a_clear_data_error(store: DuckDBStore) -> None:
    slo = events_slo("typo", good="outcome < 500")
    with pytest.raises(DataError, match=r"'outcome' holds text .*write a quoted string"):
        store.ingest_events(FIXTURES / "events.csv", "http", [slo])


def test_an_injection_attempt_in_a_string_value_is_only_a_value(store: DuckDBStore) -> None:
    slo = events_slo("inject", good='outcome == "x\'); DROP TABLE buckets; --"')
    store.ingest_events(FIXTURES / "events.csv", "http", [slo, AVAILABILITY])
    good, total = store.minute_series(slo.id, MINUTE_0, MINUTE_0 + 3)
    assert good.tolist() == [0, 0, 0]
    assert total.tolist() == [7, 6, 7]
    assert store.minute_series(AVAILABILITY.id, MINUTE_0, MINUTE_0 + 3)[0].tolist() == [5, 5, 6]


def test_an_empty_file_is_a_data_error(tmp_path: Path, store: DuckDBStore) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="empty"):
        store.ingest_events(empty, "http", [AVAILABILITY])


def test_a_header_without_rows_is_a_data_error(tmp_path: Path, store: DuckDBStore) -> None:
    path = tmp_path / "header.csv"
    path.write_text("timestamp,status\n")
    with pytest.raises(DataError, match="no rows"):
        store.ingest_events(path, "http", [AVAILABILITY])


def test_a_file_without_a_timestamp_column_lists_its_columns(tmp_path: Path, store: DuckDBStore) -> None:
    path = tmp_path / "no_ts.csv"
    path.write_text("time,status\n2024-05-01T12:00:00Z,200\n")
    with pytest.raises(DataError, match=r"no 'timestamp' column; its columns are: time, status"):
        store.ingest_events(path, "http", [AVAILABILITY])


def test_an_unknown_extension_names_the_formats(tmp_path: Path, store: DuckDBStore) -> None:
    path = tmp_path / "events.xlsx"
    path.write_text("x")
    with pytest.raises(DataError, match=r"\.csv, \.jsonl"):
        store.ingest_events(path, "http", [AVAILABILITY])


def test_a_stream_no_slo_reads_is_a_usage_error_naming_the_streams(store: DuckDBStore) -> None:
    with pytest.raises(UsageError, match=r"'https'.*streams are: http"):
        store.ingest_events(FIXTURES / "events.csv", "https", WORKED_SLOS)


def test_a_missing_file_is_a_data_error(tmp_path: Path, store: DuckDBStore) -> None:
    with pytest.raises(DataError, match="no such file"):
        store.ingest_events(tmp_path / "nope.csv", "http", WORKED_SLOS)


def test_decimals_after_the_sniffed_sample_are_not_malformed(tmp_path: Path, store: DuckDBStore) -> None:
    path = tmp_path / "late.csv"
    lines = [f"{1714564800 + i % 60},200,{i % 500}" for i in range(30_000)]
    path.write_text("timestamp,status,latency_ms\n" + "\n".join([*lines, "1714564859.5,503,12.5"]) + "\n")
    report = store.ingest_events(path, "http", [AVAILABILITY])
    assert report.rows == 30_001
    good, total = store.minute_series(AVAILABILITY.id, MINUTE_0, MINUTE_0 + 1)
    assert (good.tolist(), total.tolist()) == ([30_000], [30_001])


def test_text_timestamps_without_an_offset_are_utc_whatever_the_machine_zone(tmp_path: Path) -> None:
    path = tmp_path / "naive.csv"
    path.write_text("timestamp,status\n2024-05-01T12:00:30,200\n1714568405,200\n")  # text, so parsed by SQL
    child = textwrap.dedent(
        f"""
        from pathlib import Path
        from headroom.store import DuckDBStore
        from tests.unit.store.helpers import AVAILABILITY
        with DuckDBStore(":memory:") as store:
            print(store.ingest_events(Path({str(path)!r}), "http", [AVAILABILITY]).first_minute)
        """
    )
    env = {**os.environ, "TZ": "America/New_York"}
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, env=env, cwd=root, timeout=60
    )
    assert result.stdout.strip() == str(MINUTE_0), result.stderr


def test_a_null_field_fails_its_comparison_and_passes_its_negation(store: DuckDBStore) -> None:
    # Minute 2 has one row with an empty latency_ms (line 16) among 7 rows.
    fast = events_slo("fast", good="latency_ms <= 300")
    not_slow = events_slo("not_slow", good="not latency_ms > 300")
    slow_is_bad = events_slo("slow_is_bad", bad="latency_ms > 300")
    store.ingest_events(FIXTURES / "events.csv", "http", [fast, not_slow, slow_is_bad])
    good, _ = store.minute_series_many([fast.id, not_slow.id, slow_is_bad.id], MINUTE_0 + 2, MINUTE_0 + 3)
    assert good[:, 0].tolist() == [5, 6, 6]
