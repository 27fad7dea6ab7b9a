"""Window sums, minute series and bad slices agree with brute force over the same counts."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom.store import DuckDBStore

BASE = 28_576_080  # 2024-05-01T12:00Z, an hour boundary


@pytest.fixture
def memory_store() -> Iterator[DuckDBStore]:
    with DuckDBStore(":memory:") as opened:
        yield opened


def test_a_span_across_hour_boundaries_sums_its_minutes_and_whole_hours(memory_store: DuckDBStore) -> None:
    minutes = np.arange(BASE - 90, BASE + 200)
    memory_store.append_counts("a/b", minutes, np.ones(len(minutes)), np.full(len(minutes), 2.0))
    spans = [(BASE - 7, BASE + 125), (BASE, BASE + 60), (BASE + 3, BASE + 4)]
    good, total = memory_store.window_sums(["a/b"], spans)
    assert good.tolist() == [[132, 60, 1]]
    assert total.tolist() == [[264, 120, 2]]


def test_unknown_slos_and_empty_spans_give_zeros(memory_store: DuckDBStore) -> None:
    memory_store.append_counts("a/b", [BASE], [1], [1])
    good, total = memory_store.window_sums(["nope/x", "a/b"], [(BASE, BASE + 1), (BASE + 5, BASE + 5)])
    assert good.tolist() == [[0, 0], [1, 0]]
    assert total.tolist() == [[0, 0], [1, 0]]


spans_strategy = st.lists(
    st.tuples(st.integers(-1500, 3000), st.integers(0, 4400)).map(lambda t: (BASE + t[0], BASE + sum(t))),
    min_size=1,
    max_size=6,
)


@pytest.fixture(scope="module")
def shared_store() -> Iterator[DuckDBStore]:
    """One store for every Hypothesis example; each example writes SLO ids of its own."""
    with DuckDBStore(":memory:") as opened:
        yield opened


_EXAMPLES = itertools.count()


@given(
    counts=st.lists(
        st.tuples(st.integers(0, 2), st.integers(-1450, 7300), st.integers(0, 5), st.integers(0, 5)),
        max_size=60,
    ),
    spans=spans_strategy,
)
def test_window_sums_equal_brute_force_numpy_sums(
    shared_store: DuckDBStore, counts: list[tuple[int, int, int, int]], spans: list[tuple[int, int]]
) -> None:
    example = next(_EXAMPLES)
    ids = [f"s{example}/{i}" for i in range(3)]
    store = shared_store
    lo = BASE - 1517  # off the hour; spans and counts reach over UTC day boundaries
    batches = np.zeros((2, 2, 3, 9000))  # two appends (so minutes repeat), good/total, SLO, minute
    for number, (slo, offset, bad, extra) in enumerate(counts):
        batches[number % 2, :, slo, BASE + offset - lo] += (extra, extra + bad)
    for batch in batches:
        store.append_counts_many(ids, lo, batch[0], batch[1])
    dense_good, dense_total = batches.sum(axis=0)
    good, total = store.window_sums([*ids, "unknown/x"], spans)
    series_good, series_total = store.minute_series_many(ids, BASE - 150, BASE + 400)
    for j, (start, end) in enumerate(spans):
        np.testing.assert_array_equal(good[:3, j], dense_good[:, start - lo : end - lo].sum(axis=1))
        np.testing.assert_array_equal(total[:3, j], dense_total[:, start - lo : end - lo].sum(axis=1))
    assert not good[3].any()
    assert not total[3].any()
    np.testing.assert_array_equal(series_good, dense_good[:, 1367:1917])
    np.testing.assert_array_equal(series_total, dense_total[:, 1367:1917])


def test_append_counts_many_stores_dense_arrays_minute_by_minute(memory_store: DuckDBStore) -> None:
    good = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
    total = np.array([[1.0, 3.0, 2.0], [0.0, 0.0, 4.0]])
    written = memory_store.append_counts_many(["a/x", "a/y"], BASE, good, total)
    assert written == 4  # the three cells with nothing are not stored
    series_good, series_total = memory_store.minute_series_many(["a/y", "a/x"], BASE, BASE + 3)
    assert series_good.tolist() == [[0, 0, 0], [1, 0, 2]]
    assert series_total.tolist() == [[0, 0, 4], [1, 3, 2]]


def test_bad_slices_counts_slices_below_target_and_not_empty_ones(memory_store: DuckDBStore) -> None:
    # Five-minute slices from BASE over 20 minutes, target 0.9:
    #   slice 0: 10/10 good   slice 1: 8/10 bad   slice 2: no events, good   slice 3: 9/10 = 0.9 good
    memory_store.append_counts("a/x", [BASE, BASE + 5, BASE + 9, BASE + 15], [10, 4, 4, 9], [10, 5, 5, 10])
    # One-minute slices, target 0.99 on the same data: minutes 5, 9, 15 are bad.
    bad = memory_store.bad_slices(["a/x", "a/x", "none/x"], BASE, BASE + 20, [5, 1, 5], [0.9, 0.99, 0.9])
    assert bad.tolist() == [1, 3, 0]


def test_bad_slices_cut_the_last_slice_at_the_end(memory_store: DuckDBStore) -> None:
    memory_store.append_counts("a/x", [BASE + 4, BASE + 6], [0, 0], [1, 1])
    assert memory_store.bad_slices(["a/x"], BASE, BASE + 6, [5], [0.5]).tolist() == [1]


def test_data_range_is_the_first_and_last_plus_one_minute(memory_store: DuckDBStore) -> None:
    assert memory_store.data_range("a/x") is None
    memory_store.append_counts("a/x", [BASE + 130, BASE - 61, BASE + 7], [1, 1, 1], [1, 1, 1])
    assert memory_store.data_range("a/x") == (BASE - 61, BASE + 131)
    assert memory_store.list_slos() == ["a/x"]


def test_append_counts_refuses_good_above_total(memory_store: DuckDBStore) -> None:
    with pytest.raises(ValueError, match="0 <= good <= total"):
        memory_store.append_counts("a/x", [BASE], [2], [1])
