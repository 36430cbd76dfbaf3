"""What a serving row of the measurements catalog states about its checkpoint's weight formats beyond one dtype:
``weight_effective_bits``, the mean bits per linear-layer weight of a per-layer mix (NVIDIA ModelOpt's AutoQuantize,
``mtq.auto_quantize(..., constraints={"effective_bits": b})``), which validation reads as the serving knob of that
name (pipeline.walls.mixed_precision); and ``kv_dtype``, the KV cache's precision where the run states one other than
validation's default (pipeline.validation.kv_cache_dtype)."""

from __future__ import annotations

from pipeline.catalogs.fields import quantity, text
from pipeline.catalogs.scheduler_schema import SchedulerRowColumns

QUANTIZATION_COLUMNS = ("weight_effective_bits", "kv_dtype")


class QuantizationRowColumns(SchedulerRowColumns):
    """What a serving row states about a mixed-precision checkpoint (null: every linear layer in weight_dtype)."""

    weight_effective_bits: float = quantity(
        "bit/param", "mean bits per linear-layer weight of a per-layer format mix (ModelOpt AutoQuantize's "
        "effective_bits, as the submission's checkpoint flags state it), the row's compute_dtype and weight_dtype "
        "the mix's reference format; null: every linear layer in weight_dtype", nullable=True, le=32)
    kv_dtype: str = text("precision of the KV cache (serving; a precisions name) where the run states one; null: "
                         "the compute precision's, FP8 under fp4 compute (pipeline.validation.kv_cache_dtype)",
                         nullable=True)
