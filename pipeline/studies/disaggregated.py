"""Deployments within N GPUs from the serving study's rows (issue 16 items 2 and 6): aggregated
(replicas of one tp x pp layout batching prefill and decode together, wall 7) and disaggregated
(x prefill workers and y decode workers, each with its own layout and precision; formulas:
``pipeline.walls.disaggregated``), their figures under an SLA, and the Pareto frontier of
tokens/s per GPU against tokens/s per user.

Everything is built from the serving study's output rows joined in polars: a prefill worker is a
row whose batch its prefill pass takes at once (batch <= ``prefill_batch``, the chunked-prefill
budget: its ``ttft_s`` is the pass of that many prompts), a decode worker a row at its batch
(``itl_s``, or ``spec_itl_s`` where it speculates; its ``kv_cache_bytes`` are the KV it receives).
Layout columns are the serving axes present in the rows that do not describe the request, so
axes another study part adds (``ep``, a cluster) flow through as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipeline import formulas
from pipeline.studies import serving
from pipeline.units import unit
from pipeline.walls.registries import DISAGGREGATED

# what describes the request (both pools must serve the same one), not the deployment
REQUEST = ["model", "teacher", "hardware", "region", "prompt_len", "output_len", "dataset", "reasoning_tokens",
           "prune_ratio", "prefix_hit_rate", "lora_rank", "lora_adapters"]
LOAD = ["batch", "request_rate", "replicas"]
DTYPES = ["compute_dtype", "weight_dtype", "kv_dtype"]
EXTRA_LAYOUT = ["cluster", "draft_model"]  # layout columns that are not serving axes
SPECULATION = ["spec_draft_tokens", "spec_acceptance", "draft_model"]  # decode workers' only
MEMORY = ["memory_fraction", "memory_fraction_of_free", "memory_limit_bytes", "weights_per_device_bytes",
          "activation_bytes_per_device"]  # what the launch settings' memory fraction is made of
PERCENTILES = {"p50": ("ttft_p50_s", 0.5), "p99": ("ttft_p99_s", 0.99), "mean": ("ttft_mean_s", None)}
# of one request's TPOT under load (wall 7; pipeline.walls.tpot_tail): an aggregated replica's; a decode
# worker's iterations carry no prefill, so its TPOT is its ITL at every percentile
TPOT_PERCENTILES = {"mean": "tpot_under_load_s", "p50": "tpot_p50_s", "p99": "tpot_p99_s"}
BISECTIONS = 24  # steps inverting the TTFT SLA for a prefill worker utilization (to 2^-24)
FRONTIER_X, FRONTIER_Y = "deployment_tokens_per_s_per_gpu", "deployment_tokens_per_s_per_user"
U = {"s": unit("s"), "": unit(""), "tok": unit("tok"), "B": unit("B"), "1/s": unit("1/s"), "B/s": unit("B/s"),
     "USD/h": unit("USD/h")}


@dataclass(frozen=True)
class Network:
    """The scale-out fabric KV crosses between the pools (clusters catalog row)."""

    cluster: str
    nic_bandwidth_bytes_per_s: float
    nics_per_accelerator: float
    scaleout_latency_s: float


@dataclass(frozen=True)
class Sla:
    ttft_s: float
    tpot_s: float
    percentile: str = "p99"  # of TTFT
    tpot_percentile: str = "mean"


def layout_columns(columns: list[str]) -> list[str]:
    """The columns that say how a worker is laid out: the serving axes (and dtypes, and extra
    layout columns) present that do not describe the request or its load."""
    axes = [*serving.AXIS_UNITS, *DTYPES, *EXTRA_LAYOUT]
    skip = {*REQUEST, *LOAD, "workload", "weight_density", "teacher_params_computed"}
    return [c for c in columns if c in axes and c not in skip]


def request_columns(columns: list[str]) -> list[str]:
    return [c for c in REQUEST if c in columns]


def _common(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Columns both kinds read: devices of one worker (tokens/s over tokens/s per device, so a
    layout's own device count, ep included, is what the study says), generated tokens, and the
    rented price of one GPU-hour (the operations columns)."""
    devices = (pl.col("tokens_per_s") / pl.col("tokens_per_s_per_device")).round(0)
    return frame.with_columns(devices=devices).with_columns(
        generated_tokens=(pl.col("output_len") + pl.col("reasoning_tokens")).cast(pl.Float64),
        usd_per_gpu_hour=pl.col("cloud_cost_usd_per_h") / (pl.col("devices") * pl.col("replicas")),
        tpot_speculation=speculation(frame.collect_schema().names()))


