"""Filter AST -> parameterised DuckDB SQL.

Nothing of the user's text reaches SQL except field names, and those only after they
are found among the file's actual columns; they are then quoted as identifiers
(``"latency_ms"``). Every value becomes a numbered parameter (``$1``, ``$2``, ...).

NULL semantics (two-valued, on purpose): each comparison, membership or truth test on
a NULL field is **false**, and ``not`` of it is true (SQL's own ``NOT NULL`` would be
NULL, dropping the row). So a row with an empty ``latency_ms`` does not match
``latency_ms <= 300`` and does match ``not latency_ms <= 300``. For a ``bad:`` filter
that means a row whose compared field is NULL is not bad, so it counts as good. Compare
with ``null`` to test for missing values: ``field == null`` / ``field != null``.

Values must suit the column's type: numbers compare with numeric columns, strings with
text columns, ``true``/``false`` with boolean columns; anything else is a ``DataError``
that says what the column holds, instead of a DuckDB conversion error at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb

from headroom.errors import DataError
from headroom.spec.filters import And, Compare, FilterExpr, IsTrue, Member, Not, Or, Scalar

__all__ = [
    "ColumnKind",
    "FilterTypeError",
    "Params",
    "column_kind",
    "compile_filter",
    "first_row",
    "quote_identifier",
]

ColumnKind = Literal["number", "text", "bool", "other"]

_NUMERIC_PREFIXES = (
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
    "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL",
)  # fmt: skip


def column_kind(duckdb_type: str) -> ColumnKind:
    """Which kind of literal a column of this DuckDB type can be compared with."""
    upper = duckdb_type.upper()
    if upper.startswith(_NUMERIC_PREFIXES):
        return "number"
    if upper == "VARCHAR":
        return "text"
    if upper == "BOOLEAN":
        return "bool"
    return "other"


def quote_identifier(name: str) -> str:
    """A column name as a DuckDB identifier: double-quoted, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Params:
    """Positional parameter values; ``add`` returns the placeholder for one value."""

    values: list[object] = field(default_factory=list)

    def add(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


class FilterTypeError(DataError):
    """A filter compares a column with a value of another kind (text with a number...).

    Carries the field and both kinds, so that the caller, which can read the file, may
    point at the row that made the column text.
    """

    def __init__(self, message: str, *, field: str, column_kind: ColumnKind, value_kind: ColumnKind) -> None:
        super().__init__(message)
        self.field = field
        self.column_kind = column_kind
        self.value_kind = value_kind


def _value_kind(value: Scalar) -> ColumnKind:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "text"


_LITERAL_HINT = {
    "number": "a number, e.g. 500",
    "text": 'a quoted string, e.g. "success"',
    "bool": "true or false",
}


@dataclass(frozen=True)
class _Context:
    columns: Mapping[str, str]
    where: str  # e.g. "events.csv, SLO checkout/availability (good)"

    def column(self, name: str) -> tuple[str, ColumnKind]:
        if name not in self.columns:
            have = ", ".join(self.columns) or "(none)"
            raise DataError(
                f"{self.where}: the filter reads field {name!r}, which the file does not have; "
                f"its columns are: {have}. Fix the filter or add the column to the file"
            )
        return quote_identifier(name), column_kind(self.columns[name])

    def check(self, name: str, kind: ColumnKind, value: Scalar) -> None:
        if value is None:
            return
        want = _value_kind(value)
        if kind == want:
            return
        holds = {"number": "numbers", "text": "text", "bool": "true/false", "other": ""}[kind]
        column_type = self.columns[name]
        if kind == "other":
            raise DataError(
                f"{self.where}: field {name!r} has type {column_type}, which filters cannot compare; "
                "give the column plain numbers, strings or true/false in every row"
            )
        raise FilterTypeError(
            f"{self.where}: field {name!r} holds {holds} ({column_type}) but the filter compares it "
            f"with {value!r}; write {_LITERAL_HINT[kind]}",
            field=name,
            column_kind=kind,
            value_kind=want,
        )


def _false_if_null(condition: str, under_not: bool) -> str:
    return f"COALESCE({condition}, FALSE)" if under_not else condition


def _compile(expr: FilterExpr, ctx: _Context, params: Params, under_not: bool) -> str:
    if isinstance(expr, Compare):
        ident, kind = ctx.column(expr.field)
        ctx.check(expr.field, kind, expr.value)
        if expr.value is None:
            if expr.op not in ("==", "!="):
                raise DataError(
                    f"{ctx.where}: {expr.field} {expr.op} null compares with null; "
                    f"use {expr.field} == null or {expr.field} != null"
                )
            return f"({ident} IS {'' if expr.op == '==' else 'NOT '}NULL)"
        op = "=" if expr.op == "==" else "<>" if expr.op == "!=" else expr.op
        return _false_if_null(f"{ident} {op} {params.add(expr.value)}", under_not)
    if isinstance(expr, Member):
        ident, kind = ctx.column(expr.field)
        for value in expr.values:
            ctx.check(expr.field, kind, value)
        present = [v for v in expr.values if v is not None]
        parts = []
        if present:
            placeholders = ", ".join(params.add(v) for v in present)
            parts.append(_false_if_null(f"{ident} IN ({placeholders})", under_not or expr.negated))
        if len(present) < len(expr.values):
            parts.append(f"({ident} IS NULL)")
        member = " OR ".join(parts)
        return f"(NOT ({member}))" if expr.negated else f"({member})"
    if isinstance(expr, IsTrue):
        ident, kind = ctx.column(expr.field)
        if kind == "bool":
            return _false_if_null(ident, under_not)
        if kind == "number":
            return _false_if_null(f"{ident} <> 0", under_not)
        raise DataError(
            f"{ctx.where}: the filter tests field {expr.field!r} as true/false but it holds "
            f'{ctx.columns[expr.field]}; compare it instead, e.g. {expr.field} == "yes"'
        )
    if isinstance(expr, Not):
        return f"(NOT {_compile(expr.operand, ctx, params, True)})"
    joiner = " AND " if isinstance(expr, And) else " OR "
    assert isinstance(expr, And | Or)
    return "(" + joiner.join(_compile(o, ctx, params, under_not) for o in expr.operands) + ")"


def compile_filter(
    expr: FilterExpr, columns: Mapping[str, str], params: Params, *, where: str, negated: bool = False
) -> str:
    """SQL condition for ``expr`` over ``columns`` (name -> DuckDB type), for a WHERE or
    FILTER clause. Values are appended to ``params``; ``where`` names the file and SLO
    for error messages.

    Every condition under a ``not`` is wrapped so that NULL reads as false (see the module
    docstring); pass ``negated=True`` when the caller puts the whole filter under ``NOT``.
    Outside of any ``not`` a NULL comparison is left NULL: a WHERE or FILTER clause drops
    it like false, and without negation ``and``/``or`` give the same answer either way
    (Kleene's three-valued logic is monotone), so the per-row ``COALESCE`` is saved.
    """
    return _compile(expr, _Context(columns, where), params, negated)


def first_row(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """The first row of an executed query, fetching all of it.

    DuckDB 2 refuses new work on a connection whose last result was not read to the
    end, so a bare ``fetchone()`` would leave the connection unusable.
    """
    rows = result.fetchall()
    return tuple(rows[0]) if rows else None
