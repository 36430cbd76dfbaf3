"""The framework's memory fraction picked per (workload, family, precision) like η: the most
specific profile row that states one (issue 12 item 1)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.studies.efficiency import memory_fraction_table

VLLM = "https://docs.vllm.ai/en/v0.8.1/serving/engine_args.html"
TRT = "https://nvidia.github.io/TensorRT-LLM/examples/kvcacheconfig.html"


def pick(framework: str, workload: str, family: str, dtype: str, override: float | None = None) -> dict:
    keys = pl.DataFrame({"workload": [workload], "family": [family], "compute_dtype": [dtype]})
    return memory_fraction_table(keys, load_catalogs().efficiency_profiles, framework, override).row(0, named=True)


@pytest.mark.parametrize("framework, family, dtype, fraction, of_free, url", [
    ("vLLM", "nvidia-hopper", "fp16", 0.9, False, VLLM),  # gpu_memory_utilization, of the total
    ("TensorRT-LLM", "nvidia-ampere", "fp16", 0.9, True, TRT),  # free_gpu_memory_fraction, of the free memory
    ("TensorRT-LLM", "amd-cdna3", "fp8", 0.9, False, VLLM),  # no TensorRT-LLM row for AMD: the default row
    ("default", "nvidia-hopper", "int8", 0.9, False, VLLM),  # the int8 'any' row states none: the default row
])
def test_the_most_specific_row_that_states_a_fraction(framework, family, dtype, fraction, of_free, url):
    r = pick(framework, "inference", family, dtype)
    assert (r["memory_fraction"], r["memory_fraction_of_free"]) == (fraction, of_free)
    assert r["memory_fraction_source"].endswith(f"({url})")


def test_training_profiles_state_none():
    assert pick("Megatron-LM", "training", "nvidia-hopper", "bf16")["memory_fraction"] is None


def test_the_override_is_a_share_of_the_total():
    r = pick("TensorRT-LLM", "inference", "nvidia-ampere", "fp16", override=0.75)
    assert (r["memory_fraction"], r["memory_fraction_of_free"]) == (0.75, False)
    assert r["memory_fraction_source"] == "spec override (serving.memory_fraction)"
