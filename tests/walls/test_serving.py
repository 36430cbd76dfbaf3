"""The serving study (walls 4-6, TP/PP) against known values: exact KV cache, capacity and
weight streaming, the seed's Llama-2-70B rows, large-batch decode, drops and bad input."""

from __future__ import annotations

import math
import subprocess
import sys
from functools import cache
from pathlib import Path

import polars as pl
import pytest

import pipeline
from pipeline import runs
from pipeline.errors import InputError
from pipeline.spec import parse_spec
from pipeline.studies import serving

H100 = "H100 SXM5 80GB"
L70 = "Llama 2 70B"
FP16 = 2  # bytes per element


@cache
def _row(**kwargs) -> dict:
    return pipeline.evaluate_serving(**kwargs).row(0, named=True)


def row(**kwargs) -> dict:
    return dict(_row(**kwargs))


def finite_positive(x) -> bool:
    return x is not None and math.isfinite(x) and x > 0


# -- 1. KV cache ------------------------------------------------------------------------------

def test_kv_cache_of_llama2_70b_at_2048_tokens_is_exact():
    """2 x L x H_kv x d_head x tokens x batch x bytes = 2 x 80 x 8 x 128 x 2048 x 1 x 2 B."""
    r = row(model=L70, hardware=H100, batch=1, prompt_len=1536, output_len=512)
    assert r["kv_cache_bytes"] == 671_088_640 == 2 * 80 * 8 * 128 * 2048 * FP16
    assert r["kv_cache_bytes_per_device"] == 671_088_640  # tp = 1: one device holds it all


def test_kv_cache_of_llama2_7b_without_gqa_is_exact():
    r = row(model="Llama 2 7B", hardware=H100, batch=1, prompt_len=1536, output_len=512)
    assert r["kv_cache_bytes"] == 1_073_741_824 == 2 * 32 * 32 * 128 * 2048 * FP16


def test_kv_cache_scales_with_batch_and_splits_over_tp_without_replication():
    r = row(model=L70, hardware=H100, batch=4, tp=8, prompt_len=1536, output_len=512)
    assert r["kv_cache_bytes"] == 4 * 671_088_640  # 8 KV heads over 8 devices: no replica
    assert r["kv_cache_bytes_per_device"] == 4 * 671_088_640 / 8


@pytest.mark.parametrize(("model", "hardware", "tp", "layers", "kv_heads", "head_dim"), [
    ("Qwen2.5 7B", H100, 7, 28, 4, 128),               # 4 KV heads on 7 devices
    ("Falcon 40B", "GB200 NVL72 GPU", 16, 60, 8, 64),  # 8 KV heads on 16 devices
])
def test_kv_heads_replicated_by_tp_count_in_the_cache(model, hardware, tp, layers, kv_heads, head_dim):
    r = row(model=model, hardware=hardware, tp=tp, batch=1, prompt_len=1536, output_len=512)
    unreplicated = 2 * layers * kv_heads * head_dim * 2048 * FP16
    per_device = 2 * layers * math.ceil(kv_heads / tp) * head_dim * 2048 * FP16  # one head per device
    assert r["kv_cache_bytes_per_device"] == per_device
    assert r["kv_cache_bytes"] == per_device * tp
    assert r["kv_cache_bytes"] > unreplicated


# -- 2. capacity and weight streaming ---------------------------------------------------------

def test_llama2_70b_fp16_does_not_fit_one_h100():
    r = row(model=L70, hardware=H100, tp=1, prompt_len=1536, output_len=512)
    assert r["fits_in_hbm"] is False and r["is_feasible"] is False
    assert r["weight_streaming"] is False and r["weight_stream_time_s"] == 0
    assert r["bound"] == "memory capacity"
    assert r["infeasible_reason"].startswith("memory capacity")
    assert r["memory_headroom_bytes"] < 0
    for c in ("ttft_s", "itl_s", "e2e_latency_s", "tokens_per_s"):
        assert r[c] is None, c


def test_weight_streaming_makes_llama2_70b_feasible_on_one_h100():
    r = row(model=L70, hardware=H100, tp=1, prompt_len=1536, output_len=512, weight_streaming=True)
    # the rest (KV cache, activations, reserve) fits: headroom without the weights is >= 0
    rest = r["kv_cache_bytes_per_device"] + r["activation_bytes_per_device"] + r["memory_reserve_bytes"]
    assert rest <= 80e9
    assert r["fits_in_hbm"] is False
    assert r["weight_streaming"] is True and r["is_feasible"] is True
    assert r["weight_stream_time_s"] > 0
    assert r["weight_stream_time_s"] == pytest.approx(r["weights_per_device_bytes"] / 64e9)  # PCIe 5 x16
    assert r["bound"] == "host link"
    assert finite_positive(r["ttft_s"]) and finite_positive(r["itl_s"])
    assert r["itl_s"] >= r["weight_stream_time_s"]


