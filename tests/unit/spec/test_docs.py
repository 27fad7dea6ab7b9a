"""The examples in docs/spec.md load as the reference says they do."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from tests.unit.spec.helpers import errors, load_text

DOC = Path(__file__).resolve().parents[3] / "docs" / "spec.md"
_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
_WRAP = "service: docs\nslos:\n  - name: example\n    objective: 0.99\n{body}"


def _documents() -> list[str]:
    """Each example as a loadable document; SLO fragments (sli:, alerting:) are wrapped in one SLO."""
    docs: list[str] = []
    for block in _BLOCK.findall(DOC.read_text(encoding="utf-8")):
        first = block.lstrip().split(":", 1)[0]
        if first in ("service", "services", "apiVersion", "version"):
            docs.append(block)
        elif first in ("sli", "alerting"):
            for part in block.split("---\n"):
                body = textwrap.indent(part, "    ")
                if first == "alerting":
                    body += "    sli: {events: e, good: ok}\n"
                docs.append(_WRAP.format(body=body))
    return docs


def test_the_reference_has_examples_of_every_kind() -> None:
    assert len(_documents()) >= 10


@pytest.mark.parametrize("text", _documents())
def test_every_example_in_the_reference_loads_without_errors(text: str) -> None:
    _, issues = load_text(text)
    assert errors(issues) == [], "\n".join(str(i) for i in issues)
