"""Expert parallelism and multi-node serving (issue 16 item 1): the layout of a serving replica
whose experts are sharded over ``ep`` ranks, and the traffic that crosses its nodes.

Layout (vLLM's wide-EP, EP = DP x TP, ``--enable-expert-parallel --data-parallel-size``; SGLang's
DP attention): each of the ``pp`` stages has ``ep`` ranks; attention runs tensor-parallel over
``tp`` of them, in ep / tp attention data-parallel groups that split the replica's sequences; the
routed experts are sharded whole over the ep ranks (E / ep each), the shared experts and the
dense layers over the tp ranks of a group. ``ep`` = 1 (the default) is every layout as before:
one attention group, every expert sharded over tp. Attention TP stays inside one scale-up
domain; the EP group and the pipeline stages may span domains over the scale-out fabric of a
named cluster (NICs shared by the node's accelerators, ``pipeline.walls.locality``).

All-to-all: per MoE layer a dispatch (each rank sends its tokens' hidden states to the ranks of
their top-k experts) and a combine (the experts' outputs back), DeepSeek-V3 technical report
(arXiv 2412.19437, §3.2.2 and §3.4.1-3.4.2: FP8 dispatch, BF16 combine) and the DeepEP README
(github.com/deepseek-ai/DeepEP, "FP8 dispatching and BF16 combining"). Bytes a rank sends:
its tokens x top-k x d_model x the activation bytes (dispatch at the compute dtype's bytes,
combine at 16 bits or wider). Time, alpha-beta: all n - 1 peer sends are posted at once (NCCL's
all-to-all is a group of ncclSend/ncclRecv to every peer, NCCL user guide "Point-to-point
communication"; DeepEP's low-latency kernels issue every RDMA write from one kernel), so
alpha + (n-1)/n x M x imbalance / beta, with alpha the per-message latency of the link the
group spans (scale-up link, else the cluster's NCCL scale-out latency) and the busiest rank's
``expert_imbalance`` (max/mean load) x the mean traffic. The busiest rank also computes
imbalance x the mean expert work (the MoE layer waits for it: LMSYS, "Deploying DeepSeek with PD
Disaggregation and Large-scale Expert Parallelism on 96 H100 GPUs", 2025-05-05, "Expert
Parallelism Load Balancer").

Prefill across scale-up domains sends each token once per other domain that holds one of its experts, not once
per expert: DeepEP's normal (high-throughput) kernels, which SGLang and vLLM run for prefill, forward "from NVLink
domain to RDMA domain" (DeepEP README): a token crosses RDMA to the same-index GPU of each target node and is
fanned out to that node's expert GPUs over NVLink (DeepSeek-V3 report §3.2.2: "each token ... is first
transmitted via IB to the GPUs with the same in-node index on its target nodes ... then forwarded via NVLink";
node-limited routing keeps that to at most 4 nodes, §2.1.2). With D = ep / domain domains and top-k routing
uniform over the experts, the expected copies per token over the scale-out fabric are (D - 1)(1 - (1 - 1/D)^k)
(``remote_domains_per_token``; DeepSeek-V3's EP32 prefill on 4 x 8 H100: 2.70, against (n - 1)/n x k = 7.75
without forwarding). Decode keeps one send per expert: DeepEP's low-latency kernels are "pure RDMA".
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, maximum, where
from pipeline.walls.locality import SCALEOUT_LINK_EFFICIENCY, link_for_span, scaleout_bandwidth_per_gpu_bytes_per_s
from pipeline.walls.operator_shapes import gemm_row_tile_efficiency, gemm_row_tiles
from pipeline.walls.operators import FLOP_PER_PARAM_TOKEN
from pipeline.walls.quantities import ELEM_PER_TOKEN, PARAM, TOKEN
from pipeline.walls.registries import define_serving, serving_column
from pipeline.walls.serving import PHASES

# Default max/mean expert load of the busiest EP rank: SGLang's DeepSeek-V3 prefill on 4 x 8 H100
# (EP32) ran 50,302 tok/s per node with its default expert placement against 59,337 with simulated
# perfect balance (LMSYS blog 2025-05-05, "Overall Throughput" table): 59,337 / 50,302 = 1.18. A
# lower bound of the load ratio (only the MoE part of a pass waits on the busiest rank); 1.0 models
# a perfectly balanced EPLB placement. The knob: serving.expert_imbalance.
EXPERT_IMBALANCE_DEFAULT = round(59337 / 50302, 2)
# Max/mean load of the busiest EP rank once redundant experts are placed by EPLB (serving.expert_imbalance_redundant,
# applies with redundant_experts > 0): TensorRT-LLM tech blog 4 ("Scaling Expert Parallelism in TensorRT-LLM, Part 1",
# Table 1), DeepSeek-R1 on 32 GB200, EP32: imbalance ratio (max - mean) / mean by rank 1.564 without EPLB, 0.109 with
# EPLB and 9 slots per rank (32 redundant experts, 288 slots), 0.115 with 8 slots per rank at EP36 (also 32
# redundant). Redundant experts exist to balance the load: DeepSeek-V3 report §3.4.1 ("duplicates high-load experts
# and deploys them redundantly"), EPLB README. The one published point is 32 redundant slots: how the balance
# depends on their number is not modelled (any r > 0 takes this knob).
EXPERT_IMBALANCE_REDUNDANT_DEFAULT = 1.109
COMBINE_BYTES_PER_ELEMENT = lit(2.0, "B/elem")  # DeepEP combines in BF16 (DeepSeek-V3 §3.3.2 keeps it 16-bit)


def moe_tile_m(tile_m: UExpr, stated: UExpr, tokens: UExpr, max_tokens: UExpr) -> UExpr:
    """The M tile of a grouped MoE GEMM call of ``tokens`` tokens: the framework's stated BLOCK_SIZE_M
    (``moe_tile_m`` of its profile) up to its ``moe_tile_max_tokens``, else the kernel model's (``gemm_tile_m``'s
    64-row floor). SGLang's fused_moe_triton takes the config of the JSON key nearest the call's tokens M
    (fused_moe_triton_config.py ``try_get_optimal_moe_config``, @c050f40d line 196); its H200 JSON for
    DeepSeek-R1's TP8 shard (configs/triton_3_3_1/E=257,N=256,device_name=NVIDIA_H200,dtype=fp8_w8a8,
    block_shape=[128, 128].json @a3091481) states BLOCK_SIZE_M 16 at keys 1-512 (lines 3-99), 64 from 1024
    (line 107): 16 up to 768 tokens."""
    use = (stated > lit(0.0)) & (tokens <= max_tokens)
    return where(use, stated, tile_m)


def uses_ep(ep: UExpr, n_experts: UExpr) -> Plain:
    """Experts sharded over ep > 1 ranks (a model without routed experts never is)."""
    return (ep > 1) & n_experts.is_not_null()


@serving_column
def expert_slots(n_experts: UExpr, redundant_experts: UExpr, ep: UExpr) -> UExpr:
    """Routed expert slots of a layer over its EP group: E + r (r redundant copies of hot experts,
    EPLB; DeepSeek's prefill EP32 and decode EP144 both hold 256 + 32 = 288, 9 and 2 per GPU: open-
    infra-index day 6, lines 22-23); E without EP; null for a dense model."""
    return where(uses_ep(ep, n_experts), n_experts + redundant_experts, n_experts)


@serving_column
def expert_imbalance(redundant_experts: UExpr, expert_imbalance_placed: UExpr,
                     expert_imbalance_redundant: UExpr) -> UExpr:
    """Busiest EP rank's expert load / the mean: the EPLB knob (TensorRT-LLM blog 4, Table 1) where
    redundant experts are placed, else the placement's (serving.expert_imbalance)."""
    return where(redundant_experts > 0, expert_imbalance_redundant, expert_imbalance_placed)


