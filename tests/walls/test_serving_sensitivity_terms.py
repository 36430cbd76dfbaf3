"""Wall 21's serving elasticities from their length-free terms summed apart (issue 15: ``serving_sensitivity``'s
``decode_peak_rest_time_s``, ``decode_bandwidth_rest_time_s``, ``decode_layer_rest_batch_moving_time_s`` and
``decode_pass_rest_batch_moving_time_s``; ``serving``'s compute- and memory-bound times, attention's apart from the
other operators'; attention's class and the operators' sum, attention apart from the
projections and the other classes), checked against hand calculations of the shares of the ITL."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.serving import FORMULAS
from pipeline.units import unit

US = 1e-6
ITL = 1000 * US


def evaluate(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, FORMULAS).frame.collect().to_dict(as_series=False)


def seconds(*values: float) -> tuple[list, str]:
    return [v * US for v in values], "s"


ROWS = {"is_feasible": ([True, True, False], None), "streaming_binds": ([False, True, False], None),
        "itl_s": seconds(1000, 1000, 1000)}


def test_peak_elasticity_adds_the_dequantization_and_takes_out_a_16_bit_lm_head():
    # compute-bound operators 400 us, their dequantization 40 us, a 16-bit LM head (another peak) 20 us, the
    # weight-streaming share of a compute-bound MoE MLP (grouped_gemm's ℓp norm) 30 us:
    # -(400 + 40 - 20 - 30) / 1000 = -0.39; 0 where the host link sets the pace, null where nothing runs
    out = evaluate(["elasticity_peak_flop_per_s"], **ROWS, decode_compute_bound_time_s=seconds(400, 400, 400),
                   decode_dequant_compute_bound_time_s=seconds(40, 40, 40),
                   decode_other_peak_time_s=seconds(20, 20, 20),
                   decode_mlp_overlap_stream_time_s=seconds(30, 30, 30))
    assert out["elasticity_peak_flop_per_s"][:2] == pytest.approx([-0.39, 0.0])
    assert out["elasticity_peak_flop_per_s"][2] is None


def test_bandwidth_elasticity_adds_dequantization_routing_and_sampling():
    # memory-bound operators 500 us, their dequantization 10 us, MoE routing 5 us, sampling 2 us, the
    # weight-streaming share of a compute-bound MoE MLP 30 us: -547 / 1000
    out = evaluate(["elasticity_memory_bandwidth"], **ROWS, decode_memory_bound_time_s=seconds(500, 500, 500),
                   decode_dequant_memory_bound_time_s=seconds(10, 10, 10),
                   decode_moe_routing_bandwidth_time_s=seconds(5, 5, 5),
                   decode_sampling_bandwidth_time_s=seconds(2, 2, 2),
                   decode_mlp_overlap_stream_time_s=seconds(30, 30, 30))
    assert out["elasticity_memory_bandwidth"][:2] == pytest.approx([-0.547, 0.0])
    assert out["elasticity_memory_bandwidth"][2] is None


def test_batch_elasticity_sums_the_layer_operators_times_the_layers_and_the_pass_terms_once():
    # 32 layers x (attention 2 + QKV 1 + O 1 + MLP 5 + norms 0.5 us) = 304 us; once a pass: LM head 20 + dequant 10
    # + collectives 50 - their link latency 30 - the scale-out α 4 + sampling 2 = 48 us; (304 + 48) / 1000 x
    # batch / pp over the sequences (a microbatch of 3 for batch 5 at pp 2: 2.5 / 3)
    moving = {"decode_attention_batch_moving_time_s": seconds(2, 2, 2),
              "decode_qkv_proj_batch_moving_time_s": seconds(1, 1, 1),
              "decode_o_proj_batch_moving_time_s": seconds(1, 1, 1),
              "decode_mlp_batch_moving_time_s": seconds(5, 5, 5),
              "decode_norms_batch_moving_time_s": seconds(0.5, 0.5, 0.5),
              "decode_lm_head_batch_moving_time_s": seconds(20, 20, 20),
              "decode_dequant_batch_moving_time_s": seconds(10, 10, 10),
              "decode_communication_time_s": seconds(50, 50, 50), "decode_link_latency_time_s": seconds(30, 30, 30),
              "decode_pp_scaleout_alpha_s": seconds(4, 4, 4), "decode_sampling_bandwidth_time_s": seconds(2, 2, 2)}
    out = evaluate(["elasticity_batch", "decode_layer_rest_batch_moving_time_s",
                    "decode_pass_rest_batch_moving_time_s"], **ROWS, **moving, is_moe=([False, False, False], None),
                   n_layers=([32.0] * 3, ""), decode_batch_share=([2.5 / 3] * 3, ""))
    assert out["decode_layer_rest_batch_moving_time_s"] == pytest.approx([7.5 * US] * 3)
    assert out["decode_pass_rest_batch_moving_time_s"] == pytest.approx([48 * US] * 3)
    assert out["elasticity_batch"][0] == pytest.approx(0.352 * 2.5 / 3)
    assert out["elasticity_batch"][1:] == [None, None]  # the host link sets the pace; nothing runs


def test_bound_times_add_attention_x_layers_to_the_other_operators():
    # 32 layers; attention 3 us memory-bound, QKV 2 compute, O 1 memory, the MLP's GEMMs 6 compute and its activation
    # kernel 0.5 (memory), norms 0.25 memory, LM head 10 compute (once): compute 32 x (2 + 6) + 10 = 266 us, memory
    # 32 x (3 + 1 + 0.25 + 0.5) = 152 us; attention compute-bound instead: 362 and 56 us
    ops = {"attention": (3, None), "qkv_proj": (2, True), "o_proj": (1, False), "mlp_gemm": (6, True),
           "norms": (0.25, False), "lm_head": (10, True)}
    columns = {f"decode_{op}_time_s": seconds(t, t) for op, (t, _) in ops.items()}
    columns |= {f"decode_{op.removesuffix('_gemm')}_is_compute_bound":
                ([c, c] if c is not None else [False, True], None) for op, (_, c) in ops.items()}
    out = evaluate(["decode_compute_bound_time_s", "decode_memory_bound_time_s"], **columns,
                   decode_mlp_act_time_s=seconds(0.5, 0.5), n_layers=([32.0, 32.0], ""))
    assert out["decode_compute_bound_time_s"] == pytest.approx([266 * US, 362 * US])
    assert out["decode_memory_bound_time_s"] == pytest.approx([152 * US, 56 * US])


@pytest.mark.parametrize("p", ["prefill", "decode"])
def test_attention_class_and_operators_add_attention_x_layers_to_the_per_key_rests(p):
    # 32 layers; attention 3 us, QKV 2, O 1: projections 3 us, attention's class 32 x (3 + 3) = 192 us; MLP class
    # 400, other 50, dequantization 10: rest 460 us, the operators 192 + 460 = 652 us
    out = evaluate([f"{p}_attention_class_time_s", f"{p}_projections_time_s", f"{p}_operators_rest_time_s",
                    f"{p}_operators_time_s"], n_layers=([32.0], ""), **{
                        f"{p}_attention_time_s": seconds(3), f"{p}_qkv_proj_time_s": seconds(2),
                        f"{p}_o_proj_time_s": seconds(1), f"{p}_mlp_class_time_s": seconds(400),
                        f"{p}_other_class_time_s": seconds(50), f"{p}_dequant_overhead_s": seconds(10)})
    assert out[f"{p}_projections_time_s"] == pytest.approx([3 * US])
    assert out[f"{p}_attention_class_time_s"] == pytest.approx([192 * US])
    assert out[f"{p}_operators_rest_time_s"] == pytest.approx([460 * US])
    assert out[f"{p}_operators_time_s"] == pytest.approx([652 * US])
