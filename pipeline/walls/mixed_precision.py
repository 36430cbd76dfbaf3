"""A checkpoint whose linear layers mix weight formats layer by layer (NVIDIA ModelOpt's AutoQuantize:
``mtq.auto_quantize(model, constraints={"effective_bits": b}, quantization_formats=[NVFP4, FP8, None])``, None
keeping a layer in 16 bits; mlcommons/inference_results_v5.1 @965182b0 closed/NVIDIA/code/mixtral-8x7b/modelopt/
quantize.py), priced as one term: the linear layers' weight bytes and GEMM time x b / bits(weight_dtype).

Why one factor covers any split: with parameter shares a, f, h in 4, 8 and 16 bits, 4a + 8f + 16h = b. Each
layer's weights take its format's bits, and its GEMM its format's tensor rate, FP4 : FP8 : FP16 = 2 : 1 : 1/2 of
dense FLOP/s on Blackwell and FP8 : FP16 = 1 : 1/2 on Hopper (the hardware catalog's peaks), so a GEMM's time is
proportional to its format's bits too: the mix takes (4a + 8f + 16h) / 8 = b / 8 of the all-FP8 bytes and time,
whatever the split (registry_data/research/r-moemix2). The row's weight_dtype is the reference format (its bits
and its peak); attention, the norms and the LM head (16-bit, ``operators.end_weight_bytes_per_param``) keep theirs.
"""

from __future__ import annotations

from pipeline.units import UExpr
from pipeline.walls.operators import weight_bytes_per_param
from pipeline.walls.quantities import ELEM_PER_PARAM
from pipeline.walls.registries import define_serving, serving_column


@serving_column
def weight_bits_scale(weight_effective_bits: UExpr, weight_bytes_per_element: UExpr) -> UExpr:
    """The mix's bits per linear-layer weight over weight_dtype's, b / bits(weight_dtype) (1: no mix stated)."""
    return (weight_effective_bits / (weight_bytes_per_element * ELEM_PER_PARAM)).to("").fill_null(1.0)


def mixed_weight_bytes_per_param(weight_bytes_per_element: UExpr, weight_bits_scale: UExpr) -> UExpr:
    """A linear-layer weight's bytes under the mix: weight_dtype's x b / bits(weight_dtype)."""
    return weight_bytes_per_param(weight_bytes_per_element) * weight_bits_scale


# serving's linear layers (the operators, resident weights, KV capacity) read the mix's bytes
define_serving("weight_bytes_per_param", ["weight_bytes_per_element", "weight_bits_scale"],
               mixed_weight_bytes_per_param)


@serving_column
def linear_peak_flop_per_s(peak_flop_per_s: UExpr, weight_bits_scale: UExpr) -> UExpr:
    """The QKV, O and MLP GEMMs' peak under the mix: weight_dtype's reference peak / (b / bits(weight_dtype)), so a
    GEMM of the mix takes b / bits(weight_dtype) of the reference format's compute time."""
    return peak_flop_per_s / weight_bits_scale
