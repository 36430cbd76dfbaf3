"""The training study's inputs beyond the joined sides: the one-node reference (``scaling_efficiency``) and the
GEMM model's efficiencies, computed once per distinct shape and gathered back (issue 15).

The GEMM shape model's η (``training_compute.train_matmul_eta_compute`` and its backward, ``training_attention``'s
unfused-attention pair, ``training_lora.adapter_eta_compute``) depends on the accelerator and precision (the kernel
fit) and on the model, seq_len, microbatch, cp, tp and LoRA rank, not on gpus, dp, pp, the batch, ZeRO or
recomputation: in the 6.7 M-row bench spec (`mlsys bench --study training --rows 3000000`) 49 hardware rows x 860
shapes, against 187,350 layouts a hardware row. Per row it was ~60 % of the plan's CPU (the 4 + 8 + 12 GEMMs of the
η, the one-node reference's again, and both branches of each ``where``). ``shape_etas`` has ``per_key.gathered``
compute them on that small frame by the same formulas (the same expressions on the same values: the same values) and
gather them by each row's (hardware row, shape) ids, which the sides carry (``with_shape_ids``: the streamed sweep's
plan is built before its rows exist); the study's formulas read a column the frame has, never recompute it. A hash
join on the seven keys instead cost ~0.2 CPU s per 187 k rows (most of what it saved): it gathers every column of the
row; the gather of eight columns by an integer ~0.01 s.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import polars as pl

from pipeline import formulas, scalar
from pipeline.studies import per_key
from pipeline.studies.sides import Space
from pipeline.units import E, expression_library, unit

ETAS = ["train_matmul_eta_compute", "train_backward_matmul_eta_compute", "unfused_attention_eta_compute",
        "unfused_attention_backward_eta_compute", "adapter_eta_compute"]
AT_NODE = "__node"  # the η at the one-node reference's layout: <eta>__node
SHAPE_KEYS = ["model", "seq_len", "microbatch", "cp", "tp", "lora_rank"]  # the model-side columns the shapes read
HARDWARE_ROW, SHAPE = "_hardware_row", "_shape"  # the ids ``with_shape_ids`` gives the sides
SIDE_IDS = [HARDWARE_ROW, SHAPE]

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
    the GEMM η (``shape_etas``), the reference reads their values at its layout (``<eta>__node``)."""
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
    of its ``SHAPE_KEYS``), which the joined rows carry to ``shape_etas``."""
    shape = pl.struct(SHAPE_KEYS).rank("dense").cast(pl.Int64) - 1
    return replace(space, hardware_side=space.hardware_side.with_row_index(HARDWARE_ROW),
                   model_side=space.model_side.with_columns(shape.alias(SHAPE)),
                   units=space.units | dict.fromkeys(SIDE_IDS))  # numbers of rows: no unit, like a name


def shape_etas(space: Space, registry: dict, per_model: list[str]) -> list[per_key.Group]:
    """The GEMM η (``ETAS``) and their values at the one-node reference's layout (``<eta>__node``) as a group computed
    on every (hardware row, shape) pair of ``space`` (``with_shape_ids``) and gathered by each row's pair; none (the
    plan computes them per row) where their inputs are not those ids' alone: a model-side input that is neither a
    shape key nor one of ``per_model`` (the model catalog's row), an input on neither side."""
    units, model = space.units, space.model_side
    read = formulas.inputs_used(units, ETAS, registry)
    at_hw = [c for c in sorted(read) if c in space.hardware_side.columns and c not in model.columns]
    at_hw += ["accelerators_per_node"]
    at_model = sorted(c for c in read if c in model.columns)
    if set(read) - set(at_hw) - set(at_model) or not set(at_model) <= {*SHAPE_KEYS, *per_model}:
        return []
    keys = (*SHAPE_KEYS, *(c for c in at_model if c not in SHAPE_KEYS))
    inputs = {c: units.get(c) for c in (*SHAPE_KEYS, *at_hw, *at_model)} | NODE_UNITS
    rebind = {c: NODE_REFERENCE[c] for c in ("tp", "cp") if c in read}

    def compute(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
        node_tp, _ = node_layout(pl.col("tp"), pl.col("accelerators_per_node"))
        here = formulas.plan(pairs.with_columns(_one=pl.lit(1.0), node_tp=node_tp), inputs, ETAS, registry, keep=True)
        there = formulas.plan(here.frame, inputs, ETAS, registry, rebind=rebind, suffix=AT_NODE, keep=True)
        return there.frame, here.units | there.units

    columns = (*ETAS, *(f"{e}{AT_NODE}" for e in ETAS))
    return [per_key.Group(columns, keys, tuple(at_hw), compute, ids=(HARDWARE_ROW, SHAPE))]
