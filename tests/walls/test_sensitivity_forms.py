"""The node step's ``bound`` and wall 21 read the form its latency takes (pipeline.walls.step_form, conv_parts): a
graphed BERT row, a conv-priced ResNet-50 row at batch 64 and an eager row by hand from their terms; the elasticities
against a central difference of latency_s on graphed, enqueued and eager rows; the views as the sweep."""

from __future__ import annotations

import math

import polars as pl
import pytest

import pipeline
from pipeline import api, formulas, runs
from pipeline.runs import database
from pipeline.spec import parse_spec
from pipeline.studies import node_graphs
from pipeline.units import col
from pipeline.walls.conv_parts import conv_part_s
from tests.walls.test_graph_convs import A100 as A100_FIT

A100 = "A100 SXM4 80GB"
ALPHA = 6.773810894574074e-06  # 9,555 cycles at 624e12 / (108 x 4,096) = 1.41059 GHz (graph_latency)


def row(model: str, batch: int, framework: str, seq_len: int) -> dict:
    return api.evaluate(model, A100, batch=batch, compute_dtype="int8", seq_len=seq_len,
                        framework=framework).row(0, named=True)


def test_a_graphed_bert_row_reads_f4s_terms():
    """BERT-Large int8 on the A100, 272 tokens, TensorRT (graphed at batch 1): F4 = 170 x 6.77381 us (1,151.548 us)
    + max(compute_4 510.458 us, memory 279.372 us) + the replay 2.5 + 0.17 us = 1,664.676 us. Peak: -510.458 /
    1,664.676 = -0.30664 (the eager compute, 799.77 us, gave -0.48); no host launch on the critical path: the launch
    overhead's elasticity 0 (eager's 1,056 us of launches gave 0.63); the SM clock's -1,151.548 / 1,664.676 = -0.69176,
    the largest: binding_input sm_clock_hz. Bound: overhead (N x alpha + replay 1,154.218 us > compute_4 > memory)."""
    r = row("BERT-Large", 1, "TensorRT", 272)
    c4, memory, latency = r["graph_compute_time_s"], r["memory_time_s"], r["latency_s"]
    assert (c4, memory, latency) == pytest.approx((510.458e-6, 279.372e-6, 1664.676e-6), abs=1e-9)
    assert latency == pytest.approx(170 * ALPHA + c4 + 2.5e-6 + 170e-9, rel=1e-12)
    assert r["elasticity_peak_flop_per_s"] == pytest.approx(-510.458 / 1664.676, abs=1e-5)
    assert r["elasticity_peak_flop_per_s"] == pytest.approx(-0.30664, abs=1e-5)
    assert r["elasticity_memory_bandwidth"] == 0.0 and r["elasticity_launch_overhead"] == 0.0
    assert r["elasticity_batch"] == pytest.approx(0.30664, abs=1e-5)  # compute_4 grows with the batch, alpha not
    assert r["bound"] == "overhead" and r["binding_input"] == "sm_clock_hz"


def conv_part(part: str, batch: float) -> float:
    """``conv_part_s`` of ResNet-50's stage-3 3 x 3 conv, 4 of them (tests/walls/test_graph_convs.py's shape)."""
    frame = pl.DataFrame({"m": [784.0], "n": [128.0], "k": [1152.0], "c": [128.0], "w": [128.0], "count": [4.0],
                          "batch": [batch]} | A100_FIT)
    units = {"peak": "FLOP/s", "clock": "Hz", "bw": "B/s", "bpe": "B/elem"}
    out = conv_part_s(part, *(col(c, "") for c in ("m", "n", "k", "c", "w", "count", "batch")),
                      *(col(c, units.get(c, "")) for c in A100_FIT))
    return frame.select(out.to("s").expr).item()


