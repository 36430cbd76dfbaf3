"""The training plan's literal conditions, products by 1.0 and arithmetic on a null, folded (issue 15).

``formulas.plan`` reads a one-valued column as a literal (``constants``), and polars folds a literal's arithmetic but
not a ``when`` whose condition is a literal: with cp = 1 and no expert parallelism on every row, the context- and
expert-parallel times (``when(1.0 > 1).then(<a dozen operations>).otherwise(0.0)``) still computed both branches on
every joined row, ``x * 1.0`` (the DP overlap at 0...) a copy of ``x``, and without a storage or host input pipeline
(a null bandwidth) its utilization was null arithmetic per row, read by the step's stretch, the bound and the four
elasticities' branches in the levels after. ``folding`` gives each level's expressions with the branch a literal
condition picks, ``x`` for ``x * 1.0``, ``1.0 * x`` and ``x / 1.0``, a null for arithmetic on a null, a column-free
subtree's value, and a column an earlier level folded to a null (or a boolean) read as that literal; a folded node
cast to Float64 as its result was (its other branch, or its other operand, a float literal or a null): the same values
(``tests/studies/test_training_folded.py`` compares the bits of every row of a plan with the unfolded plan's).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType

import polars as pl

from pipeline.studies.model_subexpressions import cached, exact_tree, from_tree

FLOAT64 = {"Literal": "Float64"}
LOGICAL = ({"Boolean": "IsNull"}, {"Boolean": "IsNotNull"}, {"Boolean": "Not"}, "FillNull", {"Clip": {
    "has_min": True, "has_max": False}}, {"Clip": {"has_min": False, "has_max": True}})  # column-free: evaluated
NULL_F64 = {"Literal": {"Scalar": {"Null": "Float64"}}}
ARITHMETIC = ("Plus", "Minus", "Multiply", "TrueDivide")
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
        value = _evaluated(node)
        return None if value is None or value.dtype not in (pl.Boolean, pl.Null) else bool(value[0])
    binary = node.get("BinaryExpr")
    if binary and binary["op"] in ("And", "LogicalAnd", "Or", "LogicalOr"):
        # Kleene logic: x & false is false and x | true is true on every row, a null x included
        absorbing = binary["op"] in ("Or", "LogicalOr")
        if absorbing in (_truth(binary["left"]), _truth(binary["right"])):
            return absorbing
    return None


def _string_literal(node: object) -> bool:
    literal = node.get("Literal") if isinstance(node, dict) else None
    scalar = literal.get("Scalar", {}) if isinstance(literal, dict) else {}
    return isinstance(literal, dict) and ("Str" in literal.get("Dyn", {})
                                          or bool({"String", "Categorical"} & set(scalar)))


def _is_null(node: object) -> bool:
    """A null literal (of any dtype), or one cast to Float64."""
    if isinstance(node, dict) and "Cast" in node:
        return node["Cast"]["dtype"] == FLOAT64 and _is_null(node["Cast"]["expr"])
    literal = node.get("Literal") if isinstance(node, dict) else None
    return isinstance(literal, dict) and isinstance(literal.get("Scalar"), dict) and "Null" in literal["Scalar"]


def _evaluated(node: dict) -> pl.Series | None:
    """A column-free subtree's one value, or None where polars cannot evaluate it alone."""
    try:
        value = pl.select(from_tree(node)).to_series()
    except pl.exceptions.PolarsError:
        return None
    return value if value.len() == 1 else None


def _value(node: dict) -> dict | None:
    """A column-free subtree's value as a Float64 or Boolean literal (finite), else None."""
    value = _evaluated(node)
    if value is None:
        return None
    if value.dtype == pl.Float64 and value[0] is not None and math.isfinite(value[0]):
        return {"Literal": {"Scalar": {"Float64": value[0]}}}
    if value.dtype == pl.Boolean and value[0] is not None:
        return {"Literal": {"Scalar": {"Boolean": value[0]}}}
    return None


def fold(node: object, known: Mapping[str, object] = MappingProxyType({})) -> object:
    """``node`` (a serialized expression, parsed) with its literal conditions, products by 1.0, arithmetic on a null
    and column-free subtrees folded; ``known``: columns null (or a boolean) on every row, read as that literal."""
    if isinstance(node, list):
        return [fold(n, known) for n in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("Column"), str) and node["Column"] in known:
        return known[node["Column"]]
    node = {k: fold(v, known) for k, v in node.items()}
    ternary, binary, function = node.get("Ternary"), node.get("BinaryExpr"), node.get("Function")
    if isinstance(ternary, dict):
        truth = _truth(ternary["predicate"])
        branches = (ternary["truthy"], ternary["falsy"])
        if truth is not None and any(_float_literal(b) or b == NULL_F64 for b in branches):
            return _as_float(ternary["truthy"] if truth else ternary["falsy"])
        if truth is not None and any(map(_string_literal, branches)):  # the bound's words: String both
            return ternary["truthy"] if truth else ternary["falsy"]
    if isinstance(binary, dict):
        if binary["op"] in ARITHMETIC and (_is_null(binary["left"]) or _is_null(binary["right"])):
            return NULL_F64  # null arithmetic: null on every row
        if binary["op"] in ("Multiply", "TrueDivide") and binary["right"] in ONES:
            return _as_float(binary["left"])
        if binary["op"] == "Multiply" and binary["left"] in ONES:
            return _as_float(binary["right"])
    if isinstance(function, dict) and function["function"] in ("MaxHorizontal", "MinHorizontal") \
            and all(map(_is_null, function["input"])):
        return NULL_F64
    if "Literal" not in node and _literal_only(node):
        return _value(node) or node
    return node


def folding() -> Callable[[list[pl.Expr]], list[pl.Expr]]:
    """A ``formulas.plan`` ``rewrite`` for one plan: each level's expressions folded (``fold``), the columns an earlier
    level folded to a null (or boolean) literal read as it; each expression once per object and columns known (a
    plan's expressions are compiled once: the same objects, so ``model_subexpressions``' cache of them holds); one
    whose serialized form does not give it back exactly (a NaN literal) as it is."""
    known: dict[str, object] = {}

    def rewrite(batch: list[pl.Expr]) -> list[pl.Expr]:
        out, key = [], ("folded", json.dumps(known, sort_keys=True))  # the columns known and their literals
        for expr in batch:
            folded, literal = cached(expr, key, lambda expr=expr: _folded(expr, known))
            out.append(folded)
            if literal is not None:
                known[literal[0]] = literal[1]
        return out
    return rewrite


def _folded(expr: pl.Expr, known: Mapping[str, object]) -> tuple[pl.Expr, tuple | None]:
    """``expr`` folded, and (its name, its literal) where it is a null or boolean literal."""
    tree = exact_tree(expr)
    if tree is None:
        return expr, None
    out = fold(tree, known)
    alias = out.get("Alias") if isinstance(out, dict) else None
    literal = None
    if alias and (_is_null(alias[0]) or isinstance(alias[0].get("Literal", {}).get("Scalar", {}).get("Boolean"), bool)
                  if isinstance(alias[0], dict) else False):
        literal = (alias[1], alias[0])
    return (expr if out == tree else from_tree(out)), literal
