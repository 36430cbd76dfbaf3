"""Training formulas (walls 11, 14, 15, 19) against values computed by hand or published."""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.training import FORMULAS
from pipeline.units import unit


def evaluate(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    """The training formulas for ``outputs`` over a frame of ``column=(values, unit)``."""
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    plan = formulas.plan(frame.lazy(), units, outputs, FORMULAS)
    return plan.frame.collect().to_dict(as_series=False)


def test_zero_stages_match_rajbhandari_figure_1():
    """ZeRO paper (Rajbhandari et al. 2020, Fig. 1): 7.5B parameters, 64 data-parallel ranks,
    mixed-precision Adam (K = 12): 120 GB, 31.4 GB, 16.6 GB and 1.9 GB per GPU for stages 0-3."""
    got = evaluate(["weight_bytes_per_gpu", "gradient_bytes_per_gpu", "optimizer_bytes_per_gpu"],
                   params_per_gpu=([7.5e9] * 4, "param"), gradient_bytes_per_param=([2.0] * 4, "B/param"),
                   zero_stage=([0.0, 1.0, 2.0, 3.0], ""), dp=([64.0] * 4, ""))
    total_gb = [sum(v) / 1e9 for v in zip(*got.values(), strict=True)]
    assert total_gb == pytest.approx([120.0, 31.4, 16.6, 1.875], abs=0.05)


def korthikanti(s, b, h, a, t, *, sp, recompute, flash=False):
    """Korthikanti et al. 2022, Table 2, bytes per layer (16-bit activations, dropout, 4h GeLU MLP)."""
    scores = 0 if flash else 5 * a * s / h
    if recompute == "full":
        return s * b * h * 2 / (t if sp else 1)
    if recompute == "selective":
        return s * b * h * 34 / t if sp else s * b * h * (10 + 24 / t)
    return s * b * h / t * (34 + scores) if sp else s * b * h * (10 + 24 / t + scores / t)


def activations(recompute, sp, *, s=2048.0, h=12288.0, a=96.0, kv=96.0, f=4 * 12288.0, gated=False, t=8.0,
                cp=1.0, flash=False, dropout=True):
    got = evaluate(["activation_bytes_per_layer"], seq_len=([s], "tok"), cp=([cp], ""), microbatch=([1.0], ""),
                   d_model=([h], ""), n_heads=([a], ""), n_kv_heads=([kv], ""),
                   mlp_width_per_device=([f / t], "elem/tok"), is_gated_mlp=([gated], None), tp=([t], ""),
                   recompute=([recompute], None), sequence_parallel=([sp], None), flash_attention=([flash], None),
                   dropout=([dropout], None))
    return got["activation_bytes_per_layer"][0]


@pytest.mark.parametrize("recompute", ["none", "selective", "full"])
@pytest.mark.parametrize("sp", [False, True])
def test_activation_memory_per_layer_is_korthikanti_table_2(recompute, sp):
    """GPT-3 175B shape (s 2048, h 12288, a 96, 4h GeLU MLP, dropout), microbatch 1, tp 8."""
    want = korthikanti(2048, 1, 12288, 96, 8, sp=sp, recompute=recompute)
    assert activations(recompute, sp) == pytest.approx(want, rel=1e-12)


def test_activation_memory_of_a_gqa_swiglu_model_without_dropout():
    """Llama 3.1 405B shape (h 16384, 128 heads, 8 KV heads, SwiGLU f 53248), s 8192, tp 8 with SP,
    FlashAttention, no dropout: per token (2 + 2 + 4) h kept + (4 + 4 x 8/128) h + 6 f sharded,
    all / 8 with SP: (8 x 16384 + 4.25 x 16384 + 6 x 53248) / 8 bytes, x 8192 tokens."""
    got = activations("none", True, s=8192.0, h=16384.0, a=128.0, kv=8.0, f=53248.0, gated=True, flash=True,
                      dropout=False)
    assert got == pytest.approx(8192 * (8 * 16384 + 4.25 * 16384 + 6 * 53248) / 8, rel=1e-12)


def test_flash_attention_drops_the_score_term_and_cp_splits_the_sequence():
    got = activations("none", False, s=8192.0, h=4096.0, a=32.0, kv=32.0, f=4 * 4096.0, t=1.0, cp=4.0, flash=True)
    assert got == pytest.approx(2048 * 4096 * 34, rel=1e-12)


def test_pipeline_bubble_fraction_and_in_flight_microbatches():
    """(p-1)/(v m + p - 1): p 8, m 64 -> 7/71; interleaved v 2 -> 7/135. The first stage holds
    min(m, p) microbatches, x (1 + (p-1)/(p v)) interleaved (Korthikanti et al. §4.2.3)."""
    got = evaluate(["pipeline_bubble_fraction", "microbatches_in_flight"], pp=([8.0, 8.0, 8.0], ""),
                   virtual_stages=([1.0, 2.0, 1.0], ""), num_microbatches=([64.0, 64.0, 4.0], ""))
    assert got["pipeline_bubble_fraction"] == pytest.approx([7 / 71, 7 / 135, 7 / 11], rel=1e-12)
    assert got["microbatches_in_flight"] == pytest.approx([8.0, 8 * (1 + 7 / 16), 4.0], rel=1e-12)


def test_bubble_time_is_the_fraction_of_the_step():
    """bubble / (m x t_mb + bubble) = (p-1)/(v m + p - 1) when every microbatch takes t_mb."""
    got = evaluate(["pipeline_bubble_time_s"], pp=([4.0], ""), virtual_stages=([2.0], ""),
                   microbatch_time_s=([0.3], "s"))
    bubble = got["pipeline_bubble_time_s"][0]
    assert bubble == pytest.approx(1.5 * 0.3, rel=1e-12)
    assert bubble / (16 * 0.3 + bubble) == pytest.approx(3 / (2 * 16 + 3), rel=1e-12)


def test_scaleout_bandwidth_per_gpu_and_oversubscription():
    """8 x 400 Gbit/s NICs for 8 GPUs = 50 GB/s each; a 1:7 tier leaves 50/7 GB/s (wall 10)."""
    got = evaluate(["scaleout_bandwidth_per_gpu_bytes_per_s"], nic_bandwidth_bits_per_s=([400e9, 400e9], "bit/s"),
                   nics_per_node=([8.0, 8.0], ""), accelerators_per_node=([8.0, 8.0], ""),
                   oversubscription_ratio=([1.0, 7.0], ""))
    assert got["scaleout_bandwidth_per_gpu_bytes_per_s"] == pytest.approx([50e9, 50e9 / 7], rel=1e-12)


def test_chinchilla_tokens_and_training_compute():
    """Chinchilla: 70B parameters, ~1.4T tokens (Hoffmann et al. 2022, Table 3 / the Chinchilla run);
    C = 6 N D = 6 x 70e9 x 1.4e12 = 5.88e23 FLOP."""
    got = evaluate(["chinchilla_tokens", "train_tokens", "training_compute_flop"],
                   params_computed=([70e9, 70e9], "param"), params_active_per_token=([70e9, 70e9], "param"),
                   train_tokens_budget=([None, 1e12], "tok"))
    assert got["chinchilla_tokens"] == pytest.approx([1.4e12, 1.4e12])
    assert got["train_tokens"] == pytest.approx([1.4e12, 1e12])
    assert got["training_compute_flop"] == pytest.approx([5.88e23, 4.2e23])


def test_young_daly_checkpoint_interval_and_goodput():
    """Checkpoint 1 TB at 10 GB/s: delta = 100 s; node MTBF 1e7 s over 1000 nodes: M = 1e4 s.
    tau = sqrt(2 x 100 x 1e4) = 1414.2 s; waste = 100/1414.2 + (707.1 + 60)/1e4; goodput = 1/(1+waste)."""
    got = evaluate(["cluster_mtbf_s", "checkpoint_write_time_s", "checkpoint_interval_s",
                    "checkpoint_overhead_fraction", "goodput", "expected_failures", "time_to_train_s"],
                   node_mtbf_s=([1e7], "s"), nodes_used=([1000.0], ""), checkpoint_bytes=([1e12], "B"),
                   checkpoint_storage_bandwidth_bytes_per_s=([10e9], "B/s"), restart_time_s=([60.0], "s"),
                   time_to_train_ideal_s=([1e6], "s"))
    tau = math.sqrt(2 * 100 * 1e4)
    waste = 100 / tau + (tau / 2 + 60) / 1e4
    assert got["cluster_mtbf_s"][0] == pytest.approx(1e4)
    assert got["checkpoint_interval_s"][0] == pytest.approx(tau, rel=1e-12)
    assert got["checkpoint_overhead_fraction"][0] == pytest.approx(waste, rel=1e-12)
    assert got["goodput"][0] == pytest.approx(1 / (1 + waste), rel=1e-12)
    assert got["time_to_train_s"][0] == pytest.approx(1e6 * (1 + waste), rel=1e-12)
    assert got["expected_failures"][0] == pytest.approx(1e6 * (1 + waste) / 1e4, rel=1e-12)


def test_mfu_and_hfu():
    """1e18 model FLOPs (+ 1/3 recomputed) in 10 s on 1000 GPUs of 312 TFLOP/s."""
    got = evaluate(["mfu", "hfu"], model_flop_per_step=([1e18], "FLOP"), global_batch=([1.0], ""),
                   recompute_flop_per_sequence=([1e18 / 3], "FLOP"), step_time_s=([10.0], "s"),
                   gpus=([1000.0], ""), peak_flop_per_s=([312e12], "FLOP/s"))
    assert got["mfu"][0] == pytest.approx(1e18 / (10 * 1000 * 312e12), rel=1e-12)
    assert got["hfu"][0] == pytest.approx(4 / 3 * got["mfu"][0], rel=1e-12)


def test_dp_sgd_and_a_slow_input_pipeline_stretch_the_step():
    """Book-keeping DP-SGD runs at 0.83x the non-private speed (Bu et al. 2023); an input pipeline at
    rho = 1.5 makes the step 1.5x; below 1 (or unchecked) it is hidden by prefetching."""
    got = evaluate(["step_time_s"], is_feasible=([True] * 4, None), iteration_time_s=([10.0] * 4, "s"),
                   dp_sgd_step_multiplier=([1.0, 1 / 0.83, 1.0, 1.0], ""),
                   input_utilization=([None, 0.5, 1.5, 0.9], ""))
    assert got["step_time_s"] == pytest.approx([10.0, 10.0 / 0.83, 15.0, 10.0])


def test_input_pipeline_utilization():
    """512 sequences per 2 s step on 8 nodes: 32 sequences/s per node. At 16 KB each (8,192 tokens x
    2 B), 512 KB/s against 1 GB/s of storage; at 100 sequences/s per core, 0.32 of 112 cores."""
    got = evaluate(["storage_utilization", "host_utilization", "input_utilization"],
                   global_batch=([512.0], ""), iteration_time_s=([2.0], "s"), dp_sgd_step_multiplier=([1.0], ""),
                   nodes_used=([8.0], ""), data_bytes_per_sample=([16384.0], "B"),
                   storage_read_bandwidth_bytes_per_s=([1e9], "B/s"), data_samples_per_s_per_core=([100.0], "1/s"),
                   host_cores_per_node=([112.0], ""))
    assert got["storage_utilization"] == pytest.approx([32 * 16384 / 1e9])
    assert got["host_utilization"] == pytest.approx([0.32 / 112])
    assert got["input_utilization"] == pytest.approx([0.32 / 112])  # the busier: the host
