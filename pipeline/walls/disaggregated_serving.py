"""Disaggregated prefill/decode as an axis of the serving study (issue 16 item 2): a row with
``prefill_workers`` = x >= 1 and ``decode_workers`` = y >= 1 is a deployment of x prefill workers
and y decode workers, both of the row's layout and precision (``mlsys serve-plan`` pairs
different layouts, ``pipeline.studies.disaggregated``); x = y = 0 (the default) is the aggregated
row, whose ``disagg_*`` columns are null.

Every term is the one formula of ``pipeline.walls.disaggregated`` (DistServe, Zhong et al.
OSDI'24 §3-4), called on the row's own columns: the decode worker is the row at its batch
(``itl_s``; its ``kv_cache_bytes`` are the KV it receives), a prefill worker the row's layout at
``prefill_batch`` prompts per pass (``prefill_batch_pass_time_s``: the study evaluates the prefill
pass with ``batch`` read from ``prefill_batch``), and the KV crosses the row's cluster's scale-out
NICs (``pipeline.studies.serving_ep``). The load is the row's request rate per replica.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, maximum, only_where, where
from pipeline.walls import disaggregated as pd
from pipeline.walls.registries import define_serving, serving_column


def _on(prefill_workers: UExpr, decode_workers: UExpr) -> Plain:
    return (prefill_workers > 0) & (decode_workers > 0)


@serving_column
def prefill_batch(prefill_chunk_tokens: UExpr, prefill_new_tokens: UExpr, attention_dp: UExpr) -> UExpr:
    """Prompts one prefill pass of this layout takes: the framework's chunked-prefill budget per
    attention group (vLLM's max_num_batched_tokens, SGLang's chunked_prefill_size; the token
    budget of Sarathi-Serve, Agrawal et al. OSDI'24) over the uncached prompt, whole prompts, at
    least one, in each of the attention data-parallel groups (one without EP); one per group where
    the profile states no budget (DistServe §3.1's one-prompt worker)."""
    per_group = maximum((prefill_chunk_tokens / prefill_new_tokens).floor(), 1.0)
    return attention_dp * where(prefill_chunk_tokens.is_null(), 1.0, per_group)


@serving_column
def disagg_gpus(prefill_workers: UExpr, decode_workers: UExpr, devices_per_replica: UExpr) -> UExpr:
    """GPUs of the deployment: x + y workers of the row's layout (``disaggregated_gpus``)."""
    return only_where(_on(prefill_workers, decode_workers),
                      pd.disaggregated_gpus(prefill_workers, devices_per_replica, decode_workers, devices_per_replica))


@serving_column
def disagg_kv_transfer_time_s(prefill_workers: UExpr, decode_workers: UExpr, kv_cache_bytes: UExpr, batch: UExpr,
                              kv_held_tokens: UExpr, prompt_len: UExpr, devices_per_replica: UExpr,
                              nics_per_node: UExpr, accelerators_per_node: UExpr, nic_bandwidth_bits_per_s: UExpr,
                              scaleout_latency_s: UExpr) -> UExpr:
    """One prompt's KV from a prefill worker to a decode worker over the cluster's NICs at their
    achieved fraction of line rate (``kv_transfer_bytes``, ``transfer_links``, ``kv_transfer_time_s``);
    null without a cluster."""
    size = pd.kv_transfer_bytes(kv_cache_bytes, batch, kv_held_tokens, prompt_len)
    links = pd.transfer_links(devices_per_replica, devices_per_replica, nics_per_node / accelerators_per_node)
    time = pd.kv_transfer_time_s(size, links, (nic_bandwidth_bits_per_s / lit(8.0, "bit/B")).to("B/s"),
                                 scaleout_latency_s)
    return only_where(_on(prefill_workers, decode_workers), time)


@serving_column
def disagg_capacity_requests_per_s(prefill_workers: UExpr, decode_workers: UExpr, prefill_batch: UExpr,
                                   prefill_batch_pass_time_s: UExpr, batch: UExpr, itl_s: UExpr,
                                   generated_tokens: UExpr) -> UExpr:
    """Requests/s the deployment sustains, its pools rate-matched at full load: min(x x b_p / D,
    y x decode capacity) (``prefill_rate_per_worker`` at rho* = 1, ``decode_capacity_requests_per_s``,
    ``disaggregated_request_rate``)."""
    prefill = pd.prefill_rate_per_worker(lit(1.0, ""), prefill_batch_pass_time_s, prefill_batch)
    decode = pd.decode_capacity_requests_per_s(batch, itl_s, generated_tokens)
    return only_where(_on(prefill_workers, decode_workers),
                      pd.disaggregated_request_rate(prefill_workers, prefill, decode_workers, decode))


@serving_column
def disagg_prefill_utilization(prefill_workers: UExpr, decode_workers: UExpr, request_rate: UExpr, replicas: UExpr,
                               prefill_batch_pass_time_s: UExpr, prefill_batch: UExpr) -> UExpr:
    """rho of one prefill worker at the row's request rate per replica (``prefill_worker_utilization``)."""
    rho = pd.prefill_worker_utilization(request_rate / replicas, prefill_workers, prefill_batch_pass_time_s,
                                        prefill_batch)
    return only_where(_on(prefill_workers, decode_workers), rho)


@serving_column
def disagg_utilization(request_rate: UExpr, replicas: UExpr, disagg_capacity_requests_per_s: UExpr) -> UExpr:
    """The deployment's load over its capacity: stable below 1."""
    return (request_rate / replicas / disagg_capacity_requests_per_s).to("")


def _ttft(quantile: float | None):
    """TTFT at a quantile (None: the mean) of the deployment under its load: the prefill worker's
    queue wait (M/D/1 at batch 1, the batch-service queue at b_p: ``prefill_queue_wait_s``) + the
    batch's prefill pass + the KV transfer (``disaggregated_ttft_s``); null where it is unstable."""
    def ttft(disagg_utilization: UExpr, disagg_prefill_utilization: UExpr, prefill_batch_pass_time_s: UExpr,
             disagg_kv_transfer_time_s: UExpr) -> UExpr:
        rho, service = disagg_prefill_utilization, prefill_batch_pass_time_s
        wait = pd.md1_mean_wait(rho, service) if quantile is None else pd.md1_quantile_wait(rho, service, quantile)
        return only_where(disagg_utilization < 1.0, pd.disaggregated_ttft_s(wait.to("s"), service,
                                                                             disagg_kv_transfer_time_s))
    return ttft


for _name, _quantile in (("disagg_ttft_p50_s", 0.5), ("disagg_ttft_p99_s", 0.99), ("disagg_ttft_mean_s", None)):
    define_serving(_name, ["disagg_utilization", "disagg_prefill_utilization", "prefill_batch_pass_time_s",
                           "disagg_kv_transfer_time_s"], _ttft(_quantile))