def test_weight_streaming_is_refused_when_the_kv_cache_does_not_fit():
    """Batch 256 at 2,048 tokens: a 171.8 GB KV cache alone exceeds 80 GB; streaming cannot help."""
    r = row(model=L70, hardware=H100, tp=1, batch=256, prompt_len=1536, output_len=512, weight_streaming=True)
    assert r["kv_cache_bytes_per_device"] == 256 * 671_088_640
    assert r["weight_streaming"] is False and r["is_feasible"] is False
    assert r["weight_stream_time_s"] == 0
    assert r["itl_s"] is None and r["ttft_s"] is None
    assert r["bound"] == "memory capacity"


def test_llama2_70b_fits_two_h100s_and_memory_is_the_sum_of_its_parts():
    r = row(model=L70, hardware=H100, tp=2, prompt_len=1536, output_len=512)
    assert r["fits_in_hbm"] is True and r["is_feasible"] is True and r["weight_streaming"] is False
    parts = (r["weights_per_device_bytes"] + r["kv_cache_bytes_per_device"] + r["activation_bytes_per_device"]
             + r["memory_reserve_bytes"])
    assert r["memory_per_device_bytes"] == pytest.approx(parts, rel=1e-12)
    assert r["memory_headroom_bytes"] == pytest.approx(80e9 - parts, rel=1e-9)
    assert r["memory_reserve_bytes"] == pytest.approx(0.10 * 80e9)
    assert r["kv_cache_bytes_per_device"] == 671_088_640 / 2
    # TP halves every matrix; the 80 x 2 RMSNorms and the final norm (8,192 each) are replicated
    norms = 80 * 2 * 8192 + 8192
    sharded = 68_976_648_192 - norms
    assert r["weights_per_device_bytes"] == (sharded / 2 + norms) * FP16


def test_one_device_holds_every_weight():
    r = row(model=L70, hardware="MI300X", tp=1, prompt_len=1536, output_len=512)
    assert r["weights_per_device_bytes"] == r["params_computed"] * FP16


# -- 3. the seed's rows -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_rows() -> dict[int, dict]:
    frame = pipeline.sweep({"study": "serving", "axes": {
        "model": [L70], "hardware": [H100], "precision": ["fp16"], "batch": [1], "tp": [1, 2, 4, 8],
        "prompt_len": [2048], "output_len": [256]}})
    return {int(r["tp"]): r for r in frame.iter_rows(named=True)}


def test_seed_rows_evaluate_for_every_tp(seed_rows):
    assert sorted(seed_rows) == [1, 2, 4, 8]
    assert seed_rows[1]["is_feasible"] is False and seed_rows[1]["itl_s"] is None
    for tp in (2, 4, 8):
        r = seed_rows[tp]
        assert r["is_feasible"] is True, tp
        assert finite_positive(r["ttft_s"]) and finite_positive(r["itl_s"]), tp
        assert r["ttft_bound"] == "compute", tp  # a 2,048-token prefill is compute bound even at batch 1


def test_seed_itl_and_ttft_fall_with_tp(seed_rows):
    assert seed_rows[4]["itl_s"] < seed_rows[2]["itl_s"]
    assert seed_rows[4]["ttft_s"] < seed_rows[2]["ttft_s"]
    assert seed_rows[2]["bound"] == "memory bandwidth"  # batch-1 decode streams the weights


# -- 4. large-batch decode ----------------------------------------------------------------------

LARGE = dict(model=L70, hardware=H100, tp=8, batch=512, prompt_len=1536, output_len=1024)  # mean context 2048


def _decode_lower_bound(r: dict) -> float:
    """2 x active params x batch / (tp x peak x eta): params_computed less the input embedding
    (vocab 32,000 x d 8,192) and the final norm (8,192); the untied LM head is kept."""
    active = r["params_computed"] - 32_000 * 8192 - 8192
    return 2 * active * 512 / (8 * r["peak_flop_per_s"] * r["eta_compute"])


