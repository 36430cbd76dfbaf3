"""r-rtxfp4: the RTX PRO 6000 Blackwell Server Edition's dense FP4 GEMM rows in r-kernels (NVIDIA/cutlass PR #3272)
and the FP4 GEMM model the catalog fits from them (registry_data/research/r-rtxfp4/README.md): the ceiling by hand
from the rows, the rows' replay."""

from __future__ import annotations

import math

import polars as pl

from pipeline.catalogs.io import read_catalog
from pipeline.validation import gemm_fit
from tests.catalogs.research import script
from tests.validation.test_research_v50b import HERE as V50B

HERE = V50B.parent / "r-rtxfp4"
KERNELS = V50B.parent / "r-kernels"
CARD = "RTX PRO 6000 Blackwell Server Edition"


def _added() -> pl.DataFrame:
    added = script(HERE / "add_rows.py", "r_rtxfp4_add_rows")
    return pl.read_csv(KERNELS / "gemm.csv", infer_schema_length=0).filter(pl.col("notes").str.contains(added.MARK))


def test_the_rows_are_the_prs_figures_on_the_card_it_names():
    """PR #3272: 'Measured on RTX PRO 6000 Blackwell Server Edition with M=N=K=8192', 'NVFP4 | ~1629 TFLOPS',
    'MXFP4 | ~1615 TFLOPS'; both read by gemm_fit as fp4 rows of that catalog card."""
    rows = _added()
    assert rows["hardware"].to_list() == [CARD, CARD]
    assert rows["achieved_tflops"].to_list() == ["1629", "1615"]
    assert set(rows["M"]) == set(rows["N"]) == set(rows["K"]) == {"8192"}
    assert rows["source_url"].unique().to_list() == ["https://github.com/NVIDIA/cutlass/pull/3272"]
    assert rows["source_location"].str.contains("Measured on RTX PRO 6000 Blackwell Server Edition").all()
    fit = gemm_fit.kernel_rows().filter(pl.col("source_url") == "https://github.com/NVIDIA/cutlass/pull/3272")
    assert fit["hardware"].to_list() == [CARD, CARD] and fit["precision"].to_list() == ["fp4", "fp4"]
    assert fit.filter(gemm_fit.is_shaped_fit_row()).height == 2  # 188 SMs (sm_count.csv): both shaped rows


def test_the_cards_fp4_ceiling_is_its_fastest_row_by_hand():
    """OWN_CEILING_ONLY: best_fraction = fastest row / peak = 1629 TFLOP/s / 2,000 TFLOP/s (the catalog's dense FP4
    peak) = 0.8145; the ceiling is that over the model's shape factor at 8192^3 on 188 SMs of 128 x 128 tiles:
    4,096 tiles in ceil(4096 / 188) = 22 waves (4096 / 4136 = 0.9903) x K / (K + k_half); with the fitted k_half
    (~4,212 at this ridge) that factor is ~0.656, so 0.8145 / 0.656 > 1: the ceiling clips to 1."""
    peak = read_catalog("hardware").filter(pl.col("name") == CARD)["peak_fp4_flop_per_s"].item()
    row = read_catalog("kernel_efficiency").filter(pl.col("hardware") == CARD, pl.col("precision") == "fp4")
    assert peak == 2.0e15
    assert row["efficiency_basis"].item() == "kernel fit" and row["units"].item() == 188.0
    assert math.isclose(row["best_fraction"].item(), 1629e12 / 2.0e15, rel_tol=1e-12)
    wave = 4096 / (math.ceil(4096 / 188) * 188)
    shape = wave * 8192 / (8192 + row["k_half"].item())
    assert row["ceiling"].item() == min(1.0, 0.8145 / shape) == 1.0
    assert row["source_url"].item() == "https://github.com/NVIDIA/cutlass/pull/3272"


def test_a_second_replay_changes_nothing(registry):
    added = script(HERE / "add_rows.py", "r_rtxfp4_add_rows")
    path = registry / "research" / "r-kernels" / "gemm.csv"
    before = path.read_bytes()
    for _ in range(2):  # the bundled file already holds the rows: each run rewrites it byte for byte
        added.main(registry)
        assert path.read_bytes() == before
