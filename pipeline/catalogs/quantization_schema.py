"""What a serving row of the measurements catalog states about its checkpoint's weight formats beyond one dtype:
``weight_effective_bits``, the mean bits per linear-layer weight of a per-layer mix (NVIDIA ModelOpt's AutoQuantize,
``mtq.auto_quantize(..., constraints={"effective_bits": b})``), which validation reads as the serving knob of that
name (pipeline.walls.mixed_precision)."""

from __future__ import annotations

from pipeline.catalogs.fields import quantity
from pipeline.catalogs.scheduler_schema import SchedulerRowColumns

QUANTIZATION_COLUMNS = ("weight_effective_bits",)


class QuantizationRowColumns(SchedulerRowColumns):
    """What a serving row states about a mixed-precision checkpoint (null: every linear layer in weight_dtype)."""

    weight_effective_bits: float = quantity(
        "bit/param", "mean bits per linear-layer weight of a per-layer format mix (ModelOpt AutoQuantize's "
        "effective_bits, as the submission's checkpoint flags state it), the row's compute_dtype and weight_dtype "
        "the mix's reference format; null: every linear layer in weight_dtype", nullable=True, le=32)
