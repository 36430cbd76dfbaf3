"""The serving study's columns that depend on the model side only, computed once per model-side row.

About a hundred of the serving formulas read model-side columns only (the decoder's shape, the
layout tp x pp x ep, the batch and the lengths): token counts, per-device layer shapes, each
operator's FLOPs, GEMM dimensions and activation elements, the devices of a replica. ``precompute``
evaluates them on the model side (tens of thousands of rows) instead of on its product with the
hardware side (millions), as the node study does (``node._precomputed``): the joined frame holds
them as input columns, which ``formulas.plan`` reads and never recomputes, so every value is the
one the same expression gives per row.

A pass evaluated again at another input (``formulas.plan``'s ``rebind``: wall 7's batch in flight,
the verification pass of speculation, the draft model's pass, the prefill batch) must not read a
precomputed column computed from the input it rebinds: ``rebindable`` leaves those columns out of
the pass's inputs, so it recomputes them from the raw columns, which the model side keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import polars as pl

from pipeline import formulas
from pipeline.studies.sides import Space


def precompute(space: Space, wanted: Iterable[str], formulas_: Mapping) -> Space:
    """``space`` whose model side also holds the columns of ``wanted``'s formula graph that read
    model-side columns only (those the rest of the plan reads), with their units."""
    wanted = list(wanted)
    model = space.model_side
    available = {c: space.units[c] for c in model.columns if c in space.units}
    # a column the hardware side (or its operations columns) holds is read from there, never computed here
    registry = {name: fn for name, fn in formulas_.items() if name not in space.units or name in available}
    local = [c for c in formulas.computable_from(available, wanted, registry) if c not in available]
    if not local:
        return space
    plan = formulas.plan(model.lazy(), available, local, registry)
    units = available | dict(plan.units)
    read = formulas.inputs_used(units, wanted, registry)  # what the plan of the joined frame reads
    kept = [c for c in local if c in read]
    side = model.with_columns(plan.frame.select(kept).collect())
    return replace(space, model_side=side, units=space.units | {c: units[c] for c in kept})


_DEPENDENT: dict[tuple, tuple] = {}


def depends_on(formulas_: Mapping, keys: Iterable[str]) -> frozenset[str]:
    """The formulas computed, directly or through other formulas, from any column of ``keys`` (once per
    registry and keys: a plan rebinds the same few inputs many times)."""
    keys = frozenset(keys)
    cache_key = (id(formulas_), len(formulas_), keys)
    if cache_key not in _DEPENDENT:  # the entry keeps ``formulas_`` alive, so its id cannot be reused
        _DEPENDENT[cache_key] = (formulas_, _depends_on(formulas_, keys))
    return _DEPENDENT[cache_key][1]


def _depends_on(formulas_: Mapping, keys: frozenset[str]) -> frozenset[str]:
    memo: dict[str, bool] = {}

    def reads_key(name: str) -> bool:
        if name not in memo:
            memo[name] = False  # a formula graph has no cycle (formulas.plan raises on one)
            fn = formulas_.get(name)
            params = [] if fn is None else formulas.parameters(fn)
            memo[name] = any(p in keys or reads_key(p) for p in params)
        return memo[name]

    return frozenset(name for name in formulas_ if reads_key(name))


def rebindable(units: Mapping, rebind: Iterable[str], formulas_: Mapping) -> dict:
    """``units`` for a pass that rebinds the columns ``rebind``: without the input columns a formula
    computes from one of them (a precomputed column at the first evaluation's value), so the pass
    recomputes those from the rebound input."""
    rebind = set(rebind)
    stale = depends_on(formulas_, rebind) - rebind
    return {c: u for c, u in units.items() if c not in stale}
