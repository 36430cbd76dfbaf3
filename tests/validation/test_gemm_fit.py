"""The GEMM kernel-efficiency fit: held-out error on published kernel rows, and the catalog's basis."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import gemm_fit, kernel_catalog


@pytest.fixture(scope="module")
def rows() -> pl.DataFrame:
    return gemm_fit.kernel_rows()


def test_fit_rows_leave_out_the_floors_and_the_grouped_gemms(rows):
    """The README's caveats: RVS targets are pass/fail floors, grouped GEMMs have no single M."""
    shaped = rows.filter(gemm_fit.is_shaped_fit_row())
    assert not shaped["measurement_kind"].str.contains("acceptance|grouped").any()
    assert shaped["source"].n_unique() >= 4


def test_held_out_gemm_time_error_is_within_the_measured_bound(rows):
    """Leave-one-source-out median |error| of GEMM time: 8.5 % with k_half scaled by each chip's
    ridge point (9.6 % with one k_half for all chips, 10.4 % when first fitted); the test recomputes
    it and fails above the issue's 10 % target."""
    held = gemm_fit.leave_one_source_out(rows)
    assert held["source"].n_unique() == rows.filter(gemm_fit.is_shaped_fit_row())["source"].n_unique()
    # the precisions the coefficient is fitted on (fp4's rows set their own ceiling and floor: test_gemm_fit_fp4)
    coefficient = ~pl.col("precision").is_in(list(gemm_fit.ON_PROFILE + gemm_fit.OWN_CEILING_ONLY))
    assert held.filter(coefficient)["error"].abs().median() <= 0.10


def test_k_half_scales_with_the_ridge_point():
    """k_half = one fitted coefficient x peak / memory bandwidth. Datasheets: H100 SXM5 989.4 TFLOP/s
    bf16, 1,978.9 fp8, 3.35 TB/s; A100 SXM4 80GB 312 TFLOP/s bf16, 2.039 TB/s. So the H100 fp8 K
    loop needs twice the H100 bf16 k_half, and A100 bf16 (312/2.039) / (989.4/3.35) = 0.518 of it."""
    cat = load_catalogs().kernel_efficiency

    def k_half(hw: str, precision: str) -> float:
        return cat.filter((pl.col("hardware") == hw) & (pl.col("precision") == precision))["k_half"].item()

    h100 = k_half("H100 SXM5 80GB", "bf16")
    assert k_half("H100 SXM5 80GB", "fp8") / h100 == pytest.approx(1978.9 / 989.4, rel=1e-3)
    assert k_half("A100 SXM4 80GB", "bf16") / h100 == pytest.approx((312 / 2.039) / (989.4 / 3.35), rel=1e-3)
    # the coefficient sits between the epilogue alone (1: C's 16-bit store, 2 bytes per 2 FLOP of a
    # K step) and the epilogue plus a 4-stage 64-deep prologue of 128x128 tiles (1 + 4 x 256 x 64 x 2
    # bytes / (2 x 128 x 128) = 5)
    assert 1.0 <= h100 / (989.4e12 / 3.35e12) <= 5.0


def test_catalog_matches_a_fresh_fit():
    """The stored catalog is what ``python -m pipeline.validation.gemm_fit`` writes today (``kernel_catalog.refit``): the fit's rows,
    with r-fa2bw's "attention fit" rows and r-trattn's training attention time ratio kept, not dropped (a refit of
    the stored catalog gave 178 of its 182 rows and no ratio column before ``refit``)."""
    stored = load_catalogs().kernel_efficiency
    fresh = kernel_catalog.refit(today=stored["last_verified"][0])
    assert fresh.height == stored.height == 182
    assert stored.equals(fresh.select(stored.columns).cast(stored.schema))
    assert fresh.filter(pl.col("efficiency_basis") == "attention fit").height == 4


