from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from headroom.store import DuckDBStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DuckDBStore]:
    with DuckDBStore(tmp_path / "headroom.duckdb") as opened:
        yield opened
