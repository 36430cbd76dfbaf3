"""The embedding and the LM head stay 16-bit under 8- and 4-bit weights (operators.end_weight_bytes_per_param):
vLLM's FP8 quantizes "all Linear modules (except for the final lm_head)", ModelOpt checkpoints exclude
"lm_head" and "model.embed_tokens". Serving holds them at 2 B per parameter, reads the LM head at 2 B in
each pass and runs its GEMM at the 16-bit peak (serving.lm_head_peak_flop_per_s)."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
import pipeline.walls  # noqa: F401  (registers the serving formulas)
from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING

H100 = "H100 SXM5 80GB"
# Llama 3.1 8B (config.json): 32 layers, d_model 4096, 32 query / 8 KV heads of 128, ffn 14336, vocab 128256,
# untied embedding and LM head.
VOCAB, D, FFN, LAYERS = 128256, 4096, 14336, 32


def _plan(columns: dict, outputs: list[str]) -> pl.DataFrame:
    frame = pl.DataFrame({k: [v] for k, (v, _) in columns.items()}).with_columns(
        pl.lit(None, pl.Float64).alias("weight_effective_bits"))  # one weight format (walls/mixed_precision)
    columns = columns | {"weight_effective_bits": (None, "bit/param")}
    return formulas.plan(frame.lazy(), {k: unit(u) for k, (_, u) in columns.items()}, outputs,
                         formulas.REGISTRY | SERVING).frame.collect()


@pytest.mark.parametrize("weight, end", [(0.5, 2.0), (1.0, 2.0), (2.0, 2.0), (4.0, 4.0)])
def test_ends_take_at_least_two_bytes_per_parameter(weight, end):
    """fp4 0.5 B, fp8 1 B, bf16 2 B, fp32 4 B per weight -> ends at 2, 2, 2, 4 B."""
    out = _plan({"weight_bytes_per_element": (weight, "B/elem")}, ["end_weight_bytes_per_param"])
    assert out["end_weight_bytes_per_param"][0] == end


def test_lm_head_peak_is_the_16_bit_peak():
    """H100 SXM5 at FP8 (1 B): 1978.9 TFLOP/s dense, BF16 989.4 (NVIDIA H100 datasheet: 3,958 and 1,979 TFLOPS
    with sparsity): the LM head runs at 989.4. At bf16 (2 B) and fp32 (4 B) compute it keeps the compute
    dtype's peak; a chip without a bf16 peak takes fp16's (an fp8 row at 125 TFLOP/s fp16 here)."""
    cols = {"peak_flop_per_s": "FLOP/s", "peak_bf16_flop_per_s": "FLOP/s", "peak_fp16_flop_per_s": "FLOP/s",
            "bytes_per_element": "B/elem"}
    frame = pl.DataFrame({"peak_flop_per_s": [1978.9e12, 989.4e12, 67e12, 250e12],
                          "peak_bf16_flop_per_s": [989.4e12, 989.4e12, 989.4e12, None],
                          "peak_fp16_flop_per_s": [989.4e12, 989.4e12, 989.4e12, 125e12],
                          "bytes_per_element": [1.0, 2.0, 4.0, 1.0]})
    got = formulas.plan(frame.lazy(), {k: unit(u) for k, u in cols.items()}, ["lm_head_peak_flop_per_s"],
                        formulas.REGISTRY | SERVING).frame.collect()["lm_head_peak_flop_per_s"].to_list()
    assert got == [989.4e12, 989.4e12, 67e12, 125e12]


@pytest.fixture(scope="module")
def fp8_8b() -> dict:
    return pipeline.evaluate_serving(model="Llama 3.1 8B", hardware=H100, tp=1, batch=1, prompt_len=128,
                                     output_len=128, precision="fp8", framework="TensorRT-LLM").row(0, named=True)


def test_fp8_weights_hold_the_ends_at_16_bits(fp8_8b):
    """Per layer: QKV 4096 x (4096 + 2 x 1024) = 25,165,824, O 16,777,216, MLP 3 x 4096 x 14336 = 176,160,768,
    two norms 8,192: 218,112,000 params x 32 layers at 1 B = 6,979,584,000 B; embedding and LM head
    2 x 128256 x 4096 = 1,050,673,152 and the final norm 4,096 at 2 B = 2,101,354,496 B. 9,080,938,496 B in all
    (the whole model at 1 B would be 8,030,261,248 B)."""
    layer = D * (D + 2 * 1024) + D * D + 3 * D * FFN + 2 * D
    assert layer == 218_112_000
    expected = LAYERS * layer * 1 + (2 * VOCAB * D + D) * 2
    assert fp8_8b["weights_per_device_bytes"] == pytest.approx(expected, rel=1e-12)
    assert expected == 9_080_938_496


def test_fp8_decode_reads_the_lm_head_at_16_bits(fp8_8b):
    """One decode token: the LM head's 128256 x 4096 weights at 2 B (1,050,673,152 B) plus the token's input
    (4096) and logits (128256) at 2 B (264,704 B)."""
    assert fp8_8b["decode_lm_head_bytes"] == pytest.approx(VOCAB * D * 2 + (D + VOCAB) * 2, rel=1e-12)
