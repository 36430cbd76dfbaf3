"""The node study's CUDA-graph inputs (``pipeline.walls.graph_latency``, form F4 of a batch-1 step): which models the
frameworks replay as one graph (a model-side flag, ``graph_engine``); the GEMM model a graphed step's matmuls run
(``GRAPH_FIT``: the part's kernel fit, else the fit's default form on its catalogued SMs); and, where the spec's
framework graphs none, the graphed compute time and a CNN's conv-by-conv compute (``GRAPHED``) as null hardware-side
constants, so that a sweep neither computes nor writes them."""

from __future__ import annotations

import polars as pl

from pipeline import formulas
from pipeline.catalogs.load import Catalogs
from pipeline.errors import InputError, Problem
from pipeline.spec import SweepSpec
from pipeline.studies.efficiency import graphed_models
from pipeline.studies.sides import Side
from pipeline.units import unit
from pipeline.walls import graph_convs

# the conv slots: read from a model's ``CONV_KEY`` per distinct key (``with_slots``), not held by the model side's rows
PER_KEY = set(graph_convs.SLOT_COLUMNS)
KEY = graph_convs.CONV_KEY  # the model-side column they are read from (kept on the model side's rows)
SLOT_UNITS = {c: unit("") for c in graph_convs.SLOT_COLUMNS}
# computed once per distinct pair of their keys (``node.shared``) where the framework graphs: a graphed batch-1 step's
# compute, a CNN inference step's convs at its batch (walls.graph_convs; the GEMM model ``GRAPH_FIT`` is given there)
GRAPHED = ["graph_compute_time_s", "conv_compute_time_s", "conv_peak_time_s", "conv_clock_time_s"]  # (conv_parts)
# a graphed step's GEMM model (walls.graph_convs), by the kernel fit's column it comes from where the row has a fit
GRAPH_FIT = {g.removeprefix("graph_"): g for g in graph_convs.GRAPH_FIT}
DEFAULT_CEILING = "default ceiling"  # kernel_efficiency.ceiling_source of a part given the fit's default form
DEFAULT_FORM = ("tile_m", "tile_n", "ceiling", "best_fraction")


def with_graph_engine(shaped: pl.DataFrame, units: dict, catalogs: Catalogs,
                      slots: bool = False) -> tuple[pl.DataFrame, dict]:
    """The shaped models with ``graph_engine``: a framework that graphs (its profile states ``graph_kernels_*``)
    replays the model's batch-1 engine as one CUDA graph (the efficiency profiles' ``graphed_models``, one set for
    every framework: a validation group's frameworks share one model side, ``validation.shared_space``), and the
    model's conv shapes where the conv_layers catalog lists them (``conv_shapes``: a graphed CNN's step conv by conv)
    as one key, read into the slots per distinct key (``with_slots``; on every row with ``slots``: a small study)."""
    names = graphed_models(catalogs.efficiency_profiles)
    keys, kernels = conv_shapes(catalogs.conv_layers)
    model = pl.col("model").cast(pl.String)
    shaped = shaped.with_columns(model.is_in(names).alias("graph_engine"),
                                 model.replace_strict(keys, default=None, return_dtype=pl.String)
                                 .alias(graph_convs.CONV_KEY),
                                 model.replace_strict(kernels, default=None, return_dtype=pl.Float32)
                                 .alias(graph_convs.CONV_KERNELS))
    units = units | {"graph_engine": None, graph_convs.CONV_KEY: None, graph_convs.CONV_KERNELS: unit("")}
    return with_slots(shaped, units) if slots else (shaped, units)


def with_slots(frame, units: dict) -> tuple:
    """``frame`` (a data or lazy frame) with the conv slots (``graph_convs.SLOT_COLUMNS``, Float32: integers, exact)
    read from its ``CONV_KEY`` where it holds one, and ``units`` for its columns: the node study's per-key tables
    (``keys_read``), the single study's and a plan's rows where they are not shared (``planned``)."""
    schema = frame.collect_schema()
    units = {c: units.get(c) for c in schema}
    if graph_convs.CONV_KEY not in schema:
        return frame, units
    shapes = pl.col(graph_convs.CONV_KEY).cast(pl.String).str.split(";")
    return frame.with_columns(shapes.list.get(j, null_on_oob=True).str.split(",").list.get(i, null_on_oob=True)
                              .cast(pl.Float32).alias(graph_convs.slot(j, f))
                              for j in range(graph_convs.CONV_SLOTS)
                              for i, f in enumerate(graph_convs.CONV_FIELDS)), units | SLOT_UNITS


def keys_read(name: str, available: dict) -> tuple[str, ...]:
    """The ``available`` columns computing ``name`` reads (its per-key classes' keys), the conv slots as the
    ``CONV_KEY`` they are read from (``with_slots``)."""
    slots = SLOT_UNITS if graph_convs.CONV_KEY in available else {}
    used = formulas.inputs_used(available | slots, [name])
    return tuple(sorted({graph_convs.CONV_KEY if c in PER_KEY else c for c in used}))


