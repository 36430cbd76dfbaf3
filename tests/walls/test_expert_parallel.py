"""Expert parallelism's formulas (pipeline.walls.expert_parallel) against hand calculations and
DeepEP's published all-to-all latencies."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.serving import FORMULAS
from pipeline.units import unit

# DeepSeek-V3 (config.json of deepseek-ai/DeepSeek-V3): 61 layers, the first 3 dense, d_model
# 7168, 256 routed experts of d_ff 2048 (gated: 3 x 7168 x 2048 weights each), 8 per token, 1 shared.
L, DENSE, D, E, K, EACH = 61, 3, 7168, 256, 8, 3 * 7168 * 2048
DENSE_MLP, ROUTER = 3 * 7168 * 18432, 7168 * 256
# 4 H200 nodes of the HGX AI Factory reference design: 8 GPUs per node, 8 x 400 Gb/s NICs per node
NIC_BITS, NICS, PER_NODE, OUT_ALPHA = 400e9, 8, 8, 2.7e-6
# NCCL reaches 46-49 GB/s of a 50 GB/s NDR NIC (maintainers, nccl-tests issues #267 and #290): 47.5 GB/s
NIC_EFFICIENCY = 0.95


def evaluate(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()}, strict=False)
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, FORMULAS).frame.collect().to_dict(as_series=False)


def deepseek_decode(n: int, **more: tuple[list, str | None]) -> dict[str, tuple[list, str | None]]:
    """``n`` DeepSeek-V3 decode rows: 128 tokens per rank (tp 1), FP8 activations, H200 nodes."""
    cols = {"decode_tokens": [128.0] * n, "tp": [1.0] * n, "n_experts_per_token": [K] * n, "d_model": [D] * n,
            "bytes_per_element": [1.0] * n, "n_experts": [E] * n, "n_layers": [L] * n,
            "dense_layer_share": [DENSE / L] * n, "scaleup_domain_size": [8.0] * n,
            "scaleup_link_latency_s": [1e-6] * n, "scaleup_link_bandwidth_bytes_per_s": [450e9] * n,
            "scaleout_latency_s": [OUT_ALPHA] * n, "nic_bandwidth_bits_per_s": [NIC_BITS] * n,
            "nics_per_node": [NICS] * n, "accelerators_per_node": [PER_NODE] * n,
            "oversubscription_ratio": [1.0] * n, "eta_link": [1.0] * n, "expert_imbalance": [1.0] * n}
    units = {"decode_tokens": "tok", "bytes_per_element": "B/elem", "scaleup_link_latency_s": "s",
             "scaleup_link_bandwidth_bytes_per_s": "B/s", "scaleout_latency_s": "s",
             "nic_bandwidth_bits_per_s": "bit/s"}
    out = {k: (v, units.get(k, "")) for k, v in cols.items()}
    return out | more


def test_decode_alltoall_of_deepseek_v3_on_four_h200_nodes_by_hand():
    """EP 32 over 4 nodes: each rank dispatches 128 tokens x top-8 x 7168 x 1 B = 7,340,032 B and
    combines them back at 2 B (14,680,064 B). Per GPU: 8 NICs x 400 Gb/s / 8 GPUs = 50 GB/s, x 0.95
    achieved = 47.5 GB/s (the profile's eta_link, 1 here, is the scale-up link's). Dispatch: 2.7 us +
    31/32 x 7,340,032 / 47.5e9 = 2.7 us + 149.6980211 us; combine: 2.7 us + 299.3960421 us; per MoE layer
    454.4940632 us, x 58 MoE layers = 26.36065567 ms. Imbalance 1.18 scales the bytes terms:
    58 x (5.4 us + 1.18 x 449.0940632 us) = 31.04919768 ms. EP 1: nothing."""
    out = evaluate(["decode_alltoall_bytes_per_rank", "decode_alltoall_time_s", "ep_beta_bytes_per_s"],
                   **deepseek_decode(3, ep=([32.0, 32.0, 1.0], ""), expert_imbalance=([1.0, 1.18, 1.0], "")))
    assert out["decode_alltoall_bytes_per_rank"][0] == 7_340_032
    assert out["ep_beta_bytes_per_s"][0] == pytest.approx(50e9 * NIC_EFFICIENCY)
    assert out["decode_alltoall_time_s"][0] == pytest.approx(26.36065567e-3, rel=1e-9)
    assert out["decode_alltoall_time_s"][1] == pytest.approx(31.04919768e-3, rel=1e-9)
    assert out["decode_alltoall_time_s"][2] == 0.0


def test_an_ep_group_inside_one_domain_uses_the_scale_up_link():
    """EP 8 on one 8-GPU domain: alpha 1 us, beta 450 GB/s: 58 x (2 us + 7/8 x 22,020,096 / 450e9)."""
    out = evaluate(["decode_alltoall_time_s", "ep_alpha_s"], **deepseek_decode(1, ep=([8.0], "")))
    assert out["ep_alpha_s"] == [1e-6]
    assert out["decode_alltoall_time_s"][0] == pytest.approx(58 * (2e-6 + 7 / 8 * 22_020_096 / 450e9), rel=1e-9)


@pytest.mark.parametrize(("ep", "dispatch_us", "combine_us"), [(32, 155, 273), (64, 173, 314)])
def test_one_layer_is_near_deepeps_measured_low_latency_kernels(ep, dispatch_us, combine_us):
    """DeepEP's low-latency kernels (docs/legacy.md, "Low-latency kernels with pure RDMA": H800, one
    CX7 400 Gb/s NIC per GPU, 128 tokens per batch, 7168 hidden, top-8, FP8 dispatch, BF16 combine):
    dispatch + combine of one layer within 15 % at eta_link 1 (EP 16, 313 us measured, is 34 % under
    the bandwidth bound: its two nodes' ranks are not modelled)."""
    out = evaluate(["decode_alltoall_time_s"], **deepseek_decode(1, ep=([float(ep)], "")))
    per_layer_us = out["decode_alltoall_time_s"][0] / 58 * 1e6
    assert per_layer_us == pytest.approx(dispatch_us + combine_us, rel=0.15)


def test_a_ranks_expert_weights_are_e_over_ep():
    """Resident MLP weights per layer (layer mean). EP 32: 256 / 32 = 8 routed experts whole
    (8 x 44,040,192 = 352,321,536) + the shared expert and router / tp 1 (44,040,192 + 1,835,008):
    398,196,736 on MoE layers; 3 dense layers of 396,361,728. No EP, tp 8: (257 x 44,040,192 +
    1,835,008) / 8 on MoE layers, 396,361,728 / 8 on dense ones."""
    out = evaluate(["mlp_params_per_layer_per_device"], dense_layer_share=([DENSE / L] * 2, ""),
                   dense_mlp_params_per_layer=([DENSE_MLP] * 2, "param"), n_experts=([E] * 2, ""),
                   n_shared_experts=([1] * 2, ""), expert_params_each=([EACH] * 2, "param"),
                   router_params_per_layer=([ROUTER] * 2, "param"), tp=([1.0, 8.0], ""), ep=([32.0, 1.0], ""),
                   redundant_experts=([0, 0], ""))
    moe_ep, moe_tp = 8 * EACH + EACH + ROUTER, (257 * EACH + ROUTER) / 8
    assert 8 * EACH == 352_321_536 and moe_ep == 398_196_736
    assert out["mlp_params_per_layer_per_device"][0] == pytest.approx(3 / 61 * DENSE_MLP + 58 / 61 * moe_ep)
    assert out["mlp_params_per_layer_per_device"][1] == pytest.approx(3 / 61 * DENSE_MLP / 8 + 58 / 61 * moe_tp)


def test_the_busiest_rank_computes_imbalance_times_the_mean_routed_work():
    """EP 32, tp 1, batch 4,096 in 32 groups of 128: the stage's 4,096 tokens pick 4,096 x 8 experts, 1,024
    per rank on average, 1.18 x that on the busiest: 2 x (128 x (shared expert + router) + 1,208.32 x
    44,040,192) FLOPs per MoE layer. Balanced (1.0) it equals the group's 128 tokens x top-8 (no EP's
    count); batch 1 (one busy group) leaves 1,024 x 8 / 32 = 256 pairs per rank, not 1,024. No EP: no
    imbalance."""
    n = 4
    out = evaluate(["decode_mlp_flop"], mlp_params_per_token_per_device=([9 * EACH + ROUTER] * n, "param"),
                   decode_tokens=([128.0, 128.0, 1024.0, 128.0], "tok"),
                   decode_stage_tokens=([4096.0, 4096.0, 1024.0, 128.0], "tok"), ep=([32.0, 32.0, 32.0, 1.0], ""),
                   n_experts=([E] * n, ""), n_experts_per_token=([K] * n, ""), expert_params_each=([EACH] * n, "param"),
                   dense_layer_share=([0.0] * n, ""), tp=([1.0] * n, ""), weight_density=([1.0] * n, ""),
                   expert_imbalance=([1.18, 1.0, 1.0, 1.18], ""))
    flop = out["decode_mlp_flop"]
    assert flop[0] == pytest.approx(2 * (128 * (EACH + ROUTER) + 1208.32 * EACH), rel=1e-12)
    assert flop[1] == pytest.approx(2 * 128 * (9 * EACH + ROUTER), rel=1e-12)
    assert flop[2] == pytest.approx(2 * (1024 * (EACH + ROUTER) + 256 * EACH), rel=1e-12)
    assert flop[3] == pytest.approx(2 * 128 * (9 * EACH + ROUTER), rel=1e-12)


def test_stage_boundaries_cross_domains_where_stages_fill_them():
    """Stages of tp x groups ranks in 8-GPU domains: tp 8, pp 2 -> 1 crossing; tp 4, pp 4 -> two
    stages per domain, 1 crossing; tp 2, pp 4 -> none; EP 16 (16-rank stages), pp 3 -> 2."""
    out = evaluate(["pp_crossing_boundaries"], pp=([2.0, 4.0, 4.0, 3.0], ""), tp=([8.0, 4.0, 2.0, 1.0], ""),
                   attention_dp=([1.0, 1.0, 1.0, 16.0], ""), scaleup_domain_size=([8.0] * 4, ""))
    assert out["pp_crossing_boundaries"] == [1.0, 1.0, 0.0, 2.0]


def test_a_crossing_stage_boundary_is_a_scale_out_hop():
    """tp 8 x pp 2 on 8-GPU domains, 256 decode tokens of 8,192 x 2 B = 4,194,304 B: one hop over
    the NIC share (50 GB/s x 0.95 = 47.5 GB/s, NCCL's achieved NDR rate; eta_link 0.8 is the scale-up
    link's), 2.7 us: 2.7 us + 88.3011 us."""
    out = evaluate(["decode_pp_comm_time_s"], pp=([2.0], ""), decode_tokens=([256.0], "tok"), d_model=([8192], ""),
                   bytes_per_element=([2.0], "B/elem"), scaleup_link_latency_s=([1e-6], "s"),
                   scaleup_link_bandwidth_bytes_per_s=([450e9], "B/s"), eta_link=([0.8], ""),
                   pp_crossing_boundaries=([1.0], ""), scaleout_latency_s=([OUT_ALPHA], "s"),
                   scaleout_bandwidth_per_gpu_bytes_per_s=([50e9], "B/s"))
    assert out["decode_pp_comm_time_s"][0] == pytest.approx(2.7e-6 + 88.30113684e-6, rel=1e-9)


def test_redundant_slots_add_whole_experts_per_rank():
    """DeepSeek's prefill unit, EP32 with 32 redundant experts: (256 + 32) / 32 = 9 routed experts per
    rank (open-infra-index day 6, line 22): 9 x 44,040,192 + the shared expert and router = 442,236,928 on
    MoE layers; EP144 (decode): 288 / 144 = 2 per rank, 2 x 44,040,192 + 44,040,192 + 1,835,008."""
    out = evaluate(["mlp_params_per_layer_per_device", "expert_slots"], dense_layer_share=([DENSE / L] * 2, ""),
                   dense_mlp_params_per_layer=([DENSE_MLP] * 2, "param"), n_experts=([E] * 2, ""),
                   n_shared_experts=([1] * 2, ""), expert_params_each=([EACH] * 2, "param"),
                   router_params_per_layer=([ROUTER] * 2, "param"), tp=([1.0, 1.0], ""), ep=([32.0, 144.0], ""),
                   redundant_experts=([32, 32], ""))
    assert out["expert_slots"] == [288, 288]
    prefill, decode = 9 * EACH + EACH + ROUTER, 2 * EACH + EACH + ROUTER
    assert prefill == 442_236_928 and decode == 133_955_584
    assert out["mlp_params_per_layer_per_device"][0] == pytest.approx(3 / 61 * DENSE_MLP + 58 / 61 * prefill)
    assert out["mlp_params_per_layer_per_device"][1] == pytest.approx(3 / 61 * DENSE_MLP + 58 / 61 * decode)


def deepseek_prefill(n: int, **more: tuple[list, str | None]) -> dict[str, tuple[list, str | None]]:
    """``n`` DeepSeek-V3 prefill rows: 4,096 tokens per rank, otherwise ``deepseek_decode``'s."""
    cols = deepseek_decode(n, **more)
    return {("prefill_tokens" if k == "decode_tokens" else k): ([4096.0] * n if k == "decode_tokens" else v, u)
            for k, (v, u) in cols.items()}


def test_prefill_across_nodes_sends_a_token_once_per_remote_node_by_hand():
    """EP 32 over 4 nodes (DeepEP normal kernels: IB to each target node, then NVLink): a token's 8 experts leave
    each of the 3 other nodes empty with probability (3/4)^8 = 0.10011, so it crosses IB 3 x (1 - 0.10011) =
    2.69966 times, not 31/32 x 8 = 7.75. Dispatch 4,096 x 2.69966 x 7168 x 1 B = 79,262,400 B, combine twice
    that, at 50 GB/s x 0.95 (NCCL's achieved NDR rate) = 47.5 GB/s: 1,668.68 us + 3,337.36 us + 2 x 2.7 us per
    MoE layer, x 58 = 290.66 ms. Decode keeps one send per expert (pure RDMA); within one node nothing changes."""
    remote = 3 * (1 - 0.75 ** 8)
    assert remote == pytest.approx(2.69966, rel=1e-5)
    dispatch = 4096 * remote * D * 1.0
    out = evaluate(["prefill_alltoall_time_s"], **deepseek_prefill(2, ep=([32.0, 8.0], "")))
    assert out["prefill_alltoall_time_s"][0] == pytest.approx(58 * (2 * 2.7e-6 + 3 * dispatch / 47.5e9), rel=1e-9)
    assert out["prefill_alltoall_time_s"][0] == pytest.approx(0.29066, rel=1e-4)
    within = 4096 * K * D * 1.0  # EP 8 on one node: the scale-up all-to-all, (n - 1)/n of every copy
    assert out["prefill_alltoall_time_s"][1] == pytest.approx(58 * (2e-6 + 7 / 8 * 3 * within / 450e9), rel=1e-9)


def test_grouped_moe_gemm_of_deepseek_v3_decode_by_hand():
    """r-infx's patch: one decode step of 32 tokens on 8 TP-sharded ranks (ep 1, 256 slots): the experts some token
    picks, 256 x (1 - (1 - 8/256)^32) = 256 x (1 - 0.968750^32) = 256 x 0.638226 = 163.386 (Python: 1 - 0.96875 ** 32
    = 0.6382259...), run in one grouped launch; each runs 32 x 8 / 163.386 = 1.5668 rows. Up GEMM per expert:
    N = 3 x 7168 x 2048 / (8 x 7168) - 2048 / 8 = 768 - 256 = 512, one 64-row tile by 512 / 128 = 4 column tiles:
    4 x 163.386 = 653.5 grouped tiles; useful share of an expert's tiles 1.5668 x 512 / (4 x 64 x 128) = 0.02448.
    EP 8 (32 slots a rank, whole experts): 32 x 0.638226 = 20.42 experts a launch, the stage's 32 tokens' rows
    1.5668 each, N = 3 x 2048 - 2048 = 4096: 32 column tiles, 653.5 tiles."""
    share = 1 - (1 - 8 / 256) ** 32
    cols = {"decode_tokens": ([32.0] * 2, "tok"), "tp": ([8.0, 8.0], ""), "ep": ([1.0, 8.0], ""),
            "n_experts": ([256.0] * 2, ""), "n_experts_per_token": ([8.0] * 2, ""), "expert_slots": ([256.0] * 2, ""),
            "batch": ([32.0] * 2, ""), "pp": ([1.0] * 2, ""), "expert_params_each": ([EACH] * 2, "param"),
            "dense_mlp_params_per_layer": ([DENSE_MLP] * 2, "param"), "d_model": ([D] * 2, ""),
            "ffn_dim": ([18432.0] * 2, ""), "expert_ffn_dim": ([2048.0] * 2, ""), "gemm_tile_m": ([128.0] * 2, ""),
            "gemm_tile_n": ([128.0] * 2, ""), "moe_tile_m": ([0.0] * 2, ""), "moe_tile_max_tokens": ([0.0] * 2, "tok")}
    out = evaluate(["decode_mlp_group_gemms", "decode_mlp_up_gemm_m", "decode_mlp_up_gemm_n",
                    "decode_mlp_up_gemm_tiles", "decode_mlp_up_gemm_tile_efficiency"], **cols)
    assert out["decode_mlp_group_gemms"] == pytest.approx([256 * share, 32 * share], rel=1e-9)
    assert out["decode_mlp_up_gemm_m"] == pytest.approx([32 * 8 / (256 * share)] * 2, rel=1e-9)
    assert out["decode_mlp_up_gemm_n"] == pytest.approx([512.0, 4096.0])
    assert out["decode_mlp_up_gemm_tiles"] == pytest.approx([4 * 256 * share, 32 * 32 * share], rel=1e-9)
    assert out["decode_mlp_up_gemm_tile_efficiency"][0] == pytest.approx(32 * 8 / (256 * share) / 64, rel=1e-9)


def test_a_stated_moe_tile_pads_each_experts_rows_to_it_up_to_its_token_bound():
    """SGLang's H200 JSON for DeepSeek-R1's TP8 shard: BLOCK_SIZE_M 16 up to 768 tokens. By hand, 2 rows per expert
    of the up GEMM (N = 2 x 256 = 512) over 128-column tiles: ceil(2 / 16) x ceil(512 / 128) = 4 tiles of 16 x 128,
    useful share 2 x 512 / (4 x 16 x 128) = 0.125; at 1,024 tokens the 64-row floor: 2 x 512 / (4 x 64 x 128)."""
    n = 3
    r = evaluate(["decode_mlp_up_gemm_tiles", "decode_mlp_up_gemm_tile_efficiency"],
                 decode_mlp_up_gemm_m=([2.0] * n, ""), decode_mlp_up_gemm_n=([512.0] * n, ""),
                 gemm_tile_m=([128.0] * n, ""), gemm_tile_n=([128.0] * n, ""), decode_mlp_group_gemms=([1.0] * n, ""),
                 moe_tile_m=([16.0, 16.0, 0.0], ""), decode_stage_tokens=([512.0, 1024.0, 512.0], "tok"),
                 moe_tile_max_tokens=([768.0, 768.0, 0.0], "tok"))
    assert r["decode_mlp_up_gemm_tiles"] == pytest.approx([4.0, 4.0, 4.0])
    assert r["decode_mlp_up_gemm_tile_efficiency"] == pytest.approx([0.125, 0.03125, 0.03125])
