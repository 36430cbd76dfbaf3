"""Formulas as named columns, and the small driver that turns them into a lazy plan or into
one Python function of plain values.

Every formula is a module-level function named for the column it produces; its
parameters name the columns it reads (Hamilton's convention). One graph walk (``_walk``)
resolves the requested outputs recursively and calls each function once with ``UExpr`` (or a
plain expression for unitless text/boolean columns), building with the expression library in
use (``units.E``). ``plan`` builds with polars and adds the results level by level with
``with_columns``, so an intermediate column is computed once and referenced by name
downstream; ``compile_scalar`` builds with ``pipeline.scalar`` and compiles the same graph
into one function for a single configuration. Units are checked inside those calls: a wrong
formula fails while the plan is built, before any row is read, with a ``FormulaUnitError``
naming the column and the formula.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from pipeline import scalar, scalar_sql
from pipeline.units import DimensionalityError, E, UExpr, expression_library

if TYPE_CHECKING:  # annotations only: pint loads with pipeline.units
    import pint

Formula = Callable[..., "UExpr | pl.Expr"]
Constant = tuple[object, "pl.DataType"]  # a column's one value and its dtype (``plan``'s ``constants``)
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
    constants: Mapping[str, Constant] | None = None,
    rewrite: Callable[[list[pl.Expr]], list[pl.Expr]] | None = None,
) -> Plan:
    """Add ``outputs`` to ``frame`` from ``inputs`` (column -> unit) and the formulas.

    ``rebind`` reads an input from another column (``{"batch": "load_batch_3"}``) and
    ``suffix`` names every computed column ``<name><suffix>``: the same formulas evaluated
    again at other inputs, beside the first evaluation (a fixed-point iteration does this).
    ``keep`` keeps the frame's other columns instead of selecting ``outputs`` only.
    ``constants``: input columns with one value on every row of ``frame`` (column -> (value, dtype)), read by the
    formulas as that literal, which polars folds (a ``where`` on it keeps one branch; the column is not read).
    ``rewrite`` maps each level's expressions to the ones added (``model_subexpressions``: the same values).
    """
    formulas = REGISTRY if formulas is None else formulas
    levels, names, out_units = _compiled(formulas, tuple(inputs.items()), tuple(outputs),
                                         tuple(sorted((rebind or {}).items())), suffix,
                                         tuple(sorted((constants or {}).items())))
    for batch in levels:
        frame = frame.with_columns(batch if rewrite is None else rewrite(batch))
    return Plan(frame if keep else frame.select(names), dict(out_units))


PASS, REBOUND = "__pass", "__rebound"  # ``again``'s placeholder names


def again(frame: pl.LazyFrame, inputs: Mapping[str, pint.Unit | None], outputs: Iterable[str],
          formulas: Mapping[str, Formula] | None = None, *, rebind: Mapping[str, str] | None = None,
          suffix: str) -> Plan:
    """``plan(frame, inputs, outputs, formulas, rebind=rebind, suffix=suffix, keep=True)`` compiled once for every
    suffix and rebound column: the pass is built on placeholder names (each rebound input copied to
    ``<input>__rebound``, every computed column named ``<name>__pass``) and its outputs copied to
    ``<name><suffix>``. A fixed-point iteration evaluates the same formulas many times at other columns: one unit
    algebra instead of one per iteration (~10 ms each). The next pass overwrites the placeholder columns; read a
    pass's outputs only. The same expressions on the same values, so the same values."""
    rebind = dict(rebind or {})
    placeholders = {name: f"{name}{REBOUND}" for name in rebind}
    inner = {c: u for c, u in inputs.items() if c not in rebind.values() or c in rebind}
    computed = plan(frame.with_columns(pl.col(source).alias(placeholders[name]) for name, source in rebind.items()),
                    inner, outputs, formulas, rebind=placeholders, suffix=PASS, keep=True)
    if not suffix or any(not c.endswith(PASS) for c in computed.units):
        raise FormulaGraphError(f"again: outputs {list(outputs)} must be computed columns, under a suffix")
    names = {graph_name: graph_name.removesuffix(PASS) + suffix for graph_name in computed.units}
    return Plan(computed.frame.with_columns(pl.col(old).alias(new) for old, new in names.items()),
                {names[c]: u for c, u in computed.units.items()})


_COMPILED: dict[tuple, tuple] = {}


def _cached(kind: str, build: Callable, formulas: Mapping[str, Formula], *key):
    """``build(formulas, *key)``, once per kind, registry, inputs, outputs and rebinding:
    building runs every formula's unit algebra, evaluating is the backend's work. A registry
    is found by identity first, then by content (a merge made anew per call, ``REGISTRY | X``,
    is the same registry: ~0.2 ms to compare instead of ~0.2 s to build)."""
    full = (kind, id(formulas), len(formulas), *key)
    found = _COMPILED.get(full)
    if found is not None and found[0] is formulas:
        return found[1]
    if len(_COMPILED) > 512:
        _COMPILED.clear()
    content = (kind, Registry(formulas), *key)
    found = _COMPILED.get(content)
    if found is None:
        found = _COMPILED[content] = (formulas, build(formulas, *key))
        # the entry keeps ``formulas`` alive, so its id cannot be reused by another registry (a
        # registry found by content is not kept: a merge made per call is not held by the cache)
        _COMPILED[full] = found
    return found[1]