def conv_shapes(convs: pl.DataFrame) -> tuple[dict[str, str], dict[str, float]]:
    """The conv_layers catalog as model-side values (``graph_convs``): a model's shapes (M per image, N, K, input
    channels, count) as one ``CONV_KEY`` text, read into slots per distinct key, and its convs (``CONV_KERNELS``)."""
    convs = convs.with_columns(pl.int_range(pl.len()).over("model").alias("_slot"))
    over = convs.filter(pl.col("_slot") >= graph_convs.CONV_SLOTS)
    if over.height:
        row = convs["name"].to_list().index(over["name"][0])
        raise InputError("conv_layers", [Problem(row + 1, "model", f"{over['model'][0]!r} lists more than the "
                                                 f"{graph_convs.CONV_SLOTS} conv shapes the node study prices "
                                                 "(pipeline.walls.graph_convs.CONV_SLOTS)", over["name"][0])])
    fields = list(graph_convs.CONV_FIELDS.values())
    shapes = convs.group_by("model", maintain_order=True).agg(pl.concat_list(fields).alias("shapes"),
                                                               pl.col("count").sum().alias("kernels"))
    return ({m: graph_convs.shapes_key(s) for m, s in zip(shapes["model"], shapes["shapes"].to_list())},
            dict(shapes.select("model", "kernels").iter_rows()))


def graph_side(side: Side, catalogs: Catalogs, spec: SweepSpec) -> Side:
    """``side`` with ``GRAPHED`` as a null constant where the spec's framework graphs no model (every row eager), else
    with ``GRAPH_FIT``: the GEMM model of a graphed step's matmuls. The row's kernel fit where it has one; on a part
    without one (no int8 GEMM microbenchmark: L4, A30, A40, T4) but with a catalogued ``sm_count``, the form the fit
    gives a part it has no MAMF row for (``default_fit``; r-accf4 §1 "default fit form"), under the kernel compute
    model only (a profile η or an η override stays what it is). Eager rows keep the profile η either way."""
    if not graphed_models(catalogs.efficiency_profiles, spec.efficiency.framework):  # (GRAPH_FIT null: a space
        # stacked with a graphing framework's, validation.shared_space, computes GRAPHED from it)
        side.frame = side.frame.with_columns(pl.lit(None, pl.Float64).alias(c) for c in [*GRAPHED, *GRAPH_FIT.values()])
        side.units = side.units | {c: unit("s") for c in GRAPHED} | {g: unit("") for g in GRAPH_FIT.values()}
        return side
    kernel = spec.efficiency.compute_model == "kernel" and spec.efficiency.eta_compute is None
    default = default_fit(catalogs.kernel_efficiency) if kernel else {}
    sms = dict(catalogs.hardware.filter(pl.col("sm_count").is_not_null()).select("name", "sm_count").iter_rows())
    sm_count = pl.col("hardware").cast(pl.String).replace_strict(sms, default=None, return_dtype=pl.Float64)
    own = pl.col("gemm_units").is_not_null()
    here = (pl.col("efficiency_basis") == "profile η") & sm_count.is_not_null() & pl.lit(kernel)
    parts = {"gemm_units": sm_count} | {f"gemm_{c}": pl.lit(v) for c, v in default.items()}
    side.frame = side.frame.with_columns(pl.when(own).then(pl.col(c)).when(here).then(parts.get(c)).otherwise(None)
                                         .cast(pl.Float64).alias(g) for c, g in GRAPH_FIT.items())
    side.units = side.units | {g: unit("") for g in GRAPH_FIT.values()}
    return side


def default_fit(kernels: pl.DataFrame) -> dict[str, float]:
    """The GEMM model the kernel fit gives a part it has no MAMF row for (``pipeline.validation.gemm_fit.catalog``:
    the median of the MAMF ceilings and best fractions, the NVIDIA 128 x 128 tile): the one value of each over the
    catalog's rows whose ``ceiling_source`` is the default ceiling (L40S, H100 PCIe, H200)."""
    rows = kernels.filter(pl.col("ceiling_source").str.starts_with(DEFAULT_CEILING) & pl.col("units").is_not_null())
    values = {c: rows[c].unique().to_list() for c in DEFAULT_FORM}
    if rows.height == 0 or any(len(v) != 1 for v in values.values()):
        raise InputError("kernel_efficiency", [Problem(None, "ceiling_source", f"the rows with a {DEFAULT_CEILING!r} "
                                                       f"state no single default GEMM form: {values}")])
    return {c: v[0] for c, v in values.items()}


def planned(frame: pl.LazyFrame, units: dict) -> tuple[pl.LazyFrame, dict]:
    """``frame`` and ``units`` without the unit of a ``GRAPHED`` column the frame does not hold: a space stacked from
    several frameworks' (``validation.shared_space``) drops a constant only some hold, and the plan then computes it
    (the units are the first part's)."""
    held = frame.collect_schema()
    units = {c: u for c, u in units.items() if c not in GRAPHED or c in held}
    if all(c in held for c in GRAPHED):
        return frame, units
    frame, shown = with_slots(frame, units)  # the plan computes GRAPHED per row (polars drops slots it never reads)
    return frame, units | {c: shown[c] for c in SLOT_UNITS if c in shown}
