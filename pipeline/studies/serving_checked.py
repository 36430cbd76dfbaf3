"""The serving plan's schema check, once per space (issue 15: serving speed).

A sweep builds the serving plan once per chunk of hardware rows (``runs.partitions``): the same expressions over
other rows of the same space. ``studies.check_plan`` resolves the whole plan's schema (polars' ``collect_schema``
of ~160 columns: ~5 ms a chunk on this machine, a third of a chunk's build); ``checked`` runs it once per space
(its sides and units, compared by identity: the per-key cache's owners, ``per_key.cached``, emptied by
``per_key.forget``), plan options and input dtypes (the hardware rows' schema, and whether identical hardware rows
are computed once, ``hardware_runs``, which adds two columns to the inputs). Another space, other input dtypes or
other options are checked again; a plan that fails is not remembered, so it fails again on the next chunk.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import pandera.polars as pa
import polars as pl

from pipeline import formulas
from pipeline.studies import check_plan, per_key
from pipeline.studies.sides import Space


def checked(space: Space, hardware_side: pl.DataFrame, options: Hashable, plan: formulas.Plan,
            columns: Sequence[str], schema: type[pa.DataFrameModel]) -> None:
    """``check_plan`` of ``plan``'s ``columns`` against ``schema``, unless a plan of ``space`` on rows of
    ``hardware_side``'s dtypes with the same ``options`` passed it already."""
    key = ("checked plan", schema.__name__, options, tuple(columns), tuple(hardware_side.schema.items()))
    per_key.cached(key, (space.hardware_side, space.model_side, space.units), lambda: check_plan(
        formulas.Plan(plan.frame.select(pl.col(columns)), {c: plan.units[c] for c in columns}), schema))
