"""Issue 15 (serving per-row operations): terms a row's plan evaluated twice, or per row where they read no length."""

from __future__ import annotations

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import serving
from pipeline.studies.serving_precomputed import joined
from pipeline.studies.sides import Space

# the length-free terms of the elasticities, summed on their table (serving_sensitivity); not each operator's; and the
# rests of attention's class and the operators' sum (walls.serving)
LENGTH_FREE_MOVING = ["decode_layer_rest_batch_moving_time_s", "decode_pass_rest_batch_moving_time_s",
                      "decode_peak_rest_time_s", "decode_bandwidth_rest_time_s", "decode_projections_time_s",
                      "decode_operators_rest_time_s"]
SUMMED = [f"decode_{op}_batch_moving_time_s" for op in ("qkv_proj", "o_proj", "mlp", "norms", "lm_head")]


class _Listed(Space):
    """A space with its own ``frame`` (as validation's listed configurations): every column computed per row."""

    def frame(self, hardware_side=None):
        return super().frame(hardware_side)


def test_length_free_moving_parts_and_eager_launches_are_gathered_and_row_sums_are_built_once():
    """decode's length-free operators' moving parts (elasticity_batch's, summed) and its eager launch time
    (elasticity_launch_overhead's) come from the length-free table; a pass's operator sum
    (``decode_operators_time_s``, read by the pass and ``streaming_binds``: attention's class + its per-key rest)
    and each |elasticity| of binding_input are named columns, so the plan builds each once (polars' CSE built them
    twice). Every output equals the plan that computes them per row, a quantized weight dtype and a graph-replaying
    profile among the rows."""
    space = serving.build_space(load_catalogs(), parse_spec({"study": "serving", "axes": {
        "model": ["Llama 3 8B", "Mixtral 8x7B"], "hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB"],
        "compute_dtype": ["fp16"], "weight_dtype": ["fp16", "int8"], "kv_dtype": ["fp16"], "tp": [1, 2],
        "pp": [1, 2], "batch": [1, 32], "prompt_len": [512, 2048], "output_len": [128, 256]}}))
    _, units = joined(space, None, serving.OUTPUTS, serving.FORMULAS, serving.SHARED)
    assert {*LENGTH_FREE_MOVING, "decode_eager_launch_s"} <= set(units) and not set(SUMMED) & set(units)
    plan = serving.build(space).frame
    text = plan.select("binding_input", "elasticity_batch").explain()
    assert text.count(".abs()") == 5  # one |elasticity| each
    assert text.count('col("decode_attention_class_time_s") + col("decode_operators_rest_time_s")') == 1
    plain = _Listed(space.hardware_side, space.model_side, space.units, space.dropped, space.row_filter,
                    space.row_count)
    got, want = plan.collect(), serving.build(plain).frame.collect()
    assert got.height == space.row_count > 0
    assert got["elasticity_batch"].is_not_null().any() and got["binding_input"].is_not_null().equals(got["is_feasible"])
    assert got.equals(want)
