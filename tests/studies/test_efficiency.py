"""eta_compute comes from the most specific efficiency profile, with its source recorded."""

from __future__ import annotations

import pytest

import pipeline


@pytest.mark.parametrize("hardware, workload, dtype, framework, eta, source", [
    ("H100 SXM5 80GB", "inference", "fp16", "vLLM", 0.30, "vLLM"),
    ("H100 SXM5 80GB", "inference", "fp16", "TensorRT-LLM", 0.40, "TensorRT-LLM"),
    ("A100 SXM4 80GB", "training", "bf16", "Megatron-LM", 0.50, "PaLM"),
    ("A100 SXM4 80GB", "inference", "int8", "default", 0.275, "LLM.int8"),
    ("MI300X", "training", "bf16", "default", 0.375, "MLPerf Training"),
    ("MI300X", "inference", "fp16", "vLLM", 0.30, "Default inference"),  # vLLM row is A100/H100 only
    ("L4", "training", "fp16", "default", 0.50, "Default training"),
])
def test_profile_lookup(hardware, workload, dtype, framework, eta, source):
    row = pipeline.evaluate(model="ResNet-50", hardware=hardware, workload=workload, compute_dtype=dtype,
                            framework=framework).row(0, named=True)
    assert row["eta_compute"] == pytest.approx(eta)
    assert source in row["eta_source"]


def test_override_applies_to_every_row_and_says_so():
    row = pipeline.evaluate(model="ResNet-50", hardware="T4", efficiency=0.42).row(0, named=True)
    assert row["eta_compute"] == 0.42
    assert "override" in row["eta_source"]


def test_unknown_framework_suggests_known_ones():
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="unknown name 'vlm'; did you mean 'vLLM'"):
        pipeline.evaluate(model="ResNet-50", hardware="T4", framework="vlm")
    # a name as people type it is the profile's (issue 13 item 8)
    assert pipeline.evaluate(model="ResNet-50", hardware="T4", framework="vllm").equals(
        pipeline.evaluate(model="ResNet-50", hardware="T4", framework="vLLM"))
