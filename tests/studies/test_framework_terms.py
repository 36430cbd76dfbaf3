"""Framework behaviour from the efficiency profiles (issue 12 item 3): the most specific row
that states each term, the spec's overrides, and the serving study's use of them."""

from __future__ import annotations

from functools import cache

import polars as pl
import pytest

from pipeline import runs
from pipeline.catalogs import custom_allreduce
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import serving
from pipeline.studies.efficiency import FRAMEWORK_TERMS, framework_table

TERMS = list(FRAMEWORK_TERMS)
NV_EAGER = "https://developer.nvidia.com/blog/cuda-graphs/"
VLLM_CHUNK = "https://github.com/vllm-project/vllm/blob/v0.10.0/vllm/engine/arg_utils.py"
SGL_ARGS = "https://github.com/sgl-project/sglang/blob/main/python/sglang/srt/server_args.py"


def pick(framework: str, family: str, workload: str = "inference", dtype: str = "fp16",
         overrides: dict | None = None) -> dict:
    keys = pl.DataFrame({"workload": [workload], "family": [family], "compute_dtype": [dtype]})
    return framework_table(keys, load_catalogs().efficiency_profiles, framework, TERMS, overrides).row(0, named=True)


@pytest.mark.parametrize("framework, family, graphs, chunk, scheduler", [
    ("default", "nvidia-hopper", False, 8192, 0.0),  # eager PyTorch; vLLM's server budget on >= 70 GiB
    ("vLLM", "nvidia-ampere", True, 2048, 0.0),  # max_num_batched_tokens, OpenAI server, A100
    ("vLLM", "nvidia-hopper", True, 8192, 0.0),  # ... on >= 70 GiB GPUs other than A100
    ("TensorRT-LLM", "nvidia-hopper", True, 8192, 0.0),  # max_num_tokens 8192, overlap scheduler
    ("TensorRT-LLM Triton", "nvidia-hopper", False, 8192, 0.0),  # Triton backend: cuda_graph_mode default false
    ("SGLang", "nvidia-hopper", True, 8192, 0.0),  # chunked_prefill_size on 35-160 GB GPUs
    ("SGLang", "amd-cdna3", True, 16384, 0.0),  # ... on >= 160 GB (MI300)
])
def test_each_framework_states_its_graphs_and_chunk(framework, family, graphs, chunk, scheduler):
    r = pick(framework, family)
    assert (r["decode_cuda_graphs"], r["prefill_chunk_tokens"], r["scheduler_overhead_per_iteration_s"]) == (
        graphs, chunk, scheduler)
    assert r["launch_overhead_per_kernel_s"] == 4e-6  # no framework row states its own: the default's
    assert r["launch_overhead_per_kernel_s_source"] == f"Default inference: {NV_EAGER}"
    if graphs:  # CUDA 12.6 straight-line graph: 2.5 us + 1 ns per node (NVIDIA blog 2024-09-11)
        assert (r["graph_launch_s"], r["graph_launch_per_kernel_s"]) == (2.5e-6, 1e-9)


@pytest.mark.parametrize("framework", ["default", "vLLM", "TensorRT-LLM", "TensorRT-LLM Triton", "SGLang"])
def test_no_profile_states_an_eager_prefill_host_cost(framework):
    """registry_data/research/r-pfgraph: SGLang's figure (sglang#12160) is kept as a patch; no row states one."""
    r = pick(framework, "nvidia-hopper")
    assert (r["prefill_eager_host_per_kernel_s"], r["prefill_eager_host_per_kernel_s_source"]) == (
        0.0, "no profile states it")


def test_the_chunk_cites_the_framework_source():
    assert pick("vLLM", "nvidia-ampere")["prefill_chunk_tokens_source"].endswith(VLLM_CHUNK)
    assert pick("SGLang", "amd-cdna3")["prefill_chunk_tokens_source"] == f"Inference SGLang MI300X: {SGL_ARGS}"


def test_training_rows_take_the_default_training_launch_cost():
    assert pick("Megatron-LM", "nvidia-hopper", "training", "bf16")["launch_overhead_per_kernel_s"] == 4e-6


def test_the_spec_overrides_the_launch_cost_and_the_chunk():
    r = pick("vLLM", "nvidia-hopper", overrides={"launch_overhead_per_kernel_s": 6e-6, "prefill_chunk_tokens": 512})
    assert (r["launch_overhead_per_kernel_s"], r["prefill_chunk_tokens"]) == (6e-6, 512)
    assert r["launch_overhead_per_kernel_s_source"] == "spec override (launch_overhead_per_kernel_s)"
    assert r["decode_cuda_graphs"] is True  # graphs are the framework's, not overridden