def test_large_batch_decode_projections_and_mlp_are_compute_bound():
    r = row(**LARGE)
    assert r["params_computed"] == 68_976_648_192
    for op in ("qkv_proj", "o_proj", "mlp"):
        assert r[f"decode_{op}_bound"] == "compute", op
    assert r["decode_attention_bound"] == "memory"  # the KV cache read stays memory bound


def test_large_batch_decode_pass_is_not_faster_than_its_flops():
    """The decode classes' sum (the ITL without its feasibility mask) obeys the FLOP bound."""
    r = row(**LARGE)
    classes = (r["decode_attention_class_time_s"] + r["decode_mlp_class_time_s"]
               + r["decode_other_class_time_s"])
    assert classes >= _decode_lower_bound(r)


def test_large_batch_itl_is_at_least_the_compute_bound():
    r = row(**LARGE)
    assert r["itl_s"] is not None
    assert r["itl_s"] >= _decode_lower_bound(r)


# -- 5. drops -----------------------------------------------------------------------------------

def test_impossible_layouts_are_dropped_and_counted_by_reason():
    spec = {"study": "serving", "axes": {
        "model": [L70], "hardware": [H100], "precision": ["fp16"], "batch": [1],
        "tp": [1, 3, 16],            # 3 does not divide 64 heads; 16 > the 8-GPU NVLink domain
        "pp": [1, 81],               # 81 stages > 80 layers
        "prompt_len": [1024, 4000],  # 4000 + 256 > 4096 tokens
        "output_len": [256]}}
    dropped = runs.prepare(parse_spec(spec)).space.dropped
    assert dropped == {serving.DROP_TP_HEADS: 4,   # tp 3 x 2 pp x 2 prompts
                       serving.DROP_PP_LAYERS: 4,  # tp {1, 16} x pp 81 x 2 prompts
                       serving.DROP_CONTEXT: 2,    # tp {1, 16} x pp 1 x prompt 4000
                       serving.DROP_DOMAIN: 1}     # tp 16 x pp 1 x prompt 1024
    frame = pipeline.sweep(spec)
    assert frame.select("tp", "pp", "prompt_len").rows() == [(1.0, 1.0, 1024)]


# -- 6. bad input -------------------------------------------------------------------------------

BASE = dict(model="Llama 2 7B", hardware=H100)


@pytest.mark.parametrize(("kwargs", "field"), [
    (dict(tp=0), "axes.tp[0]"),
    (dict(tp=-2), "axes.tp[0]"),
    (dict(pp=0), "axes.pp[0]"),
    (dict(batch=0), "axes.batch[0]"),
    (dict(prompt_len=0), "axes.prompt_len[0]"),
    (dict(output_len=0), "axes.output_len[0]"),
])
def test_non_positive_serving_axes_are_rejected(kwargs, field):
    with pytest.raises(InputError) as err:
        pipeline.evaluate_serving(**BASE, **kwargs)
    assert field in str(err.value)
    assert f"got {next(iter(kwargs.values()))}, expected an integer > 0" in str(err.value)


@pytest.mark.parametrize(("kwargs", "field", "close"), [
    (dict(weight_dtype="fp61"), "axes.weight_dtype", "'fp16'"),
    (dict(kv_dtype="bf61"), "axes.kv_dtype", "'bf16'"),
    (dict(compute_dtype="int4"), "axes.compute_dtype", "'int8'"),  # int4 is a storage format only
    (dict(precision="int4"), "axes.compute_dtype", "'int8'"),
])
def test_unknown_or_storage_only_dtypes_are_rejected_with_suggestions(kwargs, field, close):
    with pytest.raises(InputError) as err:
        pipeline.evaluate_serving(**BASE, **kwargs)
    message = str(err.value)
    assert field in message and repr(next(iter(kwargs.values()))) in message and close in message


def test_unknown_precision_is_rejected_with_suggestions():
    with pytest.raises(InputError) as err:
        pipeline.evaluate_serving(**BASE, precision="fp9")
    assert "unknown name 'fp9'" in str(err.value) and "'fp8'" in str(err.value)


def test_unknown_precision_names_the_precision_axis():
    with pytest.raises(InputError) as err:
        pipeline.evaluate_serving(**BASE, precision="fp9")
    assert "axes.precision" in str(err.value)


