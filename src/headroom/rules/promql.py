"""A small PromQL builder: expressions as trees, rendered to text in one place.

Pure. Rules are built from these nodes, never by editing PromQL strings (STYLE habit 10).
The one exception is the user's own query text: ``{{window}}`` is substituted by
:func:`substitute_window` and the result is carried as a :class:`Raw` node.

Rendering reproduces Sloth's text byte for byte where Sloth has a shape (operators on their
own line, ``(`` blocks indented by four spaces in alerts), so generated files diff cleanly
against Sloth's golden output.

Numbers render as Go's ``%g`` / ``%v`` does (:func:`format_go_float`): Sloth prints factors
and error budgets with it, so ``14.4``, ``6``, ``5.6000000000000005`` and
``0.0009999999999999432`` come out as in its files.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias

__all__ = [
    "WINDOW_PLACEHOLDER",
    "Aggregate",
    "Binary",
    "Block",
    "Call",
    "Expr",
    "Matcher",
    "Matching",
    "Number",
    "Paren",
    "Range",
    "Raw",
    "Selector",
    "format_go_float",
    "format_go_float_f",
    "le_matcher",
    "le_spellings",
    "parse_matchers",
    "quote_string",
    "render",
    "substitute_window",
    "window_selectors",
]

WINDOW_PLACEHOLDER = "{{window}}"
"""The normalised placeholder every loader writes into queries (Sloth's ``{{.window}}`` becomes this)."""


# ---------------------------------------------------------------- numbers


def _shortest_digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits of a positive finite float and its decimal-point position.

    ``(digits, dp)`` means ``0.<digits> x 10**dp``, as Go's ``strconv`` decimal does;
    Python's ``repr`` is also shortest round-trip, so the digits agree with Go's.
    """
    _, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(str(d) for d in digit_tuple).lstrip("0")
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    return stripped, len(stripped) + exponent


def format_go_float(value: float) -> str:
    """``fmt.Sprintf("%v", value)`` in Go, which is ``strconv.FormatFloat(value, 'g', -1, 64)``.

    Shortest round-trip digits; the exponent form is used when the decimal exponent is
    < -4 or >= 6 (Go's rule for the shortest precision), with at least two exponent digits
    (``1e-05``, ``1e+06``). Integral values have no ``.0``: ``6``, ``30``.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits, dp = _shortest_digits(abs(value))
    exp = dp - 1
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return sign + _plain(digits, dp)


def format_go_float_f(value: float) -> str:
    """``strconv.FormatFloat(value, 'f', -1, 64)``: shortest digits, never an exponent."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits, dp = _shortest_digits(abs(value))
    return sign + _plain(digits, dp)


def _plain(digits: str, dp: int) -> str:
    if dp <= 0:
        return "0." + "0" * -dp + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]


# ---------------------------------------------------------------- histogram bucket bounds


def le_spellings(threshold_s: float) -> tuple[str, ...]:
    """The ways client libraries write the bucket bound ``threshold_s`` in an ``le`` label.

    Prometheus before 3.0 stores ``le`` exactly as the target exposed it (checked with the
    Prometheus 2.42 installed here: a scrape of ``le="0.30"`` and ``le="1.0"`` stores
    ``"0.30"`` and ``"1.0"``), so the same bound can arrive as different strings:

    * Go ``client_golang`` (``expfmt``): ``strconv.FormatFloat(f, 'g', -1, 64)``, and ``1``
      for one: ``0.3``, ``1``, ``10``, ``1e-05``;
    * Python ``prometheus_client``, OpenMetrics text, and Prometheus 3's ingestion-time
      normalisation: integral bounds get ``.0`` (``1.0``, ``10.0``);
    * Java ``simpleclient`` (``Double.toString``): ``1.0E-5`` below 1e-3;
    * hand-written exporters: the plain decimal ``0.00001``.

    The first spelling is the canonical one (Go's). One zero-padded spelling (``0.30`` for
    ``0.3``) is matched too: hand-written exporters and config-driven bucket lists write it,
    Prometheus 2 keeps it as written, and it is the case users report ("0.3" and "0.30" must
    match). Matching the few real spellings with one anchored regex keeps a rule file
    correct whichever client exposes the histogram and across the Prometheus 3 upgrade,
    where ``1`` becomes ``1.0``. (A histogram exposed in two spellings at once would be
    counted twice, which no single exporter does.)
    """
    canonical = format_go_float(threshold_s)
    spellings = [canonical]
    if float(threshold_s).is_integer() and "e" not in canonical:
        spellings.append(canonical + ".0")
    spellings.append(format_go_float_f(threshold_s))
    if "." in canonical and "e" not in canonical:
        spellings.append(canonical + "0")
    if 0 < threshold_s < 1e-3:
        digits, dp = _shortest_digits(threshold_s)
        mantissa = digits[0] + "." + (digits[1:] or "0")
        spellings.append(f"{mantissa}E{dp - 1}")
    return tuple(dict.fromkeys(spellings))


_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")


def le_matcher(threshold_s: float) -> Matcher:
    """``le="0.3"`` when the bound has one spelling, else ``le=~"1|1\\.0"`` over :func:`le_spellings`."""
    spellings = le_spellings(threshold_s)
    if len(spellings) == 1:
        return Matcher("le", "=", spellings[0])
    return Matcher("le", "=~", "|".join(_REGEX_SPECIAL.sub(r"\\\1", s) for s in spellings))


# ---------------------------------------------------------------- nodes


def quote_string(value: str) -> str:
    """A PromQL double-quoted string literal (backslash, quote and newline escaped)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


@dataclass(frozen=True)
class Number:
    """A float literal, rendered with :func:`format_go_float`."""

    value: float


@dataclass(frozen=True)
class Raw:
    """PromQL text the user wrote (window already substituted); rendered as it is."""

    text: str


@dataclass(frozen=True)
class Matcher:
    """One label matcher: ``name op "value"`` with ``op`` in ``= != =~ !~``."""

    name: str
    op: str
    value: str

    def __post_init__(self) -> None:
        if self.op not in ("=", "!=", "=~", "!~"):
            raise ValueError(f"label matcher operator {self.op!r} is not one of = != =~ !~")


@dataclass(frozen=True)
class Selector:
    """``metric{matchers}``. ``raw_matchers`` is the user's matcher text (no braces), placed first.

    ``separator`` is ``", "`` in Sloth's ID selectors and ``","`` next to user text.
    """

    metric: str
    matchers: tuple[Matcher, ...] = ()
    raw_matchers: str = ""
    separator: str = ", "


@dataclass(frozen=True)
class Range:
    """``<selector>[<window>]``: a range vector over a Prometheus duration such as ``30d``."""

    selector: Selector
    window: str


@dataclass(frozen=True)
class Call:
    """``name(arg, ...)``."""

    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Aggregate:
    """``op(expr) without (labels)`` / ``op(expr) by (labels)``; modifier after, as Sloth writes it."""

    op: str
    expr: Expr
    without: tuple[str, ...] = ()
    by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Matching:
    """Vector matching on a binary operator: ``on(a, b) group_left`` or ``ignoring (a)``.

    ``space`` puts a space between the keyword and ``(``: Sloth writes ``on(...)`` but
    ``ignoring (...)``, and we keep both so the text matches.
    """

    keyword: str
    labels: tuple[str, ...]
    group: str = ""
    space: bool = False

    def text(self) -> str:
        sep = " " if self.space else ""
        group = f" {self.group}" if self.group else ""
        return f"{self.keyword}{sep}({', '.join(self.labels)}){group}"


@dataclass(frozen=True)
class Binary:
    """``lhs op rhs``; with ``multiline`` the operator (and its matching) sits on its own line."""

    op: str
    lhs: Expr
    rhs: Expr
    matching: Matching | None = None
    multiline: bool = False


@dataclass(frozen=True)
class Paren:
    """``(expr)`` on one line."""

    expr: Expr


@dataclass(frozen=True)
class Block:
    """``(`` newline, ``expr`` indented by ``indent`` spaces, newline ``)``."""

    expr: Expr
    indent: int = 2


Expr: TypeAlias = Number | Raw | Selector | Range | Call | Aggregate | Binary | Paren | Block


def render(expr: Expr) -> str:
    """PromQL text of an expression tree."""
    match expr:
        case Number(value):
            return format_go_float(value)
        case Raw(text):
            return text
        case Selector(metric, matchers, raw_matchers, separator):
            parts = [raw_matchers.strip()] if raw_matchers.strip() else []
            parts += [f"{m.name}{m.op}{quote_string(m.value)}" for m in matchers]
            return f"{metric}{{{separator.join(parts)}}}" if parts else metric
        case Range(selector, window):
            return f"{render(selector)}[{window}]"
        case Call(name, args):
            return f"{name}({', '.join(render(a) for a in args)})"
        case Aggregate(op, inner, without, by):
            modifier = ""
            if without:
                modifier = f" without ({', '.join(without)})"
            elif by:
                modifier = f" by ({', '.join(by)})"
            return f"{op}({render(inner)}){modifier}"
        case Binary(op, lhs, rhs, matching, multiline):
            operator = f"{op} {matching.text()}" if matching else op
            if multiline:
                return f"{render(lhs)}\n{operator}\n{render(rhs)}"
            return f"{render(lhs)} {operator} {render(rhs)}"
        case Paren(inner):
            return f"({render(inner)})"
        case Block(inner, indent):
            pad = " " * indent
            body = "\n".join(pad + line if line else line for line in render(inner).split("\n"))
            return f"(\n{body}\n)"
    raise TypeError(f"not a PromQL node: {expr!r}")


_PLACEHOLDER = re.compile(r"\{\{\s*\.?window\s*\}\}")


def substitute_window(query: str, window: str) -> str:
    """The user's query with every ``{{window}}`` (or Sloth's ``{{.window}}``) replaced by ``window``."""
    return _PLACEHOLDER.sub(window, query)


# ---------------------------------------------------------------- reading user selectors

_WINDOW_SELECTOR = re.compile(
    r"([A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{([^{}]*)\})?\s*\[\s*\{\{\s*\.?window\s*\}\}\s*\]"
)
_MATCHER = re.compile(
    r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')\s*"
)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text[1:-1])


def _split_commas(text: str) -> list[str]:
    parts, current, quote = [], "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote and not current.endswith("\\") else quote
        elif ch in "\"'":
            quote = ch
        elif ch == ",":
            parts.append(current)
            current = ""
            continue
        current += ch
    return [*parts, current]


def parse_matchers(text: str) -> tuple[Matcher, ...] | None:
    """``job="api", code=~"5.."`` as matchers; ``None`` when it is not a plain matcher list."""
    matchers: list[Matcher] = []
    for part in _split_commas(text):
        if not part.strip():
            continue
        match = _MATCHER.fullmatch(part)
        if match is None:
            return None
        matchers.append(Matcher(match.group(1), match.group(2), _unquote(match.group(3))))
    return tuple(matchers)


def window_selectors(query: str) -> list[Selector] | None:
    """The distinct ``metric{matchers}[{{window}}]`` selectors of a user query, in order.

    A small reader, not a PromQL parser: it finds range selectors over the placeholder and
    reads their matchers. ``None`` when a matcher list cannot be read.
    """
    found: list[Selector] = []
    for match in _WINDOW_SELECTOR.finditer(query):
        matchers = parse_matchers(match.group(2) or "")
        if matchers is None:
            return None
        selector = Selector(match.group(1), matchers)
        if selector not in found:
            found.append(selector)
    return found
