"""The serving study (walls 4-6, TP/PP) against known values: exact KV cache, capacity and
weight streaming, the seed's Llama-2-70B rows, large-batch decode, drops and bad input (the CLI's exit
codes for it are in tests/cli)."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline import runs
from pipeline.errors import InputError
from pipeline.spec import parse_spec
from pipeline.studies import serving
from tests.serving_rows import H100, L70, finite_positive, row


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
    assert seed_rows[2]["bound"] == "memory"  # batch-1 decode streams the weights


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


def test_evaluate_serving_returns_the_schema_and_the_breakdown():
    frame = pipeline.evaluate_serving(**BASE)
    assert frame.height == 1
    assert set(serving.OUTPUTS) | set(serving.BREAKDOWN) <= set(frame.columns)
    assert frame.schema["kv_cache_bytes"] == pl.Float64
