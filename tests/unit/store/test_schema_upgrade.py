"""A store written before the daily rollup existed upgrades without losing long windows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np

from headroom.store.duckdb_store import DuckDBStore
from headroom.store.schema import SCHEMA_STEPS

START = 29_000_030  # an epoch minute that is not on an hour or day boundary


def test_reopening_an_older_store_fills_the_rollups_it_lacked(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    minutes = 3 * 1440
    with DuckDBStore(path) as store:
        store.append_counts_many(
            ["svc/slo"], START, np.full((1, minutes), 99.0), np.full((1, minutes), 100.0)
        )
    con = duckdb.connect(str(path))
    # Make it look like a store from before the daily rollup and the reconcile steps.
    con.execute("DELETE FROM buckets_daily")
    con.execute("DELETE FROM schema_version")
    con.execute("INSERT INTO schema_version VALUES (?)", [len(SCHEMA_STEPS) - 2])
    con.close()
    with DuckDBStore(path) as store:
        good, total = store.window_sums(
            ["svc/slo"], [(START, START + minutes), (START + 10, START + minutes - 10)]
        )
    assert total[0].tolist() == [100.0 * minutes, 100.0 * (minutes - 20)]
    assert good[0].tolist() == [99.0 * minutes, 99.0 * (minutes - 20)]


def test_the_reconcile_steps_add_nothing_to_a_store_whose_rollups_are_complete(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with DuckDBStore(path) as store:
        store.append_counts_many(["svc/slo"], START, np.full((1, 2000), 1.0), np.full((1, 2000), 2.0))
    con = duckdb.connect(str(path))
    before = con.execute("SELECT count(*) FROM buckets_daily").fetchall()
    con.execute("DELETE FROM schema_version")
    con.execute("INSERT INTO schema_version VALUES (?)", [len(SCHEMA_STEPS) - 2])
    con.close()
    with DuckDBStore(path) as store:
        _, total = store.window_sums(["svc/slo"], [(START, START + 2000)])
    con = duckdb.connect(str(path))
    assert con.execute("SELECT count(*) FROM buckets_daily").fetchall() == before
    con.close()
    assert total[0, 0] == 4000.0