@serving_column
def attention_dp(ep: UExpr, tp: UExpr, n_experts: UExpr) -> UExpr:
    """Attention data-parallel groups per stage: ep / tp with expert parallelism, else 1."""
    return where(uses_ep(ep, n_experts), ep / tp, 1.0)


@serving_column
def devices_per_replica(tp: UExpr, pp: UExpr, attention_dp: UExpr) -> UExpr:
    """Accelerators of one replica: tp x attention groups x pp (tp x pp without EP)."""
    return tp * pp * attention_dp


@serving_column
def attention_group_sequences(batch: UExpr, attention_dp: UExpr) -> UExpr:
    """Sequences of one attention group: ceil(batch / groups) (the whole batch without EP)."""
    return where(attention_dp > 1, (batch / attention_dp).ceil(), batch)


define_serving("scaleout_bandwidth_per_gpu_bytes_per_s", ["nic_bandwidth_bits_per_s", "nics_per_node",
                                                          "accelerators_per_node", "oversubscription_ratio"],
               scaleout_bandwidth_per_gpu_bytes_per_s)


@serving_column
def ep_alpha_s(ep: UExpr, scaleup_domain_size: UExpr, scaleup_link_latency_s: UExpr,
               scaleout_latency_s: UExpr) -> UExpr:
    """Per-message latency of the EP group's link: scale-up within one domain, else the cluster's."""
    return link_for_span(ep, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)