@cache
def _serving(framework: str, software: tuple = (), chunk: int | None = None) -> dict:
    spec = parse_spec({"study": "serving", "axes": {"model": ["Llama 2 70B"], "hardware": ["H100 SXM5 80GB"],
                                                    "tp": [8], "batch": [1], "prompt_len": [2048],
                                                    "output_len": [128], "compute_dtype": ["fp16"]},
                       "efficiency": {"framework": framework}, "software": dict(software),
                       "serving": {} if chunk is None else {"prefill_chunk_tokens": chunk}})
    return serving.build(runs.prepare(spec, None).space, breakdown=True).frame.collect().row(0, named=True)


def test_the_default_profile_keeps_the_results_before_issue_12():
    """The 'default' framework (no change asked by issue 12 item 3): every serving result equals
    the one with the former spec defaults (4 us per launch, 8192-token chunks) set explicitly."""
    r, before = _serving("default"), _serving("default", (("launch_overhead_per_kernel_s", 4e-6),), 8192)
    assert r["launch_overhead_s"] == pytest.approx(80 * 11 * 4e-6)  # 3.52 ms
    assert r["decode_launch_overhead_s"] == r["launch_overhead_s"]
    assert {k: v for k, v in r.items() if not k.endswith("_source")} == {
        k: v for k, v in before.items() if not k.endswith("_source")}


def test_vllm_decode_replays_a_graph_and_prefill_stays_eager():
    """vLLM's η and memory fraction equal the default's here (0.25-0.35 midpoint 0.30, 0.9 of the
    total) and pp = 1, so the ITL falls by exactly the eager launches minus one graph replay, and by the
    all-reduces vLLM runs in its own one-shot kernel (16 KiB per decode all-reduce, below its
    8 MiB limit: 160 x (alpha + 7 x 16384 B / (link fraction x 450 GB/s)) from the custom
    all-reduce catalog) instead of NCCL's ring; prefill's 32 MiB all-reduces stay on NCCL. Both gather the logits
    over TP (pipeline.walls.sampling): a ring all-gather of 1 x 32,000 x 2 B over 8 ranks, 7 x 0.6 us + 7/8 x
    64,000 B / (450 GB/s x eta_link), the H100 link of the hardware catalog."""
    vllm, default = _serving("vLLM"), _serving("default")
    assert vllm["decode_launch_overhead_s"] == pytest.approx(2.5e-6 + 880 * 1e-9)
    fit = custom_allreduce.load_fits().row(0, named=True)
    one_shot = fit["alpha_s"] + 7 * 16384 / (fit["link_fraction"] * 450e9)
    gather = 7 * 0.6e-6 + 7 / 8 * 32_000 * 2 / (450e9 * vllm["eta_link"])
    assert vllm["decode_communication_time_s"] == pytest.approx(160 * one_shot + gather, rel=1e-9)
    assert vllm["decode_communication_time_s"] < default["decode_communication_time_s"]
    assert default["itl_s"] - vllm["itl_s"] == pytest.approx(
        880 * 4e-6 - (2.5e-6 + 880e-9) + default["decode_communication_time_s"] - vllm["decode_communication_time_s"])
    assert vllm["prefill_communication_time_s"] == pytest.approx(default["prefill_communication_time_s"])
    assert vllm["ttft_s"] == pytest.approx(default["ttft_s"])


def test_the_triton_engine_runtime_launches_decode_eagerly():
    """The Triton TensorRT-LLM backend leaves cuda_graph_mode false (docs/model_config.md); its
    profile is TensorRT-LLM's otherwise (η, memory fraction, all-reduce plugin), so its ITL is
    TensorRT-LLM's plus the 80 x 11 eager launches (4 us each) minus one graph replay."""
    triton, trtllm = _serving("TensorRT-LLM Triton"), _serving("TensorRT-LLM")
    assert triton["decode_launch_overhead_s"] == pytest.approx(80 * 11 * 4e-6)
    assert triton["itl_s"] - trtllm["itl_s"] == pytest.approx(80 * 11 * 4e-6 - (2.5e-6 + 880 * 1e-9))
    assert triton["ttft_s"] == pytest.approx(trtllm["ttft_s"])


def test_a_serving_prefill_without_a_stated_host_cost_pays_the_launches():
    """The serving study reads the profiles' eager prefill host cost, 0 where none is stated: SGLang's prefill (its
    η, chunk and the prefill's NCCL all-reduces are the default's here) then costs the default's, Llama 2 70B's
    80 x 11 kernels at the 4 us launch cost."""
    assert _serving("SGLang")["ttft_s"] == pytest.approx(_serving("default")["ttft_s"], rel=1e-12)
