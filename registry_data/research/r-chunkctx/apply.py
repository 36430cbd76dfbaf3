"""Replay r-chunkctx onto a registry's measurements catalog (the bundled one by default): the runtime token budget
of patches.csv (``find_budgets.py``; the ``max_num_tokens`` column added as nulls first when missing, each value's
config line appended to the row's notes once, r-feas/apply.py's procedure) with last_verified set to the day the
configs were read, and the layout of the two v5.0 Llama 3.1 405B Server runs whose rate matches NVIDIA's config
(r-srvpart/state_layouts.py's rows for B200 x8 and GB200 NVL72 x72; its H200 x8 row is left unstated: the config's
server_target_qps 0.42 is not the log's 0.45). A second run changes nothing. From the repository root:

    .venv/bin/python registry_data/research/r-chunkctx/apply.py [REGISTRY]
"""

from __future__ import annotations

import csv
import datetime as dt
import runpy
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

HERE = Path(__file__).parent
RESEARCH = HERE.parent
VERIFIED = dt.date(2026, 12, 6)  # the day the configs were read (mlcommons/inference_results_v5.1 @965182b0)
UNMATCHED = "h200-sxm-141gbx8_trt"  # r-srvpart's third layout: its config's rate is not the run's


def layouts(registry: Path) -> int:
    """r-srvpart's v5.0 405B Server layouts for the rate-matched runs (B200 x8, GB200 NVL72 x72)."""
    stated = runpy.run_path(str(RESEARCH / "r-srvpart" / "state_layouts.py"))["stated"]
    frame = pl.read_parquet(registry / "measurements.parquet")
    keep = pl.col("name").str.contains(UNMATCHED, literal=True)
    given, _ = stated(frame)
    given = given.with_columns(pl.when(keep).then(frame[c]).otherwise(pl.col(c)).alias(c)
                               for c in ("tp", "pp", "batch", "notes"))
    moved = (given.select("tp", "pp", "batch", "notes").fill_null(-1).cast(pl.String)
             != frame.select("tp", "pp", "batch", "notes").fill_null(-1).cast(pl.String)).select(
        pl.any_horizontal(pl.all()).sum()).item()
    write_catalog(given, "measurements", registry, source="r-chunkctx/apply.py (r-srvpart/state_layouts.py)")
    return moved


def main(registry: Path) -> None:
    apply = runpy.run_path(str(RESEARCH / "r-feas" / "apply.py"))["apply"]
    print(apply(registry, HERE, {"max_num_tokens": pl.Int64}), "budgets replayed")
    with open(HERE / "patches.csv", newline="") as f:
        names = [p["name"] for p in csv.DictReader(f)]
    frame = pl.read_parquet(registry / "measurements.parquet")
    frame = frame.with_columns(pl.when(pl.col("name").is_in(names)).then(pl.lit(VERIFIED))
                               .otherwise(pl.col("last_verified")).alias("last_verified"))
    write_catalog(frame, "measurements", registry, source="r-chunkctx/apply.py (last_verified)")
    print(layouts(registry), "rows given their config's layout")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else RESEARCH.parent)
