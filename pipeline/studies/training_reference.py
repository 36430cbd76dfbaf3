"""The training study's inputs beyond the joined sides: the one-node reference (``scaling_efficiency``) and the
GEMM model's efficiencies, computed once per distinct shape and gathered back (issue 15).

The GEMM shape model's η (``training_compute.train_matmul_eta_compute`` and its backward, ``training_attention``'s
unfused-attention pair, ``training_lora.adapter_eta_compute``) depends on the accelerator and precision (the kernel
fit) and on the model, seq_len, microbatch, cp, tp and LoRA rank, not on gpus, dp, pp, the batch, ZeRO or
recomputation: in the 6.7 M-row bench spec (`mlsys bench --study training --rows 3000000`) 49 hardware rows x 860
shapes, against 187,350 layouts a hardware row. Per row it was ~60 % of the plan's CPU (the 4 + 8 + 12 GEMMs of the
η, the one-node reference's again, and both branches of each ``where``). ``with_shape_etas`` computes them on that
small frame by the same formulas (the same expressions on the same values: the same values) and gathers them by each
row's (hardware row, shape) ids, which the sides carry (``with_shape_ids``); the study's formulas read a column the
frame has, never recompute it. A hash join on the seven keys instead cost ~0.2 CPU s per 187 k rows (most of what it
saved): it gathers every column of the row; the gather of eight columns by an integer ~0.01 s.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import polars as pl

from pipeline import formulas, scalar
from pipeline.studies.sides import Space
from pipeline.units import E, expression_library, unit

ETAS = ["train_matmul_eta_compute", "train_backward_matmul_eta_compute", "unfused_attention_eta_compute",
        "unfused_attention_backward_eta_compute", "adapter_eta_compute"]
AT_NODE = "__node"  # the η at the one-node reference's layout: <eta>__node
SHAPE_KEYS = ["model", "seq_len", "microbatch", "cp", "tp", "lora_rank"]  # the model-side columns the shapes read
HARDWARE_ROW, SHAPE = "_hardware_row", "_shape"  # the ids ``with_shape_ids`` gives the sides
SIDE_IDS = [HARDWARE_ROW, SHAPE]
# (hardware row, shape) pairs above which the η are computed per row: the table is collected whole by every plan
# (10 Float64 columns, ~80 MB at 1 M pairs), worth it where each pair stands for many layouts (218 in the bench)
MAX_TABLE_ROWS = 1_000_000

NODE_REFERENCE = {"gpus": "accelerators_per_node", "tp": "node_tp", "dp": "node_dp", "pp": "_one", "cp": "_one",
                  "ep": "_one", "virtual_stages": "_one"}
NODE_UNITS = {"_one": unit(""), "node_tp": unit(""), "node_dp": unit("")}
NODE_REFERENCE_UNITS = NODE_UNITS | {"node_iteration_time_s": unit("s")}  # the columns node_reference adds


def node_layout(tp, accelerators_per_node):
    """The one-node reference's tp (capped at the node) and dp (the rest of the node), as
    expressions of the library in use (``units.E``)."""
    node_tp = E.min_horizontal(tp, accelerators_per_node)
    return node_tp, (accelerators_per_node / node_tp).floor().clip(1.0)


def node_reference(frame: pl.LazyFrame, units: dict, registry: dict) -> tuple[pl.LazyFrame, dict]:
    """The same microbatches per data-parallel rank on one node: tp capped at the node, the rest
    data-parallel, no pipeline, context or expert parallelism (for scaling_efficiency). Where ``units`` has
    the GEMM η (``with_shape_etas``), the reference reads their values at its layout (``<eta>__node``)."""
    node_tp, node_dp = node_layout(pl.col("tp"), pl.col("accelerators_per_node"))
    frame = frame.with_columns(_one=pl.lit(1.0), node_tp=node_tp, node_dp=node_dp)
    units = units | NODE_UNITS
    rebind = NODE_REFERENCE | {e: f"{e}{AT_NODE}" for e in ETAS if e in units}
    frame = formulas.plan(frame, units, ["iteration_time_s"], registry, rebind=rebind, suffix="__node",
                          keep=True).frame
    frame = frame.with_columns(node_iteration_time_s=pl.col("iteration_time_s__node"))
    return frame, units | NODE_REFERENCE_UNITS


def node_reference_values(values: dict, units: dict, registry: dict) -> dict:
    """``node_reference`` for one configuration: the input values (a dict) with the reference
    columns added; ``units``: the inputs' units, NODE_REFERENCE_UNITS included."""
    values = values | {"_one": 1.0} | _node_layout()(values)
    at_node = formulas.compile_scalar(units, ["iteration_time_s"], registry, rebind=NODE_REFERENCE)
    values["node_iteration_time_s"] = at_node(values)["iteration_time_s"]
    return values


@cache
def _node_layout():
    with expression_library(scalar):
        node_tp, node_dp = node_layout(scalar.col("tp"), scalar.col("accelerators_per_node"))
        return scalar.compile_function({"node_tp": node_tp, "node_dp": node_dp})


