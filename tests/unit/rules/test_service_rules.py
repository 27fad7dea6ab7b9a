"""The ``headroom rules`` use case: spec files in, rule files and promtool tests out."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from headroom import __version__
from headroom.errors import SpecError, UsageError
from headroom.service.rules import (
    generate_rule_tests,
    generate_rules,
    rules_result,
    write_rule_tests,
    write_rules,
)
from tests.unit.rules.sloth_slos import FIXTURES, SLOTH

API = FIXTURES / "api.yaml"


def _load(text: str) -> object:
    return YAML(typ="safe", pure=True).load(text)


def test_a_sloth_spec_file_generates_sloths_rules_in_sloth_mode() -> None:
    text = generate_rules([SLOTH / "in.yaml"], sloth_compatible=True)
    golden = (SLOTH / "out-30d.yaml").read_text()
    # identical except sloth_version, which names headroom
    ours = text[text.index("groups:") :].replace(
        f"sloth_version: headroom-{__version__}", "sloth_version: v0.0.0-golden"
    )
    assert ours == golden[golden.index("groups:") :]


def test_the_fixture_spec_skips_its_event_and_calendar_slos_with_notes() -> None:
    result = rules_result([API])
    assert result.notes == (
        "api/checkout-events: skipped, its SLI reads headroom's event store, not Prometheus",
        "api/monthly: skipped, a calendar window (month) has no Prometheus rule form",
    )
    assert result.group_count == 5 * 4
    doc = _load(result.text)
    assert isinstance(doc, dict)
    assert len(doc["groups"]) == result.group_count


def test_operator_format_names_the_rule_after_the_service() -> None:
    doc = _load(rules_result([API], fmt="prometheus-operator", namespace="monitoring").text)
    assert isinstance(doc, dict)
    assert doc["kind"] == "PrometheusRule"
    assert doc["metadata"]["name"] == "api-slos"
    assert doc["metadata"]["namespace"] == "monitoring"


def test_an_unknown_format_is_a_usage_error_naming_the_choices() -> None:
    with pytest.raises(UsageError, match="'json' is unknown; use one of: prometheus, prometheus-operator"):
        generate_rules([API], fmt="json")


def test_an_unknown_profile_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="alert profile 'fast' is unknown"):
        generate_rules([API], profile="fast")


def test_a_broken_spec_raises_the_spec_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("service: x\nslos:\n  - name: a\n    objective: 101%\n")
    with pytest.raises(SpecError):
        generate_rules([bad])


def test_write_rules_writes_the_file_and_reports_where(tmp_path: Path) -> None:
    out = tmp_path / "rules" / "api.rules.yaml"
    result = write_rules([API], out)
    assert result.path == out
    assert out.read_text() == result.text
    assert not list(out.parent.glob(".*.tmp"))


def test_rule_tests_point_at_the_rule_file_relative_to_themselves(tmp_path: Path) -> None:
    rules = tmp_path / "rules" / "api.rules.yaml"
    write_rules([API], rules)
    path = write_rule_tests([API], tmp_path / "tests", rules)
    assert path == tmp_path / "tests" / "api.rules.test.yaml"
    doc = _load(path.read_text())
    assert isinstance(doc, dict)
    assert doc["rule_files"] == ["../rules/api.rules.yaml"]
    assert len(doc["tests"]) == 5 * 4


def test_generate_rule_tests_names_the_given_rule_file() -> None:
    doc = _load(generate_rule_tests([SLOTH / "in.yaml"], "rules.yaml"))
    assert isinstance(doc, dict)
    assert doc["rule_files"] == ["rules.yaml"]
