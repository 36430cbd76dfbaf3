"""registry_data/research/r-accdefault/apply.py: the kernel fit's default form on the NVIDIA parts with a published SM
count and no kernel fit of their own, the hardware catalog's SM clock and count on them, and the parts left out
(sm_count.csv's ``applied``) with the evidence each exclusion rests on."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from pipeline.catalogs.load import load_catalogs
from pipeline.validation import gemm_fit
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-accdefault"
DEFAULT = "default ceiling (median of the MAMF ceilings)"
# Each applied part's SM count as its source states it (sm_count.csv): A100 40GB deviceQuery '(108) Multiprocessors';
# L40 / RTX 6000 Ada 142 (142 RT cores, 568 Tensor Cores; 'sind nun 142 aktiv'); RTX A6000 84 RT cores; every V100
# 80 SMs (NVIDIA's Tesla table); A30 / A40 / T4 r-accwire3's 56 / 84 / 40.
APPLIED = {"A100 SXM4 40GB": 108, "L40": 142, "RTX 6000 Ada": 142, "RTX A6000": 84, "V100 SXM2 32GB": 80,
           "V100 SXM2 16GB": 80, "V100 PCIe 16GB": 80, "A30": 56, "A40": 84, "T4": 40}
LEFT_OUT = ["H100 NVL 94GB", "L4", "A10", "RTX 4090", "RTX 5090"]


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_accdefault_apply")


@pytest.fixture(scope="module")
def kernels() -> pl.DataFrame:
    return load_catalogs().kernel_efficiency


def test_each_applied_part_takes_the_default_form_at_its_own_sm_count(kernels):
    """Every precision with a peak is on the kernel fit, at the part's SMs, the NVIDIA 128 x 128 tile and the one
    default ceiling / best fraction (the L40S's and H100 PCIe's, the parts that had it before)."""
    form = kernels.filter(pl.col("hardware") == "L40S").select("ceiling", "best_fraction").unique()
    assert form.height == 1
    for hardware, sms in APPLIED.items():
        rows = kernels.filter((pl.col("hardware") == hardware) & (pl.col("precision") != "fp4"))
        assert rows.height >= 1, hardware
        assert set(rows["efficiency_basis"]) == {"kernel fit"}, hardware
        assert set(rows["ceiling_source"]) == {DEFAULT}, hardware
        assert set(rows["units"]) == {float(sms)}, hardware
        assert set(zip(rows["tile_m"], rows["tile_n"])) == {(128.0, 128.0)}, hardware
        assert set(zip(rows["ceiling"], rows["best_fraction"])) == {form.row(0)}, hardware
        assert rows["source_url"].str.starts_with("https://").all(), hardware


def test_k_half_is_the_coefficient_times_the_parts_own_ridge_point(kernels):
    """A100 SXM4 40GB and 80GB: the same 312 TFLOPS bf16 (A100 datasheet) at 1.555 against 2.039 TB/s, so the 40GB's
    k_half is the 80GB's x 2.039 / 1.555; int8 (624 TOPS) twice its bf16."""
    def k_half(hw: str, precision: str) -> float:
        return kernels.filter((pl.col("hardware") == hw) & (pl.col("precision") == precision))["k_half"].item()

    assert k_half("A100 SXM4 40GB", "bf16") == pytest.approx(k_half("A100 SXM4 80GB", "bf16") * 2.039 / 1.555,
                                                             rel=1e-9)
    assert k_half("A100 SXM4 40GB", "int8") == pytest.approx(2 * k_half("A100 SXM4 40GB", "bf16"), rel=1e-9)


def test_the_applied_counts_join_the_fits_unit_table_with_their_sources():
    units = pl.read_csv(HERE.parent / "r-kernels" / "sm_count.csv", infer_schema_length=0)
    own = pl.read_csv(HERE / "sm_count.csv", infer_schema_length=0)
    for hardware, sms in APPLIED.items():
        row = units.filter(pl.col("hardware") == hardware).row(0, named=True)
        assert int(row["units"]) == sms
        assert row["source_url"] == own.filter(pl.col("hardware") == hardware)["source_url"].item()
    assert units.filter(pl.col("hardware").is_in(LEFT_OUT)).height == 0
    assert own["source_url"].str.starts_with("https://").all() and own["trust"].is_in(["A", "B", "C"]).all()


