"""Serving measurement rows as serving-study configurations: layout, lengths, load.

A row's lengths are its own ``prompt_len`` and ``output_len`` when it states both; otherwise its
``dataset`` names a workloads-catalog row, by the row's name or one of its ``aliases`` (an explicit
mapping, never a fuzzy match), and the spec carries ``axes.dataset``: the serving study's own dataset
support (pipeline.studies.serving_lengths) then sets the work per request from the dataset's mean lengths
and the service-time spread wall 7 reads from its standard deviations. A length the row does state (MLPerf
rows give the run's own generated tokens per sample, TOKENS_PER_SAMPLE) overrides the dataset's mean
(``overrides``: workloads.<side>_tokens_mean, the what-if mechanism of a sweep's --set). A row that
cannot be predicted says why: no lengths and no dataset, a dataset the catalog does not know, a mean
the dataset's sources do not publish, or an EP size that does not divide the experts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipeline.errors import InputError, Problem
from pipeline.validation.kv_cache_dtype import kv_cache_dtype
from pipeline.validation.trtllm_bench import untuned_batches, untuned_models

SERVING_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
THROUGHPUT_METRICS = ("tokens_per_s", "tokens_per_s_per_device")  # serving rows whose batch the benchmark picks
ALIAS_SEPARATOR = " | "  # between the aliases of one workloads-catalog row
MEANS = {"prompt_len": "input_tokens_mean", "output_len": "output_tokens_mean"}  # row length -> workload mean
# throughputs a run at a request rate delivers (delivered_tokens_per_s): tokens/s, and a decoder's samples (queries)/s
DELIVERED = ("tokens_per_s", "samples_per_s")
# wall 7's means: a group evaluated under load has the one its rows read (a group of ITL rows alone reads no TTFT)
LOAD_MEANS = ("ttft_mean_s", "tpot_under_load_s")
FINITE_MEANS = ("finite_run_ttft_mean_s", "finite_run_tpot_mean_s")  # a run of stated requests' (walls.finite_run)
NO_LENGTHS = ("serving rows need prompt_len and output_len, or a dataset the workloads catalog names; "
              "the row lacks {missing} and names no dataset")
TP_GRID = [1, 2, 4, 8, 16, 32, 64]  # tensor-parallel sizes tried where a row does not state its layout
# The batches TensorRT-LLM's offline benchmark runs beyond the grid (``offline_batches``): trtllm-bench sizes the
# engine's max_batch_size from the KV cache, capped at 4096 (tensorrt_llm/bench/build/tuning.py, finetune_setting:
# "raw_bs = min(kv_cache_max_requests, 4096) / pp_size"), and its batch-size tuner runs the KV capacity in
# sequences at the table's batch (DynamicBatchConfig::kDefaultBatchSizeTable: 768, 1024, 1536 below 1664
# sequences) or, above, at the capacity rounded down to 512 (DynamicBatchTuner::getRuntimeBatchSize,
# kBatchSizeFallbackGranularity 512).
TRTLLM_BENCH_BATCHES = [768, 1024, 1536, 2048, 2560, 3072, 3584, 4096]
OFFLINE_BATCHES = {"TensorRT-LLM": TRTLLM_BENCH_BATCHES}


@dataclass(frozen=True)
class Datasets:
    """The workloads catalog as measurement rows name it: each name and alias -> the workload's
    name, and each workload's published mean lengths (None: unpublished)."""
    names: dict[str, str] = field(default_factory=dict)
    means: dict[str, dict[str, float | None]] = field(default_factory=dict)
    experts: dict[str, int | None] = field(default_factory=dict)  # model -> routed experts (EP check)
    untuned: frozenset[str] = frozenset()  # models whose checkpoint trtllm-bench does not tune (trtllm_bench)

    @classmethod
    def of(cls, workloads: pl.DataFrame, models: pl.DataFrame | None = None) -> Datasets:
        names: dict[str, str] = {}
        means = {}
        for i, r in enumerate(workloads.select("name", "aliases", *MEANS.values()).iter_rows(named=True), start=1):
            means[r["name"]] = {m: r[m] for m in MEANS.values()}
            for key in [r["name"], *((r["aliases"] or "").split(ALIAS_SEPARATOR) if r["aliases"] else [])]:
                key = key.strip()
                if names.get(key, r["name"]) != r["name"]:
                    raise InputError("catalog 'workloads'", [Problem(i, "aliases", f"{key!r} names both "
                                                                                   f"{names[key]!r} and this row",
                                                                     r["name"])])
                names[key] = r["name"]
        experts = {} if models is None else dict(models.select("name", "n_experts").iter_rows())
        return cls(names, means, experts, frozenset(untuned_models(models)))