@serving_column
def ep_beta_bytes_per_s(ep: UExpr, scaleup_domain_size: UExpr, scaleup_link_bandwidth_bytes_per_s: UExpr,
                        scaleout_bandwidth_per_gpu_bytes_per_s: UExpr, eta_link: UExpr) -> UExpr:
    """Per-rank bandwidth of the EP group: the scale-up link x eta_link, else its share of the node's NICs x
    SCALEOUT_LINK_EFFICIENCY (wall 10)."""
    return link_for_span(ep, scaleup_domain_size, scaleup_link_bandwidth_bytes_per_s * eta_link,
                         scaleout_bandwidth_per_gpu_bytes_per_s * SCALEOUT_LINK_EFFICIENCY)


def grouped_all_to_all_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr, imbalance: UExpr) -> UExpr:
    """All n - 1 sends posted at once: alpha + (n-1)/n x M x imbalance / beta (0 for n = 1).
    ``message``: the bytes a rank sends to all peers together (its own share stays local)."""
    return where(n > 1, alpha + ((n - 1.0) / n * message * imbalance / beta).to("s"), 0)


def _alltoall(p: str) -> None:
    """``{p}_alltoall_bytes_per_rank`` (one dispatch) and ``{p}_alltoall_time_s``: dispatch and
    combine in every MoE layer of a pass (0 without EP)."""

    def dispatch_bytes(tokens, tp, k, d, abytes):
        return tokens / tp * k.fill_null(0.0) * d * ELEM_PER_TOKEN * abytes

    def alltoall_time(ep, n_experts, n_layers, share, dispatch, abytes, alpha, beta, imbalance):
        combine = dispatch / abytes * maximum(abytes, COMBINE_BYTES_PER_ELEMENT)
        each = (grouped_all_to_all_s(ep, dispatch, alpha, beta, imbalance)
                + grouped_all_to_all_s(ep, combine, alpha, beta, imbalance))
        return where(uses_ep(ep, n_experts), n_layers * (1.0 - share) * each, 0)

    def forwarded_time(ep, n_experts, n_layers, share, dispatch, abytes, alpha, beta, imbalance, domain, k):
        """Prefill: across domains, the dispatch and combine move remote / k of the k copies (module docstring)."""
        combine = dispatch / abytes * maximum(abytes, COMBINE_BYTES_PER_ELEMENT)
        remote = remote_domains_per_token(ep, domain, k) / k.fill_null(1.0).clip(lower=1.0)
        across = 2.0 * alpha + ((dispatch + combine) * remote * imbalance / beta).to("s")
        within = alltoall_time(ep, n_experts, n_layers, share, dispatch, abytes, alpha, beta, imbalance)
        return where(uses_ep(ep, n_experts) & (ep > domain), n_layers * (1.0 - share) * across, within)

    define_serving(f"{p}_alltoall_bytes_per_rank", [f"{p}_tokens", "tp", "n_experts_per_token", "d_model",
                                                    "bytes_per_element"], dispatch_bytes)
    inputs = ["ep", "n_experts", "n_layers", "dense_layer_share", f"{p}_alltoall_bytes_per_rank", "bytes_per_element",
              "ep_alpha_s", "ep_beta_bytes_per_s", "expert_imbalance"]
    if p == "prefill":
        define_serving(f"{p}_alltoall_time_s", [*inputs, "scaleup_domain_size", "n_experts_per_token"],
                       forwarded_time)
    else:
        define_serving(f"{p}_alltoall_time_s", inputs, alltoall_time)


