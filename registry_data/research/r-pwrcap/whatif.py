"""What-if only (never applied to the catalog): the model run as if a part held a sustained SM clock below the one its
datasheet peak is quoted at (r-pwrcap README). A clock fraction f scales every peak_*_flop_per_s of the part (the
tensor peak is SMs x ops a clock x clock) and its sm_clock_hz (the cycle counts the conv and kernel models convert to
seconds); memory bandwidth is untouched (a power-capped board throttles the SM clock, not the memory clock).

    .venv/bin/python registry_data/research/r-pwrcap/whatif.py OUT_REGISTRY "L4=0.803" ["H100 PCIe 80GB=0.843" ...]
    .venv/bin/mlsys validate --registry OUT_REGISTRY --out /tmp/pwrcap-valX

    .venv/bin/python registry_data/research/r-pwrcap/whatif.py --compare BEFORE_RUN AFTER_RUN

``--compare`` takes two ``mlsys validate --out`` folders and prints, per metric, the median |error| (the baseline's
``catalog`` figure) before and after, and every predicted row on the L4, L40S, H100 PCIe and H100 NVL.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).resolve().parent
REGISTRY = HERE.parent.parent
CARDS = ("L4", "L40S", "H100 PCIe 80GB", "H100 NVL 94GB")


def scaled(hardware: pl.DataFrame, fractions: dict[str, float]) -> pl.DataFrame:
    """``hardware`` with each named part's peaks and SM clock x its fraction (0 < f <= 1)."""
    unknown = set(fractions) - set(hardware["name"])
    if unknown:
        raise ValueError(f"hardware: no row named {sorted(unknown)} (column name)")
    bad = {k: v for k, v in fractions.items() if not 0 < v <= 1}
    if bad:
        raise ValueError(f"clock fraction must be in (0, 1]: {bad}")
    f = pl.col("name").replace_strict(fractions, default=1.0, return_dtype=pl.Float64)
    peaks = [c for c in hardware.columns if c.startswith("peak_") and c.endswith("_flop_per_s")]
    return hardware.with_columns(*(pl.col(c) * f for c in [*peaks, "sm_clock_hz"]))


def write_registry(out: Path, fractions: dict[str, float]) -> None:
    """A copy of the bundled catalogs with ``scaled`` hardware (the source tree is never written)."""
    if out.resolve() == REGISTRY.resolve():
        raise ValueError("refusing to overwrite the bundled registry")
    out.mkdir(parents=True, exist_ok=True)
    for p in REGISTRY.glob("*.parquet"):
        shutil.copy(p, out / p.name)
    write_catalog(scaled(read_catalog("hardware", REGISTRY), fractions), "hardware", out, source="whatif.py")


def table(run: Path) -> pl.DataFrame:
    (path,) = sorted(run.glob("validation/*/validation.parquet"))[-1:]
    return pl.read_parquet(path).filter(pl.col("predicted").is_not_null())


def compare(before: Path, after: Path) -> None:
    b, a = table(before), table(after)
    medians = (b.group_by("metric").agg(rows=pl.len(), before=pl.col("abs_error_pct").median())
               .join(a.group_by("metric").agg(after=pl.col("abs_error_pct").median()), on="metric")
               .with_columns(pl.col("before", "after").round(2)).sort("metric"))
    keys = ["line", "metric", "name"]
    rows = (b.filter(pl.col("hardware").is_in(CARDS))
            .select(*keys, "hardware", "model", "scenario", "compute_dtype", "batch_used", "bound",
                    pl.col("error_pct").round(1).alias("before"))
            .join(a.select(*keys, pl.col("error_pct").round(1).alias("after")), on=keys, how="left")
            .sort("hardware", "model", "metric", "scenario", "line"))
    with pl.Config(tbl_rows=400, tbl_cols=20, tbl_width_chars=220, fmt_str_lengths=28):
        print(medians)
        print(rows.drop("line", "name"))


def main(argv: list[str]) -> None:
    if argv[:1] == ["--compare"]:
        compare(Path(argv[1]), Path(argv[2]))
        return
    fractions = {k: float(v) for k, v in (a.rsplit("=", 1) for a in argv[1:])}
    write_registry(Path(argv[0]), fractions)
    print(f"wrote {argv[0]} with clock fractions {fractions}")


if __name__ == "__main__":
    main(sys.argv[1:])
