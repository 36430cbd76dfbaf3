"""What a serving row of the measurements catalog states about its expert placement and which pool
it measured (issue 16 items 1 and 2): ``redundant_experts`` (EPLB's replicated expert slots, the
serving study's axis of that name) and the per-pool throughput metrics of disaggregated serving,
predicted by the serving study's columns of the same names (pipeline.walls.pool_throughput)."""

from __future__ import annotations

from pipeline.catalogs.fields import count
from pipeline.catalogs.speculative_schema import SpeculativeRowColumns

# metric -> (study, unit): input tokens/s per GPU of a prefill-only worker (cached prompt tokens included) and
# output tokens/s per GPU of a decode-only worker, as DeepSeek's and SGLang's disaggregated deployments report them
POOL_METRICS = {"prefill_input_tokens_per_s_per_device": ("serving", "tok/s"),
                "decode_output_tokens_per_s_per_device": ("serving", "tok/s")}
EXPERT_COLUMNS = ("redundant_experts",)


class ExpertRowColumns(SpeculativeRowColumns):
    """What a serving row states about its expert placement (null: no redundant experts)."""

    redundant_experts: int = count("redundant expert slots over the EP group (serving; EPLB copies of hot experts: "
                                   "(E + r) / ep per rank; null: none)", nullable=True, ge=0)