@pytest.mark.parametrize("hardware, basis", [
    ("H100 SXM5 80GB", "kernel fit"),   # 132 SMs, MAMF and shaped rows
    ("MI300X", "kernel fit"),           # 304 CUs, MAMF and aiter rows
    ("MI325X", "kernel fit"),           # 304 CUs (ROCm's GPU specifications table), its own MAMF row
    ("B200 (HGX B200)", "kernel fit"),  # 148 SMs, MAMF and vLLM rows
    ("TPU v5p", "profile η"),           # no published kernel rows, no unit count
    ("Gaudi 2", "profile η"),           # MAMF rows, but MMEs are not tiled like SMs
    ("L4", "profile η"),                # square sweeps, but no SM count in sm_count.csv (r-accdefault: left out)
    ("H100 NVL 94GB", "profile η"),     # no SM count in sm_count.csv (r-accdefault: left out, its 400 W cap)
    ("A100 SXM4 40GB", "kernel fit"),   # 108 SMs (r-accdefault), no MAMF row: the default form
    ("RTX A6000", "kernel fit"),        # 84 SMs (r-accdefault) and no kernel row at all: the default form
    ("GB200 NVL72 GPU", "kernel fit"),  # own MAMF rows; B200's 148 SMs (gemm_fit.TRANSFER)
    ("B300 (HGX B300)", "kernel fit"),  # stas00's "NVIDIA B300 SXM" MAMF rows; B200's 148 SMs
    ("GB300 NVL72 GPU", "kernel fit"),  # B300's MAMF rows and SM count, transferred
    ("H200 NVL 141GB", "kernel fit"),   # H200 SXM's GH100 model, transferred
    ("MI355X", "kernel fit"),           # 256 CUs, stas00's MAMF rows and AMD's Gluon blog rows (r-b300gemm)
    ("MI350X", "profile η"),            # no unit count or GEMM rows of its own (r-b300gemm/mi350x_transfer.patch)
])
def test_efficiency_basis_per_hardware(hardware, basis):
    own = gemm_fit.ON_PROFILE + gemm_fit.OWN_CEILING_ONLY  # fp4's basis: test_gemm_fit_fp4
    cat = load_catalogs().kernel_efficiency.filter(~pl.col("precision").is_in(list(own)),
                                                   pl.col("efficiency_basis") != "attention fit")  # r-fa2bw's rows
    assert set(cat.filter(pl.col("hardware") == hardware)["efficiency_basis"]) == {basis}


def test_sustained_fraction_is_msmf_over_the_catalog_cap():
    """research/r-srv2/msmf.csv: H200 FP8 sustains about 1337 TFLOPS against its MAMF row's 1453.4 (0.91991);
    H100 SXM5 takes H200's (same die, clocks and 700 W cap): 1337 / 1402.6; fp16 takes bf16's."""
    k = load_catalogs().kernel_efficiency
    s = {(r["hardware"], r["precision"]): r["sustained_fraction"] for r in k.iter_rows(named=True)}
    assert s[("H200 SXM 141GB", "fp8")] == pytest.approx(1337 / 1453.4, rel=1e-4)
    assert s[("H100 SXM5 80GB", "fp8")] == pytest.approx(1337 / 1402.6, rel=1e-4)
    assert s[("H100 SXM5 80GB", "fp16")] == s[("H100 SXM5 80GB", "bf16")] == pytest.approx(755.5 / 794.5, rel=1e-3)
    assert s[("MI300X", "fp8")] == pytest.approx(1215 / 2614.9 / 0.598057, rel=1e-4)  # RVS floor (r-hwerr)
    assert s[("MI300X", "bf16")] is None


