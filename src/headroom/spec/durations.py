"""Durations as SLO people write them: ``5m``, ``1h30m``, ``30d``, ``4w``.

Pure. Prometheus-style units (``ms s m h d w y``); a year is 365 days, as in Prometheus.
``format_duration`` renders the largest exact unit, so 28 days renders as ``4w`` (Sloth and
Prometheus do the same) and 30 days as ``30d``.
"""

from __future__ import annotations

import re

__all__ = ["DurationError", "format_duration", "parse_duration_s"]

_UNIT_S: dict[str, int] = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_PART = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")


class DurationError(ValueError):
    """A duration string is malformed; the message quotes it and shows the form."""


def parse_duration_s(text: str) -> int:
    """Seconds in a duration such as ``30d`` or ``1h30m``; millisecond parts must add to whole seconds."""
    raw = str(text).strip()
    if not raw:
        raise DurationError("empty duration; write e.g. 5m, 1h, 30d or 4w")
    pos = 0
    total_ms = 0
    for match in _PART.finditer(raw):
        if match.start() != pos:
            break
        value, unit = int(match.group(1)), match.group(2)
        total_ms += value if unit == "ms" else value * _UNIT_S[unit] * 1000
        pos = match.end()
    if pos != len(raw):
        raise DurationError(f"duration {raw!r} is not of the form 30d, 1h30m or 5m (units: s m h d w y)")
    if total_ms <= 0 or total_ms % 1000:
        raise DurationError(f"duration {raw!r} must be a positive whole number of seconds")
    return total_ms // 1000


def format_duration(seconds: int) -> str:
    """Prometheus-style text for a duration: the largest unit that divides it exactly."""
    if seconds <= 0:
        raise DurationError(f"duration of {seconds} s is not positive")
    for unit in ("y", "w", "d", "h", "m", "s"):
        size = _UNIT_S[unit]
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    raise AssertionError("unreachable: every whole number of seconds divides by 1")
