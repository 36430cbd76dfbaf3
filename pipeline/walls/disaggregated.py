"""Disaggregated prefill/decode (issue 16 item 2) and the SLA search's deployment figures.

x prefill workers and y decode workers, each a tp x pp (x ep) layout of the serving study with
its own precision (DistServe, Zhong et al. OSDI'24 §3-4; Splitwise, Patel et al. ISCA'24 §4;
NVIDIA Dynamo's disaggregated serving). A request is prefilled on one prefill worker, which
batches waiting prompts up to ``prefill_batch`` per pass (the chunked-prefill token budget of the
framework: vLLM's max_num_batched_tokens, SGLang's chunked_prefill_size; the token budget of
Sarathi-Serve, Agrawal et al. OSDI'24; batch 1 is DistServe §3.1's M/D/1 worker), its KV cache
crosses the scale-out network to a decode worker, which decodes it in a continuous batch of
``decode_batch`` sequences.
The pools are rate-matched: the deployment serves min(x x the prefill rate each worker sustains
under the TTFT SLA, y x the decode worker's capacity) requests/s (DistServe §4.1's goodput-optimal
placement; Splitwise §4.2 "provisioning the pools"). Aggregated deployments (one pool doing
both, wall 7) use the same per-GPU, per-user and cost figures (``deployment_*``).

The KV bytes are the serving study's exact ``kv_cache_bytes`` (2 x L x H_kv x d_head x tokens x
batch x bytes, ``pipeline.walls.serving_memory``) of the decode worker's row, per held token of
one sequence, times the prompt: no second KV formula.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, maximum, minimum, where
from pipeline.walls.locality import SCALEOUT_LINK_EFFICIENCY
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import disaggregated_column


@disaggregated_column
def kv_transfer_bytes(decode_kv_cache_bytes: UExpr, decode_batch: UExpr, decode_kv_held_tokens: UExpr,
                      prompt_len: UExpr) -> UExpr:
    """The KV cache of one prompt as the decode worker holds it: its row's exact
    ``kv_cache_bytes`` per sequence and held token (KV heads replicated by its tp included: each
    decode rank receives its own copy), times the prompt's held tokens, min(prompt, held) (a
    sliding window holds at most its window)."""
    per_token = decode_kv_cache_bytes / (decode_batch * decode_kv_held_tokens)
    return per_token * minimum(prompt_len, decode_kv_held_tokens)


@disaggregated_column
def transfer_links(prefill_devices: UExpr, decode_devices: UExpr, nics_per_accelerator: UExpr) -> UExpr:
    """Scale-out links a transfer uses in parallel: every rank sends (receives) its shard over its own
    NIC by GPUDirect RDMA (NIXL in Dynamo and vLLM; Mooncake in SGLang), so the side with fewer
    ranks bounds the streams: min(prefill, decode devices) x NICs per accelerator."""
    return minimum(prefill_devices, decode_devices) * nics_per_accelerator


@disaggregated_column
def kv_transfer_time_s(kv_transfer_bytes: UExpr, transfer_links: UExpr, nic_bandwidth_bytes_per_s: UExpr,
                       scaleout_latency_s: UExpr) -> UExpr:
    """α-β transfer of one prompt's KV (DistServe §3.3: the KV of a request crosses the network
    once, between prefill and decode): latency + bytes / (links x NIC bandwidth x
    SCALEOUT_LINK_EFFICIENCY), the NIC's achieved fraction of its line rate (wall 10, ``locality``;
    the profiles' eta_link is the scale-up link's)."""
    beta = transfer_links * nic_bandwidth_bytes_per_s * SCALEOUT_LINK_EFFICIENCY
    return (scaleout_latency_s + kv_transfer_bytes / beta).to("s")


@disaggregated_column
def prefill_queue_wait_s(prefill_utilization: UExpr, prefill_service_s: UExpr, ttft_quantile: UExpr) -> UExpr:
    """Wait of a request before its prefill on one worker, an M/D/1 queue of service D at load rho
    (DistServe §3.1, eq. 1: Avg_TTFT = D + R D^2 / (2 (1 - R D)), so E[W] = rho D / (2 (1 - rho))).
    Quantile q (ttft_quantile; null: the mean): the M/G/1 wait is 0 with probability 1 - rho and
    else approximately exponential of mean E[W] / rho (Kingman 1961, heavy traffic), so
    W_q = D / (2 (1 - rho)) x ln(rho / (1 - q)) where rho > 1 - q, else 0.
    A worker batching b prompts per pass of D (a batch-service queue, M/D^b/1: Bailey 1954) is
    taken at rho = lambda D / b (``prefill_worker_utilization``) with D the batch's pass: an
    arrival waits the residual of the pass in progress (mean rho D / 2 at light load, as in
    M/D/1) and the queue grows as 1 / (1 - rho) towards the worker's capacity b / D; b = 1 is
    DistServe's eq. 1 exactly."""
    return where(ttft_quantile.is_null(), md1_mean_wait(prefill_utilization, prefill_service_s),
                 md1_quantile_wait(prefill_utilization, prefill_service_s, ttft_quantile.fill_null(0.0))).to("s")