def test_fp8_and_int8_hold_their_own_or_bf16s_sustained_share():
    """r-fp8sus2: stas00/ml-engineering 0359db89's MSMF table. B200 FP8 sustains 2788 TFLOPS (every GPU of a node
    busy, median GPU) against its MAMF row's 3432.5: 2788 / 3432.5 = 0.81224; B300 FP8 2969 against 3353.3 = 0.88540
    (one GPU, its siblings idle). A precision without an MSMF takes its chip's bf16 share: B200 int8 1437.5 / 1745 =
    0.82378, H100 int8 H200's 755.5 / 794.5 = 0.95091. GB200 takes B200's and GB300 B300's (gemm_fit.TRANSFER)."""
    k = load_catalogs().kernel_efficiency.filter(pl.col("efficiency_basis") == "kernel fit")
    s = {(r["hardware"], r["precision"]): r["sustained_fraction"] for r in k.iter_rows(named=True)}
    assert s[("B200 (HGX B200)", "fp8")] == s[("GB200 NVL72 GPU", "fp8")] == pytest.approx(0.81224, rel=1e-4)
    assert s[("B300 (HGX B300)", "fp8")] == s[("GB300 NVL72 GPU", "fp8")] == pytest.approx(0.88540, rel=1e-4)
    assert s[("B200 (HGX B200)", "int8")] == s[("GB200 NVL72 GPU", "int8")] == pytest.approx(0.82378, rel=1e-4)
    assert s[("H100 SXM5 80GB", "int8")] == pytest.approx(0.95091, rel=1e-4)
    assert s[("H200 SXM 141GB", "int8")] == 1.0  # 755.5 / (989.5 x 0.745178 = 737.4) clipped at the burst ceiling


def test_mi325x_gemm_model_from_its_cu_count_and_mamf_row():
    """MI325X (r-amd): 304 CUs, 38 per XCD (ROCm "AMD GPU specifications" table), the MI300X's gfx942 CU count,
    so it takes the kernel fit instead of the profile η. By hand: peak 1307.4 TFLOPS bf16 (the MI300X's),
    6.0 TB/s against the MI300X's 5.3, so k_half (coefficient x peak / bandwidth) is the MI300X's x 5.3 / 6.0.
    Its MAMF row (stas00/ml-engineering 744d01e, README line 360): 13312 x 10240 x 8192 at 784.9 TFLOPS, best
    fraction 784.9 / 1307.4 = 0.60035. At that shape 256 x 256 tiles give 52 x 40 = 2080 tiles, no split-K
    (304 / 2080 < 2), 7 waves on 304 CUs: wave share 2080 / 2128; K share 8192 / (8192 + k_half); the ceiling
    is the best fraction over their product (0.669 at k_half 732.9)."""
    cat = load_catalogs().kernel_efficiency

    def row(hw: str, precision: str) -> dict:
        return cat.filter((pl.col("hardware") == hw) & (pl.col("precision") == precision)).row(0, named=True)

    mi325, mi300 = row("MI325X", "bf16"), row("MI300X", "bf16")
    assert (mi325["units"], mi325["tile_m"], mi325["tile_n"]) == (304.0, 256.0, 256.0)
    assert mi325["k_half"] == pytest.approx(mi300["k_half"] * 5.3 / 6.0, rel=1e-9)
    assert mi325["best_fraction"] == pytest.approx(784.9 / 1307.4, rel=1e-6)
    shape = 2080 / 2128 * 8192 / (8192 + mi325["k_half"])
    assert mi325["ceiling"] == pytest.approx(784.9 / 1307.4 / shape, rel=1e-6)
    assert mi325["ceiling"] == pytest.approx(0.669, abs=5e-4)
    # fp8 has no MAMF row of its own: it takes bf16's ceiling and twice its k_half (peak 2614.9 = 2 x 1307.4)
    assert row("MI325X", "fp8")["ceiling"] == mi325["ceiling"]
    assert row("MI325X", "fp8")["k_half"] == pytest.approx(2 * mi325["k_half"], rel=1e-3)


