"""r-fa2bw: FlashAttention-2's kernel_efficiency rows on B200 / GB200 and the Blackwell BERT rows that name it
(registry_data/research/r-fa2bw/README.md). The ceiling against the six forward B200 rows by hand; the replay once."""

from __future__ import annotations

import math
import statistics

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script
from tests.validation.test_research_v50b import HERE as V50B

HERE = V50B.parent / "r-fa2bw"
APPLY = script(HERE / "apply.py", "apply_fa2bw")
KERNELS = V50B.parent / "r-kernels"


def test_the_fa2_ceiling_is_the_median_of_achieved_over_peak_and_the_shape_by_hand():
    """Per forward row: achieved / 2.25 PFLOP/s (B200's dense bf16 peak) / (wave x L / (L + s_half) x d / (d + d_half)),
    the wave = b·h·ceil(s / 128) CTAs over ceil(.. / 148) waves of 148 SMs; e.g. s 512 at the catalog's s_half 304.4
    and d_half 32 (2026-12-07): 308.4 / 2250 / (4096 / 4144 x 512 / 816.44 x 64 / 96) = 0.3317."""
    rows = pl.read_csv(KERNELS / "attention.csv", infer_schema_length=0).filter(
        pl.col("hardware") == "B200 (HGX B200)", pl.col("kernel").str.starts_with("FlashAttention-2 "),
        pl.col("pass") == "fwd")
    stored = read_catalog("kernel_efficiency").filter(pl.col("attention_kernel") == "FlashAttention-2")
    s_half, d_half = stored["attention_s_half"][0], stored["attention_d_half"][0]
    peak = read_catalog("hardware").filter(pl.col("name") == "B200 (HGX B200)")["peak_bf16_flop_per_s"].item()
    assert peak == 2.25e15
    fractions = []
    for r in rows.iter_rows(named=True):
        b, h, s, d = (float(r[k]) for k in ("batch", "n_heads", "seq_len", "head_dim"))
        blocks = b * h * math.ceil(s / 128)
        wave = blocks / (math.ceil(blocks / 148) * 148)
        fractions.append(float(r["achieved_tflops"]) * 1e12 / peak / (wave * s / (s + s_half) * d / (d + d_half)))
    assert len(fractions) == 6
    assert stored.height == 4 and set(stored["hardware"]) == {"B200 (HGX B200)", "GB200 NVL72 GPU"}
    assert (stored["efficiency_basis"] == "attention fit").all()
    assert stored["attention_ceiling"].to_list() == [statistics.median(fractions)] * 4


def test_each_cell_cites_its_config_line_and_the_replay_runs_once(registry):
    cells = pl.read_csv(HERE / "cells.csv")
    assert cells.select("repository", "commit", "path", "line", "why").null_count().row(0) == (0,) * 5
    assert cells["path"].str.contains(r"/bert/implementations/.+/config_.+\.sh$").all()
    assert set(cells["value"]) == {"FlashAttention-2"} and cells.height == 6
    bundled = {t: read_catalog(t) for t in ("measurements", "kernel_efficiency")}
    write_catalog(bundled["measurements"].with_columns(attention_kernel=pl.lit(None, pl.String)), "measurements",
                  registry)
    write_catalog(bundled["kernel_efficiency"].filter(pl.col("efficiency_basis") != "attention fit"),
                  "kernel_efficiency", registry)
    for _ in range(2):  # the second run finds every row, note and value in place
        assert APPLY.apply(registry) == 6
        assert all(read_catalog(t, registry).equals(f) for t, f in bundled.items())
