"""From tagged answers to counts: whatever Prometheus returns, a cell is a valid count or missing."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from headroom.sources.prometheus_answers import Cells, Group, fill_counts, fill_minutes
from headroom.sources.promql_window import Part

ANSWER = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.floats(min_value=0, max_value=1e9), min_size=2, max_size=3),
)


def _group(kind: str) -> Group:
    return Group(0, 0, 3600, [Part(f"0_0{kind[0]}", 0, kind, f"{kind}_query"), Part("0_0t", 0, "total", "t")])  # type: ignore[arg-type]


def _answers(first: object, total: object, first_key: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for key, value in ((first_key, first), ("0_0t", total)):
        if value is not None:
            out[key] = value if isinstance(value, list) else [value]  # type: ignore[assignment]
    return out


@given(st.sampled_from(["good", "errors"]), ANSWER, ANSWER)
def test_a_cell_is_either_a_count_pair_with_good_within_total_or_missing_with_a_reason(
    kind: str, first: object, total: object
) -> None:
    cells = Cells(1, 1)
    group = _group(kind)
    fill_counts(cells, [group], _answers(first, total, group.parts[0].key), "zero")
    good, tot = cells.good[0, 0], cells.total[0, 0]
    if 0 in cells.missing:
        assert math.isnan(good) or math.isnan(tot)
        assert cells.missing[0].startswith("[1h] ")
    else:
        assert 0.0 <= good <= tot
        assert math.isfinite(tot)


def test_errors_become_good_as_total_minus_errors() -> None:
    cells = Cells(1, 1)
    fill_counts(cells, [_group("errors")], {"0_0e": [3618.0], "0_0t": [36000.0]}, "zero")
    assert (cells.good[0, 0], cells.total[0, 0]) == (32382.0, 36000.0)


@given(
    st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(math.nan)), min_size=1, max_size=30
    )
)
def test_per_minute_counts_are_finite_and_good_never_exceeds_total(values: list[float]) -> None:
    cells = Cells(1, len(values))
    cells.good[:] = 0.0
    cells.total[:] = 0.0
    parts = [Part("0_mg", 0, "good", "g"), Part("0_mt", 0, "total", "t")]
    series = np.asarray(values, dtype=np.float64)
    fill_minutes(cells, 0, parts, {"0_mg": series * 0.5, "0_mt": series}, "zero")
    assert np.isfinite(cells.good).all()
    assert np.isfinite(cells.total).all()
    assert (cells.good <= cells.total).all()
    assert (cells.good >= 0).all()