def speculation(columns: list[str]) -> pl.Expr:
    """A decode token's time with speculation over without: spec_itl_s / itl_s where the row drafts
    (null where its drafter does not fit: such rows are no candidates), else 1."""
    if "spec_itl_s" not in columns:
        return pl.lit(1.0)
    drafts = pl.col("spec_draft_tokens").fill_null(0) > 0
    return pl.when(drafts).then(pl.col("spec_itl_s") / pl.col("itl_s")).otherwise(1.0)


def _plan(frame: pl.LazyFrame, units: dict, outputs: list[str]) -> pl.LazyFrame:
    return formulas.plan(frame, units, outputs, DISAGGREGATED, keep=True).frame


SLA_UNITS = {"ttft_sla_s": U["s"], "tpot_sla_s": U["s"]}
DEPLOYMENT_UNITS = {"deployment_request_rate": U["1/s"], "generated_tokens": U["tok"], "deployment_gpus": U[""],
                    "deployment_tpot_s": U["s"], "deployment_ttft_s": U["s"], "usd_per_gpu_hour": U["USD/h"]}
DEPLOYMENT = [FRONTIER_X, FRONTIER_Y, "deployment_cost_per_million_tokens_usd", "meets_sla"]


def aggregated(rows: pl.LazyFrame, gpus: int, sla: Sla) -> pl.LazyFrame:
    """One candidate per stable, feasible serving row under load that fits in ``gpus``: a replica at
    its request rate (per replica), TTFT and TPOT at the SLA's percentiles under load (x the
    speculative step's share of an ITL where the row speculates)."""
    ttft, _ = PERCENTILES[sla.percentile]
    frame = _common(rows.filter(pl.col("is_feasible") & pl.col("is_stable").fill_null(False)))
    frame = frame.filter((pl.col("devices") <= gpus) & pl.col("tpot_speculation").is_not_null()).with_columns(
        kind=pl.lit("aggregated"), deployment_request_rate=pl.col("request_rate") / pl.col("replicas"),
        deployment_gpus=pl.col("devices"), deployment_ttft_s=pl.col(ttft),
        deployment_tpot_s=pl.col(TPOT_PERCENTILES[sla.tpot_percentile]) * pl.col("tpot_speculation"),
        deployment_replicas=(gpus / pl.col("devices")).floor(), least_ttft_s=pl.col(ttft),
        ttft_sla_s=pl.lit(sla.ttft_s), tpot_sla_s=pl.lit(sla.tpot_s))
    return _plan(frame, DEPLOYMENT_UNITS | SLA_UNITS, DEPLOYMENT)


