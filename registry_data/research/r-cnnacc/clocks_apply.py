"""The SM clock and SM count of the Hopper parts that MLPerf CNN rows run on and the hardware catalog left unclocked
(r-cnnacc README). Re-runnable, idempotent; run from the repo root after r-accdefault/apply.py:

    .venv/bin/python registry_data/research/r-cnnacc/clocks_apply.py [registry_dir]

As r-accwire / r-accdefault did for their parts: clock = peak_int8_flop_per_s / (SMs x int8 ops a clock per SM)
(GH100: 8,192 int8 ops a clock per SM, r-accnode's ``SM_OPS``), ``sm_clock_source_url`` the datasheet of the peak
(the catalog row's ``source_url``), ``sm_count`` and its source from this folder's sm_count.csv, which must equal the
unit count the kernel fit already prices the part at (registry_data/kernel_efficiency.parquet ``units``: clock and
SM count then describe the chip the GEMM model describes). Where sm_count.csv states a clock with its source, the
quotient must agree within 0.5 % (``CLOCK_TOLERANCE``). A part that already holds a clock must agree with it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.paths import bundled_registry

HERE = Path(__file__).resolve().parent
# r-accdefault's apply.py, by path: its ``merged`` puts a part's clock on the catalog (one implementation)
_spec = importlib.util.spec_from_file_location("r_accdefault_apply", HERE.parent / "r-accdefault" / "apply.py")
accdefault = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(accdefault)
CLOCK_TOLERANCE = 0.005  # a stated clock vs peak / (SMs x ops): datasheet peaks are rounded to ~0.1 %


def rows() -> pl.DataFrame:
    """This folder's sm_count.csv: hardware, units, int8_ops_per_clock_per_sm, stated_clock_mhz, source_url,
    last_verified (and where in the source, trust, notes)."""
    got = pl.read_csv(HERE / "sm_count.csv", infer_schema_length=0)
    bad = got.filter(~pl.col("units").str.contains(r"^\d+$") | pl.col("source_url").is_null()
                     | ~pl.col("int8_ops_per_clock_per_sm").str.contains(r"^\d+$")
                     | ~pl.col("last_verified").str.contains(r"^\d{4}-\d{2}-\d{2}$"))
    if bad.height:
        raise ValueError(f"r-cnnacc/sm_count.csv: rows {bad['hardware'].to_list()} lack a count, int8 ops a clock, "
                         "a source or its date (columns units, int8_ops_per_clock_per_sm, source_url, last_verified)")
    return got


def clocked(hardware: pl.DataFrame, kernels: pl.DataFrame) -> pl.DataFrame:
    """name, sm_clock_hz, sm_clock_source_url, sm_count, sm_count_source_url for each sm_count.csv part."""
    got = rows().join(hardware.select("name", "peak_int8_flop_per_s", "source_url"), left_on="hardware",
                      right_on="name", how="left", suffix="_hw")
    missing = got.filter(pl.col("peak_int8_flop_per_s").is_null())
    if missing.height:
        raise ValueError(f"hardware: no peak_int8_flop_per_s for {missing['hardware'].to_list()} "
                         "(column peak_int8_flop_per_s)")
    got = got.with_columns(pl.col("units").cast(pl.Int64), sm_clock_hz=pl.col("peak_int8_flop_per_s") / (
        pl.col("units").cast(pl.Float64) * pl.col("int8_ops_per_clock_per_sm").cast(pl.Float64)))
    off = got.filter(((pl.col("sm_clock_hz") / (pl.col("stated_clock_mhz").cast(pl.Float64) * 1e6) - 1.0).abs()
                      > CLOCK_TOLERANCE).fill_null(False))
    if off.height:
        raise ValueError(f"hardware: peak_int8_flop_per_s / (SMs x ops) is not the stated clock for "
                         f"{off['hardware'].to_list()} (column sm_clock_hz)")
    fit = kernels.filter(pl.col("precision") == "int8").select("hardware", pl.col("units").alias("fit_units"))
    differ = got.join(fit, on="hardware", how="left").filter(
        (pl.col("fit_units") != pl.col("units").cast(pl.Float64)).fill_null(True))
    if differ.height:
        raise ValueError(f"kernel_efficiency: the int8 fit's units differ from sm_count.csv's for "
                         f"{differ['hardware'].to_list()} (column units)")
    return got.select(pl.col("hardware").alias("name"), "sm_clock_hz",
                      pl.col("source_url_hw").alias("sm_clock_source_url"), pl.col("units").alias("sm_count"),
                      pl.col("source_url").alias("sm_count_source_url"))


def with_clocks(hardware: pl.DataFrame, kernels: pl.DataFrame) -> pl.DataFrame:
    """``hardware`` with ``clocked``'s four columns on its parts; a part holding a clock must agree (1e-9):
    r-accdefault's ``merged``, one implementation."""
    return accdefault.merged(hardware, clocked(hardware, kernels))


def main(registry: Path) -> None:
    before = read_catalog("hardware", registry)
    after = with_clocks(before, read_catalog("kernel_efficiency", registry))
    if not after.equals(before):
        print(write_catalog(after, "hardware", registry, source=f"{registry}/hardware.parquet (r-cnnacc)"))
    for r in after.join(clocked(before, read_catalog("kernel_efficiency", registry)).select("name"),
                        on="name").iter_rows(named=True):
        print(f"{r['name']:15} {r['peak_int8_flop_per_s'] / 1e12:7.1f} T / ({r['sm_count']} x 8192) = "
              f"{r['sm_clock_hz'] / 1e9:.4f} GHz")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