def test_blackwell_and_h200_nvl_take_a_siblings_gemm_model():
    """r-bw (issue 12): the same SM architecture, so a sibling's kernel evidence where a part has none. By hand:
    GB200 bf16 best fraction from its own MAMF row, 1822 / 2500 (stas00 744d01e, peak 2.5 PFLOPS dense bf16 in the
    Blackwell datasheet); B300's from its own, 1769 / 2250; GB300 has none and takes B300's; on B200's 148 SMs
    (74 per die, Chips and Cheese), GB300 on its own 152 (device-reported: r-kernels/sm_count.csv, r-gbsm).
    k_half = coefficient x own peak / own bandwidth: GB200 and GB300 (2.5 PFLOPS, 8 TB/s) = B200's (2.25, 7.7)
    x (2.5 / 8) / (2.25 / 7.7); H200 NVL (835.5 TFLOPS, 4.8 TB/s) = H200 SXM's (989.5, 4.8) x 835.5 / 989.5.
    Sustained share of the ceiling under load: B200's 1437.5 / 1745 (msmf.csv MSMF over its MAMF) for GB200, B300's
    own 1519 / 1769 for B300 and GB300 (r-fp8sus2), H200's FP8 1337 / 1453.4 for H200 NVL (assumed: msmf.csv has
    neither GB200, GB300 nor H200 NVL)."""
    cat = load_catalogs().kernel_efficiency

    def row(hw: str, precision: str) -> dict:
        return cat.filter((pl.col("hardware") == hw) & (pl.col("precision") == precision)).row(0, named=True)

    b200, gb200, b300, gb300 = (row(h, "bf16") for h in ("B200 (HGX B200)", "GB200 NVL72 GPU", "B300 (HGX B300)",
                                                           "GB300 NVL72 GPU"))
    assert {r["units"] for r in (b200, gb200, b300)} == {148.0} and gb300["units"] == 152.0
    assert gb200["best_fraction"] == pytest.approx(1822 / 2500, rel=1e-6)
    assert b300["best_fraction"] == gb300["best_fraction"] == pytest.approx(1769 / 2250, rel=1e-6)
    assert gb300["ceiling"] == b300["ceiling"] and "transferred from B300" in gb300["ceiling_source"]
    assert gb200["ceiling_source"] == "MAMF row" and "transferred from B200" in gb200["notes"]
    assert gb200["k_half"] == gb300["k_half"] == pytest.approx(b200["k_half"] * (2.5 / 8) / (2.25 / 7.7), rel=1e-6)
    assert gb200["sustained_fraction"] == pytest.approx(1437.5 / 1745, rel=1e-4)
    for r in (b300, gb300):
        assert r["sustained_fraction"] == pytest.approx(1519 / 1769, rel=1e-4)
    nvl, sxm = row("H200 NVL 141GB", "fp8"), row("H200 SXM 141GB", "fp8")
    assert (nvl["units"], nvl["ceiling"], nvl["best_fraction"]) == (132.0, sxm["ceiling"], sxm["best_fraction"])
    assert nvl["k_half"] == pytest.approx(sxm["k_half"] * 835.5 / 989.5, rel=1e-3)
    assert nvl["sustained_fraction"] == pytest.approx(1337 / 1453.4, rel=1e-4)


def test_gb300_cublas_k_sweep_rows_enter_the_fit(rows):
    """facebookexperimental/triton PR #740, "Perf number on GB300": cuBLAS (aten_matmul) at M = N = 8192, K = 512
    ... 16,384. Each row's reported TFLOPS is 2MNK / its reported latency (K = 1,024: 2 x 8192^2 x 1024 / 78.727 µs
    = 1,745.8 TFLOPS), and the rows fit as GB300 NVL72 GPU at its own 152 SMs (r-kernels/sm_count.csv, r-gbsm)."""
    gb300 = rows.filter(pl.col("source_url").str.contains("facebookexperimental/triton/pull/740"))
    assert gb300.height == 6 and gb300.filter(gemm_fit.is_shaped_fit_row()).height == 6
    assert gb300["hardware"].unique().to_list() == ["GB300 NVL72 GPU"] and gb300["units"].unique().to_list() == [152.0]
    implied = 2 * gb300["M"] * gb300["N"] * gb300["K"] / gb300["time_s"].cast(pl.Float64) / gb300["achieved_flop_per_s"]
    assert implied.min() == pytest.approx(1.0, abs=1e-3) and implied.max() == pytest.approx(1.0, abs=1e-3)
    k1024 = gb300.filter(pl.col("K") == 1024)["achieved_flop_per_s"].item()
    assert k1024 == pytest.approx(2 * 8192**2 * 1024 / 78.727e-6, rel=1e-4)