def remote_domains_per_token(ep: UExpr, domain: UExpr, k: UExpr) -> UExpr:
    """Expected other scale-up domains among a token's top-k experts, the experts spread evenly over D = ep / domain
    domains and picked uniformly: (D - 1)(1 - (1 - 1/D)^k), each domain holding none of them with probability
    (1 - 1/D)^k (picks taken independently: an upper bound of the distinct experts' spread)."""
    d = (ep / domain).clip(lower=1.0)
    return (d - 1.0) * (1.0 - (1.0 - 1.0 / d).power(k.fill_null(0.0)))


@serving_column
def decode_alltoall_scaleup_alpha_s(ep: UExpr, n_experts: UExpr, n_layers: UExpr, dense_layer_share: UExpr,
                                    scaleup_domain_size: UExpr, scaleup_link_latency_s: UExpr) -> UExpr:
    """Wall 21: the scale-up link's latency in a decode step's all-to-alls (2 per MoE layer), where
    the EP group fits one domain."""
    within = uses_ep(ep, n_experts) & (ep <= scaleup_domain_size)
    return where(within, 2.0 * n_layers * (1.0 - dense_layer_share) * scaleup_link_latency_s, 0)


@serving_column
def decode_scaleout_time_s(ep: UExpr, scaleup_domain_size: UExpr, decode_pp_scaleout_time_s: UExpr,
                           decode_alltoall_time_s: UExpr) -> UExpr:
    """Wall 21: a decode step's communication over the cluster's scale-out fabric (PP boundaries
    between domains, the all-to-alls of an EP group wider than a domain): not the scale-up link's."""
    return decode_pp_scaleout_time_s + where(ep > scaleup_domain_size, decode_alltoall_time_s, 0)


# -- pipeline stages across nodes -----------------------------------------------------------------

@serving_column
def pp_crossing_boundaries(pp: UExpr, tp: UExpr, attention_dp: UExpr, scaleup_domain_size: UExpr) -> UExpr:
    """Stage boundaries over the scale-out fabric: stages of tp x groups ranks fill a domain
    floor(domain / stage) at a time (at least one), so ceil(pp / per domain) - 1 boundaries cross."""
    per_domain = maximum((scaleup_domain_size / (tp * attention_dp)).floor(), 1.0)
    return ((pp / per_domain).ceil() - 1.0).clip(lower=0.0)


# -- the experts of one rank: weights and work ----------------------------------------------------

def _routed_share(n_experts: UExpr, k: UExpr, tokens: UExpr) -> UExpr:
    """Share of the routed experts some of ``tokens`` picks: 1 - (1 - k/E)^tokens."""
    return 1.0 - (1.0 - (k / n_experts).fill_null(0.0)).power(tokens / TOKEN)


@serving_column
def prefill_stage_tokens(batch: UExpr, prefill_new_tokens: UExpr, prefill_tokens: UExpr, ep: UExpr,
                         n_experts: UExpr) -> UExpr:
    """Tokens of a prefill pass through one stage, every attention group's (``prefill_tokens``
    without EP): the experts' rows come from all of them."""
    return where(uses_ep(ep, n_experts), batch * prefill_new_tokens, prefill_tokens)


@serving_column
def decode_stage_tokens(batch: UExpr, pp: UExpr, decode_tokens: UExpr, ep: UExpr, n_experts: UExpr) -> UExpr:
    """Tokens of a decode microbatch through one stage, ceil(batch / pp), every group's."""
    return where(uses_ep(ep, n_experts), (batch / pp).ceil() * TOKEN, decode_tokens)