def test_left_out_parts_keep_the_profile_eta_and_their_evidence_holds(kernels):
    """A10's own best square GEMM (chsasank: 54 / 56 TFLOPS of 125) lies below, the RTX 4090's (zzc0721: 165.1 / 170.1
    of 165.2) above, the range of best fractions the default is the median of (MAMF rows, bf16; MI250X's per-package
    0.38 left out: one matmul runs on one of its two GCDs); the applied parts with such a row lie inside it (A100 40GB
    0.79, T4 0.64, V100 0.67)."""
    assert set(kernels.filter(pl.col("hardware").is_in(LEFT_OUT))["efficiency_basis"]) == {"profile η"}
    rows = gemm_fit.kernel_rows()
    k_half, _, ceil = gemm_fit.fit(rows)
    mamf = ceil.filter((pl.col("precision") == "bf16") & pl.col("hardware").is_in(
        kernels.filter(pl.col("tile_m").is_not_null())["hardware"].implode()) & (pl.col("hardware") != "MI250X"))
    low, high = mamf["best_fraction"].min(), mamf["best_fraction"].max()
    assert (low, high) == (pytest.approx(0.598, abs=1e-3), pytest.approx(0.869, abs=1e-3))
    best = rows.filter(pl.col("measurement_kind").str.contains("max over|summary")).group_by("hardware").agg(
        (pl.col("achieved_flop_per_s") / pl.col("peak_flop_per_s")).max().alias("best"))
    best = dict(best.iter_rows())
    assert best["A10"] < low and best["RTX 4090"] > high
    assert all(low <= best[h] <= high for h in ("A100 SXM4 40GB", "T4", "V100 SXM2 32GB"))


def test_the_hardware_catalog_holds_each_applied_parts_clock_and_count(apply):
    """clock = int8 peak / (SMs x int8 ops a clock per SM), within 0.5 % of the stated boost clock: A100 40GB
    624 TOPS / (108 x 4,096) = 1.4106 GHz (deviceQuery: 1410 MHz); L40 362 / (142 x 1,024) = 2.4895 GHz (2490);
    RTX A6000 309.6 / (84 x 2,048) = 1.7997 GHz (1800); RTX 6000 Ada 728 / (142 x 2,048) = 2.5033 GHz (2505)."""
    hardware = read_catalog("hardware")
    row = {r["name"]: r for r in hardware.iter_rows(named=True)}
    for name, (sms, ghz) in {"A100 SXM4 40GB": (108, 1.4106), "L40": (142, 2.4895), "RTX A6000": (84, 1.7997),
                             "RTX 6000 Ada": (142, 2.5033)}.items():
        assert row[name]["sm_count"] == sms
        assert row[name]["sm_clock_hz"] / 1e9 == pytest.approx(ghz, abs=1e-4)
        assert row[name]["sm_clock_source_url"] == row[name]["source_url"]  # the datasheet the peak cites
        assert row[name]["sm_count_source_url"].startswith("https://")
    for name in LEFT_OUT + ["V100 SXM2 32GB"]:  # not applied, or no int8 peak to derive a clock from
        assert row[name]["sm_count"] in (None, 58) and (row[name]["sm_count"] is None) == (name != "L4")
    assert apply.with_clocks(hardware).equals(hardware)


def test_a_clock_off_its_stated_boost_or_off_the_catalogs_is_refused(apply):
    hardware = read_catalog("hardware")
    wrong = hardware.with_columns(pl.when(pl.col("name") == "L40").then(400e12).otherwise("peak_int8_flop_per_s")
                                  .alias("peak_int8_flop_per_s"))
    with pytest.raises(ValueError, match="L40.*sm_clock_hz"):
        apply.clocked(wrong)
    held = hardware.with_columns(pl.when(pl.col("name") == "A30").then(1.5e9).otherwise("sm_clock_hz")
                                 .alias("sm_clock_hz"))
    with pytest.raises(ValueError, match="A30.*sm_clock_hz"):
        apply.with_clocks(held)


def test_appending_the_units_is_idempotent(apply, tmp_path):
    """Run on the committed table, nothing is appended; on the table without the applied rows, each comes back."""
    target = tmp_path / "research" / "r-kernels"
    target.mkdir(parents=True)
    shutil.copy(HERE.parent / "r-kernels" / "sm_count.csv", target / "sm_count.csv")
    assert apply.with_kernel_units(tmp_path) == 0
    with (target / "sm_count.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, [r for r in reader if r["hardware"] not in APPLIED]
    with (target / "sm_count.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    assert apply.with_kernel_units(tmp_path) == len(APPLIED)
    assert apply.with_kernel_units(tmp_path) == 0
