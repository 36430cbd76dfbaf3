"""Wall 14: the serving frameworks' one-shot all-reduce (pipeline.walls.communication) against
closed forms computed by hand: Llama 2 70B decode at batch 1 on 8 H100s (16 KiB per all-reduce)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.catalogs import custom_allreduce
from pipeline.catalogs.collective_fits import ALLREDUCE_UNITS
from pipeline.studies.serving import FORMULAS
from pipeline.units import col, lit, unit
from pipeline.walls.communication import (ALLREDUCE_FIT_COLUMNS, framework_all_reduce_s, one_shot_all_reduce_s,
                                          runs_one_shot)
from tests.walls.test_sensitivity import TOLERANCE, compare, finite_difference, prepared

ALPHA, FRACTION, LINK = 6e-6, 0.8, 450e9  # one-shot alpha (10 x the 0.6 us link latency), beta = 0.8 x 450 GB/s
MESSAGE = 16384.0  # 1 token x 8192 x 2 B
CUSTOM = ALPHA + 7 * MESSAGE / 360e9  # 6.3186 us
NCCL = 14 * 0.6e-6 + 1.75 * MESSAGE / (LINK * 0.7)  # ring at the catalog's 0.6 us and 0.7 x link: 8.4910 us


def frame(**cols: list) -> pl.DataFrame:
    return pl.DataFrame(cols, schema={k: pl.Float64 for k in cols})


def test_one_shot_closed_form():
    """alpha + (n-1) M / beta: 6 us + 7 x 16384 B / 360 GB/s = 6.3186 us; nothing on one rank."""
    f = frame(n=[8.0, 1.0], m=[MESSAGE] * 2)
    got = f.select(one_shot_all_reduce_s(col("n", ""), col("m", "B"), lit(ALPHA, "s"), lit(360e9, "B/s"))
                   .magnitude("s")).to_series()
    assert got.to_list() == pytest.approx([6e-6 + 7 * 16384 / 360e9, 0.0], rel=1e-12)
    assert round(got[0] * 1e6, 4) == 6.3186


def choose(message: list[float], max_bytes: list, max_ranks: list, alpha: list, n: float = 8.0) -> list[float]:
    k = len(message)
    f = pl.DataFrame({"n": [n] * k, "m": message, "nccl": [NCCL] * k, "mb": max_bytes, "mr": max_ranks, "a": alpha},
                     schema={c: pl.Float64 for c in ("n", "m", "nccl", "mb", "mr", "a")})
    n_, m, nccl, a = col("n", ""), col("m", "B"), col("nccl", "s"), col("a", "s")
    chosen = runs_one_shot(n_, m, nccl, col("mb", "B"), col("mr", ""), a, lit(FRACTION, ""), lit(LINK, "B/s"))
    expr = framework_all_reduce_s(chosen, n_, m, nccl, a, lit(FRACTION, ""), lit(LINK, "B/s"))
    return f.select(expr.magnitude("s")).to_series().to_list()


def test_framework_runs_its_own_kernel_below_its_limit_and_nccl_elsewhere():
    got = choose([MESSAGE, 16 * 2**20, MESSAGE, MESSAGE], [8 * 2**20, 8 * 2**20, None, 8 * 2**20],
                 [8.0, 8.0, None, 8.0], [ALPHA, ALPHA, ALPHA, None])
    # within 8 MiB: one-shot; 16 MiB: above vLLM's limit; no limit (NCCL-only framework); no fit
    assert got == pytest.approx([CUSTOM, NCCL, NCCL, NCCL], rel=1e-12)


def test_more_ranks_than_the_kernel_takes_keep_nccl():
    assert choose([MESSAGE], [8 * 2**20], [4.0], [ALPHA]) == pytest.approx([NCCL], rel=1e-12)


def test_within_the_limit_the_faster_of_one_shot_and_nccl():
    """4 MiB on 8 ranks: one-shot 6 us + 7 x 4 MiB / 360 GB/s = 87.6 us, slower than NCCL's 8.5 us here."""
    assert choose([4 * 2**20], [8 * 2**20], [8.0], [ALPHA]) == pytest.approx([NCCL], rel=1e-12)