class Registry:
    """A registry by content: its (name, formula) pairs, hashed once."""

    __slots__ = ("hash", "items")

    def __init__(self, formulas: Mapping[str, Formula]):
        self.items = tuple(formulas.items())
        self.hash = hash(self.items)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Registry) and self.items == other.items


def _compiled(formulas: Mapping[str, Formula], inputs: tuple, outputs: tuple, rebind: tuple, suffix: str,
              constants: tuple = ()):
    """The expressions of a plan, level by level."""
    return _cached("polars", _compile, formulas, inputs, outputs, rebind, suffix, constants)


def _compile(formulas: Mapping[str, Formula], inputs: tuple, outputs: tuple, rebind: tuple, suffix: str,
             constants: tuple = ()):
    graph = _walk(formulas, dict(inputs), outputs, dict(rebind), suffix, constants=dict(constants))
    computed, level = graph.computed, graph.level
    levels = [[(v.expr if isinstance(v, UExpr) else v).alias(f"{n}{suffix}")
               for n, v in computed.items() if level[n] == lvl]
              for lvl in sorted({level[n] for n in computed})]
    names = [graph.column_name(n) for n in outputs]
    return levels, names, tuple((graph.column_name(n), graph.unit_of[n]) for n in outputs)


@dataclass
class Graph:
    """The formulas resolved for some outputs: each computed column's expression (UExpr, or a
    plain expression for text and booleans) in resolution order, its level (1 + the deepest
    input's; inputs are level 0) and every column's unit."""

    computed: dict[str, UExpr | object]
    level: dict[str, int]
    unit_of: dict[str, pint.Unit | None]
    suffix: str
    rebind: dict[str, str]

    def column_name(self, name: str) -> str:
        """The column that holds ``name``: computed ones carry the suffix, inputs may be rebound."""
        return f"{name}{self.suffix}" if name in self.computed else self.rebind.get(name, name)


def parameters(fn: Formula) -> list[str]:
    """The columns a formula reads."""
    return getattr(fn, "inputs", None) or list(inspect.signature(fn).parameters)


def _walk(formulas: Mapping[str, Formula], inputs: dict, outputs: tuple, rebind: dict, suffix: str,
          inline: bool = False, constants: dict | None = None) -> Graph:
    """Resolve ``outputs`` recursively and call each formula once, with the expression library
    in use (``units.E``): the one graph walk behind both the polars plan and the scalar function.
    A formula reads a computed column by name (polars adds them level by level), or with
    ``inline`` as the expression itself (the scalar function computes each node once)."""
    graph = Graph({}, {name: 0 for name in inputs}, dict(inputs), suffix, rebind)
    level, unit_of, computed = graph.level, graph.unit_of, graph.computed

    def ref(name: str) -> UExpr | object:
        if inline and name in computed:
            return computed[name]
        u, column = unit_of[name], graph.column_name(name)
        c = E.lit(*constants[column]) if constants and column in constants and name not in computed \
            else E.col(column)
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
        params = parameters(fn)
        for p in params:
            resolve(p, (*chain, name))
        out = _call(name, fn, [ref(p) for p in params])
        computed[name] = out
        unit_of[name] = out.unit if isinstance(out, UExpr) else None
        level[name] = 1 + max((level[p] for p in params), default=0)

    for name in outputs:
        resolve(name, ())
    return graph


def _call(name: str, fn: Formula, args: list) -> UExpr | object:
    """``fn(*args)``; a unit error names the column being built and the formula that raised it."""
    try:
        out = fn(*args)
    except DimensionalityError as error:
        raise FormulaUnitError(name, fn, error) from error
    except Exception as error:
        error.add_note(f"while building column {name!r} with {formula_name(fn)} ({E.module.__name__} expressions; "
                       "formulas build through units.E, never pl.* directly)")
        raise
    expr = out.expr if isinstance(out, UExpr) else out
    if not isinstance(expr, E.Expr):
        raise FormulaGraphError(
            f"formula {name!r} ({formula_name(fn)}) returned {type(expr).__module__}.{type(expr).__name__}, "
            f"not an expression of the library in use ({E.module.__name__}); build with units.E, not pl.*")
    return out


def formula_name(fn: Formula) -> str:
    """``module.qualname`` of the function behind a registered formula."""
    inner = getattr(fn, "__wrapped__", fn)
    return f"{inner.__module__}.{inner.__qualname__}"


class FormulaUnitError(DimensionalityError):
    """A unit error raised while a formula was built, naming its column and formula."""

    def __init__(self, column: str, formula: Formula | str, error: DimensionalityError) -> None:
        super().__init__(error.units1, error.units2, error.dim1, error.dim2, error.extra_msg)
        self.column = column
        self.formula = formula if isinstance(formula, str) else formula_name(formula)
        self.error = error

    def __str__(self) -> str:
        return f"column {self.column!r} (formula {self.formula}): {self.error}"

    def __reduce__(self):
        return self.__class__, (self.column, self.formula, self.error)