def _mlp_flop(p: str) -> None:
    """``{p}_mlp_flop``: 2 x the MLP weights a token multiplies x tokens (``operators``); with EP the
    routed part is the busiest rank's: the stage's tokens x top-k / ep x ``expert_imbalance``
    (max/mean) x one expert's weights, in place of the group's tokens x top-k / tp."""

    def flop(params, tokens, stage, ep, n_experts, k, each, share, tp, density, imbalance):
        local = FLOP_PER_PARAM_TOKEN * params * tokens
        routed = (1.0 - share) * density * each * k.fill_null(0.0)
        busiest = FLOP_PER_PARAM_TOKEN * routed * (stage * imbalance / ep - tokens / tp)
        return where(uses_ep(ep, n_experts), local + busiest, local)

    define_serving(f"{p}_mlp_flop", ["mlp_params_per_token_per_device", f"{p}_tokens", f"{p}_stage_tokens", "ep",
                                     "n_experts", "n_experts_per_token", "expert_params_each", "dense_layer_share",
                                     "tp", "weight_density", "expert_imbalance"], flop)


def _mlp_reads(p: str) -> None:
    """``{p}_mlp_weight_params``: the MLP weights a pass reads on one device. Without EP as in
    ``operators`` (the experts some token of the device's step picks, / tp); with EP the shared
    experts / tp and, of the rank's E / ep whole experts, those the stage's tokens (groups x the
    group's) pick."""

    def reads(share, dense, n_experts, shared, each, router, routed, tp, density, ep, k, stage, slots):
        local = (shared.fill_null(0.0) + n_experts.fill_null(0.0) * routed) * each / tp + router
        ep_share = _routed_share(slots, k, stage)  # a slot (a replica) takes its share of its expert's tokens
        sharded = shared.fill_null(0.0) * each / tp + slots / ep * ep_share * each + router
        experts = where(uses_ep(ep, n_experts), sharded, local)
        return (share * dense / tp + (1.0 - share) * experts) * density

    define_serving(f"{p}_mlp_weight_params", ["dense_layer_share", "dense_mlp_params_per_layer", "n_experts",
                                              "n_shared_experts", "expert_params_each", "router_params_per_layer",
                                              f"{p}_routed_fraction", "tp", "weight_density", "ep",
                                              "n_experts_per_token", f"{p}_stage_tokens", "expert_slots"], reads)

    def rows(t, n_experts, k, stage, slots):
        """Rows of one expert's GEMM: the tokens routed to it, t·k of the device's step (``operators``),
        of the whole stage's with EP (``{p}_stage_tokens``: the device's without), over the E + r slots
        (``expert_slots``: a replica takes its share) some token picks (``_routed_share``): the mean rows of an
        expert that runs; at least one."""
        routed = maximum(stage / TOKEN * k / (slots * _routed_share(slots, k, stage)), lit(1.0))
        return where(n_experts.is_not_null(), routed, t / TOKEN)

    def group(n_experts, ep, k, stage, slots):
        """The experts one device's grouped MoE GEMM runs in one launch: its E / tp (TP-sharded) or (E + r) / ep
        (EP) slots that some token of the stage picks; 1 for a dense MLP. SGLang / vLLM ``fused_moe_kernel``:
        one Triton launch whose grid is ceil(padded routed rows / BLOCK_M) x ceil(N / BLOCK_N) over every expert's
        rows (``moe_align_block_size`` pads each expert's rows to BLOCK_M, python/sglang/srt/layers/moe/
        fused_moe_triton/fused_moe.py ``invoke_fused_moe_kernel``); TensorRT-LLM CutlassMoeFCRunner::runMoe, one
        grouped GEMM over the local experts (moe_kernels.cu; ``moe_routing``)."""
        local = where(uses_ep(ep, n_experts), slots / ep, slots)
        return where(n_experts.is_not_null(), maximum(local * _routed_share(slots, k, stage), lit(1.0)), lit(1.0))

    def grouped_tiles(m, n, tile_m, tile_n, experts, stated, tokens, max_tokens):
        """The output tiles of the grouped GEMM: each running expert's (M x N) tiles at ``moe_tile_m``, over which
        the SMs fill their waves together (``gemm_efficiency``'s wave and split-K terms)."""
        tm = moe_tile_m(tile_m, stated, tokens, max_tokens)
        return gemm_row_tiles(m, n, tm, tile_n) * experts

    def expert_tile_efficiency(m, n, tile_m, tile_n, stated, tokens, max_tokens):
        """One expert's padded tiles' useful share (``gemm_tile_efficiency``): the grouped tiles do not change it."""
        tm = moe_tile_m(tile_m, stated, tokens, max_tokens)
        return gemm_row_tile_efficiency(m, n, tm, tile_n, gemm_row_tiles(m, n, tm, tile_n))

    define_serving(f"{p}_mlp_group_gemms", ["n_experts", "ep", "n_experts_per_token", f"{p}_stage_tokens",
                                            "expert_slots"], group)
    for gemm in ("up", "down"):
        shape = [f"{p}_mlp_{gemm}_gemm_m", f"{p}_mlp_{gemm}_gemm_n", "gemm_tile_m", "gemm_tile_n"]
        stated = ["moe_tile_m", f"{p}_stage_tokens", "moe_tile_max_tokens"]
        define_serving(f"{p}_mlp_{gemm}_gemm_tiles", [*shape, f"{p}_mlp_group_gemms", *stated], grouped_tiles)
        define_serving(f"{p}_mlp_{gemm}_gemm_tile_efficiency", [*shape, *stated], expert_tile_efficiency)

    def down_k(n_experts, ffn, expert_ffn, tp, ep):
        """K of the down GEMM: d_ff / tp (``operators``); an EP rank holds its experts whole."""
        split = where(uses_ep(ep, n_experts), 1.0, tp)
        return where(n_experts.is_not_null(), expert_ffn, ffn) / split

    def up_n(n_experts, each, dense, tp, d, ffn, expert_ffn, ep):
        split = where(uses_ep(ep, n_experts), 1.0, tp)
        return where(n_experts.is_not_null(), each, dense) / (split * d * PARAM) - down_k(n_experts, ffn, expert_ffn,
                                                                                         tp, ep)

    for gemm in ("up", "down"):
        define_serving(f"{p}_mlp_{gemm}_gemm_m", [f"{p}_tokens", "n_experts", "n_experts_per_token",
                                                  f"{p}_stage_tokens", "expert_slots"], rows)
    define_serving(f"{p}_mlp_down_gemm_k", ["n_experts", "ffn_dim", "expert_ffn_dim", "tp", "ep"], down_k)
    define_serving(f"{p}_mlp_up_gemm_n", ["n_experts", "expert_params_each", "dense_mlp_params_per_layer", "tp",
                                          "d_model", "ffn_dim", "expert_ffn_dim", "ep"], up_n)


