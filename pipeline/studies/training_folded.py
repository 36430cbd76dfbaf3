"""The training plan's ``when`` on a literal condition and products by a literal one, folded (issue 15).

``formulas.plan`` reads a one-valued column as a literal (``constants``), and polars folds a literal's arithmetic but
not a ``when`` whose condition is a literal: with cp = 1 and no expert parallelism on every row, the context- and
expert-parallel times (``when(false).then(<a dozen operations>).otherwise(0.0)``) still computed both branches on every
joined row, and ``x * 1.0`` (the DP overlap at 0, one input pipeline stretch...) a copy of ``x``. ``folded`` gives each
expression with the branch the literal condition picks, and ``x`` for ``x * 1.0``, ``1.0 * x`` and ``x / 1.0``, cast to
Float64 as the folded node's result is (its other branch, or its other operand, a float literal): the same values.
"""

from __future__ import annotations

import io
import json

import polars as pl

FLOAT64 = {"Literal": "Float64"}
LOGICAL = ({"Boolean": "IsNull"}, {"Boolean": "IsNotNull"}, {"Boolean": "Not"})
ONES = ({"Literal": {"Dyn": {"Float": 1.0}}}, {"Literal": {"Scalar": {"Float64": 1.0}}})


def _float_literal(node: object) -> bool:
    literal = node.get("Literal") if isinstance(node, dict) else None
    return isinstance(literal, dict) and ("Float" in literal.get("Dyn", {}) or "Float64" in literal.get("Scalar", {}))


def _literal_only(node: object) -> bool:
    """Whether a serialized expression reads no column: scalar literals combined elementwise."""
    if not isinstance(node, dict) or len(node) != 1:
        return False
    kind, body = next(iter(node.items()))
    if kind == "Literal":
        return isinstance(body, dict) and ("Scalar" in body or "Dyn" in body)
    if kind == "BinaryExpr":
        return _literal_only(body["left"]) and _literal_only(body["right"])
    if kind == "Cast":
        return _literal_only(body["expr"])
    return kind == "Function" and body["function"] in LOGICAL and all(_literal_only(n) for n in body["input"])


def _as_float(node: object) -> dict:
    return {"Cast": {"expr": node, "dtype": FLOAT64, "options": "Strict"}}


def _truth(node: object) -> bool | None:
    """The value of a condition that is a literal on every row (a null condition picks ``otherwise``), else None."""
    if not isinstance(node, dict):
        return None
    if _literal_only(node):  # ``1.0 > 1`` (cp's ranks, a constant): its value, a null one picking ``otherwise``
        value = pl.select(_expr(node)).item()
        return value if isinstance(value, bool) else (False if value is None else None)
    binary = node.get("BinaryExpr")
    if binary and binary["op"] in ("And", "LogicalAnd", "Or", "LogicalOr"):
        # Kleene logic: x & false is false and x | true is true on every row, a null x included
        absorbing = binary["op"] in ("Or", "LogicalOr")
        if absorbing in (_truth(binary["left"]), _truth(binary["right"])):
            return absorbing
    return None


def fold(node: object) -> object:
    """``node`` (a serialized expression, parsed) with its literal conditions and products by 1.0 folded."""
    if isinstance(node, list):
        return [fold(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: fold(v) for k, v in node.items()}
    ternary, binary = node.get("Ternary"), node.get("BinaryExpr")
    if isinstance(ternary, dict) and (_float_literal(ternary["truthy"]) or _float_literal(ternary["falsy"])):
        truth = _truth(ternary["predicate"])
        if truth is not None:
            return _as_float(ternary["truthy"] if truth else ternary["falsy"])
    if isinstance(binary, dict) and binary["op"] in ("Multiply", "TrueDivide") and binary["right"] in ONES:
        return _as_float(binary["left"])
    if isinstance(binary, dict) and binary["op"] == "Multiply" and binary["left"] in ONES:
        return _as_float(binary["right"])
    return node


_DONE: dict[int, tuple[pl.Expr, pl.Expr]] = {}


def folded(batch: list[pl.Expr]) -> list[pl.Expr]:
    """``formulas.plan``'s ``rewrite``: each expression folded (``fold``), once per expression object (a plan's
    expressions are compiled once: the same objects, so ``model_subexpressions``' cache of them holds); one whose
    serialized form does not give it back exactly (a NaN literal) as it is."""
    out = []
    for expr in batch:
        found = _DONE.get(id(expr))
        if found is None:
            if len(_DONE) > 4096:
                _DONE.clear()
            found = _DONE[id(expr)] = (expr, _folded(expr))
        out.append(found[1])
    return out


def _folded(expr: pl.Expr) -> pl.Expr:
    text = expr.meta.serialize(format="json")
    try:
        if not pl.Expr.deserialize(io.StringIO(text), format="json").meta.eq(expr):
            return expr
    except pl.exceptions.ComputeError:
        return expr
    tree = json.loads(text)
    out = fold(tree)
    return expr if out == tree else _expr(out)


def _expr(node: object) -> pl.Expr:
    return pl.Expr.deserialize(io.StringIO(json.dumps(node)), format="json")
