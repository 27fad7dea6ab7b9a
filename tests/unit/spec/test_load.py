"""load_specs / validate_specs: every issue of every file, routed by format, ids unique."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom.errors import SpecError
from headroom.spec.load import load_specs, validate_specs
from tests.unit.spec.helpers import EXAMPLES, FIXTURES, errors, load_text


def test_a_file_with_five_mistakes_reports_all_five_with_lines_and_fixes() -> None:
    with pytest.raises(SpecError) as caught:
        load_specs([FIXTURES / "five_mistakes.yaml"])
    issues = caught.value.issues
    assert [(i.line, i.field) for i in issues] == [
        (4, "slos[0].objective"),
        (5, "slos[0].window"),
        (8, "slos[0].sli.good"),
        (10, "slos[1].objectiv"),
        (11, "slos[1].window.timezone"),
    ]
    fixes = [i.fix for i in issues]
    assert fixes[0] == 'write 0.999 or "99.9%"'
    assert "30d" in fixes[1]
    assert "status < 500" in fixes[2]
    assert fixes[3].startswith("did you mean 'objective'?")
    assert fixes[4].startswith("did you mean 'Europe/Berlin'?")
    assert str(caught.value).startswith("5 error(s) in spec:\n")
    assert "five_mistakes.yaml:8: slos[0].sli.good: filter 'status << 500'" in str(caught.value)


def test_errors_of_every_file_are_collected_before_raising(tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    first.write_text("service: a\nslos:\n  - name: x\n    objective: 2\n    sli: {events: e, good: ok}\n")
    second = tmp_path / "b.yaml"
    second.write_text("service: b\nslos: [\n")
    missing = tmp_path / "gone.yaml"
    spec_set, issues = validate_specs([first, second, missing])
    assert spec_set is None
    assert [(Path(i.file).name, i.line) for i in errors(issues)] == [
        ("gone.yaml", None),
        ("a.yaml", 4),
        ("b.yaml", 3),
    ]
    assert issues[0].message == "file not found"


def test_duplicate_ids_across_files_are_an_error_naming_both_places(tmp_path: Path) -> None:
    text = "service: checkout\nslos:\n  - name: availability\n"
    text += "    objective: 0.99\n    sli: {events: e, good: ok}\n"
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text("# the same SLO again\n" + text)
    spec_set, issues = validate_specs([tmp_path])
    assert spec_set is None
    (issue,) = issues
    assert (Path(issue.file).name, issue.line) == ("b.yaml", 4)
    assert f"'checkout/availability' is defined twice: here and at {tmp_path / 'a.yaml'}:3" in issue.message


def test_warnings_do_not_stop_loading_but_are_returned() -> None:
    text = "service: a\nslos:\n  - name: x\n    objective: 0.99\n"
    text += "    window: 6h\n    sli: {events: e, good: ok}\n"
    spec_set, issues = load_text(text)
    assert spec_set is not None
    assert [i.severity for i in issues] == ["warning"]


def test_a_document_routes_by_its_version_or_api_version() -> None:
    text = (FIXTURES / "sloth.yaml").read_text() + "---\n" + (FIXTURES / "minimal.yaml").read_text()
    spec_set, issues = load_text(text)
    assert errors(issues) == []
    assert spec_set is not None
    assert [s.service for s in spec_set.slos] == ["svc01", "svc01", "checkout", "checkout"]


@pytest.mark.parametrize(
    ("head", "message"),
    [
        ("apiVersion: openslo/v1alpha\nkind: SLO\n", "OpenSLO openslo/v1alpha is not supported"),
        (
            "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\n",
            "Kubernetes resource is not supported",
        ),
        ("apiVersion: v1\nkind: ConfigMap\n", "apiVersion 'v1' is not known"),
        ('version: "prometheus/v2"\n', "spec version 'prometheus/v2' is not known"),
    ],
)
def test_formats_headroom_does_not_read_are_named_in_the_error(head: str, message: str) -> None:
    (issue,) = errors(load_text(head)[1])
    assert issue.line == 1
    assert message in issue.message


def test_an_empty_file_loads_as_nothing_with_a_warning() -> None:
    spec_set, issues = load_text("# nothing yet\n")
    assert spec_set is not None
    assert spec_set.slos == ()
    assert [i.severity for i in issues] == ["warning"]


@pytest.mark.parametrize("name", ["checkout.yaml", "llm-assistant.yaml"])
def test_the_examples_load_without_errors_or_warnings(name: str) -> None:
    spec_set, issues = validate_specs([EXAMPLES / name])
    assert issues == []
    assert spec_set is not None
    assert len(spec_set.slos) >= 3


def test_the_llm_example_has_hallucination_and_task_success_quality_slos() -> None:
    spec_set = load_specs([EXAMPLES / "llm-assistant.yaml"])
    quality = {s.name for s in spec_set.slos if getattr(s.sli, "indicator", None) == "quality"}
    assert quality == {"hallucination-rate", "task-success"}
    assert all(s.sli.kind == "events" and s.sli.events == "llm_responses" for s in spec_set.slos)


def test_a_file_that_is_not_utf8_is_an_issue_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("service: caf\xe9\n".encode("latin-1"))
    spec_set, issues = validate_specs([path])
    assert spec_set is None
    assert issues[0].message.startswith("not UTF-8 text")


def test_notes_about_skipped_openslo_kinds_do_not_stop_load_specs(tmp_path: Path) -> None:
    path = tmp_path / "service.yaml"
    path.write_text("apiVersion: openslo/v1\nkind: Service\nmetadata: {name: web}\nspec: {description: x}\n")
    assert load_specs([path]).slos == ()
    assert [i.severity for i in validate_specs([path])[1]] == ["info"]


def test_an_alert_profile_file_among_the_specs_is_noted_and_skipped() -> None:
    text = "alert_profiles:\n  - name: strict\n    tiers: []\n"
    spec_set, issues = load_text(text)
    assert spec_set is not None
    assert spec_set.slos == ()
    assert [(i.severity, i.line) for i in issues] == [("info", 1)]
