"""r-gbsm: the GB300 NVL72 GPU's SM count and cuDNN SDPA rows in r-kernels, and the attention ceilings the catalog
fits from them (registry_data/research/r-gbsm/README.md). The FP8 ceiling by hand from the rows; the rows' replay."""

from __future__ import annotations

import math
import statistics

import polars as pl

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import script
from tests.validation.test_research_v50b import HERE as V50B

HERE = V50B.parent / "r-gbsm"
KERNELS = V50B.parent / "r-kernels"
GB300 = "GB300 NVL72 GPU"


def test_the_gb300_fp8_attention_ceiling_is_the_median_over_its_cudnn_rows_by_hand():
    """Per forward cuDNN FP8 row (batch 1, 128 heads, head dim 128, causal: L = s / 2 keys a query):
    achieved / 5 PFLOP/s (GB300's dense FP8 peak) / (wave x L / (L + s_half) x d / (d + d_half)), the wave =
    b·h·ceil(s / 128) CTAs over ceil(.. / 152) waves of 152 SMs; e.g. s 512 at the catalog's s_half 304.44 and d_half
    32 (2026-12-07): 512 CTAs in 4 waves (0.8421), 256 / 560.44 = 0.4568, 128 / 160 = 0.8: 557 / 5000 / 0.3078 = 0.3620.
    """
    rows = pl.read_csv(KERNELS / "attention.csv", infer_schema_length=0).filter(
        pl.col("hardware") == GB300, pl.col("kernel") == "cuDNN (FP8)", pl.col("pass") == "fwd")
    units = pl.read_csv(KERNELS / "sm_count.csv", infer_schema_length=0).filter(
        pl.col("hardware") == GB300)["units"].item()
    peak = read_catalog("hardware").filter(pl.col("name") == GB300)["peak_fp8_flop_per_s"].item()
    stored = read_catalog("kernel_efficiency").filter(pl.col("hardware") == GB300, pl.col("precision") == "fp8")
    s_half, d_half = stored["attention_s_half"].item(), stored["attention_d_half"].item()
    assert units == "152" and peak == 5.0e15 and rows.height == 9
    fractions = []
    for r in rows.iter_rows(named=True):
        b, h, s, d = (float(r[k]) for k in ("batch", "n_heads", "seq_len", "head_dim"))
        assert r["causal"] == "True"
        blocks = b * h * math.ceil(s / 128)
        wave = blocks / (math.ceil(blocks / 152) * 152)
        keys = s / 2
        fractions.append(float(r["achieved_tflops"]) * 1e12 / peak / (wave * keys / (keys + s_half) * d / (d + d_half)))
    assert math.isclose(fractions[0], 0.3620, abs_tol=5e-4)  # the s 512 row, as in the docstring
    assert stored["attention_kernel"].item() == "cuDNN (FP8)"
    assert math.isclose(stored["attention_ceiling"].item(), statistics.median(fractions), rel_tol=1e-12)
    assert (read_catalog("kernel_efficiency").filter(pl.col("hardware") == GB300, pl.col("efficiency_basis")
                                                     == "kernel fit")["units"] == 152.0).all()


def test_the_rows_cite_their_files_and_a_second_replay_changes_nothing(registry):
    added = script(HERE / "add_rows.py", "r_gbsm_add_rows")
    sm = pl.read_csv(KERNELS / "sm_count.csv", infer_schema_length=0).filter(pl.col("notes").str.contains(added.MARK))
    attention = pl.read_csv(KERNELS / "attention.csv", infer_schema_length=0).filter(
        pl.col("notes").str.contains(added.MARK))
    assert sm["hardware"].to_list() == [GB300] and sm["source_url"].str.starts_with("https://").all()
    assert attention.height == 54 and set(attention["hardware"]) == {GB300}  # 3 kernels x 9 lengths x fwd / bwd
    assert attention["source_url"].str.contains(added.COMMIT).all()
    files = [registry / "research" / "r-kernels" / f for f in ("sm_count.csv", "attention.csv")]
    before = [f.read_bytes() for f in files]
    for _ in range(2):  # the bundled files already hold the rows: each run rewrites them byte for byte
        added.main(registry)
        assert [f.read_bytes() for f in files] == before
