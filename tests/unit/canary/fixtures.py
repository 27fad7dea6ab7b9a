"""Load the canary fixtures (project-owned copies; see tests/fixtures/canary/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "canary"


def load(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return cases


CLASSIFIER_CASES = load("kayenta_classifier_cases.json")
TIEOUT_CASES = load("kayenta_mannwhitney_tieout.json")
ISSUE_CASES = load("kayenta_issue_cases.json")
MANN_WHITNEY_CASES = [c for c in CLASSIFIER_CASES if c["classifier"] == "mann_whitney"]


def case(cases: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    return next(c for c in cases if c[key] == value)
