"""Small helpers for the spec tests: load text in memory, pick issues by severity."""

from __future__ import annotations

import textwrap
from pathlib import Path

from headroom.errors import SpecIssue
from headroom.spec.load import parse_spec_texts
from headroom.spec.model import SpecSet

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "spec"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def load_text(text: str, name: str = "slos.yaml") -> tuple[SpecSet | None, list[SpecIssue]]:
    """Load one spec written inline (dedented), without touching the file system."""
    return parse_spec_texts([(name, textwrap.dedent(text))])


def errors(issues: list[SpecIssue]) -> list[SpecIssue]:
    return [i for i in issues if i.severity == "error"]


def warnings(issues: list[SpecIssue]) -> list[SpecIssue]:
    return [i for i in issues if i.severity == "warning"]


def only_slo(text: str) -> SpecSet:
    """Load text that must hold no errors; fail with the issues otherwise."""
    spec_set, issues = load_text(text)
    assert spec_set is not None, "\n".join(str(i) for i in issues)
    return spec_set
