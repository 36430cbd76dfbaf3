"""What a serving row of the measurements catalog states about its engine's generation (decode) attention
kernel: ``kv_read_per_query_head``, the serving knob of that name (pipeline.walls.operators.decode_kv_reads)."""

from __future__ import annotations

from pipeline.catalogs.expert_schema import ExpertRowColumns
from pipeline.catalogs.fields import flag

DECODE_KERNEL_COLUMNS = ("kv_read_per_query_head",)


class DecodeKernelRowColumns(ExpertRowColumns):
    """What a serving row states about its decode attention kernel (null: the model's default)."""

    kv_read_per_query_head: bool = flag("the run's decode kernel streams each K/V head once per query head it serves, "
                                        "not once per GQA group (serving; TensorRT-LLM before 0.7: masked MHA, one "
                                        "CTA per query head; null: once per group, as XQA and FlashAttention)",
                                        nullable=True)
