"""Each SM-clocked NVIDIA part's SM count in the hardware catalog (r-accwire3 README; r-accf4 §1's "default fit
form": F4's graphed GEMMs on a part without a measured int8 kernel fit run the GEMM model at the part's SMs, the
fit's default ceiling and best fraction and its 128 x 128 tile). Re-runnable, idempotent:

    .venv/bin/python registry_data/research/r-accwire3/sm_count_apply.py [registry_dir]

hardware ``sm_count`` [SMs] and ``sm_count_source_url`` for every part with an ``sm_clock_hz``: the unit count and
source of registry_data/research/r-kernels/sm_count.csv where it states one (A100, H100, L40S), else this folder's
sm_count.csv (L4, T4: device-reported multiprocessor counts; A40: its datasheet's 84 RT cores / 336 Tensor Cores;
A30: a third-party spec table). Each must equal the SMs the part's clock was derived with (r-accnode's
``SM_OPS``, r-accwire/clocks.py), so that clock and SM count describe one chip. Null on every other part.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "r-accnode"))
import single_stream as ss  # noqa: E402  (r-accnode: SM_OPS, the SMs each sm_clock_hz was derived with)

from pipeline.catalogs.io import read_catalog, write_catalog  # noqa: E402
from pipeline.catalogs.paths import bundled_registry  # noqa: E402


def sources() -> pl.DataFrame:
    """hardware, sm_count, sm_count_source_url: r-kernels' rows first, this folder's for the parts it lacks."""
    kernels = pl.read_csv(HERE.parent / "r-kernels" / "sm_count.csv", infer_schema_length=0).filter(
        pl.col("hardware").is_not_null() & pl.col("units").str.contains(r"^\d+$"))
    own = pl.read_csv(HERE / "sm_count.csv", infer_schema_length=0)
    both = pl.concat([kernels.select("hardware", "units", "source_url"), own.select("hardware", "units", "source_url")])
    return both.unique("hardware", keep="first", maintain_order=True).select(
        pl.col("hardware").alias("name"), pl.col("units").cast(pl.Int64).alias("sm_count"),
        pl.col("source_url").alias("sm_count_source_url"))


def with_sm_counts(hardware: pl.DataFrame) -> pl.DataFrame:
    clocked = hardware.filter(pl.col("sm_clock_hz").is_not_null())["name"].to_list()
    found = sources().filter(pl.col("name").is_in(clocked))
    missing = sorted(set(clocked) - set(found["name"]))
    if missing:
        raise ValueError(f"hardware: no SM count with a source for the SM-clocked parts {missing} (column sm_count)")
    differ = {n: (c, ss.SM_OPS.get(n, (None,))[0]) for n, c in found.select("name", "sm_count").iter_rows()
              if ss.SM_OPS.get(n, (None,))[0] != c}
    if differ:
        raise ValueError(f"hardware: SM count (source, clock's SMs) differ for {differ} (column sm_count)")
    out = hardware.drop("sm_count", "sm_count_source_url", strict=False).join(
        found, on="name", how="left", maintain_order="left")
    return out.select(*(c for c in hardware.columns if c in out.columns), *(c for c in found.columns
                                                                            if c not in hardware.columns))


def main(registry: Path) -> None:
    before = read_catalog("hardware", registry)
    after = with_sm_counts(before)
    if not after.equals(before):
        print(write_catalog(after, "hardware", registry, source=f"{registry}/hardware.parquet (r-accwire3)"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
