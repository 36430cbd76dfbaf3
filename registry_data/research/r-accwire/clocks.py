"""The SM clock each NVIDIA datasheet int8 dense peak is quoted at (r-accnode §3; r-accf5 §5 step 5's catalog half):
clock = peak_int8_flop_per_s / (SMs x int8 ops a clock per SM). Re-runnable; writes clocks.csv beside this file:

    .venv/bin/python registry_data/research/r-accwire/clocks.py [registry_dir]

The peaks and their datasheets are the hardware catalog's (peak_int8_flop_per_s, source_url, last_verified); SMs and
int8 ops a clock per SM are r-accnode's table (single_stream.SM_OPS: GA100 4,096, GA102 / Ada / Turing 2,048,
Hopper 8,192; SMs = CUDA cores / 64 on GA100 and Turing, / 128 on the others). Where registry_data/research/
r-kernels/sm_count.csv states a boost clock with its source, it is printed beside the quotient as the check. Not in
hardware.parquet yet: the node study has no reader for it (r-accwire README).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "r-accnode"))
import single_stream as ss  # noqa: E402  (r-accnode: SM_OPS, the SMs and int8 ops a clock per SM)

from pipeline.catalogs.io import read_catalog  # noqa: E402
from pipeline.catalogs.paths import bundled_registry  # noqa: E402


def clocks(hardware: pl.DataFrame) -> pl.DataFrame:
    sm = pl.DataFrame([(hw, n, ops) for hw, (n, ops) in ss.SM_OPS.items()],
                      schema=["name", "sms", "int8_ops_per_clock_per_sm"], orient="row")
    rows = hardware.select("name", "peak_int8_flop_per_s", "source_url", "last_verified").join(sm, on="name")
    missing = sorted(set(sm["name"]) - set(rows.filter(pl.col("peak_int8_flop_per_s").is_not_null())["name"]))
    if missing:
        raise ValueError(f"hardware: no peak_int8_flop_per_s for {missing} (column peak_int8_flop_per_s)")
    checks = {r["hardware"]: (float(r["boost_clock_mhz"]) * 1e6, r["source_url"])
              for r in csv.DictReader((HERE.parent / "r-kernels" / "sm_count.csv").open()) if r["boost_clock_mhz"]}
    return rows.with_columns(
        sm_clock_hz=pl.col("peak_int8_flop_per_s") / (pl.col("sms") * pl.col("int8_ops_per_clock_per_sm")),
        check_boost_clock_hz=pl.col("name").replace_strict({k: v[0] for k, v in checks.items()}, default=None,
                                                           return_dtype=pl.Float64),
        check_source_url=pl.col("name").replace_strict({k: v[1] for k, v in checks.items()}, default=None,
                                                       return_dtype=pl.String),
    ).rename({"name": "hardware"}).sort("hardware")


def main(registry: Path) -> pl.DataFrame:
    out = clocks(read_catalog("hardware", registry))
    units = {"peak_int8_flop_per_s": "FLOP/s", "sm_clock_hz": "Hz", "check_boost_clock_hz": "Hz"}
    out.with_columns(pl.col("last_verified").cast(pl.String)).rename(
        {c: f"{c} [{u}]" for c, u in units.items()}).write_csv(HERE / "clocks.csv")
    for r in out.iter_rows(named=True):
        check = f" (sm_count.csv {r['check_boost_clock_hz'] / 1e9:.3f})" if r["check_boost_clock_hz"] else ""
        print(f"{r['hardware']:15} {r['peak_int8_flop_per_s'] / 1e12:7.1f} T / ({r['sms']} x "
              f"{r['int8_ops_per_clock_per_sm']}) = {r['sm_clock_hz'] / 1e9:.3f} GHz{check}")
    return out


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
