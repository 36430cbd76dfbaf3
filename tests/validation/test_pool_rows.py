"""Large-scale EP rows of the measurements catalog (issue 16 items 1 and 2): a row that states its
redundant experts runs at them, an EP size that divides neither the experts nor the slots is refused
with its reason, and the per-pool metrics are predicted by the serving study's pool columns."""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation.predict import SPEC_INPUTS, measurement_spec
from pipeline.validation.serving_rows import Datasets

ROW = dict.fromkeys(SPEC_INPUTS) | {
    "study": "serving", "scenario": "offline", "metric": "decode_output_tokens_per_s_per_device",
    "framework": "default", "model": "DeepSeek-V3", "hardware": "H100 SXM5 80GB", "compute_dtype": "fp8",
    "weight_dtype": "fp8", "devices": 72, "tp": 1, "pp": 1, "ep": 72, "batch": 18432, "prompt_len": 2000,
    "output_len": 1}


def test_a_row_stating_redundant_experts_runs_at_them():
    catalogs = load_catalogs()
    datasets = Datasets.of(catalogs.workloads, catalogs.models)
    spec, reason = measurement_spec(ROW | {"redundant_experts": 32}, datasets)
    assert reason is None and spec["axes"]["redundant_experts"] == [32] and spec["axes"]["ep"] == [72]
    spec, reason = measurement_spec(ROW, datasets)  # 72 divides neither 256 nor 256 + 0
    assert spec is None and "ep 72 does not divide the model's 256 routed experts + 0 redundant" in reason
    spec, _ = measurement_spec(ROW | {"ep": 32, "devices": 32, "batch": None}, datasets)
    assert "redundant_experts" not in spec["axes"]


# Hand-set expectations, from the sources (open-infra-index day 6; LMSYS 2025-05-05; sglang issue 6017):
# decode EP144 and EP72 with 32 redundant experts, both predicted; the prefill rows' metric is input tokens/s.
DECODE = {"deepseek-infra-h800-decode-ep144-per-gpu": 32, "lmsys-sglang-h100-decode-ep72-in2000-per-gpu": 32}


def test_bundled_large_ep_rows_state_their_slots_and_are_predicted(bundled):
    catalog = load_catalogs().measurements
    for name, redundant in DECODE.items():
        assert catalog.filter(pl.col("name") == name)["redundant_experts"].to_list() == [redundant]
        row = bundled.filter(pl.col("name") == name).row(0, named=True)
        assert row["reason"] is None and row["predicted"] > 0, name
    prefill = bundled.filter(pl.col("metric") == "prefill_input_tokens_per_s_per_device")
    assert prefill.height == 4 and prefill.filter(pl.col("predicted").is_not_null()).height == 3
