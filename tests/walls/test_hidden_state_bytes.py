"""The residual stream stays 16-bit under 8- and 4-bit compute (serving.hidden_state_bytes_per_element):
the TP all-reduce and the PP send carry 2 B per element, as the training study's 16-bit activations."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
import pipeline.walls  # noqa: F401  (registers the serving formulas)
from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING


def test_at_least_two_bytes_per_element():
    """fp4 0.5 B, fp8 1 B, bf16 2 B, fp32 4 B -> 2, 2, 2, 4 B per element."""
    frame = pl.DataFrame({"bytes_per_element": [0.5, 1.0, 2.0, 4.0]})
    plan = formulas.plan(frame.lazy(), {"bytes_per_element": unit("B/elem")}, ["hidden_state_bytes_per_element"],
                         formulas.REGISTRY | SERVING)
    assert plan.frame.collect()["hidden_state_bytes_per_element"].to_list() == [2.0, 2.0, 2.0, 4.0]


def _decode_communication(dtype: str) -> float:
    spec = {"study": "serving", "axes": {"model": ["Llama 3.1 70B"], "hardware": ["H100 SXM5 80GB"], "batch": [64],
                                         "tp": [4], "prompt_len": [128], "output_len": [128], "compute_dtype": [dtype]}}
    return pipeline.sweep(spec)["decode_communication_time_s"][0]


def test_fp8_all_reduces_move_the_same_bytes_as_bf16():
    """Llama 3.1 70B on 4 H100s, 64 decode tokens: each all-reduce carries 64 x 8192 x 2 B whatever the GEMMs' dtype."""
    assert _decode_communication("fp8") == pytest.approx(_decode_communication("bf16"), rel=1e-12)


@pytest.mark.parametrize("phase, size", [("decode", 2.0), ("prefill", 2.0), ("step", 1.0)])
def test_serving_activations_are_16_bit_the_node_step_keeps_its_dtype(phase, size):
    """Norms at FP8 (1 B): 10 trips x 8 tokens x 4096 = 327,680 elements; serving's phases move them at 2 B
    (655,360 B); the node study's step keeps its compute dtype (not changed here), 1 B."""
    columns = {f"{phase}_tokens": (8.0, "tok"), "d_model": (4096.0, ""), "bytes_per_element": (1.0, "B/elem")}
    frame = pl.DataFrame({k: [v] for k, (v, _) in columns.items()})
    plan = formulas.plan(frame.lazy(), {k: unit(u) for k, (_, u) in columns.items()},
                         [f"{phase}_norms_activation_bytes"], formulas.REGISTRY | SERVING)
    assert plan.frame.collect()[f"{phase}_norms_activation_bytes"][0] == pytest.approx(10 * 8 * 4096 * size)
