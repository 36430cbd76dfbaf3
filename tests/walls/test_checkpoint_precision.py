"""A checkpoint that quantizes its routed experts only (models catalog ``quantized_layers`` 'experts', GPT-OSS's
MXFP4 release: attention, router, embedding and LM head in BF16) prices attention's QKV and O projections at 16 bits
beside 4-bit weights (pipeline.walls.mixed_precision), by hand."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING


def test_attention_projections_stay_16_bit_beside_4_bit_experts_by_hand():
    """GPT-OSS over FP4 weights: QKV and O at 2 B per parameter and B200's 16-bit peak (2250 TFLOP/s, not the
    linear layers' 4500); the same model over FP8 weights (no such checkpoint: the rule is for 4-bit weights), and a
    model with no stated checkpoint, keep the linear layers' bytes and peak."""
    frame = pl.DataFrame({"is_mla": [False] * 3, "quantized_layers": ["experts", "experts", None],
                          "weight_bytes_per_element": [0.5, 1.0, 0.5], "weight_bytes_per_param": [0.5, 1.0, 0.5],
                          "linear_peak_flop_per_s": [4500e12] * 3, "sixteen_bit_peak_flop_per_s": [2250e12] * 3})
    units = {"is_mla": None, "quantized_layers": None, "weight_bytes_per_element": unit("B/elem"),
             "weight_bytes_per_param": unit("B/param"), "linear_peak_flop_per_s": unit("FLOP/s"),
             "sixteen_bit_peak_flop_per_s": unit("FLOP/s")}
    wanted = ["qkv_weight_bytes_per_param", "o_weight_bytes_per_param", "qkv_peak_flop_per_s", "o_peak_flop_per_s"]
    out = formulas.plan(frame.lazy(), units, wanted, formulas.REGISTRY | SERVING).frame.collect()
    for op in ("qkv", "o"):
        assert out[f"{op}_weight_bytes_per_param"].to_list() == pytest.approx([2.0, 1.0, 0.5])
        assert [p / 1e12 for p in out[f"{op}_peak_flop_per_s"]] == pytest.approx([2250, 4500, 4500])


def test_gpt_oss_120b_resident_weights_by_hand():
    """GPT-OSS 120B (config.json: 36 layers, d 2880, 64 query and 8 KV heads of 64, 128 experts of 2880 with biases,
    vocab 201088, untied) at tp 1 over FP4 weights: per layer the experts 128 x (2880 x 5760 + 5760 + 2880 x 2880 +
    2880) = 3,186,155,520, the router 2880 x 128 = 368,640 and two norms 5,760 at 0.5 B; QKV 2880 x 5120 + 5120 =
    14,750,720 and O 4096 x 2880 = 11,796,480 at 2 B; the embedding and LM head 2 x 579,133,440 and the final norm
    2,880 at 2 B: 36 x (1,593,265,024 + 53,094,400) + 2,316,539,520 = 61,585,476,480 B. Every layer at 4 bits (the
    pricing before the checkpoint column) would be 1.43 GB less: 36 x 26,547,200 x 1.5 B."""
    row = pipeline.evaluate_serving(model="GPT-OSS 120B", hardware="B200 (HGX B200)", tp=1, batch=1,
                                    precision="fp4").row(0, named=True)
    assert row["weights_per_device_bytes"] == pytest.approx(61_585_476_480, rel=1e-12)
