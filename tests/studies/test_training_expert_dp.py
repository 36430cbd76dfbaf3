"""The routed experts' gradients reduce over the expert-data-parallel ranks, apart from the dense ones
(walls/communication.py ``dp_allreduce_time_s``; Megatron-Core parallel_state.py and distributed_data_parallel.py,
cited there), checked against the hierarchical all-reduce computed by hand."""

from __future__ import annotations

import math

import polars as pl
import pytest

import pipeline

H100_POD = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"
# The pod's figures (clusters catalog, hardware catalog): 8 H100 a node and NVLink domain, NVLink 450 GB/s a
# direction x eta_link 0.82 at 0.6 us a step; 8 x 400 Gb/s NICs a node (50 GB/s a GPU) at NCCL's 0.95, 2.7 us.
UP_ALPHA, UP_BETA = 0.6e-6, 450e9 * 0.82
OUT_ALPHA, OUT_BETA = 2.7e-6, 400e9 / 8 * 0.95
TREE_HOP = 28.0 / 2.7 * OUT_ALPHA  # NCCL's Simple-protocol tree hop (messages above 128 MiB), tuning.cc hwLat[NET]
# Mixtral 8x7B: 32 layers, all MoE, 8 SwiGLU experts of 3 x 4096 x 14336 weights
EXPERTS = 32 * 8 * 3 * 4096 * 14336


def rows(dp: list[int], ep: list[int]) -> pl.DataFrame:
    spec = {"study": "training", "axes": {
        "compute_dtype": ["bf16"], "model": ["Mixtral 8x7B"], "cluster": [H100_POD], "dp": dp, "tp": [1], "pp": [1],
        "ep": ep, "global_batch": [64], "microbatch": [1], "seq_len": [4096], "zero_stage": [1],
        "recompute": ["selective"], "sequence_parallel": [False]}}
    return pipeline.sweep(spec)


def across(domains: int, g: int, message: float) -> float:
    """NCCL's all-reduce over ``domains`` nodes of ``g`` ranks: the ring in the node, the exchange between nodes
    (per node and direction M for two nodes), their latencies added and the slower transfer setting the pace."""
    n = domains * g
    within = 2 * (g - 1) / g * message / UP_BETA
    between = min(1.0 if domains <= 2 else 2.0, 2 * (n - 1) / n) * message / (g * OUT_BETA)
    hops = 2 * math.ceil(math.log2(domains)) * TREE_HOP
    return 2 * (g - 1) * UP_ALPHA + hops + max(within, between)


def test_expert_gradients_reduce_over_expert_data_parallel_ranks():
    """EP 8 over DP 16 (two nodes): the dense weights reduce over 16 ranks, 8 a node; each expert's weights live on
    EDP = 16 / 8 = 2 GPUs, one a node, and reduce between them over the NICs alone. EP 8 over DP 8 (one node): EDP
    1, nothing to reduce for the experts, the dense ring within the node."""
    frame = rows([8, 16], [8])
    one, two = (frame.filter(pl.col("dp") == d).row(0, named=True) for d in (8, 16))
    per_gpu = EXPERTS / 8
    dense = (two["trainable_params_per_gpu"] - per_gpu) * 2.0
    assert two["dp_allreduce_time_s"] == pytest.approx(across(2, 8, dense) + across(2, 1, per_gpu * 2.0), rel=1e-9)
    dense_one = (one["trainable_params_per_gpu"] - per_gpu) * 2.0
    ring = 2 * 7 * UP_ALPHA + 2 * 7 / 8 * dense_one / UP_BETA
    assert one["dp_allreduce_time_s"] == pytest.approx(ring, rel=1e-9)


def test_without_expert_parallelism_the_experts_reduce_with_the_dense_ranks():
    """EP 1: EDP = DP, the experts' buffer reduces over the same 16 ranks as the dense one, a second hierarchical
    all-reduce of its own bytes."""
    row = rows([16], [1]).row(0, named=True)
    dense = (row["trainable_params_per_gpu"] - EXPERTS) * 2.0
    assert row["dp_allreduce_time_s"] == pytest.approx(across(2, 8, dense) + across(2, 8, EXPERTS * 2.0), rel=1e-9)
