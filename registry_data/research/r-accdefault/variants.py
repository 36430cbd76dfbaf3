"""The README's experiment registries, each a copy of the bundled catalogs (the bundled ones are not touched):

    .venv/bin/python registry_data/research/r-accdefault/variants.py DEST {all,cycle}
    .venv/bin/mlsys validate --registry DEST --out OUT   # then compare.py BEFORE_OUT OUT

all: apply.py with every sourced row of sm_count.csv, the left-out parts too (variant A). cycle: the same, with the
H100 NVL's and the L4's k_half from the cycle law instead of the ridge-point law (variant B): the fixed cycles of a
tile at the part's clock, ``pipeline.walls.graph_convs.tile_k_half`` (r-accrest §2/§3), at the fit's 16-bit C.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import apply  # noqa: E402  (this folder's apply.py)

from pipeline.catalogs.io import read_catalog, write_catalog  # noqa: E402
from pipeline.catalogs.paths import bundled_registry  # noqa: E402
from pipeline.units import col, lit  # noqa: E402
from pipeline.validation.gemm_fit import IN_BYTES  # noqa: E402
from pipeline.walls.graph_convs import tile_k_half  # noqa: E402

CYCLE_PARTS = ["H100 NVL 94GB", "L4"]
FIT_OUTPUT_BYTES = 2.0  # the fit's k_half is at a 16-bit C (gemm_fit.OUT_BYTES)


def with_cycle_law(kernels: pl.DataFrame, hardware: pl.DataFrame, parts: list[str]) -> pl.DataFrame:
    """``kernels`` with the k_half of ``parts``' fitted rows from the cycle law at the part's ``sm_clock_hz``."""
    peaks = hardware.unpivot(index=["name", "sm_clock_hz"], on=[f"peak_{d}_flop_per_s" for d in IN_BYTES],
                             variable_name="c", value_name="peak").select(
        pl.col("name").alias("hardware"), "sm_clock_hz", "peak",
        pl.col("c").str.extract(r"peak_(\w+?)_flop").alias("precision"))
    cycle = tile_k_half(col("sm_clock_hz", "Hz"), col("peak", "FLOP/s"), col("units", ""), col("tile_m", ""),
                        col("tile_n", ""), lit(FIT_OUTPUT_BYTES, "B")).expr
    out = kernels.join(peaks, on=["hardware", "precision"], how="left").with_columns(
        pl.when(pl.col("hardware").is_in(parts) & pl.col("k_half").is_not_null()).then(cycle)
        .otherwise(pl.col("k_half")).alias("k_half"))
    return out.select(kernels.columns)


def build(dest: Path, variant: str) -> None:
    if variant not in ("all", "cycle"):
        raise ValueError(f"variant {variant!r}: one of all, cycle")
    shutil.copytree(bundled_registry(), dest)
    apply.main(dest, every=True)
    if variant == "cycle":
        kernels = with_cycle_law(read_catalog("kernel_efficiency", dest), read_catalog("hardware", dest), CYCLE_PARTS)
        print(write_catalog(kernels, "kernel_efficiency", dest))


if __name__ == "__main__":
    build(Path(sys.argv[1]), sys.argv[2])
