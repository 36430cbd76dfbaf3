"""An NVFP4 serving row runs an FP8 KV cache unless it states another (pipeline.validation.kv_cache_dtype;
issue 12, hwerr)."""

from __future__ import annotations

import pytest

from pipeline.validation.kv_cache_dtype import kv_cache_dtype
from pipeline.validation.predict import SPEC_INPUTS, measurement_spec

ROW = dict.fromkeys(SPEC_INPUTS) | {
    "study": "serving", "scenario": "offline", "metric": "tokens_per_s", "framework": "TensorRT-LLM",
    "model": "Llama 3.1 70B", "hardware": "B200 (HGX B200)", "devices": 1, "tp": 1, "pp": 1,
    "prompt_len": 128, "output_len": 4096}


@pytest.mark.parametrize(("compute", "kv"), [("fp4", "fp8"), ("fp8", "fp8"), ("bf16", "bf16"), ("fp16", "fp16")])
def test_only_fp4_keeps_its_kv_cache_at_another_precision(compute, kv):
    """ModelOpt's default KV format is fp8 (hf_ptq.py), NVIDIA's MLPerf fp4 configs set kv_cache_dtype 'fp8'."""
    assert kv_cache_dtype(compute) == kv


def test_an_fp4_rows_spec_stores_kv_in_fp8():
    """The perf-overview B200 FP4 row (nvidia/Llama-3.3-70B-Instruct-FP4): FP4 weights and GEMMs, FP8 K and V."""
    spec, reason = measurement_spec(ROW | {"compute_dtype": "fp4", "weight_dtype": "fp4"})
    assert reason is None
    axes = spec["axes"]
    assert (axes["compute_dtype"], axes["weight_dtype"], axes["kv_dtype"]) == (["fp4"], ["fp4"], ["fp8"])
    assert measurement_spec(ROW | {"compute_dtype": "bf16"})[0]["axes"]["kv_dtype"] == ["bf16"]


def test_a_row_stating_its_kv_precision_keeps_it():
    """NVIDIA's DeepSeek-R1 guide, "B200 max-throughput for R1 with FP16 KV cache": NVFP4 GEMMs over a 16-bit KV
    cache (measurements ``kv_dtype``, research r-kvdtype), not the FP8 cache an fp4 row gets by default."""
    spec, reason = measurement_spec(ROW | {"compute_dtype": "fp4", "weight_dtype": "fp4", "kv_dtype": "fp16"})
    assert reason is None
    assert (spec["axes"]["compute_dtype"], spec["axes"]["kv_dtype"]) == (["fp4"], ["fp16"])