@serving_column
def mlp_params_per_layer_per_device(dense_layer_share: UExpr, dense_mlp_params_per_layer: UExpr, n_experts: UExpr,
                                    n_shared_experts: UExpr, expert_params_each: UExpr,
                                    router_params_per_layer: UExpr, tp: UExpr, ep: UExpr,
                                    expert_slots: UExpr) -> UExpr:
    """Resident MLP weights per layer on one device (layer mean, before pruning): every expert and
    the router / tp without EP; with EP the rank's (E + r) / ep routed expert slots whole (r
    redundant copies: ``expert_slots``), the shared experts and the router / tp."""
    experts = (n_experts.fill_null(0.0) + n_shared_experts.fill_null(0.0)) * expert_params_each
    moe = experts + router_params_per_layer
    mlp = dense_layer_share * dense_mlp_params_per_layer + (1.0 - dense_layer_share) * moe
    sharded = (expert_slots / ep * expert_params_each
               + (n_shared_experts.fill_null(0.0) * expert_params_each + router_params_per_layer) / tp)
    with_ep = dense_layer_share * dense_mlp_params_per_layer / tp + (1.0 - dense_layer_share) * sharded
    return where(uses_ep(ep, n_experts), with_ep, mlp / tp)


# -- attention DP under in-flight batching: one group's prefill holds every group's decode ----------
# Every attention group runs the same iteration (the MoE all-to-all of each layer waits for all of them), so an
# iteration lasts as long as its slowest group: TensorRT-LLM tech blog 10, "ADP Balance Strategy" (docs/source/blogs/
# tech_blog/blog10_ADP_Balance_Strategy.md, "Mathematical Modeling": time_i = max over ranks of time_{i,m}); a group
# running a prompt's context "while others execute generation phases" stalls them ("Motivation and Background").
# Its baseline scheduler (round-robin of new requests over the ranks, the default: enable_balance false) does not
# align the groups' contexts in time ("fails to guarantee per-iteration load balance"); SGLang's DP attention runs
# every rank's step together alike (python/sglang/srt/managers/scheduler.py v0.4.0, ``prepare_dp_attn_batch``: each
# rank's own prefill or decode batch, its token count all-gathered, an idle batch where a rank has none). The static
# batch the study prices (a prefill of every group's prompts together, then decode: ``ttft_s``, ``e2e_latency_s``) is
# the aligned case, the default: TensorRT-LLM's ADP balance aligns them on purpose, and a benchmark of same-length
# requests admitted at once keeps them aligned (each group admits one context per iteration from its queue, so all
# groups' contexts fill the same window and their completions, G tokens later, free slots in the same iterations
# again).
# serving.attention_dp_unaligned prices unaligned contexts (varied lengths without balancing).