def resolve(r: dict, datasets: Datasets | None) -> tuple[str | None, dict, str | None]:
    """The workloads-catalog row a serving row's ``dataset`` names, the overrides its own stated
    lengths make, or why it cannot set the lengths."""
    stated = {length: r[length] for length in MEANS if r[length] is not None}
    if r["dataset"] is None:
        missing = " and ".join(length for length in MEANS if length not in stated)
        return None, {}, NO_LENGTHS.format(missing=missing)
    if datasets is None or r["dataset"] not in datasets.names:
        return None, {}, (f"dataset {r['dataset']!r} is not a workloads catalog name or alias (registry_data/"
                          "workloads.parquet: name, aliases), and the row does not state both prompt_len and "
                          "output_len")
    name = datasets.names[r["dataset"]]
    unpublished = [mean for length, mean in MEANS.items() if length not in stated and datasets.means[name][mean] is None]
    if unpublished:
        return None, {}, (f"dataset {r['dataset']!r} (workloads catalog {name!r}): its {' and '.join(unpublished)} "
                          "is not published by the dataset's sources, and the row does not state it")
    return name, {f"workloads.{MEANS[length]}": f"{value} tok" for length, value in stated.items()}, None


def serving_spec(r: dict, datasets: Datasets | None = None) -> tuple[dict | None, str | None]:
    """The serving study's one-configuration spec for serving row ``r`` (None and why when it cannot)."""
    framework = {"framework": r["framework"]}
    batches = [r["batch"]] if r["batch"] is not None else None
    tp, pp, ep = r["tp"] or 1, r["pp"] or 1, r["ep"] or 1  # groups: an EP replica's attention DP (serving_ep)
    if r["metric"] == "ttft_s":  # no load stated: a request's TTFT is its own prefill
        batches = [1]
    if r["devices"] % (tp * pp * (groups := max(1, ep // tp))):
        return None, f"devices {r['devices']} is not a multiple of tp x pp{' x ep/tp' * (groups > 1)} = " \
                     f"{tp * pp * groups}"
    experts, redundant = (datasets.experts if datasets else {}).get(r["model"]), r.get("redundant_experts") or 0
    if ep > 1 and experts and (experts + redundant) % ep:
        return None, (f"ep {ep} does not divide the model's {experts} routed experts + {redundant} redundant: the "
                      "row does not state the redundant expert slots its run placed (EPLB)")
    if r["prompt_len"] is not None and r["output_len"] is not None:
        lengths, overrides = {"prompt_len": [r["prompt_len"]], "output_len": [r["output_len"]]}, {}
    else:
        name, overrides, reason = resolve(r, datasets)
        if reason is not None:
            return None, reason
        lengths = {"dataset": [name]}
    load, reason = load_axes(r, tp * pp * groups)
    if reason is not None:
        return None, reason
    tps = [tp]
    if r["tp"] is None and r["ep"] is None:  # the layout is not stated: every tp the devices hold (tp_grid)
        tps = tp_grid(r["devices"], pp)
        if "replicas" in load:
            load["replicas"] = [r["devices"] // (t * pp) for t in tps]
    batches = batches or [b * groups for b in (*SERVING_BATCHES, *offline_batches(r, datasets))]
    spec = {"study": "serving", "axes": {
        "model": [r["model"]], "hardware": [r["hardware"]], "compute_dtype": [r["compute_dtype"]],
        "weight_dtype": [r["weight_dtype"] or r["compute_dtype"]],
        "kv_dtype": [r.get("kv_dtype") or kv_cache_dtype(r["compute_dtype"])],
        "tp": tps, "pp": [pp], "ep": [ep], "batch": batches} | lengths
        | load | ({"cluster": [r["cluster"]]} if r["cluster"] else {}) | speculation_of(r)
        | ({"redundant_experts": [redundant]} if redundant else {}),
        "efficiency": framework} | burst_of(r, groups) | decode_kernel_of(r)
    return spec | ({"overrides": overrides} if overrides else {}), None


def decode_kernel_of(r: dict) -> dict:
    """A row whose engine's decode kernel reads each K/V head once per query head (``kv_read_per_query_head``: the
    measurements column) runs with the serving knob of that name (pipeline.walls.operators.decode_kv_reads), and a
    row whose engine runs several decode steps per scheduler call (``scheduler_steps`` > 1) with that knob
    (pipeline.walls.multi_step), and a row stating its engine's runtime token budget (``max_num_tokens``) with it as
    ``prefill_chunk_tokens`` (null: the framework profile's), and a row whose checkpoint mixes weight formats layer by
    layer (``weight_effective_bits``) with that knob (pipeline.walls.mixed_precision; null: one format). A row whose
    engine runs TensorRT-LLM's attention-DP balancing takes its timeout as ``scheduler_steps``
    (``admission_period``)."""
    steps = r.get("scheduler_steps") or admission_period(r)
    knobs = ({"kv_read_per_query_head": True} if r.get("kv_read_per_query_head") else {}) | (
        {"scheduler_steps": steps} if steps > 1 else {}) | (
        {"prefill_chunk_tokens": r["max_num_tokens"]} if r.get("max_num_tokens") is not None else {}) | (
        {"weight_effective_bits": r["weight_effective_bits"]} if r.get("weight_effective_bits") is not None else {})
    return {"serving": knobs} if knobs else {}


def admission_period(r: dict) -> int:
    """Iterations between the ones that admit new prompts: TensorRT-LLM's attention-DP balancing
    (``adp_balancing_timeout_iters``; null: 1, every iteration). PyExecutor._balance_adp_requests
    (NVIDIA/TensorRT-LLM tensorrt_llm/_torch/pyexecutor/py_executor.py, the 1.0 line the MLPerf v5.1 runs build,
    closed/NVIDIA/Makefile.build TRTLLM_HASH 18c0333e) holds every rank's context requests unless all ranks have one
    and a free slot; each held iteration counts, and at timeout_iters (or once a rank has no generation request) the
    count resets and the held ones run, with or without prompts waiting. While fewer prompts arrive in a timeout
    than there are ranks (registry_data/research/r-adpwait) that clock alone admits them: every T iterations, the
    same wait as T decode steps per scheduler call (pipeline.walls.multi_step: (T - 1) / 2 mean iterations)."""
    return r.get("adp_balancing_timeout_iters") or 1


def offline_batches(r: dict, datasets: Datasets | None = None) -> list[int]:
    """The batches beyond the grid's a throughput row of unstated batch may have run at: an offline run (no request
    rate, no concurrency) of a framework whose benchmark runs the KV cache's capacity (``OFFLINE_BATCHES``); the
    prediction takes, as for the grid, the best throughput among those that fit (the KV cache caps them: wall 5's
    paged capacity at prompt + output tokens, the GUARANTEED_NO_EVICT reservation). Other frameworks keep the grid:
    vLLM's scheduler admits at most max_num_seqs sequences (256 by default in its V0 engine, EngineArgs), and an
    MLPerf harness sets its own. A trtllm-bench row (a stated request count) of a checkpoint it does not tune
    (``datasets.untuned``) runs at most 2048 a rank, its KV capacity below that (trtllm_bench.untuned_batches),
    beside the grid."""
    offline = r["scenario"] == "offline" and r["request_rate"] is None and r["concurrency"] is None
    if not (offline and r["metric"] in THROUGHPUT_METRICS):
        return []
    if (r["framework"] in OFFLINE_BATCHES and datasets is not None and r["model"] in datasets.untuned
            and r["requests"] is not None):
        return [b for b in untuned_batches() if b not in SERVING_BATCHES]
    return OFFLINE_BATCHES.get(r["framework"], [])


def speculation_of(r: dict) -> dict:
    """A row that states speculative decoding (spec_draft_tokens > 0) runs at its settings: the serving
    study's speculation axes (draft tokens, acceptance rate, draft model or null for MTP/EAGLE heads)."""
    if not r.get("spec_draft_tokens"):
        return {}
    axes = {"spec_draft_tokens": [r["spec_draft_tokens"]], "spec_acceptance": [r["spec_acceptance"] or 0.0]}
    return axes | ({"draft_model": [r["draft_model"]]} if r.get("draft_model") else {})


def tp_grid(devices: int, pp: int) -> list[int]:
    """The tensor-parallel sizes a row that does not state its layout may have used: each of ``TP_GRID``
    that divides its devices (over pp stages) into whole replicas. The study drops those
    the model's heads or the scale-up domain refuse, and the prediction takes, as for an unstated batch,
    the best throughput over what fits, or for a latency row the smallest tp that fits (the layout with
    the most replicas, which a throughput-tuned submission such as an MLPerf Server run keeps)."""
    return [t for t in TP_GRID if devices % (t * pp) == 0] or [1]


def load_axes(r: dict, devices_per_replica: int) -> tuple[dict, str | None]:
    """A serving TTFT or ITL row measured under load (wall 7): with a request rate, Poisson arrivals at that rate
    shared by devices / (tp x pp x ep/tp) replicas, each capped at ``load_cap`` (the KV cache caps it
    further: max_batch_paged), or at the row's own ``batch`` where it states one: the engine's max_batch_size (an
    MLPerf config's gpu_batch_size, which submitters lower in the Server scenario to meet its TPOT limit, e.g.
    Mixtral 8x7B on H200 1200 in Server against 3072 in Offline, inference_results_v4.1 closed/NVIDIA/configs/
    mixtral-8x7b/{Server,Offline}/__init__.py), which the in-flight batcher never exceeds; predicted as wall 7's
    mean TTFT and mean time per output token (benchmarks report means). A closed loop of ``concurrency`` users (a
    benchmark at a fixed concurrency, no request rate; its ``batch`` is the concurrency) is wall 7's closed loop
    (pipeline.walls.closed_loop): the users shared by the replicas, its request rate solved, its tokens/s that
    rate's (delivered_tokens_per_s); a server run with neither a rate nor a concurrency is a burst (all requests at
    t = 0: ``burst_of``), predicted when the row states its request count, else refused rather than predicted
    unloaded."""
    closed = r["concurrency"] is not None and r["request_rate"] is None
    if r["metric"] not in ("ttft_s", "itl_s") and (r["metric"] not in DELIVERED or (r["request_rate"] is None
                                                                                    and not closed)):
        return {}, None  # a tokens/s row at a rate: what the run delivered (delivered_tokens_per_s)
    if closed:
        return {"batch": [load_cap(r)], "concurrency": [r["concurrency"]],
                "replicas": [max(1, r["devices"] // devices_per_replica)]}, None
    if r["request_rate"] is None:
        if r["scenario"] == "server" and r["concurrency"] is None:  # TensorRT-LLM qps=inf: all at t = 0
            if r["requests"] is None:
                return {}, ("a server run at an unstated request rate (qps=inf: a burst at t = 0, whose TTFT is "
                            "the queue of a finite burst and needs the request count: the requests column)")
            return {"batch": [load_cap(r)]}, None
        return {}, None
    return {"batch": [r["batch"] or load_cap(r)], "request_rate": [float(r["request_rate"])],
            "replicas": [max(1, r["devices"] // devices_per_replica)]}, None


def load_cap(r: dict) -> int:
    """The batch cap of a replica under load or in a burst (wall 7 caps it further by the KV cache): TensorRT-LLM's
    engines run far above the grid's 512, MLPerf Inference v5.1's closed TensorRT-LLM submissions build them at
    gpu_batch_size 2048 (Llama 2 70B Server, closed/NVIDIA/configs/B200-SXM-180GBx8/Server/llama2-70b.py; Cisco and
    ASUSTeK H200 x8 the same), 3072-6144 (Mixtral 8x7B), 2048-6000 (Llama 3.1 8B), 256-512 (Llama 3.1 405B, which
    its KV cache caps below that): the trtllm-bench ceiling of 4096 stands for them; other frameworks keep 512."""
    return max(OFFLINE_BATCHES.get(r["framework"], SERVING_BATCHES))


def burst_of(r: dict, groups: int = 1) -> dict:
    """A serving TTFT or ITL row of ``requests`` at t = 0 (``load_axes``; wall 7's burst, pipeline.walls.burst) or at
    a request rate (their finite run, pipeline.walls.finite_run, where wall 7 finds the rate above capacity), each
    replica taking an equal share; the batch cap is ``load_cap``'s, as under a request rate. An
    offline throughput row that states its request count (trtllm-bench queues its whole dataset at once) is the
    same burst, its batch cap each batch the row may have run (``offline_batches``): it is predicted as the
    burst's output tokens over its makespan (wall 7's ``burst_tokens_per_s``), whole waves, the last partial."""
    offline = (r["metric"] in THROUGHPUT_METRICS and r["scenario"] == "offline" and r["request_rate"] is None
               and r["batch"] is None and (r["tp"] is not None or r["devices"] == 1))
    # a tokens/s row at a rate: the run's TTFT and TPOT set its length (delivered_tokens_per_s), as its own rows
    timed = r["metric"] in ("ttft_s", "itl_s") or (r["metric"] in DELIVERED and r["request_rate"] is not None)
    if (not offline and (not timed or (r["request_rate"] is None and r["scenario"] != "server"))
            or r["concurrency"] is not None or r["requests"] is None):
        return {}
    replicas = max(1, r["devices"] // ((r["tp"] or 1) * (r["pp"] or 1) * groups))
    return {"burst": -(-r["requests"] // replicas)}


def delivered_tokens_per_s(replicas: pl.Expr, finite: list[str] | None = None) -> pl.Expr:
    """Output tokens/s a benchmark measures at an offered request rate λ: flow conservation gives
    λ x output_len in steady state; a run of N requests (the ``requests`` column) lasts from the first
    arrival to the last completion, (N - 1) / λ + TTFT + (output_len - 1) x TPOT (wall 7's means, or where the
    run's finite-run means are given, ``finite`` = [TTFT, TPOT] columns, the smaller, as its TTFT and ITL rows read
    them: ``predict``), so it delivers N x output_len over that; never more than the replicas' capacity
    (batch_tokens_per_s each); where wall 7 finds the rate unstable (its means are null) the replicas deliver what
    they serve, at most wall 7's capacity (capacity_requests_per_s x output_len each), whatever limits it (the
    token budget's prefill as much as the batch; r-chunkctx), and never more than arrives, λ x output_len (wall 7
    also calls a rate below its capacity unstable, where its prefill share λ τ_p >= 1: r-mixamd)."""
    rate, osl, n = pl.col("request_rate"), pl.col("output_len").cast(pl.Float64), pl.col("requests").cast(pl.Float64)
    ttft, tpot = (pl.min_horizontal(steady, *finite[k:k + 1]) if finite else pl.col(steady)
                  for k, steady in enumerate(("ttft_mean_s", "tpot_under_load_s")))
    last = ttft + (osl - 1.0) * tpot
    offered = pl.when(n.is_not_null()).then(n * osl / ((n - 1.0) / rate + last)).otherwise(rate * osl)
    # where the grid's batch does not fit, the replica runs what its KV cache admits: wall 7's capacity at that cap
    capacity = pl.when(pl.col("is_feasible")).then(pl.col("batch_tokens_per_s")).otherwise(
        pl.col("capacity_requests_per_s") * osl) * replicas
    served = pl.col("capacity_requests_per_s") * osl * replicas
    return pl.when(pl.col("ttft_mean_s").is_null()).then(pl.min_horizontal(capacity, served, rate * osl)).otherwise(
        pl.min_horizontal(offered, capacity))


def under_load(columns: list[str]) -> bool:
    """Whether a group's evaluated frame holds wall 7's means (``LOAD_MEANS``): any one, as its rows' metrics read
    them, so a group's predictions do not depend on which other metrics it holds (r-infx: five ITL rows at a
    concurrency alone were read as unloaded, 96.6 ms at every concurrency, 13.8-86.1 ms beside their TTFT rows)."""
    return any(c in columns for c in LOAD_MEANS)


def admitted(columns: list[str]) -> pl.Expr:
    """Whether a configuration runs: it fits at its batch; or, under a request rate (wall 7), the batch axis is
    only the cap of the batch in flight, and a server admits the sequences its paged KV cache holds
    (``load_batch_cap`` = min(batch, max_batch_paged); vLLM's scheduler admits a request only when its KV blocks
    can be allocated, Kwon et al. 2023 §4.2), so it runs if the weights and one sequence fit (max_batch_paged >= 1),
    at that cap."""
    fits = pl.col("is_feasible")
    if not under_load(columns) or "max_batch_paged" not in columns:
        return fits
    return fits | (pl.col("request_rate").is_not_null() & (pl.col("max_batch_paged") >= 1.0))
