"""Redundant experts (EPLB) as an axis of the serving study (pipeline.walls.expert_parallel): the
expert slots a rank holds, their memory, the load imbalance they bring, the drop rules and the
per-pool throughput columns (pipeline.walls.pool_throughput)."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline.catalogs.load import load_catalogs
from pipeline.runs import typed
from pipeline.spec import parse_spec
from pipeline.studies import serving
from pipeline.studies.serving_ep import REDUNDANT_NO_EP

DSV3, H800, H200 = "DeepSeek-V3", "H800 SXM5 80GB", "H200 SXM 141GB"
H800_CLUSTER = "DeepSeek H800 cluster (2,048 GPUs, InfiniBand)"
EXPERT_FP8_BYTES = 3 * 7168 * 2048  # one DeepSeek-V3 routed expert: gate, up, down of 7,168 x 2,048, 1 B each (fp8)
MOE_LAYERS = 61 - 3


def _spec(**axes) -> dict:
    return {"study": "serving", "axes": {"model": [DSV3], "hardware": [H800], "precision": ["fp8"], "batch": [2048],
                                         "tp": [1], "pp": [1], "prompt_len": [4096], "output_len": [1]} | axes}


def test_deepseeks_prefill_and_decode_units_hold_nine_and_two_expert_slots_per_gpu():
    """DeepSeek's deployment (open-infra-index day 6, lines 22-23): prefill EP32 and decode EP144, each
    with 32 redundant experts, 9 and 2 routed experts per GPU: (256 + 32) / 32 = 9, 288 / 144 = 2. At
    EP32 a rank holds one expert more than without redundancy: 58 MoE layers x 44,040,192 B in fp8."""
    frame = pipeline.sweep(_spec(ep=[32, 144], redundant_experts=[0, 32]))
    rows = {(r["ep"], r["redundant_experts"]): r for r in frame.iter_rows(named=True)}
    assert set(rows) == {(32.0, 0), (32.0, 32), (144.0, 32)}  # 144 does not divide 256: dropped without r
    assert rows[(32.0, 32)]["expert_slots"] / 32 == 9 and rows[(144.0, 32)]["expert_slots"] / 144 == 2
    assert rows[(32.0, 0)]["expert_slots"] == 256
    assert rows[(144.0, 32)]["cluster"] == H800_CLUSTER and rows[(144.0, 32)]["devices_per_replica"] == 144
    extra = rows[(32.0, 32)]["weights_per_device_bytes"] - rows[(32.0, 0)]["weights_per_device_bytes"]
    assert extra == pytest.approx(MOE_LAYERS * EXPERT_FP8_BYTES)  # 2,554,331,136 B


def test_redundant_experts_take_the_eplb_imbalance_into_the_all_to_all():
    """The busiest rank's load is 1 + 0.109 with redundant experts (TensorRT-LLM blog 4, Table 1) and
    the placement's 1.18 without; an all-to-all's bandwidth term scales with it, its latency term does
    not: (t - 58 x 2 x alpha) at r = 32 / the same at r = 0 = 1.109 / 1.18 (EP32, same tokens per rank)."""
    frame = pipeline.sweep(_spec(hardware=[H200], ep=[32], redundant_experts=[0, 32], batch=[256]))
    plain, redundant = (frame.filter(pl.col("redundant_experts") == r).row(0, named=True) for r in (0, 32))
    assert plain["expert_imbalance"] == 1.18 and redundant["expert_imbalance"] == 1.109
    alpha = MOE_LAYERS * 2 * plain["ep_alpha_s"]
    ratio = (redundant["decode_alltoall_time_s"] - alpha) / (plain["decode_alltoall_time_s"] - alpha)
    assert ratio == pytest.approx(1.109 / 1.18)
    knob = pipeline.sweep(_spec(hardware=[H200], ep=[32], redundant_experts=[32], batch=[256])
                          | {"serving": {"expert_imbalance_redundant": 1.0}})
    assert knob["expert_imbalance"].to_list() == [1.0]


def test_redundant_experts_need_expert_parallelism_and_keep_config_ids():
    space = serving.build_space(load_catalogs(), parse_spec(_spec(model=[DSV3, "Llama 3 8B"], ep=[1, 8],
                                                                  redundant_experts=[8])))
    assert space.dropped[REDUNDANT_NO_EP.reason] == 2  # DeepSeek-V3 at ep 1; Llama 3 8B at ep 1 (ep 8: not MoE)
    row = {"hardware": H200, "model": DSV3, "tp": 1, "ep": 32, "batch": 256, "prompt_len": 1024}
    assert typed.config_id_int(row) == typed.config_id_int(row | {"redundant_experts": 0})
    assert typed.config_id_int(row) != typed.config_id_int(row | {"redundant_experts": 32})


def test_per_pool_throughput_by_hand():
    """Llama 3 8B, one H200, batch 4 of 1,024-token prompts: a prefill-only worker delivers 4 x 1,024
    input tokens per prefill pass (ttft_s), a decode-only worker 4 tokens per decode step (itl_s)."""
    r = pipeline.sweep({"study": "serving", "axes": {"model": ["Llama 3 8B"], "hardware": [H200], "batch": [4],
                                                     "prompt_len": [1024], "output_len": [128]}}).row(0, named=True)
    assert r["prefill_input_tokens_per_s_per_device"] == pytest.approx(4096 / r["ttft_s"])
    assert r["decode_output_tokens_per_s_per_device"] == pytest.approx(4 / r["itl_s"])
