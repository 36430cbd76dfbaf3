"""Energy per image at the board's TDP, measured and as the model prices it: TDP (hardware catalog) x per-image time
per GPU of the MLPerf Offline samples_per_s rows of RetinaNet and ResNet-50 (int8, TensorRT), measured (devices /
value) and predicted (devices / predicted), from a ``mlsys validate --out DIR`` run. A board at its power cap cannot
run an image in less than its energy per image / TDP; parts on one process node (TSMC 4N: H100, H200, L4, L40S) run
int8 at a similar energy per operation. Nothing fitted; nothing written. Usage:

    .venv/bin/python registry_data/research/r-adaconv/energy.py /tmp/adaconv-val0
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl


def main(run: str) -> None:
    path = sorted(Path(run).glob("validation/*/validation.parquet"))[-1]
    hardware = pl.read_parquet(Path(__file__).resolve().parents[2] / "hardware.parquet").select(
        pl.col("name").alias("hardware"), "tdp_w")
    rows = (pl.read_parquet(path)
            .filter((pl.col("study") == "node") & (pl.col("metric") == "samples_per_s")
                    & (pl.col("scenario") == "offline") & pl.col("model").is_in(["RetinaNet", "ResNet-50"])
                    & pl.col("predicted").is_not_null())
            .join(hardware, on="hardware", how="left")
            .with_columns((pl.col("tdp_w") * pl.col("devices") / pl.col("measured")).alias("measured_j"),
                          (pl.col("tdp_w") * pl.col("devices") / pl.col("predicted")).alias("predicted_j"))
            .group_by("model", "hardware", "tdp_w")
            .agg(pl.len().alias("rows"), pl.col("measured_j").median(), pl.col("predicted_j").median())
            .sort("model", "measured_j"))
    print("| model | part | TDP W | rows | measured J / image at TDP | model J / image at TDP | model / measured |")
    print("|---|---|---|---|---|---|---|")
    for r in rows.iter_rows(named=True):
        print(f"| {r['model']} | {r['hardware']} | {r['tdp_w']:.0f} | {r['rows']} | {r['measured_j']:.4f} | "
              f"{r['predicted_j']:.4f} | {r['predicted_j'] / r['measured_j']:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1])
