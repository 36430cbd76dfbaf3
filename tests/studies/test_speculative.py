"""Speculative decoding in the serving study: the axes, their bad values, k = 0 leaving every
row as it was, the verification pass on the decode operators, and the batch where it stops paying."""

from __future__ import annotations

import pytest

import pipeline
from pipeline.errors import InputError
from pipeline.studies import serving_speculative as speculative
from tests.serving_rows import H100, L70

AXES = {"model": [L70], "hardware": [H100], "precision": ["fp16"], "tp": [4], "prompt_len": [512],
        "output_len": [256]}
BATCHES = [1, 4, 16, 32, 64, 128]


def sweep(**axes):
    return pipeline.sweep({"study": "serving", "axes": AXES | axes}).sort("batch", "spec_draft_tokens")


@pytest.fixture(scope="module")
def drafted():
    """Llama 2 70B with a Llama 2 7B draft (k = 4, a = 0.8) and without speculation (k = 0)."""
    return sweep(batch=BATCHES, spec_draft_tokens=[0, 4], spec_acceptance=[0.8], draft_model=["Llama 2 7B"])


def test_without_speculation_every_row_is_unchanged_and_the_columns_are_null(drafted):
    plain = sweep(batch=BATCHES)
    assert plain.select(speculative.OUTPUTS).null_count().row(0) == (plain.height,) * len(speculative.OUTPUTS)
    assert plain["draft_model"].null_count() == plain.height and set(plain["spec_draft_tokens"]) == {0}
    off = drafted.filter(drafted["spec_draft_tokens"] == 0)
    for column in ("itl_s", "ttft_s", "tokens_per_s", "memory_per_device_bytes"):
        assert off[column].to_list() == pytest.approx(plain[column].to_list(), nan_ok=True)
    feasible = off.filter(off["is_feasible"])
    assert feasible["spec_speedup"].to_list() == pytest.approx([1.0] * feasible.height)


def test_verification_is_one_decode_pass_at_small_batch_and_compute_bound_at_large(drafted):
    on = drafted.filter(drafted["spec_draft_tokens"] == 4)
    off = drafted.filter(drafted["spec_draft_tokens"] == 0)
    ratio = (on["spec_verify_pass_s"] / off["spec_verify_pass_s"]).to_list()
    assert ratio[0] < 1.05  # batch 1: the weights are read once for 5 positions as for 1
    assert all(b >= a for a, b in zip(ratio, ratio[1:]))  # more rows per GEMM: towards compute-bound
    assert ratio[-1] > 2.0


def test_speedup_falls_below_one_as_the_batch_grows(drafted):
    on = drafted.filter((drafted["spec_draft_tokens"] == 4) & drafted["is_feasible"])
    speedup = on["spec_speedup"].to_list()
    assert speedup[0] > 1.5 and all(b <= a for a, b in zip(speedup, speedup[1:]))
    crossing = [b for b, s in zip(on["batch"], speedup) if s < 1.0]
    assert crossing, "a 7B draft stops paying for a 70B target on H100 somewhere in these batches"
    print(f"Llama 2 70B + Llama 2 7B draft, k 4, a 0.8, 4 x H100: speedup < 1 from batch {crossing[0]}")


def test_mtp_heads_cost_one_layer_and_the_lm_head_per_draft_token():
    r = pipeline.evaluate_serving(model=L70, hardware=H100, tp=4, prompt_len=512, output_len=256,
                                  spec_draft_tokens=4, spec_acceptance=0.8).row(0, named=True)
    assert r["draft_model"] is None
    head = r["decode_lm_head_time_s"]
    # the other class holds the sampling kernels once per pass (pipeline.walls.sampling), the head pass does not
    sampling = r["decode_other_class_time_s"] - 80 * r["decode_norms_time_s"] - head
    layers = (r["decode_attention_class_time_s"] + r["decode_mlp_class_time_s"] + r["decode_other_class_time_s"] - head
              - sampling)
    assert sampling > 0
    assert r["spec_draft_time_s"] == pytest.approx(4 * (layers / 80 + head))  # 4 x (one of 80 layers + LM head)


@pytest.mark.parametrize(("axes", "key", "says"), [
    ({"spec_acceptance": [1.5], "spec_draft_tokens": [4]}, "axes.spec_acceptance[0]", "got 1.5"),
    ({"spec_acceptance": [-0.1], "spec_draft_tokens": [4]}, "axes.spec_acceptance[0]", "got -0.1"),
    ({"spec_draft_tokens": [-1], "spec_acceptance": [0.8]}, "axes.spec_draft_tokens[0]", "got -1"),
    ({"spec_draft_tokens": [4]}, "axes.spec_acceptance", "acceptance rate"),
    ({"spec_draft_tokens": [4], "spec_acceptance": [0.8], "draft_model": ["Llama 9 1B"]}, "axes.draft_model",
     "Llama 9 1B"),
    ({"spec_draft_tokens": [4], "spec_acceptance": [0.8], "draft_model": ["Llama 3.1 405B"]}, "axes.draft_model",
     "is larger than the target 'Llama 2 70B'"),
    ({"spec_draft_tokens": [4], "spec_acceptance": [0.8], "draft_model": ["BERT-Base"]}, "axes.draft_model",
     "not a decoder"),
])
def test_bad_speculation_input_is_named(axes, key, says):
    with pytest.raises(InputError) as err:
        sweep(batch=[1], **axes)
    assert key in str(err.value) and says in str(err.value)


def test_the_breakeven_query_finds_the_batch_where_speculation_stops_paying(tmp_path):
    run = pipeline.run_sweep({"study": "serving", "axes": AXES | {
        "batch": [1, 32, 64, 128], "spec_draft_tokens": [0, 4], "spec_acceptance": [0.8],
        "draft_model": ["Llama 2 7B"]}}, tmp_path / "out")
    rows = pipeline.query("spec_breakeven", run=run).to_dicts()
    assert len(rows) == 1 and rows[0]["drafter"] == "Llama 2 7B"  # k = 0 rows are not a drafter setting
    swept = pipeline.sweep({"study": "serving", "axes": AXES | {
        "batch": [1, 32, 64, 128], "spec_draft_tokens": [4], "spec_acceptance": [0.8],
        "draft_model": ["Llama 2 7B"]}})
    pays = swept["spec_speedup"].fill_null(0.0) >= 1
    assert rows[0]["last_batch_paying"] == swept.filter(pays)["batch"].max()
    assert rows[0]["first_batch_not_paying"] == swept.filter(~pays)["batch"].min()