def mlsys(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


EVALUATE = ("evaluate", "--model", "Llama 2 7B", "--hardware", H100)


def test_cli_evaluate_negative_tp_exits_2(tmp_path):
    res = mlsys(*EVALUATE, "--tp", "-2", cwd=tmp_path)
    assert res.returncode == 2, res.stdout[-500:]
    assert "axes.tp[0]" in res.stderr


@pytest.mark.parametrize("option", ["--tp", "--pp", "--prompt-len", "--output-len"])
def test_cli_evaluate_zero_serving_option_exits_2(tmp_path, option):
    res = mlsys(*EVALUATE, option, "0", cwd=tmp_path)
    assert res.returncode == 2, res.stdout[-500:]
    assert option.lstrip("-").replace("-", "_") in res.stderr


SPEC = 'study = "serving"\n[axes]\nmodel = ["Llama 2 7B"]\nhardware = ["H100 SXM5 80GB"]\n{line}\n'


@pytest.mark.parametrize(("line", "field"), [
    ("tp = [0]", "axes.tp[0]"),
    ('kv_dtype = ["fp61"]', "axes.kv_dtype"),
])
def test_cli_sweep_with_a_bad_serving_axis_exits_2_and_writes_nothing(tmp_path, line, field):
    (tmp_path / "bad_serving.toml").write_text(SPEC.format(line=line))
    out = tmp_path / "out"
    res = mlsys("sweep", "--spec", "bad_serving.toml", "--out", out, cwd=tmp_path)
    assert res.returncode == 2, res.stdout[-500:]
    assert field in res.stderr
    assert not out.exists() or not any(out.iterdir())


def test_evaluate_serving_returns_the_schema_and_the_breakdown():
    frame = pipeline.evaluate_serving(**BASE)
    assert frame.height == 1
    assert set(serving.OUTPUTS) | set(serving.BREAKDOWN) <= set(frame.columns)
    assert frame.schema["kv_cache_bytes"] == pl.Float64


def test_cli_sweep_reads_a_spec_given_by_its_path(tmp_path):
    spec = tmp_path / "bad_serving.toml"
    spec.write_text(SPEC.format(line="tp = [0]"))
    out = tmp_path / "out"
    res = mlsys("sweep", "--spec", spec, "--out", out, cwd=tmp_path)
    assert res.returncode == 2, res.stderr[-500:]
    assert "axes.tp[0]" in res.stderr
    assert not out.exists()


def test_structured_pruning_shrinks_layer_weights_and_flops():
    """Wall 13: pruning half of every layer matrix halves their weights and FLOPs; embeddings stay.
    fp8 weights at s = 0.5: compression 2 B / 1 B / 0.5 = 4."""
    import pipeline

    dense, pruned = (pipeline.evaluate_serving("Llama 3 8B", "H100 SXM5 80GB", batch=1, precision="fp8",
                                               prune_ratio=s).row(0, named=True) for s in (0.0, 0.5))
    assert pruned["compression_ratio"] == 4.0 and dense["compression_ratio"] == 2.0
    assert pruned["decode_mlp_flop"] == dense["decode_mlp_flop"] / 2
    assert pruned["decode_qkv_proj_flop"] == dense["decode_qkv_proj_flop"] / 2
    embedding = dense["weights_per_device_bytes"] - 2 * (dense["weights_per_device_bytes"]
                                                        - pruned["weights_per_device_bytes"])
    assert 0 < embedding < dense["weights_per_device_bytes"] / 2  # what is not pruned: embeddings, head, norms
    assert pruned["itl_s"] < dense["itl_s"]


def test_distillation_rows_stand_in_for_the_teacher():
    """axes.distill_to: a smaller student answers for every larger model; its compression ratio
    is teacher params / student params (x the precision's 2 B / bytes per weight)."""
    import pipeline

    rows = pipeline.sweep({"study": "serving", "axes": {
        "model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "precision": ["fp16"],
        "distill_to": ["Llama 3.2 1B", "Llama 2 70B"]}})  # 70B is larger: no row
    pairs = {(str(r["teacher"]), str(r["model"])): r for r in rows.iter_rows(named=True)}
    assert set(pairs) == {("Llama 3 8B", "Llama 3 8B"), ("Llama 3 8B", "Llama 3.2 1B")}
    student = pairs[("Llama 3 8B", "Llama 3.2 1B")]
    teacher = pairs[("Llama 3 8B", "Llama 3 8B")]
    assert teacher["compression_ratio"] == 1.0
    assert student["compression_ratio"] == teacher["params_computed"] / student["params_computed"]
    assert student["itl_s"] < teacher["itl_s"]
