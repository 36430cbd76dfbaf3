"""The training study's terms that read the model side only, computed once per model-side row (issue 15).

A training row is a hardware row x a model-side row (decoder x seq_len x layout): 6.7 M rows from 49 x 187,350 in
`mlsys bench --study training --rows 3000000`. Many of the plan's terms read model-side columns only, or those and
knobs the whole hardware side holds at one value (read as literals: ``constant_columns``): the layers and parameters
per GPU, the stored activations, the stage FLOPs, the elementwise bytes of a layer..., some of them long chains of
``where``; per joined row they were computed once per hardware row again. ``with_model_terms`` computes the ones the
rest of the plan reads or writes on the model side, before the join (as ``<term>__model_side``: a model-side column
named like an output would be a dimension column of the run's writer), as ``serving_precomputed.precompute`` does
for serving; the main plan reads them as input columns (``held``), or, one with one value on every row that reads a
column and divides exactly, as that literal. The same expressions on the same values and literals, so the same values.

Their own names stay out of ``space.units`` (the suffixed ones are in it, read by no formula): the one-node
reference (``training_reference.node_reference``) evaluates the step again at other layout axes and recomputes its
terms, and the per-key groups (``shape_etas``, ``node_terms``) read the columns they always did. ``held`` gives the
terms to the main plan only where the model side holds them and the frame's one-valued hardware columns are the ones
they were computed with (validation's rows at each η have their own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

import polars as pl

from pipeline import formulas
from pipeline.studies import model_subexpressions as subexpressions, per_key
from pipeline.studies.training_folded import folding
from pipeline.studies.constant_columns import frame_constants, one_valued
from pipeline.studies.sides import Space


SUFFIX = "__model_side"  # a term's column on the model side: ``<term>__model_side`` (an output's name is the writer's)
# A model side of more rows keeps its terms per row: their columns are held through the sweep's peak, before the first
# piece (the 30 M-row bench spec's side of 987,690 rows held 17 more, ~134 MB: `python -m tests.runs.bench_run training
# 30000000 zstd` 1,327 -> 1,464-1,468 MB; without them at that size 1,354 MB, 46.1 against 42.1-43.9 CPU s)
MAX_MODEL_ROWS = 500_000
# ... and a space of fewer joined rows too: planning the terms (~10-30 ms) costs more than they save there, and
# `mlsys validate` builds many such spaces (a training group in parts of at most 100,000 configurations: 250 rows
# took 5.24-5.33 s with them, 4.70-4.76 s without; `python -m pipeline bench --validate --rows 250`)
MIN_JOINED_ROWS = 1_000_000


def large(space: Space) -> bool:
    """Whether ``space``'s sides are within the limits: its join of ``MIN_JOINED_ROWS`` rows or more, its model side of
    ``MAX_MODEL_ROWS`` rows or fewer."""
    return MIN_JOINED_ROWS <= space.model_side.height * space.hardware_side.height \
        and space.model_side.height <= MAX_MODEL_ROWS


def model_terms(space: Space, wanted: Iterable[str], registry: Mapping) -> tuple[dict, dict]:
    """The units of the terms of ``wanted``'s graph computed from model-side columns and the whole hardware side's
    one-valued columns that the rest of the graph reads or ``wanted`` names; and the one-valued hardware columns they
    read (column -> (value, dtype))."""
    wanted = tuple(wanted)
    return per_key.cached(("model_terms", wanted), (space.hardware_side, space.model_side, space.units, registry),
                          lambda: _terms(space, wanted, registry))


def _terms(space: Space, wanted: tuple, registry: Mapping) -> tuple[dict, dict]:
    hardware, model = set(space.hardware_side.columns), set(space.model_side.columns)
    constants = one_valued(space, space.hardware_side)
    fixed = {c: v for c, v in constants.items() if c in hardware and c not in model and c in space.units}
    available = {c: u for c, u in space.units.items() if (c in model and c not in hardware) or c in fixed}
    inner = {name: fn for name, fn in registry.items() if name not in space.units}  # inputs stay inputs
    local = [c for c in formulas.computable_from(available, wanted, inner) if c not in available]
    if not local:
        return {}, {}
    units = dict(formulas.plan(pl.LazyFrame(), available, local, inner).units)
    read = formulas.inputs_used(space.units | units, wanted, registry)  # what the joined frame's plan reads
    terms = {c: units[c] for c in local if c in read}
    return terms, {c: fixed[c] for c in formulas.inputs_used(available, list(terms), inner) if c in fixed}


def with_model_terms(space: Space, wanted: Iterable[str], registry: Mapping) -> Space:
    """``space`` whose model side also holds ``model_terms`` as ``<term>__model_side`` (computed there, the one-valued
    columns read as literals as the joined frame's plan reads them), in ``space.units`` under those names only; as it
    is when its model side has more than ``MAX_MODEL_ROWS`` rows or its join fewer than ``MIN_JOINED_ROWS``."""
    if not large(space):
        return space
    terms, _fixed = model_terms(space, wanted, registry)
    if not terms:
        return space
    model = space.model_side
    available = {c: u for c, u in space.units.items() if c in model.columns}
    inner = {name: fn for name, fn in registry.items() if name not in space.units}
    constants = one_valued(space, space.hardware_side)
    available |= {c: space.units[c] for c in constants if c in space.units}
    plan = formulas.plan(model.lazy(), available, list(terms), inner, constants=constants)
    # a term with one value on every row stays in the plan, which may fold it to a literal (``x / (1 - 0.04)`` becomes
    # a product with the reciprocal there: one rounding more than dividing by the column); but one that reads a column
    # and divides exactly (LoRA's adapter FLOPs at rank 0: 0) is held, as that literal (``held``)
    values = plan.frame.collect()
    exact = frame_constants(values)
    varying = [c for c, n in values.select(pl.all().n_unique()).row(0, named=True).items()
               if n > 1 or (c in exact and not formulas.inputs_used(available, [c], inner) <= constants.keys())]
    return replace(space, model_side=model.with_columns(values.select(pl.col(c).alias(f"{c}{SUFFIX}")
                                                                      for c in varying)),
                   units=space.units | {f"{c}{SUFFIX}": terms[c] for c in varying})


def held(space: Space, frame: pl.LazyFrame, units: dict, constants: Mapping, wanted: Iterable[str],
         registry: Mapping) -> tuple[pl.LazyFrame, dict]:
    """``frame`` (of ``space``'s rows) and ``units`` with the ``model_terms`` that the model side holds as input
    columns, where ``constants`` (the frame's one-valued columns) hold the hardware columns they read at the values
    they were computed with; else as they are (the plan computes the terms per row)."""
    if not any(c.endswith(SUFFIX) for c in space.model_side.columns):  # none held (``with_model_terms``' limits)
        return frame, units
    terms, fixed = model_terms(space, wanted, registry)
    if any(constants.get(c) != v for c, v in fixed.items()):
        return frame, units
    terms = {c: u for c, u in terms.items() if f"{c}{SUFFIX}" in space.model_side.columns}
    # one value on every row (an exact divisor, ``one_valued``): that value as a literal, not a column joined per row
    return frame.with_columns((pl.lit(*constants[f"{c}{SUFFIX}"]) if f"{c}{SUFFIX}" in constants
                               else pl.col(f"{c}{SUFFIX}")).alias(c) for c in terms), units | terms


def renamed(space: Space, units: Mapping) -> dict[str, str]:
    """The plan's inputs (``units``) that are the model side's ``<term>__model_side`` columns (``held``)."""
    return {c: f"{c}{SUFFIX}" for c in units if f"{c}{SUFFIX}" in space.model_side.columns}


def with_subexpressions(space: Space, plan: Callable) -> Space:
    """``space`` whose model side also holds the model-side subtrees of the main plan's expressions
    (``model_subexpressions``), within the limits ``with_model_terms`` keeps; ``plan(rewrite)``: the main plan built
    (on no rows) with that ``formulas.plan`` rewrite."""
    if not large(space):
        return space
    levels: list[pl.Expr] = []
    fold = folding()
    plan(lambda batch: levels.extend(fold(batch)) or batch)  # the plan's expressions, as ``rewriter`` folds them
    held_terms = {c.removesuffix(SUFFIX): c for c in space.model_side.columns if c.endswith(SUFFIX)}
    return subexpressions.with_subexpressions(space, levels, held_terms)


def rewriter(space: Space, units: Mapping, hardware_side: pl.DataFrame | None = None) -> Callable | None:
    """``model_subexpressions.rewriter`` for a plan of ``space``'s rows (``hardware_side``'s) that reads ``units``, its
    expressions folded first (``training_folded``: the subtrees were found in them folded); without held subtrees,
    the folding alone within the limits ``with_model_terms`` keeps, else None."""
    held_subtrees = subexpressions.rewriter(space, renamed(space, units), hardware_side)
    if held_subtrees is None:
        return folding() if large(space) else None
    fold = folding()
    return lambda batch: held_subtrees(fold(batch))
