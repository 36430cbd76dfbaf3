"""Per-row breakdown of the node study's data-parallel training rows (r-scale README section 1).

Usage: .venv/bin/python registry_data/research/r-scale/breakdown.py [model-substring]
Predicts every node-study training row of the measurements catalog (samples_per_s) at catalog eta, one spec per
row as `mlsys validate` builds it (pipeline.validation.predict.measurement_spec, dataset_length), and prints the
step's terms: compute, memory, element-wise (with the optimizer), launch, gradient all-reduce and exposed time.
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline.api import sweep
from pipeline.catalogs.load import load_catalogs
from pipeline.validation.measurements import read_measurements
from pipeline.validation.predict import dataset_length, measurement_spec

TERMS = ["compute_time_s", "memory_time_s", "elementwise_time_s", "launch_overhead_s", "gradient_allreduce_time_s",
         "gradient_exposed_time_s", "latency_s"]


def rows(pattern: str) -> pl.DataFrame:
    catalogs = load_catalogs(None)
    measured = read_measurements(None, catalogs).rows
    measured = measured.filter((pl.col("study") == "node") & (pl.col("scenario") == "training")
                               & (pl.col("metric") == "samples_per_s") & pl.col("model").str.contains(pattern))
    means = {n: m for n, m in catalogs.workloads.select("name", "input_tokens_mean").iter_rows() if m is not None}
    out = []
    for r in measured.iter_rows(named=True):
        spec, reason = measurement_spec(r)
        if spec is None:
            print(r["line"], reason)
            continue
        frame = sweep(dataset_length(spec, r, means))
        frame = frame.filter(pl.col("step") == "train")
        got = frame.select(*TERMS, "samples_per_s").row(0, named=True)
        latency = got["latency_s"]
        out.append({"line": r["line"], "model": r["model"], "hw": r["hardware"][:8], "dev": r["devices"],
                    "b/gpu": r["batch"] // r["devices"], **{k.replace("_time_s", "").replace("_s", ""): v * 1e3
                                                            for k, v in got.items() if k != "samples_per_s"},
                    "meas_ms": r["batch"] // r["devices"] / r["value"] * r["devices"] * 1e3,
                    "err_%": (got["samples_per_s"] * r["devices"] / r["value"] - 1) * 100 if latency else None})
    return pl.DataFrame(out)


if __name__ == "__main__":
    pl.Config.set_tbl_cols(30)
    pl.Config.set_tbl_rows(200)
    pl.Config.set_tbl_width_chars(250)
    pl.Config.set_float_precision(3)
    print(rows(sys.argv[1] if len(sys.argv) > 1 else "").sort("model", "hw", "dev"))
