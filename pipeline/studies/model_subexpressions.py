"""Subexpressions of a joined plan that read the model side only, computed on the model side before the join (issue 15).

A training row is a hardware row x a model-side row (6.7 M rows from 49 x 187,350 in `mlsys bench --study training
--rows 3000000`). ``training_model_terms`` computes the terms that read the model side only there; a term that reads
both sides is still computed per joined row, and many of its inner products and branches read model-side columns
only (the layers of a stage under a recomputation mode, a microbatch's tokens per TP rank...). ``with_subexpressions``
finds the largest such subtrees of the plan's expressions (elementwise ones only: a column's value a row), computes
each once a model-side row as a column named for the subtree's serialized text (``__sub_<hash>``), and ``rewriter``
gives ``formulas.plan`` a rewrite that reads that column where the plan has that subtree. The formulas stay the only
implementation: a subtree is replaced only by the column its own expression computed, on the same values, so the
same values; an expression whose serialized form does not give it back exactly (a NaN or infinite literal) is left
as it is. A subtree that also reads a hardware column of a few values (``few_valued``: training's saved GEMM input
bytes, 1 or 2 B) is computed once per value (that column as a column of the value, not a literal polars would fold),
and the plan reads, on each row, the column of the row's value.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import replace
from typing import TypeVar

import polars as pl

from pipeline.studies.sides import Space

T = TypeVar("T")
PREFIX = "__sub_"  # a subtree's column on the model side: ``__sub_<hash of its serialized text>``
MIN_SAVED = 10  # operations a joined row saves (a subtree's operations x its uses) for its column to be joined
# A hardware column of this many values at most (``few_valued``) is read by a subtree as one model-side column per value
# (training's `saved_gemm_input_bytes_per_element`, 1 or 2 B: `activation_bytes_per_layer`'s ~60 operations a row)
MAX_VALUES = 2
# the expression nodes evaluated a row at a time (a subtree with anything else, an aggregation, stays in the plan)
ELEMENTWISE = {"Column", "Literal", "BinaryExpr", "Ternary", "Cast", "Function"}
FUNCTIONS = {"FillNull", "MaxHorizontal", "MinHorizontal", "Ceil", "Floor", "Log", "Negate", "Clip", "Abs", "Sqrt",
             "Exp", "Pow", "IsNull", "IsNotNull", "Not"}


def exact_tree(expr: pl.Expr) -> object | None:
    """``expr`` serialized as JSON and parsed, or None where that text does not give ``expr`` back exactly."""
    text = expr.meta.serialize(format="json")
    try:
        back = pl.Expr.deserialize(io.StringIO(text), format="json")
    except pl.exceptions.ComputeError:
        return None
    return json.loads(text) if back.meta.eq(expr) else None


def _text(node: object) -> str:
    return json.dumps(node, separators=(",", ":"))


def from_tree(node: object) -> pl.Expr:
    """The expression of a parsed serialized tree (``exact_tree``'s inverse)."""
    return pl.Expr.deserialize(io.StringIO(_text(node)), format="json")


def name_of(node: object) -> str:
    """The model-side column of a subtree."""
    return PREFIX + hashlib.sha1(_text(node).encode()).hexdigest()[:16]


def _children(kind: str, body: object) -> list | None:
    """The operands of an elementwise expression node (``ELEMENTWISE``), or None for any other node."""
    if kind == "BinaryExpr":
        return [body["left"], body["right"]]
    if kind == "Ternary":
        return [body["predicate"], body["truthy"], body["falsy"]]
    if kind == "Cast":
        return [body["expr"]]
    if kind == "Function":
        function, name = body["function"], None
        if isinstance(function, str):
            name = function
        elif isinstance(function, dict) and len(function) == 1:  # {"Clip": {...}}, {"Boolean": "IsNull"}
            family, value = next(iter(function.items()))
            name = value if family == "Boolean" and isinstance(value, str) else family
        return body["input"] if name in FUNCTIONS else None
    if kind == "Literal":
        return None if isinstance(body, dict) and "Series" in body else []
    return [] if kind == "Column" else None


def subtrees(node: object, model: set[str], few: Mapping[str, list] | None = None) -> list[tuple[object, int]]:
    """The largest subtrees of a serialized expression that read ``model``'s columns only (at least one), elementwise,
    of at least one operation, with their operations; ``few``: columns of a few values (``few_valued``), of which such
    a subtree may read one too (and then the largest ones within it that read none are found too)."""
    found: list[tuple[object, int]] = []
    few = few or {}

    def visit(n: dict) -> tuple[bool, int, bool, set]:  # (model-side and elementwise, operations, reads a column,
        kind = next(iter(n))                              # the ``few`` columns read)
        if kind == "Column":
            return n[kind] in model or n[kind] in few, 0, True, {n[kind]} & few.keys()
        children = _children(kind, n[kind])
        if children is None:
            return False, 0, False, set()
        parts = [visit(c) for c in children]
        read = set().union(*(p[3] for p in parts))
        ok, column = all(p[0] for p in parts) and len(read) <= 1, any(p[2] for p in parts)
        if kind == "Ternary" and not parts[0][2]:  # a literal condition: polars keeps one branch
            return ok, max(parts[1][1], parts[2][1]), column, read
        return ok, sum(p[1] for p in parts) + column, column, read  # operations on literals alone are folded

    def largest(n: object, any_few: bool = True) -> None:
        if _is_node(n) and next(iter(n)) in ELEMENTWISE:
            ok, ops, column, read = visit(n)
            if ok and column and ops and (any_few or not read):
                found.append((n, ops))
                if not read:
                    return
                any_few = False
        for v in (n.values() if isinstance(n, dict) else n if isinstance(n, list) else ()):
            largest(v, any_few)

    largest(node)
    return found


def few_valued(space: Space, hardware_side: pl.DataFrame | None = None) -> dict[str, list[float]]:
    """The hardware side's own float columns of 2 to ``MAX_VALUES`` values, none null, NaN or zero (0.0 and -0.0 are
    equal), with their values (sorted); where ``hardware_side`` (the plan's, when not the space's) is given, only those
    whose values there are among them."""
    side, found = space.hardware_side, {}
    for c in sorted(own_columns(space.hardware_side, space.model_side)):
        values = side.get_column(c)
        if side.schema[c] == pl.Float64 and values.null_count() == 0 and 2 <= values.n_unique() <= MAX_VALUES \
                and not (values.is_nan() | (values == 0.0)).any():
            found[c] = sorted(values.unique().to_list())
    if hardware_side is not None:
        found = {c: v for c, v in found.items()
                 if c in hardware_side.columns and set(hardware_side.get_column(c).to_list()) <= set(v)}
    return found


def _reads(node: object, columns: Mapping) -> list[str]:
    """The columns of ``columns`` a serialized expression reads."""
    if isinstance(node, dict):
        if _is_node(node) and next(iter(node)) == "Column":
            return [node["Column"]] if node["Column"] in columns else []
        return [c for v in node.values() for c in _reads(v, columns)]
    return [c for v in node for c in _reads(v, columns)] if isinstance(node, list) else []


def _per_value(name: str, column: str, values: list[float]) -> object:
    """The serialized expression reading, on each row, the column of ``name`` computed at the row's value of
    ``column`` (``with_subexpressions``)."""
    chosen = pl.col(f"{name}_{len(values) - 1}")
    for i in reversed(range(len(values) - 1)):
        chosen = pl.when(pl.col(column) == values[i]).then(pl.col(f"{name}_{i}")).otherwise(chosen)
    return json.loads(chosen.meta.serialize(format="json"))


def _is_node(n: object) -> bool:
    return isinstance(n, dict) and len(n) == 1 and next(iter(n))[0].isupper()


def model_columns(space: Space) -> set[str]:
    """The columns of the model side alone (a column on both sides is the hardware side's too)."""
    return own_columns(space.model_side, space.hardware_side)


def own_columns(side: pl.DataFrame, other: pl.DataFrame) -> set[str]:
    """The columns of ``side`` that ``other`` does not hold."""
    return set(side.columns) - set(other.columns)


def with_subexpressions(space: Space, levels: Iterable[pl.Expr], renamed: dict[str, str]) -> Space:
    """``space`` whose model side also holds the model-side subtrees of ``levels`` (a plan's expressions) that save at
    least ``MIN_SAVED`` operations a joined row, as ``__sub_<hash>`` columns (units None: read by no formula), and those
    that also read a hardware column of a few values (``few_valued``) that save ``MIN_SAVED`` per value, as a column
    ``__sub_<hash>_<i>`` per value (the subtree at the i-th value, on every model-side row); ``renamed``: the plan's
    input columns that are model-side columns of other names (column -> model-side column)."""
    model, few = model_columns(space) | set(renamed), few_valued(space)
    trees = [tree for tree in map(exact_tree, levels) if tree is not None]
    kept = {name: (node, read) for name, (node, read) in _kept(trees, model, few).items() if read}
    # the subtrees of the model side alone, counted outside the few-valued ones held (read from their columns there)
    inside = {id(node): {"Column": name} for tree in trees for node, _ops in subtrees(tree, model, few)
              if (name := name_of(node)) in kept}
    kept |= _kept([_swapped(tree, inside)[0] for tree in trees], model, {})
    if not kept:
        return space
    source = space.model_side.with_columns(pl.col(c).alias(n) for n, c in renamed.items())
    values = []
    for name, (node, read) in kept.items():
        expr = from_tree(node)
        # a few-valued column as a column of the model side's rows (as a literal, polars would fold it)
        values += [source.select(expr.alias(name))] if not read else [
            source.with_columns(pl.Series(read[0], [v] * source.height)).select(expr.alias(f"{name}_{i}"))
            for i, v in enumerate(few[read[0]])]
    values = pl.concat(values, how="horizontal")
    return replace(space, model_side=space.model_side.with_columns(values),
                   units=space.units | dict.fromkeys(values.columns))


def _kept(trees: list, model: set[str], few: Mapping[str, list]) -> dict[str, tuple[object, list[str]]]:
    """The subtrees of ``trees`` (``subtrees``) that save ``MIN_SAVED`` operations a joined row (per value of the
    few-valued column one reads), with that column."""
    uses: dict[str, list] = {}
    for tree in trees:
        for node, ops in subtrees(tree, model, few):
            uses.setdefault(name_of(node), [node, ops, 0])[2] += 1
    kept = {}
    for name, (node, ops, count) in uses.items():
        read = _reads(node, few)[:1]  # one column of ``few`` at most (``subtrees``)
        if ops * count >= MIN_SAVED * (len(few[read[0]]) if read else 1):
            kept[name] = node, read
    return kept


def _swapped(tree: object, targets: dict[int, object]) -> tuple[object, bool]:
    """``tree`` with its nodes of ``targets`` (by id) replaced, and whether any was."""
    swapped = False

    def swap(n: object) -> object:
        nonlocal swapped
        if id(n) in targets:
            swapped = True
            return targets[id(n)]
        if isinstance(n, dict):
            return {k: swap(v) for k, v in n.items()}
        return [swap(v) for v in n] if isinstance(n, list) else n
    return swap(tree), swapped


def rewriter(space: Space, renamed: dict[str, str], hardware_side: pl.DataFrame | None = None
             ) -> Callable[[list[pl.Expr]], list[pl.Expr]] | None:
    """``formulas.plan``'s ``rewrite`` for a plan of ``space``'s rows: each model-side subtree whose column the model
    side holds (``with_subexpressions``) read from that column, or from its column at the row's value of a few-valued
    hardware column where ``hardware_side`` (the plan's) holds only values of ``space``'s; None where it holds none.
    ``renamed``: as there."""
    held = {c for c in space.model_side.columns if c.startswith(PREFIX)}
    if not held:
        return None
    model = (model_columns(space) - held) | set(renamed)
    few = few_valued(space, hardware_side)

    key = (frozenset(model), frozenset(held), tuple((c, tuple(v)) for c, v in few.items()))

    def rewrite(batch: list[pl.Expr]) -> list[pl.Expr]:  # a plan's expressions are compiled once (``formulas``)
        return [cached(expr, key, lambda expr=expr: _rewritten(expr, model, held, few)) for expr in batch]
    return rewrite


_DONE: dict[tuple, tuple] = {}


def cached(expr: pl.Expr, key: Hashable, rewrite: Callable[[], T]) -> T:
    """``rewrite()``, once per expression object and ``key`` (the entry holds ``expr``: its id is not reused); the
    rewrites of a plan's expressions, compiled once (``formulas``), are cached here (``training_folded`` too)."""
    found = _DONE.get((id(expr), key))
    if found is None:
        if len(_DONE) > 4096:
            _DONE.clear()
        found = _DONE[id(expr), key] = (expr, rewrite())
    return found[1]


def _rewritten(expr: pl.Expr, model: set[str], held: set[str], few: Mapping[str, list]) -> pl.Expr:
    tree = exact_tree(expr)
    if tree is None:
        return expr
    targets = {}
    for node, _ops in subtrees(tree, model, few):
        name, read = name_of(node), _reads(node, few)
        if not read and name in held:
            targets[id(node)] = {"Column": name}
        elif read and f"{name}_0" in held:
            targets[id(node)] = _per_value(name, read[0], few[read[0]])
    out, swapped = _swapped(tree, targets)
    return from_tree(out) if swapped else expr
