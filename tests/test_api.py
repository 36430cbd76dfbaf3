"""The Python API: pipeline.evaluate, sweep, run_sweep and query."""

from __future__ import annotations

import datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import pipeline
from pipeline.errors import InputError
from pipeline.studies import node

DROP_NO_PEAK = "hardware has no published dense peak for compute_dtype"
A100 = "A100 SXM4 80GB"


def test_evaluate_decoder_gives_prefill_and_decode():
    frame = pipeline.evaluate(model="Llama 2 7B", hardware="H100 SXM5 80GB", batch=4, seq_len=1024)
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns == node.OUTPUTS
    assert frame.height == 2
    assert sorted(frame["step"]) == ["decode", "prefill"]
    assert frame["is_feasible"].all()
    assert set(frame["batch"]) == {4} and set(frame["seq_len"]) == {1024}
    decode = frame.filter(pl.col("step") == "decode").row(0, named=True)
    prefill = frame.filter(pl.col("step") == "prefill").row(0, named=True)
    assert decode["tokens_per_step"] == 4  # one token per sequence
    assert prefill["tokens_per_step"] == 4 * 1024
    assert decode["latency_s"] > 0 and prefill["latency_s"] > 0

    only = pipeline.evaluate(model="Llama 2 7B", hardware="H100 SXM5 80GB", batch=4, seq_len=1024,
                             step="decode")
    assert only.height == 1 and only["step"].to_list() == ["decode"]
    assert_frame_equal(only, frame.filter(pl.col("step") == "decode"))


def test_evaluate_matches_the_sweep_row():
    row = pipeline.evaluate(model="BERT-Large", hardware="T4", batch=8, seq_len=384)
    assert row.height == 1 and row["step"].to_list() == ["forward"]
    swept = pipeline.sweep({"axes": {"model": ["BERT-Large", "ResNet-50"], "hardware": ["T4", A100],
                                     "batch": [1, 8], "seq_len": [128, 384]}})
    same = swept.filter(pl.col("model") == "BERT-Large", pl.col("hardware") == "T4",
                        pl.col("batch") == 8, pl.col("seq_len") == 384)
    assert_frame_equal(row, same)


def test_evaluate_unknown_step():
    with pytest.raises(InputError) as err:
        pipeline.evaluate(model="ResNet-50", hardware=A100, step="decode")
    assert [p.column for p in err.value.problems] == ["step"]


def test_evaluate_infeasible_configuration():
    frame = pipeline.evaluate(model="Llama 2 70B", hardware=A100, compute_dtype="fp16")
    assert frame.height == 2
    assert not frame["is_feasible"].any()
    assert frame["latency_s"].null_count() == frame.height
    for reason in frame["infeasible_reason"]:
        assert reason is not None and "memory" in reason.lower()
    assert (frame["memory_headroom_bytes"] < 0).all()


def test_evaluate_dropped_configuration():
    with pytest.raises(InputError) as err:
        pipeline.evaluate(model="Llama 2 7B", hardware=A100, compute_dtype="fp8")
    assert DROP_NO_PEAK in str(err.value)


def test_evaluate_dropped_for_two_reasons_names_a_reason():
    with pytest.raises(InputError) as err:
        pipeline.evaluate(model="BERT-Large", hardware=A100, compute_dtype="fp8", seq_len=4096)
    assert "configuration dropped" in str(err.value)


def test_evaluate_dropped_for_context_names_the_reason():
    with pytest.raises(InputError, match="max_context_tokens"):
        pipeline.evaluate(model="BERT-Large", hardware=A100, seq_len=4096)


def test_sweep_returns_the_whole_frame(small_spec):
    frame = pipeline.sweep(small_spec)
    assert frame.columns == node.OUTPUTS
    assert frame.height > 0
    assert set(frame["hardware"]) == set(small_spec["axes"]["hardware"])
    assert frame.filter((pl.col("hardware") == A100) & (pl.col("compute_dtype") == "fp8")).height == 0


