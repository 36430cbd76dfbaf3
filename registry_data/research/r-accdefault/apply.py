"""The kernel fit's default form on every NVIDIA part of the hardware catalog with a published SM count (r-accdefault
README). Re-runnable, idempotent except for ``last_verified``; run from the repo root:

    .venv/bin/python registry_data/research/r-accdefault/apply.py [registry_dir]

1. This folder's sm_count.csv rows with ``applied`` = yes join registry_data/research/r-kernels/sm_count.csv
   (appended where the hardware has no row there), the unit counts ``pipeline.validation.gemm_fit`` reads: a part
   with a count and no MAMF row of its own takes the fit's default form (the median of the MAMF ceilings and best
   fractions, the NVIDIA 128 x 128 tile, k_half from its own ridge point) instead of the profile η. The other rows
   keep their sources and say why the default form does not describe the part (README).
2. hardware ``sm_clock_hz`` / ``sm_count`` (and their source urls) on each such part with an int8 peak, as
   r-accwire / r-accwire3 did: clock = peak_int8_flop_per_s / (SMs x int8 ops a clock per SM), checked against the
   boost clock a source states (0.5 %); a part that already holds a clock must agree with it.
3. registry_data/kernel_efficiency.parquet refitted (``gemm_fit.catalog``), as r-amd/apply.py and r-bw/apply.py do.

Run it after r-accwire2/tensorrt_apply.py and r-accwire3/sm_count_apply.py: those set the clock / count of their own
nine parts and drop every other part's.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.validation.gemm_fit import catalog

HERE = Path(__file__).resolve().parent
KERNELS = Path("research") / "r-kernels" / "sm_count.csv"
CLOCK_TOLERANCE = 0.005  # the stated boost clock vs peak / (SMs x ops): datasheet peaks are rounded to ~0.1 %


def own_rows(every: bool = False) -> pl.DataFrame:
    """This folder's sm_count.csv rows that are applied (``applied`` = yes; ``every``: all of them, the README's
    variant A), each with a count and a source."""
    rows = pl.read_csv(HERE / "sm_count.csv", infer_schema_length=0).filter(
        (pl.col("applied") == "yes") | pl.lit(every))
    bad = rows.filter(~pl.col("units").str.contains(r"^\d+$") | pl.col("source_url").is_null())
    if bad.height:
        raise ValueError(f"r-accdefault/sm_count.csv: rows {bad['hardware'].to_list()} lack a count or a source "
                         "(columns units, source_url)")
    return rows


def with_kernel_units(registry: Path, every: bool = False) -> int:
    """Append this folder's rows to r-kernels/sm_count.csv where its hardware has none; the rows appended."""
    path = registry / KERNELS
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        fields, present = reader.fieldnames, {r["hardware"] for r in reader}
    new = own_rows(every).filter(~pl.col("hardware").is_in(list(present)))
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        for r in new.iter_rows(named=True):
            writer.writerow({"hardware": r["hardware"], "vendor_hardware_name": f"NVIDIA {r['hardware']}",
                             "units": r["units"], "unit_type": "SM", "source_url": r["source_url"],
                             "source_location": r["source_location"], "trust": r["trust"],
                             "notes": f"r-accdefault (registry_data/research/r-accdefault/sm_count.csv): {r['notes']}"})
    return new.height


def clocked(hardware: pl.DataFrame, every: bool = False) -> pl.DataFrame:
    """name, sm_clock_hz, sm_clock_source_url, sm_count, sm_count_source_url of each row with int8 ops a clock and an
    int8 peak: the clock its datasheet peak is quoted at (checked against a stated boost clock)."""
    rows = own_rows(every).filter(pl.col("int8_ops_per_clock_per_sm").is_not_null()).join(
        hardware.select("name", "peak_int8_flop_per_s", "source_url"), left_on="hardware", right_on="name",
        how="inner", suffix="_hw").filter(pl.col("peak_int8_flop_per_s").is_not_null())
    rows = rows.with_columns(sm_clock_hz=pl.col("peak_int8_flop_per_s") / (
        pl.col("units").cast(pl.Float64) * pl.col("int8_ops_per_clock_per_sm").cast(pl.Float64)))
    off = rows.filter(((pl.col("sm_clock_hz") / (pl.col("boost_clock_mhz").cast(pl.Float64) * 1e6) - 1.0).abs()
                       > CLOCK_TOLERANCE).fill_null(False))
    if off.height:
        raise ValueError(f"hardware: peak_int8_flop_per_s / (SMs x ops) is not the stated boost clock for "
                         f"{off['hardware'].to_list()} (column sm_clock_hz)")
    return rows.select(pl.col("hardware").alias("name"), "sm_clock_hz",
                       pl.col("source_url_hw").alias("sm_clock_source_url"),
                       pl.col("units").cast(pl.Int64).alias("sm_count"),
                       pl.col("source_url").alias("sm_count_source_url"))


def with_clocks(hardware: pl.DataFrame, every: bool = False) -> pl.DataFrame:
    """``hardware`` with ``clocked``'s four columns on its parts (``merged``)."""
    return merged(hardware, clocked(hardware, every))


def merged(hardware: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """``hardware`` with ``new``'s columns (name, sm_clock_hz, its source, sm_count, its source) on its parts; a
    part that holds a clock already keeps it, which must agree (1e-9) in clock and SM count (r-cnnacc's too)."""
    held = new.join(hardware.filter(pl.col("sm_clock_hz").is_not_null()), on="name", suffix="_held")
    differ = held.filter(((pl.col("sm_clock_hz") / pl.col("sm_clock_hz_held") - 1.0).abs() > 1e-9)
                         | (pl.col("sm_count") != pl.col("sm_count_held")).fill_null(True))
    if differ.height:
        raise ValueError(f"hardware: the clock or SM count of {differ['name'].to_list()} differs from the catalog's "
                         "(columns sm_clock_hz, sm_count)")
    new = new.join(held.select("name"), on="name", how="anti")
    cols = list(new.columns[1:])
    out = hardware.join(new, on="name", how="left", suffix="_new", maintain_order="left").with_columns(
        pl.coalesce(f"{c}_new", c).alias(c) for c in cols)
    return out.select(hardware.columns)


def main(registry: Path, every: bool = False) -> None:
    print(f"r-kernels/sm_count.csv: {with_kernel_units(registry, every)} rows appended")
    before = read_catalog("hardware", registry)
    after = with_clocks(before, every)
    if not after.equals(before):
        print(write_catalog(after, "hardware", registry, source=f"{registry}/hardware.parquet (r-accdefault)"))
    print(write_catalog(catalog(registry), "kernel_efficiency", registry))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
