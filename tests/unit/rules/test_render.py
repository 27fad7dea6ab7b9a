"""Rule sets to YAML: the emitter's layout, quoting and folding, and the two file formats."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from headroom.rules.render import (
    RuleOptions,
    UnknownProfileError,
    build_rule_set,
    dump_yaml,
    render_prometheus_rule,
    render_rule_file,
    rule_file_data,
)
from headroom.spec.model import AlertingSpec, CalendarWindow, EventsSLI, PrometheusRawSLI
from tests.unit.rules.sloth_slos import slo, sloth_base_slos


def _load(text: str, version: tuple[int, int] | None = None) -> Any:
    yaml = YAML(typ="safe", pure=True)
    if version:
        yaml.version = version
    return yaml.load(text)


def test_sequences_under_a_key_are_not_indented_and_mappings_are() -> None:
    assert dump_yaml({"groups": [{"name": "g", "rules": [{"record": "r", "labels": {"a": "b"}}]}]}) == (
        "groups:\n- name: g\n  rules:\n  - record: r\n    labels:\n      a: b\n"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("99.9", '"99.9"'),
        ("95", '"95"'),
        ("yes", '"yes"'),
        ("", '""'),
        ("null", '"null"'),
        ("0x1F", '"0x1F"'),
        ("{{$labels.x}} is high", "'{{$labels.x}} is high'"),
        ("it's {x}", "it's {x}"),
        ("{it's}", "'{it''s}'"),
        ("a: b", "'a: b'"),
        ("a #b", "'a #b'"),
        ("- a", "'- a'"),
        ("trailing ", "'trailing '"),
        ("tab\there", '"tab\\there"'),
        ("svc01-slo1", "svc01-slo1"),
        ("slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate5m"),
    ],
)
def test_scalars_are_quoted_only_when_they_must_be(value: str, text: str) -> None:
    assert dump_yaml({"k": value}) == f"k: {text}\n"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("a\nb\n", "k: |\n  a\n  b\n"),
        ("a\nb", "k: |-\n  a\n  b\n"),
        ("a\nb\n\n", "k: |+\n  a\n  b\n\n"),
        ("a\n\nb\n", "k: |\n  a\n\n  b\n"),
        ("\na\n", 'k: "\\na\\n"\n'),
        ("\n", 'k: "\\n"\n'),
        ("a \nb\n", 'k: "a \\nb\\n"\n'),
    ],
)
def test_multiline_strings_are_literal_blocks_with_sloths_chomping(value: str, text: str) -> None:
    assert dump_yaml({"k": value}) == text


def test_long_plain_scalars_fold_at_the_first_space_past_column_80() -> None:
    expr = '1 - slo:period_burn_rate:ratio{sloth_id="svc01-slo1", sloth_service="svc01", sloth_slo="slo1"}'
    assert dump_yaml({"rules": [{"expr": expr}]}) == (
        '- expr: 1 - slo:period_burn_rate:ratio{sloth_id="svc01-slo1", sloth_service="svc01",\n'
        '    sloth_slo="slo1"}\n'
    ).replace("- expr", "rules:\n- expr")


def test_numbers_booleans_and_empty_collections() -> None:
    assert dump_yaml({"a": 1, "b": 0.5, "c": 2.0, "d": True, "e": None, "f": [], "g": {}, "h": [1, "x"]}) == (
        "a: 1\nb: 0.5\nc: 2\nd: true\ne: null\nf: []\ng: {}\nh:\n- 1\n- x\n"
    )


def test_only_mappings_and_sequences_make_documents() -> None:
    with pytest.raises(TypeError, match="mapping or a sequence"):
        dump_yaml("text")  # type: ignore[arg-type]


_TEXT = st.text(alphabet=st.sampled_from(list("ab ~-:#{}[]'\",&*!|>%@`?\n\t0159.eE+xyéλ")), max_size=40)


@given(st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True), _TEXT, max_size=5))
def test_any_label_text_reads_back_unchanged_in_yaml_1_1_and_1_2(labels: dict[str, str]) -> None:
    text = dump_yaml({"labels": labels}) if labels else "labels: {}\n"
    assert (_load(text)["labels"] or {}) == labels
    assert (_load(text, (1, 1))["labels"] or {}) == labels


@given(st.text(alphabet=st.sampled_from(list("ab {}'$.:")), min_size=60, max_size=200))
def test_folded_long_values_read_back_unchanged(value: str) -> None:
    text = dump_yaml({"groups": [{"rules": [{"annotations": {"summary": value}}]}]})
    assert _load(text)["groups"][0]["rules"][0]["annotations"]["summary"] == value


def test_rule_file_reads_back_as_the_rule_data() -> None:
    rule_set = build_rule_set(sloth_base_slos(), RuleOptions())
    assert _load(render_rule_file(rule_set)) == rule_file_data(rule_set)


def test_prometheus_operator_format_wraps_the_groups_in_a_prometheus_rule() -> None:
    rule_set = build_rule_set(sloth_base_slos(), RuleOptions())
    doc = _load(render_prometheus_rule(rule_set, name="svc01-slos", namespace="monitoring"))
    assert doc["apiVersion"] == "monitoring.coreos.com/v1"
    assert doc["kind"] == "PrometheusRule"
    assert doc["metadata"] == {
        "labels": {"app.kubernetes.io/component": "SLO", "app.kubernetes.io/managed-by": "headroom"},
        "name": "svc01-slos",
        "namespace": "monitoring",
    }
    assert doc["spec"] == rule_file_data(rule_set)
    first = doc["spec"]["groups"][0]["rules"][0]
    assert list(first) == ["expr", "labels", "record"]


def test_alerts_with_for_render_it_as_a_duration() -> None:
    s = slo(
        PrometheusRawSLI(error_ratio_query="x[{{window}}]"),
        alerting=AlertingSpec(name="A", profile="four-tier"),
    )
    doc = _load(render_rule_file(build_rule_set([s])))
    alerts = next(g for g in doc["groups"] if g["name"].startswith("sloth-slo-alerts"))
    assert [a["for"] for a in alerts["rules"]] == ["2m", "15m", "1h", "3h"]
    assert list(alerts["rules"][0]) == ["alert", "expr", "for", "labels", "annotations"]


def test_slos_without_prometheus_rules_are_skipped_with_a_note() -> None:
    events = slo(EventsSLI(events="checkout"))
    calendar = slo(PrometheusRawSLI(error_ratio_query="x[{{window}}]")).model_copy(
        update={"window": CalendarWindow(unit="month")}
    )
    rule_set = build_rule_set([events, calendar])
    assert rule_set.groups == ()
    assert [n.split(":")[0] for n in rule_set.notes] == ["svc/s", "svc/s"]
    assert "event store" in rule_set.notes[0]
    assert "calendar window (month)" in rule_set.notes[1]


def test_low_traffic_guard_is_reported_as_not_applied() -> None:
    s = slo(
        PrometheusRawSLI(error_ratio_query="x[{{window}}]"), alerting=AlertingSpec(name="A", min_events=100)
    )
    assert any("min_events" in n for n in build_rule_set([s]).notes)


def test_an_unknown_profile_names_the_known_ones() -> None:
    s = slo(PrometheusRawSLI(error_ratio_query="x[{{window}}]"))
    with pytest.raises(UnknownProfileError, match="'pyrra' is unknown; use one of: four-tier, sre-workbook"):
        build_rule_set([s], RuleOptions(profile="pyrra"))


def test_the_profile_option_overrides_every_slos_profile() -> None:
    rule_set = build_rule_set(sloth_base_slos()[:1], RuleOptions(profile="four-tier"))
    alerts = [r for g in rule_set.groups for r in g.rules if hasattr(r, "alert")]
    assert len(alerts) == 4


def test_a_profile_window_as_long_as_the_period_is_reported() -> None:
    s = slo(PrometheusRawSLI(error_ratio_query="x[{{window}}]"), days=3)
    notes = build_rule_set([s]).notes
    assert notes == (
        "svc/s: the sre-workbook profile's 3d window is not shorter than the 3d period; "
        "choose a profile made for short periods",
    )
