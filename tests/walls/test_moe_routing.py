"""An MoE layer's routing kernels (pipeline.walls.moe_routing) against hand calculations."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.catalogs.load import load_catalogs
from pipeline.studies.efficiency import FRAMEWORK_TERMS, framework_table
from pipeline.studies.serving import FORMULAS
from pipeline.units import unit
from pipeline.walls.moe_routing import MOE_GATHER_KERNELS, MOE_ROUTING_KERNELS

# Mixtral 8x7B (config.json of mistralai/Mixtral-8x7B-v0.1): 32 layers, d_model 4096, 8 experts, top-2.
# H100 SXM5: 3.35 TB/s; eta_memory 0.9 and alpha 4 us picked for round numbers.
BW, ETA, ALPHA = 3.35e12, 0.9, 4e-6


def evaluate(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()}, strict=False)
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, FORMULAS).frame.collect().to_dict(as_series=False)


def rows(tokens: list[float], n_experts: list, k: list, layers: list[float], dense_share: list[float],
         mlp_time: list[float] | None = None, copy: bool = True) -> dict[str, tuple[list, str | None]]:
    n = len(tokens)
    cols = {"decode_tokens": (tokens, "tok"), "n_experts_per_token": (k, ""), "d_model": ([4096.0] * n, ""),
            "hidden_state_bytes_per_element": ([2.0] * n, "B/elem"), "n_experts": (n_experts, ""),
            "n_layers": (layers, ""), "dense_layer_share": (dense_share, ""),
            "memory_bandwidth_bytes_per_s": ([BW] * n, "B/s"), "eta_memory": ([ETA] * n, ""),
            "memory_latency_s": ([ALPHA] * n, "s"), "moe_row_copy": ([copy] * n, None)}
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


def test_five_kernels_of_vllm_fused_experts():
    """Router GEMM, topk_softmax, moe_align_block_size's moe_align_block_size_kernel and
    count_and_sort_expert_tokens_kernel (csrc/moe/moe_align_sum_kernels.cu, t·k >= 1024 or E > 64), moe_sum: the
    kernels vLLM's Triton fused_experts launches besides the two fused_moe_kernel GEMMs and silu_and_mul."""
    assert MOE_GATHER_KERNELS == 5.0


def test_vllm_gathers_mixtral_rows_by_hand():
    """vLLM's Triton path (GEMM 1 reads A at offs_token // top_k: no copy): 512 tokens, top-2, d 4096, 16-bit:
    3 x 2 x 512 x 4096 x 2 B = 25,165,824 B per layer (the combine's 2 x 2 + 1 = 5, GEMM 1's extra 2 - 1 = 1);
    5 x 4 us + 25,165,824 / (3.35e12 x 0.9) s = 20 us + 8.346873 us = 28.346873 us; x 32 layers = 907.100 us,
    2 kernels and 16,777,216 B per layer (2k·t·d) less than the copy's 37.911456 us."""
    out = evaluate(["decode_moe_routing_bytes", "decode_moe_routing_time_s"],
                   **rows([512.0], [8.0], [2.0], [32.0], [0.0], copy=False))
    assert out["decode_moe_routing_bytes"][0] == 25_165_824
    assert out["decode_moe_routing_time_s"][0] == pytest.approx(907.100e-6, rel=1e-6)
    copied = evaluate(["decode_moe_routing_bytes"], **rows([512.0], [8.0], [2.0], [32.0], [0.0]))
    assert copied["decode_moe_routing_bytes"][0] - out["decode_moe_routing_bytes"][0] == 2 * 2 * 512 * 4096 * 2


VLLM_SRC = "https://github.com/vllm-project/vllm/blob/000d1458/vllm/model_executor/layers/fused_moe/fused_moe.py"


def profiles(vllm_gathers: bool) -> pl.DataFrame:
    """The bundled profiles, with vLLM's rows stating the gather (r-moemix/moe_row_copy.py --vllm) or not."""
    bundled = load_catalogs().efficiency_profiles
    if not vllm_gathers:
        return bundled
    vllm = pl.col("framework") == "vLLM"
    return bundled.with_columns(moe_row_copy=pl.when(vllm).then(False).otherwise("moe_row_copy"),
                                moe_routing_source_url=pl.when(vllm).then(pl.lit(VLLM_SRC))
                                .otherwise("moe_routing_source_url"))


@pytest.mark.parametrize("framework, family, vllm_gathers, copy, cites", [
    ("TensorRT-LLM", "nvidia-hopper", False, True, "moe_kernels.cu"),  # runMoe's expandInputRowsKernelLauncher
    ("TensorRT-LLM", "nvidia-ada", False, True, "moe_kernels.cu"),  # stated on A100/H100: the framework's anywhere
    ("TensorRT-LLM Triton", "nvidia-ampere", False, True, "moe_kernels.cu"),
    ("vLLM", "nvidia-hopper", False, True, "no profile states it"),  # the bundled catalog leaves vLLM unstated
    ("vLLM", "nvidia-hopper", True, False, "fused_moe.py"),  # fused_experts gathers through sorted_token_ids
    ("vLLM", "amd-cdna3", True, False, "fused_moe.py"),  # no vLLM profile on MI300X: its software behaviour holds
    ("SGLang", "nvidia-hopper", True, True, "no profile states it"),  # Triton by default, DeepGEMM with DeepEP
    ("default", "nvidia-hopper", True, True, "no profile states it"),
])
def test_the_framework_profile_decides_the_routing(framework, family, vllm_gathers, copy, cites):
    keys = pl.DataFrame({"workload": ["inference"], "family": [family], "compute_dtype": ["fp8"]})
    r = framework_table(keys, profiles(vllm_gathers), framework, list(FRAMEWORK_TERMS)).row(0, named=True)
    assert r["moe_row_copy"] is copy
    assert cites in r["moe_row_copy_source"]