def test_query_defaults_to_newest_run_under_out(tmp_path, small_spec, monkeypatch, freeze_clock):
    out = tmp_path / "out"
    with pytest.raises(InputError, match="no complete node run"):
        pipeline.query("bottlenecks", out=out)

    t0 = datetime.datetime(2030, 6, 1, 12, 0, 0, tzinfo=datetime.UTC)
    freeze_clock(t0)
    older = pipeline.run_sweep(small_spec, out)
    freeze_clock(t0 + datetime.timedelta(minutes=1))
    newer = pipeline.run_sweep({"axes": {"model": ["ResNet-50"], "hardware": ["T4", A100]}}, out)

    newest = pipeline.query("bottlenecks", out=out)
    assert set(newest["hardware"]) == {"T4", A100}
    assert newest["configurations"].sum() == 2
    by_id = pipeline.query("bottlenecks", run=older.name, out=out)
    assert set(by_id["hardware"]) == set(small_spec["axes"]["hardware"])
    assert_frame_equal(pipeline.query("bottlenecks", run=newer), newest)


def test_single_configurations_equal_the_sweep_path_and_overrides_still_apply():
    """evaluate_serving and evaluate_training answer from the catalog's sides; the sweep of the
    same one configuration gives the same row; an override (a what-if) goes through the sweep path."""
    serving = pipeline.evaluate_serving("Llama 2 70B", "H100 SXM5 80GB", tp=8, batch=4, request_rate=2.0,
                                        breakdown=False)
    swept = pipeline.sweep({"study": "serving", "axes": {
        "model": ["Llama 2 70B"], "hardware": ["H100 SXM5 80GB"], "tp": [8], "batch": [4], "request_rate": [2.0],
        "compute_dtype": ["fp16"], "weight_dtype": ["fp16"], "kv_dtype": ["fp16"]}})
    assert_frame_equal(serving, swept, rel_tol=1e-12)
    cluster = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"
    training = pipeline.evaluate_training("Llama 2 7B", cluster, gpus=64, tp=8)
    swept = pipeline.sweep({"study": "training", "axes": {
        "model": ["Llama 2 7B"], "cluster": [cluster], "gpus": [64], "tp": [8], "sequence_parallel": [True],
        "compute_dtype": ["bf16"], "global_batch": [64], "recompute": ["selective"]}})
    assert_frame_equal(training, swept, rel_tol=1e-12)
    hotter = pipeline.evaluate("Llama 2 7B", "H100 SXM5 80GB", overrides={"hardware.tdp_w": "1400 W"})
    plain = pipeline.evaluate("Llama 2 7B", "H100 SXM5 80GB")
    # 2 x the 700 W datasheet TDP (NVIDIA H100 datasheet): twice the energy per step
    assert hotter["energy_per_step_j"].to_list() == pytest.approx([2 * e for e in plain["energy_per_step_j"]])


def test_a_dropped_single_configuration_says_why():
    # Llama 2 7B's context is 4,096 tokens (Touvron et al. 2023)
    with pytest.raises(InputError, match="configuration dropped: seq_len exceeds the model's max_context_tokens"):
        pipeline.evaluate("Llama 2 7B", "H100 SXM5 80GB", seq_len=8192)


@pytest.mark.parametrize(("study", "configuration"), [
    ("node", {"model": "Llama 2 7B", "hardware": "H100 SXM5 80GB", "batch": 8}),
    ("serving", {"model": "Llama 2 70B", "hardware": "H100 SXM5 80GB", "tp": 8, "request_rate": 2.0}),
    ("training", {"model": "Llama 2 7B", "cluster": "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)", "gpus": 64,
                  "tp": 8}),
])
def test_the_scorecard_is_the_same_by_either_path(study, configuration, monkeypatch):
    """The 22 walls (wall 22's what-ifs included) from the single-configuration path equal those
    from the sweep path (forced by answering nothing on the fast path)."""
    from pipeline.studies import single

    fast = pipeline.scorecard(study, **configuration)
    monkeypatch.setattr(single, "answer", lambda *args, **kwargs: None)
    assert pipeline.scorecard(study, **configuration) == fast
    assert len(fast) == 22 and fast[21]["figures"]  # wall 22 solved for something
