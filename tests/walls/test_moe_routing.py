"""An MoE layer's routing kernels (pipeline.walls.moe_routing) against hand calculations."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.serving import FORMULAS
from pipeline.units import unit
from pipeline.walls.moe_routing import MOE_ROUTING_KERNELS

# Mixtral 8x7B (config.json of mistralai/Mixtral-8x7B-v0.1): 32 layers, d_model 4096, 8 experts, top-2.
# H100 SXM5: 3.35 TB/s; eta_memory 0.9 and alpha 4 us picked for round numbers.
BW, ETA, ALPHA = 3.35e12, 0.9, 4e-6


def evaluate(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()}, strict=False)
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, FORMULAS).frame.collect().to_dict(as_series=False)


def rows(tokens: list[float], n_experts: list, k: list, layers: list[float], dense_share: list[float],
         mlp_time: list[float] | None = None) -> dict[str, tuple[list, str | None]]:
    n = len(tokens)
    cols = {"decode_tokens": (tokens, "tok"), "n_experts_per_token": (k, ""), "d_model": ([4096.0] * n, ""),
            "hidden_state_bytes_per_element": ([2.0] * n, "B/elem"), "n_experts": (n_experts, ""),
            "n_layers": (layers, ""), "dense_layer_share": (dense_share, ""),
            "memory_bandwidth_bytes_per_s": ([BW] * n, "B/s"), "eta_memory": ([ETA] * n, ""),
            "memory_latency_s": ([ALPHA] * n, "s")}
    return cols | ({} if mlp_time is None else {"decode_mlp_time_s": (mlp_time, "s")})


def test_four_kernels_common_to_trtllm_and_vllm():
    """Router GEMM, top-k gating, grouping by expert, combine: the kernels both stacks run and a
    dense MLP does not (TensorRT-LLM runMoe, vLLM fused_experts)."""
    assert MOE_ROUTING_KERNELS == 4.0


def test_mixtral_decode_routing_by_hand():
    """512 tokens, top-2, d 4096, 16-bit: (2 x 2 + 1) x 512 x 4096 x 2 B = 20,971,520 B per layer;
    4 x 4 us + 20,971,520 / (3.35e12 x 0.9) = 16 us + 6.955728 us = 22.955728 us; x 32 layers =
    734.583 us. A dense model (no experts) routes nothing."""
    out = evaluate(["decode_moe_routing_bytes", "decode_moe_routing_time_s"],
                   **rows([512.0, 512.0], [8.0, None], [2.0, None], [32.0, 32.0], [0.0, 1.0]))
    assert out["decode_moe_routing_bytes"][0] == 20_971_520
    assert out["decode_moe_routing_time_s"][0] == pytest.approx(32 * (16e-6 + 20_971_520 / (BW * ETA)), rel=1e-12)
    assert out["decode_moe_routing_time_s"][0] == pytest.approx(734.583e-6, rel=1e-6)
    assert out["decode_moe_routing_time_s"][1] == 0.0


def test_only_moe_layers_route():
    """DeepSeek-V3-like: 61 layers, the first 3 dense, 8 tokens, top-8: (17 x 8 x 4096 x 2) B =
    1,114,112 B per layer; 58 MoE layers x (16 us + 1,114,112 / 3.015e12 s) = 58 x 16.36951 us."""
    out = evaluate(["decode_moe_routing_time_s"], **rows([8.0], [256.0], [8.0], [61.0], [3.0 / 61.0]))
    assert out["decode_moe_routing_time_s"][0] == pytest.approx(58 * (16e-6 + 1_114_112 / 3.015e12), rel=1e-9)


def test_the_mlp_class_adds_the_routing_once_per_pass():
    """decode_mlp_class_time_s = L x the MLP operator + the routing kernels of all MoE layers."""
    out = evaluate(["decode_mlp_class_time_s", "decode_moe_routing_time_s"],
                   **rows([512.0], [8.0], [2.0], [32.0], [0.0], mlp_time=[400e-6]))
    assert out["decode_mlp_class_time_s"][0] == pytest.approx(32 * 400e-6 + out["decode_moe_routing_time_s"][0])
