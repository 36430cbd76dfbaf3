"""Formulas as named columns, and the small driver that turns them into a lazy plan.

Every formula is a module-level function named for the column it produces; its
parameters name the columns it reads (Hamilton's convention). ``plan`` resolves the
requested outputs recursively, calls each function once with ``UExpr`` (or plain
``pl.Expr`` for unitless text/boolean columns), and adds the results level by level
with ``with_columns``, so an intermediate column is computed once and referenced by
name downstream. Units are checked inside those calls: a wrong formula fails here,
while the plan is built, before any row is read.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pint
import polars as pl

from pipeline.units import E, UExpr

Formula = Callable[..., "UExpr | pl.Expr"]
REGISTRY: dict[str, Formula] = {}


def column(fn: Formula | None = None, *, registry: dict[str, Formula] | None = None):
    """Register ``fn`` as the formula of the column named like the function (in ``registry``,
    default the shared one). Usable as ``@column`` or ``@column(registry=STUDY_FORMULAS)``."""
    if fn is None:
        return lambda f: column(f, registry=registry)
    return define(fn.__name__, list(inspect.signature(fn).parameters), fn, registry)


def define(name: str, inputs: list[str], fn: Formula, registry: dict[str, Formula] | None = None) -> Formula:
    """Register ``fn(*inputs)`` as the formula of column ``name``. For families of columns
    made by one factory (the same operator in prefill and in decode): one implementation,
    several names. A study registry may give a shared column name its own formula."""
    registry = REGISTRY if registry is None else registry
    if name in registry and getattr(registry[name], "__wrapped__", None) is not fn:
        raise ValueError(f"two formulas produce column {name!r}")

    def formula(*args):  # one object per column: the same fn may serve several names
        return fn(*args)

    formula.__wrapped__ = fn  # type: ignore[attr-defined]
    formula.__name__ = name
    formula.inputs = list(inputs)  # type: ignore[attr-defined]
    registry[name] = formula
    return fn


@dataclass(frozen=True)
class Plan:
    frame: pl.LazyFrame
    units: dict[str, pint.Unit | None]  # unit of every output column (None: text/bool)


class FormulaGraphError(ValueError):
    pass


def plan(
    frame: pl.LazyFrame,
    inputs: Mapping[str, pint.Unit | None],
    outputs: Iterable[str],
    formulas: Mapping[str, Formula] | None = None,
    *,
    rebind: Mapping[str, str] | None = None,
    suffix: str = "",
    keep: bool = False,
) -> Plan:
    """Add ``outputs`` to ``frame`` from ``inputs`` (column -> unit) and the formulas.

    ``rebind`` reads an input from another column (``{"batch": "load_batch_3"}``) and
    ``suffix`` names every computed column ``<name><suffix>``: the same formulas evaluated
    again at other inputs, beside the first evaluation (a fixed-point iteration does this).
    ``keep`` keeps the frame's other columns instead of selecting ``outputs`` only.
    """
    formulas = REGISTRY if formulas is None else formulas
    levels, names, out_units = _compiled(formulas, tuple(inputs.items()), tuple(outputs),
                                         tuple(sorted((rebind or {}).items())), suffix)
    for batch in levels:
        frame = frame.with_columns(batch)
    return Plan(frame if keep else frame.select(names), dict(out_units))


_COMPILED: dict[tuple, tuple] = {}


def _compiled(formulas: Mapping[str, Formula], inputs: tuple, outputs: tuple, rebind: tuple, suffix: str):
    """The expressions of a plan, level by level, built once per registry, inputs, outputs and
    rebinding: building them runs every formula's unit algebra, evaluating them is polars' work."""
    key = (id(formulas), len(formulas), inputs, outputs, rebind, suffix)
    if key not in _COMPILED:
        if len(_COMPILED) > 512:
            _COMPILED.clear()
        # the entry keeps ``formulas`` alive, so its id cannot be reused by another registry
        _COMPILED[key] = (formulas, _compile(formulas, dict(inputs), outputs, dict(rebind), suffix))
    return _COMPILED[key][1]


def _compile(formulas: Mapping[str, Formula], inputs: dict, outputs: tuple, rebind: dict, suffix: str):
    level: dict[str, int] = {name: 0 for name in inputs}
    unit_of: dict[str, pint.Unit | None] = dict(inputs)
    computed: dict[str, UExpr | pl.Expr] = {}

    def column_name(name: str) -> str:
        return f"{name}{suffix}" if name in computed else rebind.get(name, name)

    def ref(name: str) -> UExpr | pl.Expr:
        u = unit_of[name]
        c = E.col(column_name(name))
        return c if u is None else UExpr(c, u)

    def resolve(name: str, chain: tuple[str, ...]) -> None:
        if name in level:
            return
        if name in chain:
            raise FormulaGraphError(f"formula cycle: {' -> '.join((*chain, name))}")
        fn = formulas.get(name)
        if fn is None:
            needed_by = f" (needed by {chain[-1]!r})" if chain else ""
            raise FormulaGraphError(
                f"column {name!r}{needed_by} is neither an input column nor a formula"
            )
        params = getattr(fn, "inputs", None) or list(inspect.signature(fn).parameters)
        for p in params:
            resolve(p, (*chain, name))
        out = fn(*(ref(p) for p in params))
        if not isinstance(out, (UExpr, pl.Expr)):
            raise FormulaGraphError(f"formula {name!r} returned {type(out).__name__}")
        computed[name] = out
        unit_of[name] = out.unit if isinstance(out, UExpr) else None
        level[name] = 1 + max((level[p] for p in params), default=0)

    wanted = list(outputs)
    for name in wanted:
        resolve(name, ())
    levels = [[(v.expr if isinstance(v, UExpr) else v).alias(f"{n}{suffix}")
               for n, v in computed.items() if level[n] == lvl]
              for lvl in sorted({level[n] for n in computed})]
    names = [column_name(n) for n in wanted]
    return levels, names, tuple((column_name(n), unit_of[n]) for n in wanted)


def computable_from(available: Mapping[str, pint.Unit | None], wanted: Iterable[str],
                    formulas: Mapping[str, Formula] | None = None) -> list[str]:
    """Formulas needed for ``wanted`` whose inputs all come from ``available`` columns,
    transitively: a study computes them once on its small side before the cross join."""
    formulas = REGISTRY if formulas is None else formulas
    memo: dict[str, bool] = {}
    found: list[str] = []

    def visit(name: str) -> bool:
        if name in available:
            return True
        if name not in memo:
            fn = formulas.get(name)
            params = [] if fn is None else getattr(fn, "inputs", None) or list(inspect.signature(fn).parameters)
            memo[name] = fn is not None and all([visit(p) for p in params])  # visit every input
            if memo[name]:
                found.append(name)
        return memo[name]

    for name in wanted:
        visit(name)
    return found


def inputs_used(available: Mapping[str, pint.Unit | None], wanted: Iterable[str],
                formulas: Mapping[str, Formula] | None = None) -> set[str]:
    """The ``available`` columns that computing ``wanted`` reads (directly or through formulas)."""
    formulas = REGISTRY if formulas is None else formulas
    used: set[str] = set()
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        if name in available:
            used.add(name)
            return
        fn = formulas.get(name)
        for p in [] if fn is None else getattr(fn, "inputs", None) or list(inspect.signature(fn).parameters):
            visit(p)

    for name in wanted:
        visit(name)
    return used
