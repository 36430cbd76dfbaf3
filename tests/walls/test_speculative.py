"""Speculative decoding's formulas (pipeline.walls.speculative) against hand calculations."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.serving import FORMULAS
from pipeline.units import unit


def evaluate(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()}, strict=False)
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, FORMULAS).frame.collect().to_dict(as_series=False)


def test_tokens_per_step_is_leviathan_eq_1():
    out = evaluate(["spec_tokens_per_step"], spec_draft_tokens=([4, 4, 0, 7, 3], ""),
                   spec_acceptance=([0.8, 1.0, 0.8, 0.75, 0.0], ""))
    # (1 - 0.8^5) / 0.2 = (1 - 0.32768) / 0.2; a = 1: k + 1; k = 0: 1;
    # Leviathan et al. 2023 Table 2's T5-small row (a = 0.75, k = 7): (1 - 0.75^8) / 0.25; a = 0: 1
    assert out["spec_tokens_per_step"] == pytest.approx([3.3616, 5.0, 1.0, (1 - 0.75**8) / 0.25, 1.0])


def test_verification_runs_k_plus_one_positions_per_sequence():
    out = evaluate(["spec_verify_tokens", "spec_verify_attention_pairs"], decode_sequences=([8.0, 8.0], ""),
                   spec_draft_tokens=([4, 0], ""), decode_context_tokens=([1000.0, 1000.0], "tok"))
    assert out["spec_verify_tokens"] == pytest.approx([40.0, 8.0])  # 8 sequences x (4 + 1)
    # 5 queries x 1000 context keys + 0 + 1 + 2 + 3 + 4 draft keys; k = 0: the decode's 1000
    assert out["spec_verify_attention_pairs"] == pytest.approx([5010.0, 1000.0])


STEP = dict(spec_is_feasible=([True, True, False], None), spec_verify_pass_s=([0.020, 0.020, 0.020], "s"),
            spec_head_pass_s=([0.001, 0.001, 0.001], "s"), spec_draft_pass_s=([None, 0.003, None], "s"),
            scheduler_overhead_per_iteration_s=([0.001, 0.001, 0.001], "s"), spec_draft_tokens=([4, 4, 4], ""),
            spec_acceptance=([0.8, 0.8, 0.8], ""), itl_s=([0.019, 0.019, 0.019], "s"), batch=([8, 8, 8], ""))


def test_step_time_itl_and_speedup_by_hand():
    out = evaluate(["spec_draft_time_s", "spec_step_time_s", "spec_itl_s", "spec_speedup", "spec_tokens_per_s"],
                   **STEP)
    # heads: 4 x 1 ms; draft model: 4 x 3 ms
    assert out["spec_draft_time_s"] == pytest.approx([0.004, 0.012, 0.004])
    # 4 ms draft + 20 ms verification + 1 ms scheduler; 12 + 20 + 1; infeasible: null
    assert out["spec_step_time_s"][:2] == pytest.approx([0.025, 0.033]) and out["spec_step_time_s"][2] is None
    assert out["spec_itl_s"][:2] == pytest.approx([0.025 / 3.3616, 0.033 / 3.3616])
    assert out["spec_speedup"][:2] == pytest.approx([0.019 * 3.3616 / 0.025, 0.019 * 3.3616 / 0.033])
    assert out["spec_tokens_per_s"][0] == pytest.approx(8 * 3.3616 / 0.025)


def test_drafter_memory_and_feasibility_by_hand():
    out = evaluate(["spec_draft_memory_bytes_per_device", "spec_is_feasible"],
                   spec_draft_tokens=([4, 4, 0, 4], ""),
                   spec_draft_model_bytes_per_device=([None, 14e9, None, 14e9], "B"),
                   weights_per_device_bytes=([35e9] * 4, "B"), kv_cache_bytes_per_device=([5e9] * 4, "B"),
                   layers_per_stage=([80.0] * 4, ""), is_feasible=([True, True, True, True], None),
                   fits_in_hbm=([True, True, True, False], None), memory_headroom_bytes=([1e9, 1e9, 1e9, -1e9], "B"))
    # head: (35 + 5) GB / 80 layers = 0.5 GB; draft model: its 14 GB; k = 0: nothing
    assert out["spec_draft_memory_bytes_per_device"] == pytest.approx([0.5e9, 14e9, 0.0, 14e9])
    # 1 GB of headroom holds the head, not the 14 GB draft; a streamed layout stays as wall 6 has it
    assert out["spec_is_feasible"] == [True, False, True, True]
