"""What a serving row of the measurements catalog states about its engine's scheduler: ``scheduler_steps``, the
serving knob of that name (pipeline.walls.multi_step), and ``max_num_tokens``, the engine's runtime token budget per
iteration, which validation reads as the row's ``serving.prefill_chunk_tokens``, and
``adp_balancing_timeout_iters``, TensorRT-LLM's attention-DP balancing timeout, read as ``scheduler_steps``."""

from __future__ import annotations

from pipeline.catalogs.decode_kernel_schema import DecodeKernelRowColumns
from pipeline.catalogs.fields import count

SCHEDULER_COLUMNS = ("scheduler_steps", "max_num_tokens", "adp_balancing_timeout_iters")


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
    adp_balancing_timeout_iters: int = count("TensorRT-LLM's attention-DP balancing on, its timeout in iterations "
                                             "(attention_dp_config.timeout_iters): context requests are held until "
                                             "every rank has one or this many iterations pass, so a prompt joins "
                                             "only every so many iterations; validation reads it as the row's "
                                             "scheduler_steps (pipeline.walls.multi_step; null: balancing off)",
                                             nullable=True)