@serving_column
def attention_dp_context_share(attention_group_sequences: UExpr, generated_tokens: UExpr) -> UExpr:
    """Share q of one attention group's iterations that run a prompt's context beside its decodes, in steady
    in-flight batching: each of its S sequences holds a slot for G generated tokens (one per iteration) and enters
    once, so S / G contexts per iteration (TensorRT-LLM schedules a context beside the running decodes as its
    max_num_tokens allows); at most 1."""
    return (attention_group_sequences * TOKEN / generated_tokens).clip(upper=1.0)


@serving_column
def attention_dp_stall_share(attention_dp: UExpr, attention_dp_context_share: UExpr) -> UExpr:
    """Share of iterations in which some group runs a context and the others wait, beyond the aligned case: with
    the n groups' contexts independent (each group's new requests follow its own completions), some group runs one
    in 1 - (1 - q)^n of the iterations; aligned (the static batch: every group's contexts in the same iterations)
    in q. Their difference (0 for one group)."""
    q = attention_dp_context_share
    return 1.0 - (1.0 - q).power(attention_dp) - q


@serving_column
def attention_dp_context_time_s(prefill_pass_time_s: UExpr, prefill_mlp_class_time_s: UExpr,
                                prefill_sequences: UExpr) -> UExpr:
    """What one prompt's context adds to its group's iteration and the other groups wait for: its share of the
    prefill pass outside the MLP (attention, norms, LM head, the all-to-all it sends). The MLP is left out: its
    routed experts' rows spread over all EP ranks, as in the aligned case (the shared experts and dense layers are
    the group's own: a lower bound)."""
    return (prefill_pass_time_s - prefill_mlp_class_time_s) / prefill_sequences


@serving_column
def attention_dp_stall_s(attention_dp_unaligned: Plain, attention_dp: UExpr, attention_dp_stall_share: UExpr,
                         attention_dp_context_time_s: UExpr) -> UExpr:
    """Expected wait per decode iteration of an aggregated (prefill and decode on the same ranks) attention-DP
    replica for another group's context, where the groups' contexts are unaligned (serving.attention_dp_unaligned):
    stall share x one context's time; 0 aligned (the default) and without expert parallelism. Enters
    ``e2e_latency_s`` (and so the batch's throughput), not ``itl_s``: a decode-only pool runs no contexts."""
    return where(attention_dp_unaligned & (attention_dp > 1), attention_dp_stall_share * attention_dp_context_time_s, 0)


for _phase in PHASES:
    _alltoall(_phase)
    _mlp_flop(_phase)
    _mlp_reads(_phase)
