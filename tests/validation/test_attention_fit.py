"""The attention and bandwidth columns of the kernel_efficiency catalog, against the evidence."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.validation.attention_fit import attention_rows, ceilings, group_anchors, predict_time
from pipeline.validation.bandwidth_fit import memory_fractions


def test_fit_rows_are_fused_forward_kernels_with_a_stated_mask():
    rows = attention_rows()
    assert rows.height > 50
    assert rows["kernel"].str.contains("standard|Triton").sum() == 0
    assert set(rows["pass"].unique()) == {"fwd"}
    assert not rows["source"].str.contains("pull/1075").any()  # dtype per line not printed


def test_fa3_h100_row_reproduces_the_papers_flops():
    """FA3 paper, Figure 5, hd 128 non-causal seq 16k: 648 TFLOPS; FLOPs 4·b·h·s²·d with b = 1,
    h = 16: 4 x 16 x 16384² x 128 = 2.199e12, time 2.199e12 / 648e12 = 3.39 ms."""
    rows = attention_rows().filter(pl.col("kernel") == "FlashAttention-3", pl.col("head_dim") == 128,
                                   pl.col("seq_len") == 16384, ~pl.col("is_causal"))
    assert rows["flop"].item() == pytest.approx(4 * 16 * 16384**2 * 128)
    assert rows["measured_s"].item() == pytest.approx(4 * 16 * 16384**2 * 128 / 648e12)


def test_with_no_seq_or_head_penalty_the_ceiling_is_the_median_fraction():
    """s_half = d_half = 0: shape = wave efficiency. The paper keeps b·s = 16k tokens, so every
    row has (16384/s) x 16 heads x (s/128) = 2048 query blocks: 16 waves on 132 SMs,
    2048 / 2112; the ceiling is the median of achieved / peak over that, and the errors the spread."""
    rows = attention_rows().filter(pl.col("kernel") == "FlashAttention-3", pl.col("head_dim") == 128,
                                   ~pl.col("is_causal"))
    ceil = ceilings(rows, 0.0, 0.0)
    frac = (rows["achieved_flop_per_s"] / rows["peak_flop_per_s"]).median()
    assert ceil["ceiling"].item() == pytest.approx(frac / (2048 / 2112))
    assert predict_time(rows, ceil, 0.0, 0.0)["error"].abs().max() < 0.35


def test_memory_fraction_of_mi300x_is_the_babelstream_median_without_floors():
    """ROCm MI300X BabelStream example output (two GPU tables, 10 rows, 3878-4269 GB/s) over
    5.3 TB/s; the acceptance floors are not measurements and are left out."""
    m = memory_fractions().filter(pl.col("hardware") == "MI300X")
    assert m["memory_fraction_rows"].item() == 10
    assert m["memory_fraction"].item() == pytest.approx(3956.4e9 / 5.3e12, rel=0.01)
    b200 = memory_fractions().filter(pl.col("hardware") == "B200 (HGX B200)")
    assert b200["memory_fraction"].item() == pytest.approx(6553 / 7700)  # the 2^28-element row only


def test_a_groups_anchor_is_its_longest_row_ties_to_the_tables_first_in_any_order():
    """One group, rows 0-2: a causal and a plain row at 16,384 tokens, head 128 (tied), and a shorter one. The anchor
    is row 0 whatever order the rows arrive in (an unstable sort picked either tied row)."""
    group = {"hardware": "H100 SXM5 80GB", "precision": "bf16", "kernel": "cuDNN"}
    rows = pl.DataFrame({"row": [0, 1, 2], "seq_len": [16384.0, 16384.0, 4096.0], "head_dim": [128.0] * 3,
                         "is_causal": [True, False, False]}).with_columns(**{k: pl.lit(v) for k, v in group.items()})
    for order in ([0, 1, 2], [1, 0, 2], [2, 1, 0]):
        anchor = group_anchors(rows[order])
        assert anchor.height == 1 and anchor["row"].item() == 0 and anchor["is_causal"].item()
