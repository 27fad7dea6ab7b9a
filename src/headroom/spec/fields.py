"""The field readers every spec format shares, so that each validates the same way.

Pure: objectives (``99.9%``, ``0.999``, exact decimals), time zones, names and labels (they
become ids, rule names and Prometheus labels), window warnings, and the PromQL window
placeholder (``{{window}}``, ``{{ .window }}`` ... all normalised to ``{{window}}``).
"""

from __future__ import annotations

import re
import zoneinfo
from decimal import Decimal, InvalidOperation

from headroom.spec.locations import (
    Issues,
    YMap,
    YScalar,
    field_path,
    get_str,
    get_str_map,
    suggest,
)
from headroom.spec.model import (
    RollingWindow,
    Window,
)

__all__ = [
    "DEFAULT_WINDOW_S",
    "WINDOW_PLACEHOLDER",
    "check_labels",
    "check_name",
    "check_objective",
    "check_timezone",
    "normalise_placeholder",
    "parse_ratio_text",
    "window_query",
    "window_warnings",
]

DEFAULT_WINDOW_S = 30 * 86400
"""30 days: the window when a spec names none (Sloth's ``--default-slo-period`` default too)."""
WINDOW_PLACEHOLDER = "{{window}}"
"""The range placeholder in PromQL templates, stored in this one spelling."""
_PLACEHOLDER = re.compile(r"\{\{\s*\.?window\s*\}\}")
_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABEL_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DAY_S = 86400
_OBJECTIVE_WARN = Decimal("0.99999")
"""At 99.999 % a 30-day budget is 25.9 s: one slow deploy spends it."""


def parse_ratio_text(scalar: YScalar) -> Decimal | None:
    """``0.999``, ``"0.999"``, ``99.9%`` or ``"99.9%"`` as an exact Decimal (from the text)."""
    number = scalar.decimal()
    if number is not None:
        return number
    if scalar.kind != "str":
        return None
    text = scalar.text.strip()
    percent = text.endswith("%")
    try:
        value = Decimal(text[:-1].strip() if percent else text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value.scaleb(-2) if percent else value


def check_objective(issues: Issues, line: int, path: str, value: Decimal, written: str) -> Decimal | None:
    """Objective in (0, 1), with the fix spelled out; a warning above 99.999 %."""
    if not value.is_finite() or not Decimal(0) < value < Decimal(1):
        if value.is_finite() and Decimal(50) <= value < Decimal(100):
            fix = f'write {value.scaleb(-2)} or "{written.strip()}%"'
        else:
            fix = 'write 0.999 or "99.9%"'
        issues.error(line, path, f"objective {written} is not in (0, 1)", fix)
        return None
    if value >= _OBJECTIVE_WARN:
        budget_s = float((Decimal(1) - value) * DEFAULT_WINDOW_S)
        issues.warning(
            line,
            path,
            f"objective {written} leaves a budget of {budget_s:.1f} s per 30 days",
            "few services can meet it; check that 99.99% or lower is not what you mean",
        )
    return value


def check_timezone(issues: Issues, line: int, path: str, name: str) -> bool:
    """True when ``name`` is an IANA time zone; else an issue with the closest name."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        hint = suggest(name, zoneinfo.available_timezones())
        issues.error(
            line,
            path,
            f"time zone {name!r} is not an IANA time zone name",
            f"{hint}e.g. Europe/Berlin or UTC",
        )
        return False
    return True


def window_warnings(issues: Issues, line: int, path: str, window: Window) -> None:
    """Rolling windows under a day or over 90 days rarely mean what their author wants."""
    if isinstance(window, RollingWindow) and not _DAY_S <= window.duration_s <= 90 * _DAY_S:
        issues.warning(
            line,
            path,
            f"a {window.text} window is unusual",
            "SLO windows are usually 7d to 30d (28d or 4w keeps weekdays aligned)",
        )


def window_query(
    issues: Issues, node: YMap, key: str, path: str, *, required: bool = False, spelling: str = "{{window}}"
) -> str | None:
    """A PromQL query with its window placeholder normalised; an error when it has none.

    ``spelling`` is how the fix writes the placeholder, in the dialect of the spec format.
    """
    text = get_str(issues, node, key, path, required=required)
    if text is None:
        return None
    normalised = normalise_placeholder(text)
    if WINDOW_PLACEHOLDER not in normalised:
        issues.error(
            node.line_of(key),
            field_path(path, key),
            f"{key} has no {spelling} placeholder",
            f"write the range as [{spelling}], e.g. rate(http_requests_total[{spelling}])",
        )
        return None
    return normalised


def normalise_placeholder(query: str) -> str:
    """``{{.window}}``, ``{{ window }}``, ``{{ .window }}`` -> ``{{window}}``; the rest verbatim."""
    return _PLACEHOLDER.sub(WINDOW_PLACEHOLDER, query)


def check_name(issues: Issues, line: int, path: str, name: str, pattern: re.Pattern[str] = _NAME) -> bool:
    """Service and SLO names go into ids, rule names and labels: letters, digits, - _ . only."""
    if pattern.match(name):
        return True
    issues.error(
        line,
        path,
        f"name {name!r} may hold only letters, digits, '-', '_' and '.' and must start and end"
        " with a letter or digit",
        f"e.g. {re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-_.') or 'checkout'}",
    )
    return False


def check_labels(issues: Issues, node: YMap, key: str, path: str) -> dict[str, str]:
    """Labels become Prometheus labels: keys ``[A-Za-z_][A-Za-z0-9_]*``, not reserved, values not empty."""
    labels = get_str_map(issues, node, key, path)
    raw = node.get(key)
    out: dict[str, str] = {}
    for k, v in labels.items():
        line = raw.line_of(k) if isinstance(raw, YMap) else node.line_of(key)
        where = f"{field_path(path, key)}.{k}"
        if not _LABEL_KEY.match(k) or k.startswith("__"):
            issues.error(
                line,
                where,
                f"label name {k!r} is not a valid Prometheus label name",
                "use letters, digits and _, not starting with a digit or __",
            )
        elif v == "":
            issues.error(line, where, f"label {k!r} has an empty value", "give it a value or remove it")
        else:
            out[k] = v
    return out