def md1_mean_wait(rho: UExpr, service: UExpr) -> UExpr:
    """E[W] = rho D / (2 (1 - rho)) (``prefill_queue_wait_s``), rho kept inside (0, 1)."""
    rho = rho.clip(1e-12, 1.0 - 1e-12)
    return rho * service / (2.0 * (1.0 - rho))


def md1_quantile_wait(rho: UExpr, service: UExpr, quantile: UExpr | float) -> UExpr:
    """W_q = D / (2 (1 - rho)) x ln(rho / (1 - q)), 0 where rho <= 1 - q (``prefill_queue_wait_s``)."""
    rho = rho.clip(1e-12, 1.0 - 1e-12)
    q = UExpr.of(quantile).clip(0.0, 1.0 - 1e-12)
    return service / (2.0 * (1.0 - rho)) * maximum((rho / (1.0 - q)).log(), 0.0)


@disaggregated_column
def decode_capacity_requests_per_s(decode_batch: UExpr, decode_tpot_s: UExpr, generated_tokens: UExpr) -> UExpr:
    """Requests/s a decode worker sustains at ``decode_batch`` sequences: each holds a slot for its G
    tokens, one TPOT apart (Little's law; DistServe §4.1's decode instance)."""
    return (decode_batch / ((generated_tokens / TOKEN) * decode_tpot_s)).to("1/s")


@disaggregated_column
def disaggregated_request_rate(prefill_workers: UExpr, prefill_rate_per_worker: UExpr, decode_workers: UExpr,
                               decode_capacity_requests_per_s: UExpr) -> UExpr:
    """Rate matching: the slower pool sets the deployment's goodput (DistServe §4.1; Splitwise
    §4.2): min(x x prefill requests/s per worker under the TTFT SLA, y x decode capacity)."""
    return minimum(prefill_workers * prefill_rate_per_worker, decode_workers * decode_capacity_requests_per_s)


@disaggregated_column
def prefill_worker_utilization(disaggregated_request_rate: UExpr, prefill_workers: UExpr,
                               prefill_service_s: UExpr, prefill_batch: UExpr) -> UExpr:
    """rho of one prefill worker at the deployment's rate (random routing keeps each share Poisson):
    its share of the rate over its capacity, b prompts per pass of D: lambda / x x D / b."""
    return (disaggregated_request_rate / prefill_workers * prefill_service_s / prefill_batch).to("")


@disaggregated_column
def prefill_rate_per_worker(prefill_rho_star: UExpr, prefill_service_s: UExpr, prefill_batch: UExpr) -> UExpr:
    """Requests/s one prefill worker takes at utilization rho* (the largest within the TTFT SLA):
    rho* x b / D, the inverse of ``prefill_worker_utilization`` (rho* = 1: its capacity b / D)."""
    return (prefill_rho_star * prefill_batch / prefill_service_s).to("1/s")


@disaggregated_column
def disaggregated_ttft_s(prefill_queue_wait_s: UExpr, prefill_service_s: UExpr, kv_transfer_time_s: UExpr) -> UExpr:
    """TTFT = wait + prefill of the prompt + its KV transfer (DistServe §3.3; Dynamo disaggregated
    serving: the first token is returned once the decode worker holds the KV)."""
    return prefill_queue_wait_s + prefill_service_s + kv_transfer_time_s


@disaggregated_column
def disaggregated_gpus(prefill_workers: UExpr, prefill_devices: UExpr, decode_workers: UExpr,
                       decode_devices: UExpr) -> UExpr:
    return prefill_workers * prefill_devices + decode_workers * decode_devices


@disaggregated_column
def deployment_tokens_per_s_per_gpu(deployment_request_rate: UExpr, generated_tokens: UExpr,
                                    deployment_gpus: UExpr) -> UExpr:
    """Generated tokens/s per GPU at the deployment's rate: rate x G / GPUs (AIConfigurator's
    x-axis, NVIDIA Dynamo docs)."""
    return (deployment_request_rate * generated_tokens / deployment_gpus).to("tok/s")


@disaggregated_column
def deployment_tokens_per_s_per_user(deployment_tpot_s: UExpr) -> UExpr:
    """One user's decode speed, 1 / TPOT (AIConfigurator's y-axis)."""
    return (TOKEN / deployment_tpot_s).to("tok/s")


@disaggregated_column
def deployment_cost_per_million_tokens_usd(deployment_gpus: UExpr, usd_per_gpu_hour: UExpr,
                                           deployment_request_rate: UExpr, generated_tokens: UExpr) -> UExpr:
    """Rented cost per million generated tokens: the GPUs' hourly price (the operations columns,
    wall 17) over the tokens they generate in an hour."""
    return (deployment_gpus * usd_per_gpu_hour / (deployment_request_rate * generated_tokens)).to("USD/Mtok")


@disaggregated_column
def meets_sla(deployment_ttft_s: UExpr, ttft_sla_s: UExpr, deployment_tpot_s: UExpr, tpot_sla_s: UExpr) -> Plain:
    return (deployment_ttft_s <= ttft_sla_s) & (deployment_tpot_s <= tpot_sla_s)
