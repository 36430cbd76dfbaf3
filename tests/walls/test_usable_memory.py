"""Usable memory and the framework's memory fraction (issue 12 item 1), each formula against a
value worked by hand from its source.

- ``memory_limit_bytes``: the driver-reported total where one is cited (H100 SXM: nvidia-smi
  81559 MiB, https://github.com/NVIDIA/nccl/issues/1264), else the as-built capacity (H100 PCIe:
  80 GiB, no cited report).
- serving ``memory_reserve_bytes``: (1 - f) x usable for vLLM's gpu_memory_utilization (0.9 of
  the total, docs.vllm.ai engine args); (1 - f) x (usable - weights - activations) for
  TensorRT-LLM's free_gpu_memory_fraction (0.9 of the free memory, TensorRT-LLM kvcacheconfig).
- training ``memory_reserve_bytes``: training.memory_reserve_fraction (10 %) x usable when a spec sets it
  (the physical reserve, the default, is tested in tests/walls/test_training_reserve.py).
"""

from __future__ import annotations

import pytest

import pipeline

H100_SXM, H100_PCIE, A100 = "H100 SXM5 80GB", "H100 PCIe 80GB", "A100 SXM4 80GB"
H100_SMI = 81559 * 2**20  # nvidia-smi "81559MiB" total, NVIDIA/nccl#1264
A100_SMI = 81920 * 2**20  # nvidia-smi "81920MiB" total, modal-labs/modal-client#2797
GIB = 2**30
L7 = "Llama 2 7B"
L7_PARAMS = 6_738_415_616  # Llama 2 7B: 32 layers, d 4096, MLP 11008, vocab 32000 (HF config), untied


def serving(framework: str, hardware: str) -> dict:
    return pipeline.evaluate_serving(L7, hardware, prompt_len=128, output_len=128, framework=framework,
                                     breakdown=False).row(0, named=True)


def test_the_driver_total_where_one_is_cited_else_the_capacity_as_built():
    sxm = pipeline.evaluate(L7, H100_SXM, step="decode").row(0, named=True)
    assert sxm["memory_capacity_bytes"] == 80 * GIB  # the datasheet's "80 GB" of HBM3 is 80 GiB
    assert sxm["memory_limit_bytes"] == H100_SMI == 85_520_809_984
    assert sxm["memory_headroom_bytes"] == pytest.approx(H100_SMI - sxm["memory_footprint_bytes"], rel=1e-12)
    pcie = pipeline.evaluate(L7, H100_PCIE, step="decode").row(0, named=True)
    assert pcie["memory_limit_bytes"] == pcie["memory_capacity_bytes"] == 80 * GIB


def test_vllm_takes_nine_tenths_of_the_usable_total():
    r = serving("vLLM", H100_SXM)
    assert r["memory_fraction"] == 0.9 and r["memory_fraction_of_free"] is False
    assert r["memory_reserve_bytes"] == pytest.approx(8_552_080_998.4, rel=1e-12)  # 0.1 x 85,520,809,984


def test_tensorrt_llm_takes_nine_tenths_of_what_weights_and_activations_leave():
    r = serving("TensorRT-LLM", A100)
    assert r["memory_fraction"] == 0.9 and r["memory_fraction_of_free"] is True
    weights = 2 * L7_PARAMS  # fp16: 13,476,831,232 B
    activations = 128 * (2 * 4096 + 11008) * 2  # 128 prompt tokens x (hidden in + out + MLP width) x 2 B
    assert (r["weights_per_device_bytes"], r["activation_bytes_per_device"]) == (weights, activations)
    free = A100_SMI - weights - activations  # 72,417,599,488 B
    assert r["memory_reserve_bytes"] == pytest.approx(7_241_759_948.8, rel=1e-12)
    assert r["memory_reserve_bytes"] == pytest.approx(0.1 * free, rel=1e-12)


def test_the_default_profile_takes_vllms_fraction_of_the_total():
    r = serving("default", H100_PCIE)
    assert (r["memory_fraction"], r["memory_fraction_of_free"]) == (0.9, False)
    assert r["memory_reserve_bytes"] == pytest.approx(0.1 * 80 * GIB, rel=1e-12)  # 8,589,934,592 B


def test_the_spec_override_is_a_share_of_the_total_for_every_framework():
    frame = pipeline.sweep({"study": "serving", "efficiency": {"framework": "TensorRT-LLM"},
                            "serving": {"memory_fraction": 0.8},
                            "axes": {"model": [L7], "hardware": [H100_SXM], "compute_dtype": ["fp16"], "tp": [1],
                                     "batch": [1], "prompt_len": [128], "output_len": [128]}})
    r = frame.row(0, named=True)
    assert (r["memory_fraction"], r["memory_fraction_of_free"]) == (0.8, False)
    assert r["memory_reserve_bytes"] == pytest.approx(17_104_161_996.8, rel=1e-12)  # 0.2 x 85,520,809,984


def test_a_free_share_never_reserves_below_zero():
    """Llama 2 70B's 138 GB of fp16 weights exceed one H100: nothing is free, nothing is reserved."""
    r = pipeline.evaluate_serving("Llama 2 70B", H100_SXM, prompt_len=128, output_len=128, framework="TensorRT-LLM",
                                  breakdown=False).row(0, named=True)
    assert r["memory_reserve_bytes"] == 0 and r["is_feasible"] is False


def test_training_reserves_a_tenth_of_the_usable_memory():
    r = pipeline.evaluate_training(L7, "NVIDIA DGX SuperPOD DGX H100 (1 SU, 31 nodes)", dp=8, global_batch=64,
                                   training={"memory_reserve": "fraction"}).row(0, named=True)
    assert r["memory_limit_bytes"] == H100_SMI
    assert r["memory_reserve_bytes"] == pytest.approx(8_552_080_998.4, rel=1e-12)
    assert r["memory_headroom_bytes"] == pytest.approx(H100_SMI - r["memory_per_gpu_bytes"], rel=1e-12)
