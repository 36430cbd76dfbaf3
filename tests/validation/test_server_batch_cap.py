"""A serving row under a request rate runs at the engine's max batch it states (its ``batch``), not the framework's
ceiling: MLPerf submitters lower gpu_batch_size in the Server scenario to meet its TPOT limit (Mixtral 8x7B on H200:
1200 in Server against 3072 in Offline, inference_results_v4.1 closed/NVIDIA/configs/mixtral-8x7b/{Server,Offline}/
__init__.py), and an in-flight batcher never runs more sequences than that."""

from __future__ import annotations

from pipeline.validation.predict import SPEC_INPUTS, measurement_spec
from pipeline.validation.serving_rows import load_cap

ROW = dict.fromkeys(SPEC_INPUTS) | {
    "study": "serving", "scenario": "server", "metric": "itl_s", "framework": "TensorRT-LLM",
    "model": "Mixtral 8x7B", "hardware": "H200 SXM 141GB", "compute_dtype": "fp8", "weight_dtype": "fp8",
    "devices": 8, "tp": 1, "pp": 1, "prompt_len": 427, "output_len": 145, "request_rate": 392.18}


def test_a_rate_row_without_a_batch_runs_at_the_framework_ceiling():
    spec, reason = measurement_spec(ROW)
    assert reason is None
    assert spec["axes"]["batch"] == [4096] == [load_cap(ROW)]
    assert spec["axes"]["replicas"] == [8]


def test_a_rate_row_that_states_its_batch_runs_at_it():
    spec, reason = measurement_spec(ROW | {"batch": 1200})
    assert reason is None
    assert spec["axes"]["batch"] == [1200]


def test_a_closed_loop_keeps_its_concurrency_and_the_ceiling():
    """A fixed-concurrency row's ``batch`` is its concurrency (the catalog's convention), not an engine cap."""
    spec, _ = measurement_spec(ROW | {"request_rate": None, "concurrency": 25, "batch": 25, "devices": 2, "tp": 2})
    assert spec["axes"]["batch"] == [4096]
    assert spec["axes"]["concurrency"] == [25]
