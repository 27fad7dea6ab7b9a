"""The event filter grammar: parsed into a small AST, never pasted into a query.

Pure. Filters select events by their fields, e.g. ``status < 500``,
``latency_ms <= 300``, ``outcome == "success" and not hallucinated``,
``code in (500, 502, 503)``. The store compiles the AST to parameterised SQL
(``store/sql.py``); nothing of the user's text reaches SQL except validated
field names, which are quoted as identifiers.

Grammar (lowest precedence first)::

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | atom
    atom       := "(" expr ")" | comparison | membership | field      # a bare field means "is true"
    comparison := field OP literal          OP: == != < <= > >=   (= is accepted as ==)
    membership := field ["not"] "in" "(" literal ("," literal)* ")"
    literal    := number | "string" | 'string' | true | false | null
    field      := [A-Za-z_][A-Za-z0-9_.]*
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeAlias

__all__ = [
    "And",
    "Compare",
    "FilterExpr",
    "FilterSyntaxError",
    "IsTrue",
    "Member",
    "Not",
    "Or",
    "Scalar",
    "fields_of",
    "parse_filter",
    "render_filter",
]

Scalar: TypeAlias = int | float | str | bool | None
CompareOp = Literal["==", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True)
class Compare:
    field: str
    op: CompareOp
    value: Scalar


@dataclass(frozen=True)
class Member:
    field: str
    values: tuple[Scalar, ...]
    negated: bool = False


@dataclass(frozen=True)
class IsTrue:
    field: str


@dataclass(frozen=True)
class Not:
    operand: FilterExpr


@dataclass(frozen=True)
class And:
    operands: tuple[FilterExpr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[FilterExpr, ...]


FilterExpr: TypeAlias = Compare | Member | IsTrue | Not | And | Or


class FilterSyntaxError(ValueError):
    """A filter does not parse. ``column`` is 1-based within the filter text."""

    def __init__(self, message: str, text: str, column: int) -> None:
        self.text = text
        self.column = column
        super().__init__(f"{message} at column {column} of {text!r}")


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>==|!=|<=|>=|<|>|=)
      | (?P<punct>[(),])
      | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    col: int


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.lastgroup is None:
            col = pos + 1 + (len(text[pos:]) - len(text[pos:].lstrip()))
            raise FilterSyntaxError(f"unexpected character {text[col - 1]!r}", text, col)
        kind = m.lastgroup
        value = m.group(kind)
        col = m.start(kind) + 1
        if kind == "name" and value.lower() in _KEYWORDS:
            kind = value.lower()
            value = value.lower()
        toks.append(_Tok(kind, value, col))
        pos = m.end()
    toks.append(_Tok("end", "", len(text) + 1))
    return toks


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self, kind: str | None = None, text: str | None = None) -> _Tok:
        tok = self.peek()
        if (kind is not None and tok.kind != kind) or (text is not None and tok.text != text):
            want = text or kind or "token"
            got = tok.text or "end of filter"
            raise FilterSyntaxError(f"expected {want!r} but found {got!r}", self.text, tok.col)
        self.i += 1
        return tok

    def parse(self) -> FilterExpr:
        if self.peek().kind == "end":
            raise FilterSyntaxError("empty filter; write e.g. status < 500", self.text, 1)
        expr = self.or_expr()
        tok = self.peek()
        if tok.kind != "end":
            raise FilterSyntaxError(
                f"unexpected {tok.text!r}; join conditions with 'and' / 'or'", self.text, tok.col
            )
        return expr

    def or_expr(self) -> FilterExpr:
        items = [self.and_expr()]
        while self.peek().kind == "or":
            self.take("or")
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> FilterExpr:
        items = [self.not_expr()]
        while self.peek().kind == "and":
            self.take("and")
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self) -> FilterExpr:
        if self.peek().kind == "not":
            self.take("not")
            return Not(self.not_expr())
        return self.atom()

    def atom(self) -> FilterExpr:
        tok = self.peek()
        if tok.kind == "punct" and tok.text == "(":
            self.take()
            inner = self.or_expr()
            self.take("punct", ")")
            return inner
        if tok.kind != "name":
            raise FilterSyntaxError(
                f"expected a field name but found {tok.text or 'end of filter'!r}", self.text, tok.col
            )
        field = self.take("name").text
        nxt = self.peek()
        if nxt.kind == "op":
            self.take()
            op = "==" if nxt.text == "=" else nxt.text
            return Compare(field, op, self.literal())  # type: ignore[arg-type]
        if nxt.kind == "in" or (nxt.kind == "not" and self.toks[self.i + 1].kind == "in"):
            negated = nxt.kind == "not"
            if negated:
                self.take("not")
            self.take("in")
            self.take("punct", "(")
            values = [self.literal()]
            while self.peek().text == ",":
                self.take("punct", ",")
                values.append(self.literal())
            self.take("punct", ")")
            return Member(field, tuple(values), negated)
        return IsTrue(field)

    def literal(self) -> Scalar:
        tok = self.peek()
        if tok.kind == "num":
            self.take()
            return float(tok.text) if any(c in tok.text for c in ".eE") else int(tok.text)
        if tok.kind == "str":
            self.take()
            body = tok.text[1:-1]
            return re.sub(r"\\(.)", r"\1", body)
        if tok.kind in ("true", "false"):
            self.take()
            return tok.kind == "true"
        if tok.kind == "null":
            self.take()
            return None
        raise FilterSyntaxError(
            f'expected a value (number, "string", true, false) but found {tok.text or "end of filter"!r}',
            self.text,
            tok.col,
        )


def parse_filter(text: str) -> FilterExpr:
    """Parse filter text into its AST; raises FilterSyntaxError with the column."""
    return _Parser(str(text)).parse()


def fields_of(expr: FilterExpr) -> frozenset[str]:
    """Every event field a filter reads."""
    if isinstance(expr, Compare | Member | IsTrue):
        return frozenset({expr.field})
    if isinstance(expr, Not):
        return fields_of(expr.operand)
    out: frozenset[str] = frozenset()
    for operand in expr.operands:
        out |= fields_of(operand)
    return out


def _render_value(value: Scalar) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def render_filter(expr: FilterExpr) -> str:
    """Canonical text of a filter; ``parse_filter(render_filter(e)) == e``."""
    if isinstance(expr, Compare):
        return f"{expr.field} {expr.op} {_render_value(expr.value)}"
    if isinstance(expr, Member):
        values = ", ".join(_render_value(v) for v in expr.values)
        return f"{expr.field} {'not in' if expr.negated else 'in'} ({values})"
    if isinstance(expr, IsTrue):
        return expr.field
    if isinstance(expr, Not):
        inner = render_filter(expr.operand)
        return f"not ({inner})" if isinstance(expr.operand, And | Or) else f"not {inner}"
    joiner = " and " if isinstance(expr, And) else " or "
    return joiner.join(
        f"({render_filter(o)})" if isinstance(o, And | Or) else render_filter(o) for o in expr.operands
    )
