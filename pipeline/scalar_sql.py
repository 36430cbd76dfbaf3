"""The third rendering of a formula: DuckDB SQL (issue 15 item 1).

Under ``units.expression_library(scalar)`` the formulas build a graph of ``scalar.Expr`` nodes (units checked
while it is built, as for polars); ``render`` writes one node as a DuckDB SQL expression, so the views of a run
compute a derived column from the very formula the sweep runs on polars. A column is ``"name"``.

Values follow polars' semantics, checked against polars on hand values in tests/test_scalar_sql.py: NULL
propagates through arithmetic, comparisons and math; CASE takes the next branch on a NULL condition; AND/OR/NOT
are Kleene logic, as polars' ``&``/``|``/``~``; floats are IEEE (DuckDB 1.1 and later: ``x / 0`` is inf, ``0 / 0``
NaN) and DuckDB, like polars, orders NaN above every number and equal to itself. Where the two differ the SQL
says what polars does: the horizontal max skips NaN (``greatest`` would return it) and both keep the later
operand of a tie, ``clip`` keeps NaN and skips a NaN bound, the horizontal sum skips NULL, a float literal is
a DOUBLE (``1.5`` alone is a DECIMAL in DuckDB), ``log`` and ``sqrt`` of a non-positive number give -inf/NaN
(DuckDB 1.1 raises), an integer cast truncates (DuckDB rounds).
Operations without a rendering (``replace``, ``concat_str``) raise ``TypeError`` naming them.
"""

from __future__ import annotations

import math

from pipeline.scalar import Expr

_BINARY = {"+": "+", "-": "-", "*": "*", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "=", "!=": "<>",
           "&": "AND", "|": "OR"}
_CASTS = {"float": "DOUBLE", "str": "VARCHAR", "bool": "BOOLEAN"}
_UNARY = {"exp": "exp({})", "floor": "floor({})", "ceil": "ceil({})", "abs": "abs({})", "neg": "(-{})",
          "not": "(NOT {})", "is_null": "({} IS NULL)", "is_not_null": "({} IS NOT NULL)"}


def literal(value) -> str:
    """A constant as SQL: floats as DOUBLE (exponent form; inf and NaN spelled out), text quoted."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return f"CAST({value} AS BIGINT)"
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"CAST('{value}' AS DOUBLE)"
        text = repr(value)
        return f"({text if 'e' in text else text + 'e0'})"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__} {value!r}")


def column(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _not_nan(sql: str) -> str:
    return f"(CASE WHEN isnan(CAST({sql} AS DOUBLE)) THEN NULL ELSE {sql} END)"


def render(node: Expr) -> str:
    """``node`` (a scalar expression graph) as one DuckDB SQL expression."""
    op, args = node.op, node.args
    if op == "lit":
        return literal(args[0])
    if op == "col":
        return column(args[0])
    if op == "alias":
        return render(args[0])
    r = [render(a) if isinstance(a, Expr) else None for a in args]
    if op == "/":
        return f"(CAST({r[0]} AS DOUBLE) / {r[1]})"
    if op in _BINARY:
        return f"({r[0]} {_BINARY[op]} {r[1]})"
    if op in _UNARY:
        return _UNARY[op].format(r[0])
    if op == "pow":
        return f"pow(CAST({r[0]} AS DOUBLE), {r[1]})"
    if op == "//":
        return f"floor(CAST({r[0]} AS DOUBLE) / {r[1]})"
    if op == "%":  # polars (and Python): the sign of the divisor
        return f"({r[0]} - {r[1]} * floor(CAST({r[0]} AS DOUBLE) / {r[1]}))"
    if op == "log":
        x = f"CAST({r[0]} AS DOUBLE)"
        ln = f"CASE WHEN {x} > 0 THEN ln({x}) WHEN {x} = 0 THEN CAST('-inf' AS DOUBLE) " \
             f"WHEN {x} < 0 THEN CAST('nan' AS DOUBLE) ELSE {x} END"
        return f"({ln})" if args[1] == math.e else f"(({ln}) / {literal(math.log(args[1]))})"
    if op == "sqrt":
        x = f"CAST({r[0]} AS DOUBLE)"
        return f"(CASE WHEN {x} < 0 THEN CAST('nan' AS DOUBLE) ELSE sqrt({x}) END)"
    if op == "cast":
        if args[1] == "int":
            return f"CAST(trunc({r[0]}) AS BIGINT)"
        return f"CAST({r[0]} AS {_CASTS[args[1]]})"
    if op == "fill_null":
        return f"COALESCE({r[0]}, {r[1]})"
    if op == "coalesce":
        return f"COALESCE({', '.join(r)})"
    # polars skips NULL and NaN unless every operand is NaN, and on a tie the later operand wins (0.0 vs -0.0):
    # DuckDB's least/greatest skip NULL, keep the first of a tie (so the operands go in reversed) and order NaN
    # above every number (least skips it already)
    if op == "min_h":
        return f"least({', '.join(reversed(r))})"
    if op == "max_h":
        return f"COALESCE(greatest({', '.join(_not_nan(x) for x in reversed(r))}), greatest({', '.join(r)}))"
    if op == "sum_h":
        return "(" + " + ".join(f"COALESCE({x}, 0)" for x in r) + ")"
    if op == "clip":  # polars: NaN stays NaN, a NaN or NULL bound is not applied, the lower bound is tried first
        x = f"CAST({r[0]} AS DOUBLE)"
        cases = [f"WHEN isnan({x}) THEN {x}"]
        if r[1] is not None:
            cases.append(f"WHEN {x} < {r[1]} AND NOT isnan(CAST({r[1]} AS DOUBLE)) THEN {r[1]}")
        if r[2] is not None:
            cases.append(f"WHEN {x} > {r[2]} THEN {r[2]}")
        return f"(CASE {' '.join(cases)} ELSE {x} END)"
    if op == "is_in":
        values = sorted(args[1], key=repr)
        return f"({r[0]} IN ({', '.join(literal(v) for v in values)}))" if values else "FALSE"
    if op == "when":
        *pairs, default = r
        cases = " ".join(f"WHEN {c} THEN {v}" for c, v in zip(pairs[::2], pairs[1::2]))
        return f"(CASE {cases} ELSE {default} END)"
    raise TypeError(f"the SQL rendering has no operation {op!r}")
