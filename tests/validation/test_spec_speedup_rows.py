"""Speculative-decoding rows of the measurements catalog (issue 16 item 7): a ``spec_speedup`` row
runs the serving study at its stated draft tokens, acceptance rate and drafter, and is predicted by
the study's ``spec_speedup`` column."""

from __future__ import annotations

import polars as pl

from pipeline.validation.predict import SPEC_INPUTS, measurement_spec

ROW = dict.fromkeys(SPEC_INPUTS) | {
    "study": "serving", "scenario": "offline", "metric": "spec_speedup", "framework": "default",
    "model": "DeepSeek-V3", "hardware": "H200 SXM 141GB", "compute_dtype": "fp8", "weight_dtype": "fp8",
    "devices": 8, "tp": 8, "pp": 1, "batch": 64, "prompt_len": 1024, "output_len": 512}


def test_a_row_stating_speculation_runs_at_its_settings():
    """k = 1 MTP module at acceptance 0.85 (heads: no draft_model axis); a draft model rides along as its
    own axis; a row that states no speculation has none of the axes."""
    heads, _ = measurement_spec(ROW | {"spec_draft_tokens": 1, "spec_acceptance": 0.85})
    assert heads["axes"]["spec_draft_tokens"] == [1] and heads["axes"]["spec_acceptance"] == [0.85]
    assert "draft_model" not in heads["axes"]
    drafted, _ = measurement_spec(ROW | {"spec_draft_tokens": 4, "spec_acceptance": 0.7, "draft_model": "Llama 3.2 1B"})
    assert drafted["axes"]["draft_model"] == ["Llama 3.2 1B"] and drafted["axes"]["spec_draft_tokens"] == [4]
    plain, _ = measurement_spec(ROW | {"metric": "tokens_per_s"})
    assert not {"spec_draft_tokens", "spec_acceptance", "draft_model"} & set(plain["axes"])


# Expected tokens kept per verification step, (1 - a^(k+1)) / (1 - a) (Leviathan et al. 2023, eq. 1), by hand:
# DeepSeek-V3 MTP k = 1: 1 + a = 1.85 at a = 0.85 and 1.90 at a = 0.90; EAGLE k = 5, a = 0.8:
# (1 - 0.8^6) / 0.2 = (1 - 0.262144) / 0.2 = 3.68928. A step costs at least one decode pass (the
# verification reads the same weights), so the speedup lies above 1 and below the tokens per step.
TOKENS_PER_STEP = {"specdec-deepseek-v3-mtp-a085": 1.85, "specdec-deepseek-v3-mtp-a090": 1.90,
                   "specdec-eagle-llama2-chat-70b": 3.68928}


def test_bundled_speedup_rows_are_predicted_below_the_tokens_per_step(bundled):
    rows = bundled.filter(pl.col("metric") == "spec_speedup")
    assert sorted(rows["name"].to_list()) == sorted(TOKENS_PER_STEP)
    for r in rows.iter_rows(named=True):
        assert r["reason"] is None, r["name"]
        assert 1.0 < r["predicted"] < TOKENS_PER_STEP[r["name"]], r["name"]
        # the published figures (1.8x TPS; 2.7x-3.5x latency) sit within 20 % of the midpoint
        assert r["abs_error_pct"] < 20.0, r["name"]
