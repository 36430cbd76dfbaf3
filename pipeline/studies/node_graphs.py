"""The node study's CUDA-graph inputs (``pipeline.walls.graph_latency``, form F4 of a batch-1 step): which models the
frameworks replay as one graph (a model-side flag, ``graph_engine``) and, where the spec's framework graphs none, the
graphed compute time as a null hardware-side constant, so that a sweep neither computes nor writes it."""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.load import Catalogs
from pipeline.spec import SweepSpec
from pipeline.studies.efficiency import graphed_models
from pipeline.studies.sides import Side
from pipeline.units import unit

GRAPHED = ["graph_compute_time_s"]  # computed once per distinct pair of its keys (``node.shared``) where graphed


def with_graph_engine(shaped: pl.DataFrame, units: dict, catalogs: Catalogs) -> tuple[pl.DataFrame, dict]:
    """The shaped models with ``graph_engine``: a framework that graphs (its profile states ``graph_kernels_*``)
    replays the model's batch-1 engine as one CUDA graph (the efficiency profiles' ``graphed_models``, one set for
    every framework: a validation group's frameworks share one model side, ``validation.shared_space``)."""
    names = graphed_models(catalogs.efficiency_profiles)
    return (shaped.with_columns(graph_engine=pl.col("model").cast(pl.String).is_in(names)),
            units | {"graph_engine": None})


def without_graphs(side: Side, catalogs: Catalogs, spec: SweepSpec) -> Side:
    """``side`` with ``GRAPHED`` as a null constant where the spec's framework graphs no model (every row eager)."""
    if not graphed_models(catalogs.efficiency_profiles, spec.efficiency.framework):
        side.frame = side.frame.with_columns(pl.lit(None, pl.Float64).alias(c) for c in GRAPHED)
        side.units = side.units | {c: unit("s") for c in GRAPHED}
    return side


def planned(frame: pl.LazyFrame, units: dict) -> tuple[pl.LazyFrame, dict]:
    """``frame`` and ``units`` without the unit of a ``GRAPHED`` column the frame does not hold: a space stacked from
    several frameworks' (``validation.shared_space``) drops a constant only some hold, and the plan then computes it
    (the units are the first part's)."""
    held = frame.collect_schema()
    return frame, {c: u for c, u in units.items() if c not in GRAPHED or c in held}