def with_shape_ids(space: Space) -> Space:
    """``space`` with each hardware row's number (``HARDWARE_ROW``) and each model row's shape (``SHAPE``: the rank
    of its ``SHAPE_KEYS``), which the joined rows carry to ``with_shape_etas``."""
    shape = pl.struct(SHAPE_KEYS).rank("dense").cast(pl.Int64) - 1
    return replace(space, hardware_side=space.hardware_side.with_row_index(HARDWARE_ROW),
                   model_side=space.model_side.with_columns(shape.alias(SHAPE)),
                   units=space.units | dict.fromkeys(SIDE_IDS))  # numbers of rows: no unit, like a name


def with_shape_etas(frame: pl.LazyFrame, space: Space, hardware_side: pl.DataFrame | None, registry: dict,
                    per_model: list[str]) -> tuple[pl.LazyFrame, dict]:
    """``frame`` (rows of ``space``'s join) with the GEMM η (``ETAS``) and their values at the one-node reference's
    layout (``<eta>__node``), computed on every (hardware row, shape) pair of ``space`` (``with_shape_ids``) and
    gathered by each row's pair. Unchanged (the plan computes them per row) above MAX_TABLE_ROWS pairs or when
    their inputs are not those ids' alone: a model-side input that is neither a shape key nor one of
    ``per_model`` (the model catalog's row), ids that are not one per hardware row and one per shape (sides
    stacked from several spaces, a hardware row at several η), or no ids."""
    units = space.units
    # the hardware rows ``frame`` joins: ``hardware_side`` (its values may differ from the space's: validation's rows
    # at each η), the whole side where it is empty (a streamed plan's source, ``runs.streamed``)
    hw = space.hardware_side if hardware_side is None or hardware_side.height == 0 else hardware_side
    model = space.model_side
    read = formulas.inputs_used(units, ETAS, registry)
    at_hw = [c for c in sorted(read) if c in hw.columns and c not in model.columns] + ["accelerators_per_node"]
    at_model = sorted(c for c in read if c in model.columns)
    if (set(read) - set(at_hw) - set(at_model) or not {HARDWARE_ROW, *at_hw} <= set(hw.columns)
            or not {SHAPE, *SHAPE_KEYS} <= set(model.columns) or not set(at_model) <= {*SHAPE_KEYS, *per_model}
            or hw.height == 0 or model.height == 0 or hw[HARDWARE_ROW].n_unique() != hw.height):
        return frame, units
    # one row per id (hashing the id alone: a unique over the whole model side's 14 columns took the 30 M-row run's
    # peak RSS up ~130 MB); ids are one per shape by construction (``with_shape_ids``; validation's stacked sides
    # drop them), a shape under two ids is refused
    shapes = model.select(SHAPE, *SHAPE_KEYS, *(c for c in at_model if c not in SHAPE_KEYS)).unique(
        SHAPE, keep="first", maintain_order=True)
    if shapes.select(SHAPE_KEYS).n_unique() != shapes.height:
        return frame, units
    # numbered on the whole sides: a slice of either has gaps, whose rows in the table are null (never gathered)
    count, rows = int(model[SHAPE].max()) + 1, int(hw[HARDWARE_ROW].max()) + 1
    if rows * count > MAX_TABLE_ROWS:  # few layouts a shape: the table would be the product again
        return frame, units
    shapes = pl.DataFrame({SHAPE: range(count)}, schema={SHAPE: pl.Int64}).join(
        shapes, on=SHAPE, how="left", maintain_order="left")
    hw = pl.DataFrame({HARDWARE_ROW: range(rows)}, schema={HARDWARE_ROW: hw.schema[HARDWARE_ROW]}).join(
        hw.select(HARDWARE_ROW, *at_hw), on=HARDWARE_ROW, how="left", maintain_order="left")
    small = hw.select(*at_hw).join(shapes, how="cross", maintain_order="left_right").lazy()
    node_tp, _ = node_layout(pl.col("tp"), pl.col("accelerators_per_node"))
    small = small.with_columns(_one=pl.lit(1.0), node_tp=node_tp)
    small_units = {c: units.get(c) for c in (*SHAPE_KEYS, *at_hw, *at_model)} | NODE_UNITS
    here = formulas.plan(small, small_units, ETAS, registry, keep=True)
    rebind = {c: NODE_REFERENCE[c] for c in ("tp", "cp") if c in read}
    there = formulas.plan(here.frame, small_units, ETAS, registry, rebind=rebind, suffix=AT_NODE, keep=True)
    etas = there.frame.select(*here.units, *there.units).collect()
    row = pl.col(HARDWARE_ROW).cast(pl.Int64) * count + pl.col(SHAPE)
    return (frame.with_columns(pl.lit(etas[c]).gather(row).alias(c) for c in etas.columns),
            units | here.units | there.units)
