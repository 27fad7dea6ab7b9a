"""Whatever the YAML, loading returns issues instead of raising, and every SLO is located."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from headroom.spec.load import parse_spec_texts

# fmt: off
_KEYS = [
    "service", "slos", "name", "objective", "window", "sli", "events", "good", "bad", "total", "latency",
    "field", "threshold", "indicator", "prometheus", "error_query", "total_query", "good_query",
    "error_ratio_query", "histogram", "selector", "budgeting", "method", "slice", "slice_target",
    "alerting", "profile", "tiers", "labels", "calendar", "timezone", "apiVersion", "kind", "metadata",
    "spec", "version", "raw", "rawType", "ratioMetric", "metricSource", "type", "query", "timeWindow",
    "duration", "isRolling", "budgetingMethod", "objectives", "target", "targetPercent", "timeSliceTarget",
    "timeSliceWindow", "indicatorRef", "page_alert", "disable",
]
_WORDS = [
    "99.9%", "0.999", "99.9", "30d", "1M", "1w", "1m", "month", "Europe/Berlin", "ok", "status<500",
    "sum(rate(x[{{window}}]))", "sum(rate(x[5m]))", "openslo/v1", "prometheus/v1", "SLO", "SLI",
    "Prometheus", "headroom", "Datadog", "Timeslices", "RatioTimeslices", "Occurrences", "checkout",
    "failure", "success", "", "ok and", "status < 500",
]
# fmt: on
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 1000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(_WORDS),
)
_TREES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=6)
    ),
    max_leaves=20,
)

_VALID: list[dict[str, Any]] = [
    {
        "service": "checkout",
        "labels": {"team": "payments"},
        "slos": [
            {
                "name": "availability",
                "objective": "99.9%",
                "window": {"calendar": "month", "timezone": "UTC"},
                "budgeting": {"method": "timeslices", "slice": "1m", "slice_target": 0.95},
                "sli": {"events": "checkout", "good": "status < 500", "total": "ok"},
                "alerting": {"profile": "sre-workbook", "tiers": {"page": {"disabled": True}}},
            },
            {"name": "p", "objective": 0.99, "sli": {"prometheus": {"error_ratio_query": "x[{{window}}]"}}},
        ],
    },
    {
        "apiVersion": "openslo/v1",
        "kind": "SLO",
        "metadata": {"name": "api"},
        "spec": {
            "service": "api",
            "indicator": {
                "spec": {
                    "ratioMetric": {
                        "good": {"metricSource": {"type": "Prometheus", "spec": {"query": "a[{{window}}]"}}},
                        "total": {"metricSource": {"type": "Prometheus", "spec": {"query": "b[{{window}}]"}}},
                    }
                }
            },
            "timeWindow": [{"duration": "1w", "isRolling": False}],
            "budgetingMethod": "Timeslices",
            "objectives": [{"target": 0.99, "timeSliceTarget": 0.9, "timeSliceWindow": "1m"}],
        },
    },
    {
        "version": "prometheus/v1",
        "service": "svc",
        "slos": [
            {
                "name": "slo1",
                "objective": 99.9,
                "sli": {"events": {"error_query": "e[{{.window}}]", "total_query": "t[{{.window}}]"}},
                "alerting": {"name": "A", "page_alert": {"disable": True}},
            }
        ],
    },
]


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            out += _paths(value, (*prefix, index))
    return out


def _check(text: str) -> None:
    spec_set, issues = parse_spec_texts([("fuzz.yaml", text)])
    assert (spec_set is None) == any(i.severity == "error" for i in issues)
    for issue in issues:
        assert issue.file == "fuzz.yaml"
        assert issue.message
    for slo in spec_set.slos if spec_set else ():
        assert slo.location is not None
        assert slo.location.line is not None
        assert 0 < slo.objective < 1


def test_the_valid_seeds_load_without_errors() -> None:
    spec_set, issues = parse_spec_texts([("seed.yaml", "\n---\n".join(json.dumps(d) for d in _VALID))])
    assert [i for i in issues if i.severity == "error"] == []
    assert spec_set is not None
    assert len(spec_set.slos) == 4


@given(st.lists(_TREES, min_size=1, max_size=3))
def test_any_document_yields_issues_or_slos_never_an_exception(trees: list[object]) -> None:
    _check("\n---\n".join(json.dumps(tree) for tree in trees))


@given(st.sampled_from(range(len(_VALID))), st.data())
def test_a_valid_spec_with_any_value_replaced_yields_issues_or_slos_never_an_exception(
    seed: int, data: st.DataObject
) -> None:
    tree = copy.deepcopy(_VALID[seed])
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(tree)))
        parent = tree
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = data.draw(_TREES)
    _check(json.dumps(tree))