def test_decode_tp_comm_of_llama2_70b_on_8_h100():
    """80 layers x 2 all-reduces x 6.3186 us = 1.0110 ms with vLLM's custom all-reduce; 80 x 2 x
    8.4910 us = 1.3586 ms with NCCL only (no limit stated). The message, one token's hidden state in 16 bits:
    8,192 x 2 B = 16,384 B; NCCL's all-reduce of it 8.4910 us on both rows (the first then picks one-shot)."""
    n = 2
    cols = {"n_layers": ([80.0] * n, ""), "tp": ([8.0] * n, ""), "decode_tokens": ([1.0] * n, "tok"),
            "d_model": ([8192.0] * n, ""), "bytes_per_element": ([2.0] * n, "B/elem"),
            "scaleup_link_latency_s": ([0.6e-6] * n, "s"), "scaleup_link_bandwidth_bytes_per_s": ([LINK] * n, "B/s"),
            "eta_link": ([0.7] * n, ""), "custom_allreduce_max_bytes": ([8 * 2**20, None], "B"),
            "custom_allreduce_max_ranks": ([8.0, None], ""), "custom_allreduce_alpha_ratio": ([ALPHA / 0.6e-6] * n, ""),
            "custom_allreduce_link_fraction": ([FRACTION] * n, "")}
    cols |= {c: ([None] * n, ALLREDUCE_UNITS[c]) for c in ALLREDUCE_FIT_COLUMNS}
    f = pl.DataFrame({k: v for k, (v, _) in cols.items()}, schema={k: pl.Float64 for k in cols})
    units = {k: unit(u) for k, (_, u) in cols.items()}
    out = formulas.plan(f.lazy(), units, ["decode_tp_comm_time_s", "decode_tp_alpha_s", "decode_tp_message_bytes",
                                          "decode_tp_nccl_all_reduce_s", "decode_tp_nccl_alpha_s",
                                          "decode_tp_nccl_beta_bytes_per_s"], FORMULAS).frame.collect()
    assert out["decode_tp_message_bytes"].to_list() == [16384.0, 16384.0]
    # no fit for the fabric: NCCL's ring at the link latency and link x eta_link
    assert out["decode_tp_nccl_alpha_s"].to_list() == [0.6e-6, 0.6e-6]
    assert out["decode_tp_nccl_beta_bytes_per_s"].to_list() == pytest.approx([0.7 * LINK] * n, rel=1e-12)
    assert out["decode_tp_nccl_all_reduce_s"].to_list() == pytest.approx([NCCL, NCCL], rel=1e-9)
    assert out["decode_tp_comm_time_s"].to_list() == pytest.approx([160 * CUSTOM, 160 * NCCL], rel=1e-9)
    assert round(160 * CUSTOM * 1e3, 4) == 1.0110 and round(160 * NCCL * 1e3, 4) == 1.3586
    # wall 21 counts 2(tp-1) = 14 alpha steps per all-reduce: one-shot's single 6 us spread over them
    assert out["decode_tp_alpha_s"].to_list() == pytest.approx([6e-6 / 14, 0.6e-6], rel=1e-9)


def test_wall_21_link_elasticities_hold_where_vllm_runs_one_shot():
    """Wall 21's link-latency and link-bandwidth elasticities of the ITL match a central difference
    where decode's all-reduces run in vLLM's one-shot kernel (its alpha a ratio of the link latency,
    its beta a fraction of the link bandwidth)."""
    p = prepared({"study": "serving", "efficiency": {"framework": "vLLM"}, "axes": {
        "hardware": ["H100 SXM5 80GB"], "model": ["Llama 2 70B"], "compute_dtype": ["fp16"], "tp": [2, 4, 8],
        "batch": [1, 16], "prompt_len": [512], "output_len": [256]}})
    units, reg = p.space.units, FORMULAS
    base = formulas.plan(p.space.frame(), units, ["itl_s", "elasticity_link_bandwidth", "elasticity_link_latency",
                                                  "decode_tp_alpha_s"], reg, keep=True).frame
    for column in ("scaleup_link_bandwidth_bytes_per_s", "scaleup_link_latency_s"):
        base = finite_difference(base, units, "itl_s", reg, column)
    rows = base.filter(pl.col("itl_s").is_not_null()).collect()
    # TP 4 and 8 run one-shot (its alpha over 2(tp-1) steps); at TP 2 NCCL's two ring steps of the
    # fitted 1.9-2.5 us beat one-shot's 6.2 us, so NCCL's alpha stays
    alpha = custom_allreduce.load_fits()["alpha_s"][0]
    wide = rows.filter(pl.col("tp") >= 4)
    assert wide["decode_tp_alpha_s"].to_list() == pytest.approx([alpha / (2 * (tp - 1)) for tp in wide["tp"]])
    assert (rows.filter(pl.col("tp") == 2)["decode_tp_alpha_s"] < alpha / 2).all()
    for analytic, fd in (("elasticity_link_bandwidth", "fd_scaleup_link_bandwidth_bytes_per_s"),
                         ("elasticity_link_latency", "fd_scaleup_link_latency_s")):
        gaps = compare(rows, analytic, fd)
        assert gaps.height == 6 and gaps["gap"].max() < TOLERANCE, analytic
