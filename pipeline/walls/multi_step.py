"""Wall 7 under multi-step scheduling: an engine that runs N decode steps per scheduler call admits a new request
only between blocks of N steps (vLLM's ``num_scheduler_steps``, "Maximum number of forward steps per scheduler
call", https://docs.vllm.ai/en/v0.6.4/serving/engine_args.html; the vLLM v0.6.0 blog, 2024-09-05, "multi-step
scheduling": the scheduler and the output processing run once per N steps). An arrival that finds the replica
busy waits, beyond wall 7's iteration under way, for the iterations left in the block: uniform over 0 .. N - 1, so
(N - 1) / 2 mean iterations E[C] (``tail_latency.load_iteration_mean_s``) on average. Prefill work and decode
rounds per second are unchanged (the same prompts prefill, later and together), so TPOT and the capacity are
wall 7's. AMD's MLPerf Inference v5.1 harness runs vLLM so (``num_scheduler_steps`` 9 in its Llama 2 70B Server
configs, 8 Interactive on MI300X, 1 Interactive on MI325X; registry_data/research/r-ttft). N = 1: no wait.
"""

from __future__ import annotations

from pipeline.units import UExpr
from pipeline.walls.registries import serving_column


@serving_column
def scheduler_block_wait_s(scheduler_steps: UExpr, load_iteration_mean_s: UExpr) -> UExpr:
    """Mean extra wait of a request that finds the replica busy: (N - 1) / 2 x E[C]."""
    return ((scheduler_steps - 1.0) / 2.0 * load_iteration_mean_s).to("s")
