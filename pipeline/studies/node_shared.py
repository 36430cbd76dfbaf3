"""The node study's columns computed once per distinct (hardware inputs, model inputs) pair (``per_key``) and its
writer's two cuts of the hardware side (accelerators with a kernel fit, those without)."""

from __future__ import annotations

import polars as pl

from pipeline import formulas
from pipeline.studies import node_graphs, per_key
from pipeline.studies.kernels import ATTENTION_COLUMNS, GEMM_COLUMNS
from pipeline.studies.sides import Space

KERNEL_FIT = [*GEMM_COLUMNS.values(), *ATTENTION_COLUMNS.values()]  # null where a row has no kernel fit


# The kernel fit's efficiencies compute_time_s reads: each is a function of a few hardware-side columns (the fit of
# one accelerator x precision: 37 distinct of the bench spec's 82 fitted rows) and a few model-side ones (one GEMM's
# M, N, K, or the attention call's shape: 1,726-3,465 distinct of 13,024 rows; decode's M is the batch, the same over
# seq_len), so ``shared`` computes each once per distinct pair and gathers it per row.
# The footprint: 8 distinct (bytes per element, weight, KV, prefill chunk) of 494 hardware rows x 12,067 model rows.
FOOTPRINT = ["memory_footprint_bytes"]
SHARED = ["step_qkv_proj_eta_compute", "step_o_proj_eta_compute", "step_mlp_eta_compute", "step_lm_head_eta_compute",
          "step_attention_eta_compute"]


def shared(space: Space, side: pl.DataFrame | None, names: list[str]) -> tuple[pl.LazyFrame, dict]:
    """The joined frame and its units with each column of ``names`` computed by its formula once per distinct pair
    of (its hardware-side inputs, its model-side inputs) and gathered per row (``per_key``): the same values
    (tests/studies/test_node_fit_cuts.py)."""
    def group(name: str) -> per_key.Group:
        hkeys, mkeys = (node_graphs.keys_read(name, {c: space.units.get(c) for c in f.columns})
                        for f in (side, space.model_side))

        def compute(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
            plan = formulas.plan(*node_graphs.with_slots(pairs, space.units), [name], keep=True)
            return plan.frame, plan.units
        return per_key.Group((name,), mkeys, hkeys, compute)

    return per_key.gathered(space, side, [group(name) for name in names])


def fit_cuts(hardware_side: pl.DataFrame, key: str) -> list[tuple[pl.DataFrame, list[str]]]:
    """``hardware_side`` cut in two: the ``key`` values (accelerators) with a kernel fit on some row, then those
    without (``KERNEL_FIT`` all null: those columns), each in the order of its first row (``grouped_join``'s)."""
    present = [c for c in KERNEL_FIT if c in hardware_side.columns]
    if not present or hardware_side.height == 0:
        return []
    value = pl.col(key).to_physical()
    bare = pl.all_horizontal(pl.col(c).is_null() for c in present).all().over(value)
    cuts = [(hardware_side.filter(~bare), []), (hardware_side.filter(bare), present)]
    return [(side, absent) for side, absent in cuts if side.height]
