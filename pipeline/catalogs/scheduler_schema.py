"""What a serving row of the measurements catalog states about its engine's scheduler: ``scheduler_steps``, the
serving knob of that name (pipeline.walls.multi_step), and ``max_num_tokens``, the engine's runtime token budget per
iteration, which validation reads as the row's ``serving.prefill_chunk_tokens``."""

from __future__ import annotations

from pipeline.catalogs.decode_kernel_schema import DecodeKernelRowColumns
from pipeline.catalogs.fields import count

SCHEDULER_COLUMNS = ("scheduler_steps", "max_num_tokens")


class SchedulerRowColumns(DecodeKernelRowColumns):
    """What a serving row states about its engine's scheduler (null: one step per scheduler call; the framework
    profile's token budget)."""

    scheduler_steps: int = count("decode steps the engine runs per scheduler call, new requests joining only "
                                 "between them (vLLM's num_scheduler_steps, multi-step scheduling; null: 1)",
                                 nullable=True)
    max_num_tokens: int = count("the engine's runtime token budget per iteration: decode tokens first, prompt "
                                "(context) chunks in what is left (TensorRT-LLM's runtime max_num_tokens, else the "
                                "engine's build value; null: the framework profile's prefill_chunk_tokens)",
                                nullable=True, unit="tok")
