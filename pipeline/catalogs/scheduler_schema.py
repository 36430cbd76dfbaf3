"""What a serving row of the measurements catalog states about its engine's scheduler: ``scheduler_steps``, the
serving knob of that name (pipeline.walls.multi_step)."""

from __future__ import annotations

from pipeline.catalogs.decode_kernel_schema import DecodeKernelRowColumns
from pipeline.catalogs.fields import count

SCHEDULER_COLUMNS = ("scheduler_steps",)


class SchedulerRowColumns(DecodeKernelRowColumns):
    """What a serving row states about its engine's scheduler (null: one step per scheduler call)."""

    scheduler_steps: int = count("decode steps the engine runs per scheduler call, new requests joining only "
                                 "between them (vLLM's num_scheduler_steps, multi-step scheduling; null: 1)",
                                 nullable=True)