def pools(rows: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Prefill workers (feasible rows whose batch one prefill pass takes, batch <= prefill_batch,
    one per layout and batch) and decode workers (feasible rows, one per layout and batch), the
    load axes dropped (their prefill and ITL do not depend on it)."""
    frame = _common(rows.filter(pl.col("is_feasible")))
    names = frame.collect_schema().names()
    layout, request = layout_columns(names), request_columns(names)
    one = frame.unique([*request, *layout, "batch"], keep="first", maintain_order=True)
    plain = [c for c in layout if c not in SPECULATION]
    batched = (pl.col("batch") <= pl.col("prefill_batch")) | (pl.col("batch") == 1)
    prefill = one.filter(batched).unique([*request, *plain, "batch"], keep="first", maintain_order=True).select(
        *request, *[pl.col(c).alias(f"prefill_{c}") for c in [*plain, *MEMORY]],
        prefill_devices=pl.col("devices"), prefill_service_s=pl.col("ttft_s"),
        prefill_batch=pl.col("batch").cast(pl.Float64),
        usd_per_gpu_hour=pl.col("usd_per_gpu_hour"), generated_tokens=pl.col("generated_tokens"))
    decode = one.filter(pl.col("tpot_speculation").is_not_null()).select(
        *request, *[pl.col(c).alias(f"decode_{c}") for c in [*layout, *MEMORY]],
        decode_devices=pl.col("devices"), decode_batch=pl.col("batch").cast(pl.Float64),
        decode_tpot_s=pl.col("itl_s") * pl.col("tpot_speculation"), decode_kv_cache_bytes=pl.col("kv_cache_bytes"),
        decode_kv_held_tokens=pl.col("kv_held_tokens"))
    return prefill, decode


PAIR_UNITS = {"decode_kv_cache_bytes": U["B"], "decode_batch": U[""], "decode_kv_held_tokens": U["tok"],
              "prompt_len": U["tok"], "prefill_devices": U[""], "decode_devices": U[""],
              "nics_per_accelerator": U[""], "nic_bandwidth_bytes_per_s": U["B/s"],
              "scaleout_latency_s": U["s"], "decode_tpot_s": U["s"], "generated_tokens": U["tok"]}


def pairs(prefill: pl.LazyFrame, decode: pl.LazyFrame, network: Network) -> pl.LazyFrame:
    """Every prefill worker with every decode worker of the same request and KV precision (the KV
    moves as it is stored): the KV transfer of one prompt and the decode worker's capacity."""
    request = request_columns(prefill.collect_schema().names())
    joined = prefill.join(decode, left_on=[*request, "prefill_kv_dtype"], right_on=[*request, "decode_kv_dtype"],
                          how="inner", nulls_equal=True).with_columns(
        nic_bandwidth_bytes_per_s=pl.lit(network.nic_bandwidth_bytes_per_s),
        nics_per_accelerator=pl.lit(network.nics_per_accelerator),
        scaleout_latency_s=pl.lit(network.scaleout_latency_s), decode_kv_dtype=pl.col("prefill_kv_dtype"))
    return _plan(joined, PAIR_UNITS, ["kv_transfer_time_s", "decode_capacity_requests_per_s"])


def prefill_rate_under_sla(pairs_frame: pl.LazyFrame, sla: Sla) -> pl.LazyFrame:
    """``prefill_rate_per_worker``: the largest request rate one prefill worker takes with its
    TTFT (wait + prefill + KV transfer) within the SLA, rho* b / D: rho* by BISECTIONS vectorized
    bisection steps on ``prefill_queue_wait_s`` (increasing in rho) against the budget
    SLA - D - transfer; 0 where even an idle worker misses it."""
    _, quantile = PERCENTILES[sla.percentile]
    units = {"prefill_service_s": U["s"], "ttft_quantile": U[""], "prefill_utilization": U[""]}
    budget = sla.ttft_s - pl.col("prefill_service_s") - pl.col("kv_transfer_time_s")
    frame = pairs_frame.with_columns(ttft_quantile=pl.lit(quantile, pl.Float64), rho_lo=pl.lit(0.0),
                                     rho_hi=pl.lit(1.0), wait_budget_s=budget)
    for k in range(BISECTIONS):
        frame = frame.with_columns(rho_mid=(pl.col("rho_lo") + pl.col("rho_hi")) / 2.0)
        frame = formulas.plan(frame, units, ["prefill_queue_wait_s"], DISAGGREGATED, keep=True,
                              rebind={"prefill_utilization": "rho_mid"}, suffix=f"__{k}").frame
        fits = pl.col(f"prefill_queue_wait_s__{k}") <= pl.col("wait_budget_s")
        frame = frame.with_columns(rho_lo=pl.when(fits).then(pl.col("rho_mid")).otherwise(pl.col("rho_lo")),
                                   rho_hi=pl.when(fits).then(pl.col("rho_hi")).otherwise(pl.col("rho_mid"))
                                   ).drop(f"prefill_queue_wait_s__{k}")
    rho = pl.when(pl.col("wait_budget_s") >= 0).then(pl.col("rho_lo")).otherwise(0.0)
    frame = frame.with_columns(prefill_rho_star=rho)
    return formulas.plan(frame, units | {"prefill_rho_star": U[""], "prefill_batch": U[""]},
                         ["prefill_rate_per_worker"], DISAGGREGATED, keep=True).frame.drop(
        "rho_lo", "rho_hi", "rho_mid", "ttft_quantile")


def worker_counts(gpus: int, sizes: pl.LazyFrame) -> pl.LazyFrame:
    """Every (x, y) >= 1 with x x prefill devices + y x decode devices <= gpus, for each distinct
    pair of worker sizes."""
    counts = pl.LazyFrame({"prefill_workers": list(range(1, gpus + 1))}).join(
        pl.LazyFrame({"decode_workers": list(range(1, gpus + 1))}), how="cross")
    return sizes.join(counts, how="cross").filter(
        pl.col("prefill_workers") * pl.col("prefill_devices") + pl.col("decode_workers") * pl.col("decode_devices")
        <= gpus).with_columns(pl.col("prefill_workers", "decode_workers").cast(pl.Float64))


RATE_UNITS = {"prefill_workers": U[""], "prefill_rate_per_worker": U["1/s"], "decode_workers": U[""],
              "decode_capacity_requests_per_s": U["1/s"], "prefill_service_s": U["s"], "prefill_devices": U[""],
              "decode_devices": U[""], "ttft_quantile": U[""], "kv_transfer_time_s": U["s"], "prefill_batch": U[""]}


SLIM = ["prefill_devices", "decode_devices", "prefill_service_s", "prefill_batch", "kv_transfer_time_s",
        "prefill_rate_per_worker",
        "decode_capacity_requests_per_s", "decode_tpot_s", "generated_tokens", "usd_per_gpu_hour"]


def disaggregated(rows: pl.LazyFrame, gpus: int, sla: Sla, network: Network) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Every prefill worker x decode worker x (x, y) within ``gpus``: the rate-matched request rate
    under the TTFT SLA, its TTFT (wait at that rate + prefill + KV transfer), TPOT the decode
    worker's, and the deployment figures. Returned slim (``pair_id`` and the figures), with the
    pairs of workers whose columns ``with_pairs`` joins back to the rows that are kept."""
    prefill, decode = pools(rows)
    # collected once: the slim candidates and the columns joined back must number the pairs alike
    matched = prefill_rate_under_sla(pairs(prefill, decode, network), sla).with_row_index("pair_id").collect().lazy()
    slim = matched.select("pair_id", *SLIM)
    sizes = slim.select("prefill_devices", "decode_devices").unique()
    frame = slim.join(worker_counts(gpus, sizes), on=["prefill_devices", "decode_devices"])
    _, quantile = PERCENTILES[sla.percentile]
    frame = _plan(frame.with_columns(ttft_quantile=pl.lit(quantile, pl.Float64)), RATE_UNITS,
                  ["disaggregated_request_rate", "disaggregated_gpus", "prefill_worker_utilization"])
    frame = _plan(frame.with_columns(prefill_utilization=pl.col("prefill_worker_utilization")),
                  RATE_UNITS | {"prefill_utilization": U[""]}, ["prefill_queue_wait_s", "disaggregated_ttft_s"])
    frame = frame.with_columns(
        kind=pl.lit("disaggregated"), deployment_request_rate=pl.col("disaggregated_request_rate"),
        deployment_gpus=pl.col("disaggregated_gpus"), deployment_ttft_s=pl.col("disaggregated_ttft_s"),
        deployment_tpot_s=pl.col("decode_tpot_s"), ttft_sla_s=pl.lit(sla.ttft_s), tpot_sla_s=pl.lit(sla.tpot_s),
        least_ttft_s=pl.col("prefill_service_s") + pl.col("kv_transfer_time_s"))
    return _plan(frame, DEPLOYMENT_UNITS | SLA_UNITS, DEPLOYMENT), matched


def with_pairs(frame: pl.LazyFrame, matched: pl.LazyFrame) -> pl.LazyFrame:
    """Slim disaggregated candidates with their workers' columns (layouts, dtypes, memory)."""
    return frame.join(matched.drop(SLIM), on="pair_id", how="left")


def frontier(candidates: pl.LazyFrame, by: list[str]) -> pl.LazyFrame:
    """The Pareto frontier of tokens/s per GPU against tokens/s per user among the candidates that
    meet the SLA, per ``by``: no other candidate is at least as good on both and better on one."""
    ok = candidates.filter(pl.col("meets_sla") & (pl.col("deployment_request_rate") > 0))
    ranked = ok.sort([*by, FRONTIER_Y, FRONTIER_X], descending=[False] * len(by) + [True, True])
    before = pl.col(FRONTIER_X).cum_max().shift(1)
    if by:
        before = before.over(by)
    return ranked.filter(before.is_null() | (pl.col(FRONTIER_X) > before))


def nearest(candidates: pl.LazyFrame, n: int = 50) -> pl.LazyFrame:
    """Where no candidate meets the SLA: the ``n`` closest, by the larger of TTFT / its SLA and
    TPOT / its SLA (at the lowest load a deployment runs: an idle prefill pool for disaggregated
    ones), with the constraint that binds."""
    ttft = pl.col("least_ttft_s")
    ratio_ttft, ratio_tpot = ttft / pl.col("ttft_sla_s"), pl.col("deployment_tpot_s") / pl.col("tpot_sla_s")
    ratios = candidates.with_columns(nearest_ttft_s=ttft, ttft_over_sla=ratio_ttft, tpot_over_sla=ratio_tpot)
    return ratios.with_columns(
        binding=pl.when(pl.col("ttft_over_sla") >= pl.col("tpot_over_sla")).then(pl.lit("TTFT")).otherwise(
            pl.lit("TPOT")), miss=pl.max_horizontal("ttft_over_sla", "tpot_over_sla")).sort("miss").head(n)