def test_a_convs_time_splits_into_its_peak_and_clock_parts():
    """That conv at batch 64 (test_graph_convs: 4 waves; t 39.0367 us at the tile's k_half, eta 0.607479; at k_half 0
    eta 0.968567 x 392 / 432 = 0.878885 uncapped, 0.869231 capped: t0 27.2815 us; compute binds). t = FLOP / (peak x
    eta0 x K / (K + k_half)) = FLOP / (peak eta0) (26.9819 us: 1 / peak) + the K loop's fixed part (12.0548 us:
    k_half ~ peak / clock, so 1 / clock); t0 capped: all 1 / peak. Each conv t - (t - t0) / 4: peak part 26.9819 -
    (26.9819 - 27.2815) / 4 = 27.0568 us, clock part 12.0548 x 3 / 4 = 9.0411 us; 4 of them: 108.227 and 36.164 us,
    their sum G5's 144.391 us (nothing memory-bound)."""
    flop = 2 * 64 * 784 * 128 * 1152
    t, free, capped = (flop / (624e12 * eta) for eta in (0.607479, 0.968567 * 392 / 432, 0.869231))
    assert (t, free, capped) == pytest.approx((39.0367e-6, 26.9819e-6, 27.2815e-6), rel=2e-6)
    peak, clock = conv_part("peak", 64), conv_part("clock", 64)
    assert peak == pytest.approx(4 * (free - (free - capped) / 4), rel=2e-6)
    assert clock == pytest.approx(4 * (t - free) * 3 / 4, rel=2e-6)
    assert (peak, clock) == pytest.approx((108.227e-6, 36.164e-6), rel=1e-5)
    assert peak + clock == pytest.approx(144.391e-6, rel=1e-5)


def test_a_conv_priced_resnet_row_at_batch_64_reads_its_convs_parts():
    """ResNet-50 int8 on the A100 at batch 64, TensorRT (no graph past batch 1: enqueued): 54 x 6.77381 us (365.786
    us) + max(convs 1,901.54 us, memory 723.01 us) + one 4 us launch = 2,271.33 us. The convs: 1,048.98 us as 1 /
    peak, 825.75 us as 1 / the SM clock (tiles' fixed time on their later waves), the rest 26.81 us memory-bound
    convs. Peak -1,048.98 / 2,271.33 = -0.46184 (the whole convs' share would say -0.837); bandwidth -26.81 /
    2,271.33 = -0.01180; launch 4 / 2,271.33 = 0.00176; the clock -(365.786 + 825.75) / 2,271.33 = -0.52460, the
    largest. Bound: compute (the convs, whatever scales them, over memory and 369.8 us of fixed time)."""
    r = row("ResNet-50", 64, "TensorRT", 224)
    convs, memory, latency = r["conv_compute_time_s"], r["memory_time_s"], r["latency_s"]
    assert latency == pytest.approx(54 * ALPHA + convs + 4e-6, rel=1e-12)
    assert (convs, r["conv_peak_time_s"], r["conv_clock_time_s"], memory, latency) == pytest.approx(
        (1901.54e-6, 1048.98e-6, 825.75e-6, 723.01e-6, 2271.33e-6), abs=1e-8)
    assert r["elasticity_peak_flop_per_s"] == pytest.approx(-1048.98 / 2271.33, abs=1e-5)
    bandwidth = (convs - r["conv_peak_time_s"] - r["conv_clock_time_s"]) / latency
    assert r["elasticity_memory_bandwidth"] == pytest.approx(-bandwidth, rel=1e-9)
    assert r["elasticity_memory_bandwidth"] == pytest.approx(-26.81 / 2271.33, abs=1e-5)
    assert r["elasticity_launch_overhead"] == pytest.approx(4 / 2271.33, abs=1e-6)
    assert r["bound"] == "compute" and r["binding_input"] == "sm_clock_hz"


def test_an_eager_row_keeps_the_eager_terms():
    """BERT-Large int8 on the A100, 272 tokens, the 'default' framework (eager): max(compute 799.773 us, memory
    279.372 us) + 264 launches x 4 us (1,056 us) = 1,855.773 us. Peak -799.773 / 1,855.773 = -0.43096, launches
    1,056 / 1,855.773 = 0.56904: binding_input launch overhead, bound overhead."""
    r = row("BERT-Large", 1, "default", 272)
    assert r["latency_s"] == pytest.approx(1855.773e-6, abs=1e-9)
    assert r["elasticity_peak_flop_per_s"] == -r["compute_time_s"] / r["latency_s"]
    assert r["elasticity_launch_overhead"] == r["launch_overhead_s"] / r["latency_s"]
    assert (r["elasticity_peak_flop_per_s"], r["elasticity_launch_overhead"]) == pytest.approx((-0.43096, 0.56904),
                                                                                               abs=1e-5)
    assert r["bound"] == "overhead" and r["binding_input"] == "launch_overhead_per_kernel_s"


