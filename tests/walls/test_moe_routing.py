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


def test_six_kernels_of_trtllm_runmoe():
    """Router GEMM, selectExpertsForTokens, the CUB sort and the experts' first-row offsets
    (sortAndScanSoftmaxOutput), expandInputRowsKernelLauncher, finalizeMoeRoutingKernelLauncher: the kernels
    TensorRT-LLM's runMoe launches besides the two grouped GEMMs and the activation (the MLP operator's)."""
    assert MOE_ROUTING_KERNELS == 6.0


def test_mixtral_decode_routing_by_hand():
    """512 tokens, top-2, d 4096, 16-bit: 5 x 2 x 512 x 4096 x 2 B = 41,943,040 B per layer (the combine's
    2 x 2 + 1 = 5, the row copy's 2 x 2 = 4, GEMM 1's extra 2 - 1 = 1: 10 rows of 8,192 B per token);
    6 x 4 us + 41,943,040 / (3.35e12 x 0.9) = 24 us + 13.911456 us = 37.911456 us; x 32 layers =
    1,213.167 us. A dense model (no experts) routes nothing."""
    out = evaluate(["decode_moe_routing_bytes", "decode_moe_routing_time_s"],
                   **rows([512.0, 512.0], [8.0, None], [2.0, None], [32.0, 32.0], [0.0, 1.0]))
    assert out["decode_moe_routing_bytes"][0] == 41_943_040
    assert out["decode_moe_routing_time_s"][0] == pytest.approx(32 * (24e-6 + 41_943_040 / (BW * ETA)), rel=1e-12)
    assert out["decode_moe_routing_time_s"][0] == pytest.approx(1_213.167e-6, rel=1e-6)
    assert out["decode_moe_routing_time_s"][1] == 0.0


def test_only_moe_layers_route():
    """DeepSeek-V3-like: 61 layers, the first 3 dense, 8 tokens, top-8: (5 x 8 x 8 x 4096 x 2) B =
    2,621,440 B per layer; 58 MoE layers x (24 us + 2,621,440 / 3.015e12 s) = 58 x 24.869466 us."""
    out = evaluate(["decode_moe_routing_time_s"], **rows([8.0], [256.0], [8.0], [61.0], [3.0 / 61.0]))
    assert out["decode_moe_routing_time_s"][0] == pytest.approx(58 * (24e-6 + 2_621_440 / 3.015e12), rel=1e-9)
    assert out["decode_moe_routing_time_s"][0] == pytest.approx(58 * 24.869466e-6, rel=1e-7)


def test_the_mlp_class_adds_the_routing_once_per_pass():
    """decode_mlp_class_time_s = L x the MLP operator + the routing kernels of all MoE layers."""
    out = evaluate(["decode_mlp_class_time_s", "decode_moe_routing_time_s"],
                   **rows([512.0], [8.0], [2.0], [32.0], [0.0], mlp_time=[400e-6]))
    assert out["decode_mlp_class_time_s"][0] == pytest.approx(32 * 400e-6 + out["decode_moe_routing_time_s"][0])
