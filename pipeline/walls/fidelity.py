"""Wall 13 (fidelity): compression of a served model, what it saves and what it costs.

Quantized weights are stored narrower than the compute dtype and dequantized on the fly, a
fraction of the matmuls' time (spec: ``dequant_overhead_fraction``); structured pruning keeps
``weight_density`` of the layer matrices; distillation serves a smaller student for a teacher.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, where
from pipeline.walls.registries import define_serving, serving_column
from pipeline.walls.serving import PHASES


@serving_column
def is_weight_quantized(weight_bytes_per_element: UExpr, bytes_per_element: UExpr) -> Plain:
    """Weights stored narrower than the compute dtype are dequantized on the fly."""
    return weight_bytes_per_element < bytes_per_element


def _dequant(fraction: UExpr, is_quantized: Plain, n_layers: UExpr, qkv: UExpr, o: UExpr, mlp: UExpr) -> UExpr:
    """The dequantization overhead of a pass: a fraction of its quantized matmuls' time (layers x L; the
    LM head keeps 16-bit weights, ``operators.end_weight_bytes_per_param``)."""
    return where(is_quantized, fraction * n_layers * (qkv + o + mlp), 0)


for _p in PHASES:
    # the MLP's GEMMs only: its activation kernel reads no weights (``serving``)
    define_serving(f"{_p}_dequant_overhead_s", ["dequant_overhead_fraction", "is_weight_quantized", "n_layers",
                                                f"{_p}_qkv_proj_time_s", f"{_p}_o_proj_time_s",
                                                f"{_p}_mlp_gemm_time_s"], _dequant)


@serving_column
def compression_ratio(weight_bytes_per_element: UExpr, weight_density: UExpr, teacher_params_computed: UExpr,
                      params_computed: UExpr) -> UExpr:
    """The teacher's 16-bit dense weights over what is stored: quantization 2 B / bytes per
    weight, structured pruning 1 / (1 - s) (layer matrices; embeddings and norms are kept),
    distillation teacher params / student params."""
    return (lit(2.0, "B/elem") / weight_bytes_per_element / weight_density
            * teacher_params_computed / params_computed).to("")
