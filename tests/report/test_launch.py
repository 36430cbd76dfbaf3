"""Launch settings of a serve-plan deployment (pipeline.report.launch) against hand values."""

from __future__ import annotations

import pytest

from pipeline.report.launch import batched_tokens, fraction_of_free, fraction_of_total, sglang, tensorrt_llm, vllm

WORKER = {"tp": 4.0, "pp": 1.0, "batch": 64, "kv_dtype": "fp8", "memory_fraction": 0.9,
          "memory_fraction_of_free": False, "memory_limit_bytes": 80e9, "weights_per_device_bytes": 35e9,
          "activation_bytes_per_device": 1e9}


def test_memory_fractions_convert_between_total_and_free():
    """M = 80 GB, W + A = 36 GB. vLLM's 0.9 of the total leaves 72 - 36 = 36 GB of the 44 GB free:
    TensorRT-LLM's 36 / 44 = 0.8182. TensorRT-LLM's 0.9 of the free takes 36 + 0.9 x 44 = 75.6 GB:
    vLLM's 75.6 / 80 = 0.945."""
    assert fraction_of_free(WORKER) == pytest.approx(36 / 44)
    assert fraction_of_total(WORKER) == 0.9
    trt = WORKER | {"memory_fraction_of_free": True}
    assert fraction_of_total(trt) == pytest.approx(0.945)
    assert fraction_of_free(trt) == 0.9


def test_batched_tokens_and_flags():
    """Prefill worker: the 1,024-token prompt, or 4 of them (4,096) at batch 4; at batch 16 with
    EP 8 over TP 2 (4 attention groups) each group passes ceil(16 / 4) = 4 prompts: 4,096; decode
    worker: 64 sequences x (3 drafts + 1) = 256; aggregated: both, 1,024 + 64."""
    spec = WORKER | {"spec_draft_tokens": 3, "draft_model": "meta-llama/Llama-3.2-1B"}
    assert batched_tokens(WORKER | {"batch": 1}, "prefill", 1024) == 1024
    assert batched_tokens(WORKER | {"batch": 4}, "prefill", 1024) == 4096
    assert batched_tokens(WORKER | {"batch": 16, "tp": 2.0, "ep": 8.0}, "prefill", 1024) == 4096
    assert batched_tokens(spec, "decode", 1024) == 256
    assert batched_tokens(WORKER, "aggregated", 1024) == 1088
    line = vllm("meta-llama/Llama-3.1-70B", spec, "decode", 1024)
    for flag in ("--tensor-parallel-size 4", "--max-num-seqs 64", "--max-num-batched-tokens 256",
                 "--gpu-memory-utilization 0.90", "--kv-cache-dtype fp8", '"num_speculative_tokens": 3',
                 "NixlConnector"):
        assert flag in line, flag
    assert "--disaggregation-mode decode" in sglang("m", spec, "decode", 1024)
    assert "--enable-expert-parallel" in vllm("m", WORKER | {"ep": 8.0}, "aggregated", 1024)
    trt = tensorrt_llm("m", WORKER | {"ep": 8.0}, "aggregated", 1024)
    assert "--ep_size 8" in trt and "--kv_cache_free_gpu_memory_fraction 0.82" in trt


def test_redundant_experts_in_the_search_and_the_launch_flags():
    """DeepSeek-V3's 256 experts + 32 redundant slots: serve-plan adds the EP sizes that divide 288
    (DeepSeek's EP144, SGLang's EP72) to the powers of two and tries r = 0 and 32; the flags carry r."""
    from pipeline.report.serve_plan import Request, expert_sizes, spec

    assert expert_sizes(144, 256, 32) == [1, 2, 3, 4, 6, 8, 9, 12, 16, 18, 24, 32, 36, 48, 64, 72, 96, 128, 144]
    assert expert_sizes(144, 256, 0) == [1, 2, 4, 8, 16, 32, 64, 128]
    req = Request("DeepSeek-V3", "H800 SXM5 80GB", 144, 2.0, 0.05, isl=2000, osl=1000, redundant_experts=32)
    assert spec(req, True, 256)["axes"]["redundant_experts"] == [0, 32]
    assert "redundant_experts" not in spec(Request("DeepSeek-V3", "H800 SXM5 80GB", 144, 2.0, 0.05, isl=2000,
                                                   osl=1000), True, 256)["axes"]
    worker = WORKER | {"tp": 1.0, "ep": 72.0, "redundant_experts": 32}
    assert "--ep-num-redundant-experts 32" in sglang("m", worker, "decode", 2000)
    assert "--enable-eplb --eplb-config '{\"num_redundant_experts\": 32}'" in vllm("m", worker, "decode", 2000)
    assert "eplb" not in vllm("m", WORKER | {"ep": 8.0}, "decode", 2000)