@dataclass(frozen=True)
class ScalarPlan:
    """Formulas compiled to one Python function: ``plan(values)`` maps input column values
    (``None`` is null) to the output values, by the same formulas a sweep runs on polars."""

    function: Callable[[Mapping[str, object]], dict[str, object]]
    inputs: tuple[str, ...]  # the input columns the outputs read
    units: dict[str, pint.Unit | None]  # unit of every output (None: text/bool)

    def __call__(self, values: Mapping[str, object]) -> dict[str, object]:
        try:
            return self.function(values)
        except KeyError:
            missing = [c for c in self.inputs if c not in values]
            if not missing:
                raise
            raise KeyError(f"input columns missing: {', '.join(missing)}") from None


def compile_scalar(inputs: Mapping[str, pint.Unit | None], outputs: Iterable[str],
                   formulas: Mapping[str, Formula] | None = None, *,
                   rebind: Mapping[str, str] | None = None) -> ScalarPlan:
    """``outputs`` from ``inputs`` (column -> unit) as one Python function on plain values: the
    formulas of ``plan`` built with the scalar backend (``pipeline.scalar``), compiled once per
    registry, inputs, outputs and rebinding. ``rebind`` reads an input from another key."""
    formulas = REGISTRY if formulas is None else formulas
    outputs, rebind = tuple(outputs), dict(rebind or {})
    # A single-configuration answer calls this every time: the same mapping objects are
    # recognised by identity and compared by content (cheap), before hashing every unit; a
    # registry merged anew per call compares equal (its formulas are the same objects).
    quick = (len(formulas), id(inputs), outputs, tuple(rebind.items()))
    seen = _RECENT.get(quick)
    if seen is not None and (seen[0] is formulas or seen[0] == formulas) and seen[1] == inputs:
        return seen[3]
    found = _cached("scalar", _compile_scalar, formulas, tuple(inputs.items()), outputs,
                    tuple(sorted(rebind.items())))
    if len(_RECENT) > 512:
        _RECENT.clear()
    _RECENT[quick] = (formulas, dict(inputs), rebind, found)
    return found


_RECENT: dict[tuple, tuple] = {}


def _compile_scalar(formulas: Mapping[str, Formula], inputs: tuple, outputs: tuple, rebind: tuple) -> ScalarPlan:

    with expression_library(scalar):
        graph = _walk(formulas, dict(inputs), outputs, dict(rebind), "", inline=True)
        exprs = {n: graph.computed[n] if n in graph.computed else E.col(graph.column_name(n)) for n in outputs}
        function = scalar.compile_function({n: e.expr if isinstance(e, UExpr) else e for n, e in exprs.items()})
    read = inputs_used(dict(inputs), outputs, formulas)
    return ScalarPlan(function, tuple(graph.rebind.get(c, c) for c in dict(inputs) if c in read),
                      {n: graph.unit_of[n] for n in outputs})


@dataclass(frozen=True)
class SqlPlan:
    """Formulas as DuckDB SQL: ``levels`` of (column, expression) pairs, each level reading the input
    columns and the columns of earlier levels by name (a SELECT per level, as ``plan`` adds them with
    ``with_columns``), and the unit of every output."""

    levels: tuple[tuple[tuple[str, str], ...], ...]
    outputs: tuple[str, ...]
    units: dict[str, pint.Unit | None]


def compile_sql(inputs: Mapping[str, pint.Unit | None], outputs: Iterable[str],
                formulas: Mapping[str, Formula] | None = None) -> SqlPlan:
    """``outputs`` from ``inputs`` (column -> unit) as DuckDB SQL (``pipeline.scalar_sql``): the formulas of
    ``plan``, built with the scalar backend (units checked as there), rendered as SQL, compiled once per
    registry, inputs and outputs."""
    formulas = REGISTRY if formulas is None else formulas
    return _cached("sql", _compile_sql, formulas, tuple(inputs.items()), tuple(outputs))


def _compile_sql(formulas: Mapping[str, Formula], inputs: tuple, outputs: tuple) -> SqlPlan:
    with expression_library(scalar):
        graph = _walk(formulas, dict(inputs), outputs, {}, "")
        rendered = {n: scalar_sql.render(v.expr if isinstance(v, UExpr) else v)
                    for n, v in graph.computed.items()}
    levels = tuple(tuple((n, rendered[n]) for n in graph.computed if graph.level[n] == lvl)
                   for lvl in sorted({graph.level[n] for n in graph.computed}))
    return SqlPlan(levels, outputs, {n: graph.unit_of[n] for n in outputs})


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
            params = [] if fn is None else parameters(fn)
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
        for p in [] if fn is None else parameters(fn):
            visit(p)

    for name in wanted:
        visit(name)
    return used