H = 1e-6
SPEC = {"efficiency": {"framework": "TensorRT"}, "axes": {
    "hardware": [A100, "H100 SXM5 80GB", "L4", "L40S", "T4"], "model": ["ResNet-50", "RetinaNet", "BERT-Large"],
    "compute_dtype": ["fp16", "int8"], "batch": [1, 8, 64], "seq_len": [128, 384], "workload": ["inference"]}}
ELASTICITIES = {"elasticity_peak_flop_per_s": "peak_flop_per_s",
                "elasticity_memory_bandwidth": "memory_bandwidth_bytes_per_s",
                "elasticity_launch_overhead": "launch_overhead_per_kernel_s", "elasticity_sm_clock": "sm_clock_hz"}


def test_every_forms_elasticities_match_a_central_difference_of_its_latency():
    p = runs.prepare(parse_spec(SPEC))
    frame, units = node_graphs.with_slots(p.space.frame(), p.space.units)
    base = formulas.plan(frame, units, ["latency_s", "graphed_form", "kernel_form", *ELASTICITIES], keep=True).frame
    for column in ELASTICITIES.values():
        base = base.with_columns((pl.col(column) * (1 + H)).alias("_up"), (pl.col(column) * (1 - H)).alias("_dn"))
        for name, suffix in (("_up", "__up"), ("_dn", "__dn")):
            base = formulas.plan(base, units, ["latency_s"], rebind={column: name}, suffix=suffix, keep=True).frame
        slope = (pl.col("latency_s__up") / pl.col("latency_s__dn")).log() / (math.log(1 + H) - math.log(1 - H))
        base = base.with_columns(slope.alias(f"fd_{column}")).drop("latency_s__up", "latency_s__dn", "_up", "_dn")
    rows = base.filter(pl.col("latency_s").is_not_null()).collect()
    graphed, kernel = rows["graphed_form"], rows["kernel_form"]
    assert graphed.sum() >= 20 and (kernel & ~graphed).sum() >= 40 and (~kernel).sum() >= 40  # each form
    for analytic, column in ELASTICITIES.items():
        gap = (rows[analytic] - rows[f"fd_{column}"]).abs()
        assert gap.null_count() == 0 and gap.max() < 1e-4, analytic
    assert (rows.filter(pl.col("graphed_form"))["elasticity_launch_overhead"] == 0).all()
    assert (rows.filter(~pl.col("kernel_form"))["elasticity_sm_clock"] == 0).all()


def test_the_views_give_the_sweeps_bound_and_elasticities(tmp_path):
    """A TensorRT run's node view computes bound, binding_input and the elasticities at query time from the written
    columns (conv_peak_time_s, conv_clock_time_s among them) as the in-memory sweep does."""
    spec = {"efficiency": {"framework": "TensorRT"}, "axes": {
        "hardware": [A100, "L4"], "model": ["ResNet-50", "BERT-Large"], "compute_dtype": ["int8"], "batch": [1, 64],
        "seq_len": [272], "workload": ["inference"]}}
    keys = ["hardware", "model", "batch"]
    shown = ["bound", "binding_input", "elasticity_peak_flop_per_s", "elasticity_memory_bandwidth",
             "elasticity_launch_overhead", "elasticity_sm_clock", "elasticity_batch", "elasticity_seq_len"]
    memory = pipeline.sweep(spec).with_columns(pl.col(pl.Categorical).cast(pl.String)).sort(keys)
    assert set(memory["binding_input"]) >= {"sm_clock_hz"} and memory["conv_peak_time_s"].is_not_null().sum() >= 4
    con = database.connect(runs.run(runs.prepare(parse_spec(spec)), tmp_path))
    try:
        view = con.sql(f"select {', '.join(keys + shown)} from node").pl().sort(keys)
    finally:
        con.close()
    assert view.select(keys, "bound", "binding_input").equals(memory.select(keys, "bound", "binding_input"))
    # within 1e-6 of 1 (a share): the fact table's Float32 values (2**-24 relative) through a ratio; the memory-bound
    # convs' part, the convs less their peak and clock parts (1,901.5 - 1,049.0 - 825.8 us), 7e-6 of it
    for column in shown[2:]:
        got, expected = view[column], memory[column]
        assert got.is_null().equals(expected.is_null()), column
        assert ((got - expected).abs() <= 1e-6).all(), column
