"""Opening the store: schema applied once, and a clear StoreError when the file is unusable."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from headroom.errors import StoreError
from headroom.store import DuckDBStore
from headroom.store.schema import SCHEMA_STEPS

MINUTE = 28_576_080


def test_a_new_file_gets_the_whole_schema_and_reopening_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "headroom.duckdb"
    with DuckDBStore(path) as store:
        store.append_counts("a/x", [MINUTE], [1], [2])
    with DuckDBStore(path) as store:
        assert store.minute_series("a/x", MINUTE, MINUTE + 1)[1].tolist() == [2]
    con = duckdb.connect(str(path))
    assert con.execute("SELECT version FROM schema_version").fetchall() == [(len(SCHEMA_STEPS),)]
    con.close()


def test_a_store_from_a_newer_headroom_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "headroom.duckdb"
    DuckDBStore(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE schema_version SET version = 999")
    con.close()
    with pytest.raises(StoreError, match="upgrade headroom"):
        DuckDBStore(path)


def test_a_file_that_is_not_a_database_is_a_store_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "headroom.duckdb"
    path.write_bytes(b"this is not a database" * 1000)
    with pytest.raises(StoreError, match=r"headroom\.duckdb: cannot open the store") as caught:
        DuckDBStore(path)
    assert caught.value.exit_code == 3


def test_a_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the store"):
        DuckDBStore(tmp_path / "no" / "such" / "dir" / "headroom.duckdb")


def test_a_store_held_by_another_process_names_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "headroom.duckdb"
    child = textwrap.dedent(
        f"""
        from headroom.errors import StoreError
        from headroom.store import DuckDBStore
        try:
            DuckDBStore({str(path)!r})
        except StoreError as error:
            print(error)
        """
    )
    with DuckDBStore(path):
        result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert "another process has it open" in result.stdout


def test_a_cursor_shares_the_open_database(tmp_path: Path) -> None:
    with DuckDBStore(tmp_path / "headroom.duckdb") as store:
        store.append_counts("a/x", [MINUTE], [1], [2])
        cursor = store.cursor()
        assert cursor.execute("SELECT slo_id FROM slos").fetchall() == [("a/x",)]
        cursor.close()
