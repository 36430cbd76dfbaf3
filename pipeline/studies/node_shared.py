"""The node study's columns computed once per distinct (hardware inputs, model inputs) pair (``per_key``) and its
writer's two cuts of the hardware side (accelerators with a kernel fit, those without)."""

from __future__ import annotations

from dataclasses import replace

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
# A kernel-fit η reads the profile's eta_compute only where its row has no fit: ``where(gate is not null, the fit's
# η, eta_compute)`` (walls/kernel_calls.py ``gemm_eta_compute``, gate gemm_units; ``attention_eta_compute``, gate
# attention_ceiling). So the SHARED tables' hardware classes key on a copy of eta_compute that is NULL where the
# gate is not: the same η on every pair, fewer pairs (the bench spec's fitted cut: 98 GEMM classes -> 69, attention
# 45 -> 39; r-nodespd). A change to those formulas that reads eta_compute beside a fit fails
# tests/studies/test_node_fit_cuts.py (the gathered values against the per-row formulas).
ETA = "eta_compute"
GATED_ETA = {"attention_ceiling": "__eta_compute_without_attention_fit", "gemm_units": "__eta_compute_without_gemm_fit"}


def gated(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (a hardware side) with each ``GATED_ETA`` column: eta_compute where the gate is NULL, else NULL."""
    return frame.with_columns(pl.when(pl.col(gate).is_null()).then(pl.col(ETA)).alias(name)
                              for gate, name in GATED_ETA.items() if gate in frame.columns and ETA in frame.columns)


def shared(space: Space, side: pl.DataFrame | None, names: list[str]) -> tuple[pl.LazyFrame, dict]:
    """The joined frame and its units with each column of ``names`` computed by its formula once per distinct pair
    of (its hardware-side inputs, its model-side inputs) and gathered per row (``per_key``): the same values
    (tests/studies/test_node_fit_cuts.py)."""
    if side is not None:  # one copy of the whole side for every chunk and cut: the tables are cached on it
        whole = per_key.cached(("node gated eta",), (space.hardware_side,), lambda: gated(space.hardware_side))
        space, side = replace(space, hardware_side=whole), gated(side)

    def group(name: str) -> per_key.Group:
        hkeys, mkeys = (node_graphs.keys_read(name, {c: space.units.get(c) for c in f.columns})
                        for f in (side, space.model_side))
        gate = next((g for g in GATED_ETA if g in hkeys), None) if name in SHARED and ETA in hkeys else None
        rename = {GATED_ETA[gate]: ETA} if gate is not None and GATED_ETA[gate] in side.columns else {}
        hkeys = tuple(GATED_ETA[gate] if rename and k == ETA else k for k in hkeys)

        def compute(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
            plan = formulas.plan(*node_graphs.with_slots(pairs.rename(rename), space.units), [name], keep=True)
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
