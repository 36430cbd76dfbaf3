"""Disaggregated prefill/decode in the serving study (formulas: ``pipeline.walls.disaggregated_serving``,
whose every term is one of ``pipeline.walls.disaggregated``).

Two axes, ``prefill_workers`` (x) and ``decode_workers`` (y): x = y = 0 (the default) is the
aggregated row as before (its ``disagg_*`` columns null, its config_id unchanged); x, y >= 1 adds
the deployment of x prefill and y decode workers of the row's layout and precision, whose KV
crosses the row's cluster. ``prefill_batch`` (the prompts one prefill pass takes within the
framework's chunked-prefill budget) is a column of every row; ``inputs`` adds the prefill pass at
that batch where some row disaggregates.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipeline import formulas
from pipeline.studies import demand_ratio, result
from pipeline.studies.serving_precomputed import rebindable
from pipeline.studies.sides import Rule
from pipeline.units import unit
from pipeline.walls.registries import SERVING

FORMULAS = formulas.REGISTRY | SERVING
AXES = {"prefill_workers": ("", pl.Int64), "decode_workers": ("", pl.Int64)}
INPUT_UNITS = {"prefill_batch": unit(""), "prefill_batch_pass_time_s": unit("s")}
_X, _Y = pl.col("prefill_workers"), pl.col("decode_workers")
ONE_POOL = Rule("prefill_workers and decode_workers: both 0 (aggregated) or both >= 1 (disaggregated)",
                (_X > 0) != (_Y > 0))
NO_SCALEOUT = Rule("disaggregated (prefill_workers > 0) and no cluster with a published scale-out NIC bandwidth "
                   "carries the KV", (_X > 0) & (pl.col("nic_bandwidth_bits_per_s").is_null()
                                                 | pl.col("nics_per_node").is_null()), if_null=False)
COLUMNS = {  # computed; null on aggregated rows (x = y = 0)
    "disagg_gpus": ("", "GPUs of the disaggregated deployment: (x + y) x devices_per_replica",
                    "DistServe (Zhong et al. OSDI'24) §4"),
    "prefill_batch_pass_time_s": ("s", "one prefill pass of prefill_batch prompts on a worker of this layout",
                                  "operator roofline (the prefill pass at batch prefill_batch)"),
    "disagg_kv_transfer_time_s": ("s", "one prompt's KV (exact bytes) over the cluster's NICs at 0.95 of line "
                                  "rate (wall 10), alpha-beta",
                                  "DistServe §3.3; NIXL / Mooncake GPUDirect RDMA"),
    "disagg_capacity_requests_per_s": ("1/s", "requests/s of the rate-matched pools: min(x b_p / D, y x decode "
                                       "capacity)", "DistServe §4.1; Splitwise (Patel et al. ISCA'24) §4.2"),
    "disagg_prefill_utilization": ("", "rho of one prefill worker at the request rate per replica: lambda / x x "
                                   "D / b_p", "DistServe §3.1 (M/D/1); batch service (Bailey 1954)"),
    "disagg_ttft_p50_s": ("s", "median TTFT: prefill queue wait + prefill pass + KV transfer", "DistServe §3"),
    "disagg_ttft_p99_s": ("s", "99th-percentile TTFT (Kingman's exponential wait tail)", "DistServe §3; Kingman "
                          "1961"),
    "disagg_ttft_mean_s": ("s", "mean TTFT (DistServe eq. 1 plus the KV transfer)", "DistServe §3.1"),
}
POOL_COLUMNS = {  # computed on every row (pipeline.walls.pool_throughput)
    "prefill_input_tokens_per_s_per_device": ("tok/s", "input tokens/s per GPU of a prefill-only worker of this "
                                              "layout: batch x prompt_len / ttft_s / devices_per_replica",
                                              "DeepSeek open-infra-index day 6 (per-node prefill input tok/s)"),
    "decode_output_tokens_per_s_per_device": ("tok/s", "output tokens/s per GPU of a decode-only worker of this "
                                              "layout: batch / itl_s / devices_per_replica (no speculation)",
                                              "DeepSeek open-infra-index day 6 (per-node decode output tok/s)"),
}
OUTPUTS = list(COLUMNS)
NULL_WITHOUT = [*OUTPUTS, "disagg_utilization"]  # null in a space where no row disaggregates


def with_columns(schema: type[pa.DataFrameModel]) -> type[pa.DataFrameModel]:
    """``schema`` followed by the disaggregation axes and columns."""
    body = {"prefill_workers": result("", "prefill workers x of a disaggregated deployment (0: aggregated)",
                                      "sweep axis", nullable=False),
            "decode_workers": result("", "decode workers y of a disaggregated deployment (0: aggregated)",
                                     "sweep axis", nullable=False),
            "prefill_batch": result("", "prompts one prefill pass of this layout takes: chunked-prefill budget per "
                                    "attention group / uncached prompt (>= 1) x attention groups",
                                    "efficiency profile prefill_chunk_tokens; Sarathi-Serve token budget"),
            "disagg_utilization": demand_ratio("request rate per replica / disagg_capacity_requests_per_s",
                                               "DistServe §4.1")}
    body |= {name: result(u, description, source) for name, (u, description, source) in
             (POOL_COLUMNS | COLUMNS).items()}
    body["__annotations__"] = {"prefill_workers": int, "decode_workers": int, "prefill_batch": float,
                               "disagg_utilization": float} | dict.fromkeys(POOL_COLUMNS | COLUMNS, float)
    body["Config"] = type("Config", (), {"name": schema.Config.name, "strict": True})
    return type(schema.__name__, (schema,), body)


def is_disaggregating(model_side: pl.DataFrame) -> bool:
    return bool((model_side["prefill_workers"] > 0).any())


def not_applying(model_side: pl.DataFrame) -> list[str]:
    """The disaggregated columns where no row disaggregates (null), else none."""
    return [] if is_disaggregating(model_side) else NULL_WITHOUT


def inputs(frame: pl.LazyFrame, units: dict, model_side: pl.DataFrame) -> tuple[pl.LazyFrame, dict]:
    """``prefill_batch`` and, where some row disaggregates, the prefill pass at that batch
    (``prefill_batch_pass_time_s``: the serving formulas with ``batch`` read from it)."""
    frame = formulas.plan(frame, units, ["prefill_batch"], FORMULAS, keep=True).frame
    if not is_disaggregating(model_side):
        return frame.with_columns(prefill_batch_pass_time_s=pl.lit(None, dtype=pl.Float64)), units | INPUT_UNITS
    frame = formulas.plan(frame, rebindable(units | {"prefill_batch": unit("")}, ["batch"], FORMULAS),
                          ["prefill_pass_time_s"], FORMULAS,
                          rebind={"batch": "prefill_batch"}, suffix="__pbatch", keep=True).frame
    return frame.rename({"prefill_pass_time_s__pbatch": "prefill_batch_pass_time_s"}), units | INPUT_UNITS
