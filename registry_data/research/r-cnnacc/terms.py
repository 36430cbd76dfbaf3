"""The predicted step of each CNN offline / server samples_per_s row split into its terms (r-cnnacc README), at the
batch the validation picked (``batch_used``), per GPU, through the package (``api.evaluate``, int8, TensorRT):

    .venv/bin/python registry_data/research/r-cnnacc/terms.py RUN_DIR

Columns: the form ("convs": ``conv_compute_time_s`` not null, the conv-by-conv step of ``pipeline.walls.graph_convs``;
else the flat-η roofline), the step's terms in ms - the convs' part that scales as 1 / peak (``conv_peak_time_s``:
FLOPs at the GEMM model's η with no tile fixed time, wave quantization included) and as 1 / the SM clock
(``conv_clock_time_s``: the tiles' fixed time, ``graph_convs.TILE_FIXED_CYCLES``), the convs where their own memory
binds (``conv_compute_time_s`` less those two), the step's memory time, and the rest of
the latency (the kernels' alpha, ``graph_latency.KERNEL_FIXED_CYCLES`` each, and one launch; in the flat form, the
compute at the profile η) - the model's per-GPU rate and the measured one (system rate / devices), and the median
signed error of the validation rows of that model, part and scenario. Nothing fitted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline import api

TERMS = {"conv_peak_time_s": "convs@peak ms", "conv_clock_time_s": "convs tile-fixed ms",
         "memory_time_s": "memory ms", "latency_s": "latency ms"}


def groups(run: Path) -> pl.DataFrame:
    path = sorted(run.glob("validation/*/validation.parquet"))[-1]
    rows = pl.read_parquet(path).filter(
        (pl.col("metric") == "samples_per_s") & pl.col("model").is_in(["ResNet-50", "RetinaNet"])
        & pl.col("scenario").is_in(["offline", "server"]) & pl.col("predicted").is_not_null())
    return rows.group_by("model", "hardware", "scenario", "batch_used").agg(
        pl.len().alias("rows"), (pl.col("measured") / pl.col("devices")).median().alias("measured_per_gpu"),
        pl.col("error_pct").median().alias("error_pct")).sort("model", "hardware", "scenario")


def main(run: Path) -> None:
    out = []
    for g in groups(run).iter_rows(named=True):
        row = api.evaluate(g["model"], g["hardware"], batch=int(g["batch_used"]), compute_dtype="int8",
                           framework="TensorRT").row(0, named=True)
        terms = {name: (row.get(t) or 0.0) * 1e3 for t, name in TERMS.items()}
        convs = row["conv_compute_time_s"] is not None
        rest = row["latency_s"] - max(row["conv_compute_time_s"] if convs else 0.0, row["memory_time_s"])
        bound = (row["conv_compute_time_s"] - row["conv_peak_time_s"] - row["conv_clock_time_s"]) if convs else 0.0
        out.append({**{k: g[k] for k in ("model", "hardware", "scenario", "rows")}, "batch": int(g["batch_used"]),
                    "form": "convs" if convs else "flat η", **{k: round(v, 2) for k, v in terms.items()},
                    "convs memory-bound ms": round(bound * 1e3, 2), "rest ms": round(rest * 1e3, 2),
                    "model/GPU": round(g["batch_used"] / row["latency_s"], 1),
                    "measured/GPU": round(g["measured_per_gpu"], 1), "median err %": round(g["error_pct"], 1)})
    print("| " + " | ".join(out[0]) + " |")
    print("|" + "---|" * len(out[0]))
    for r in out:
        print("| " + " | ".join(str(v) for v in r.values()) + " |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
