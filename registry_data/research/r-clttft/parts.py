"""The model's closed-loop TTFT parts for r-infx's rows (infx-dsr1-*): the catalog's predict() on the bundled
registry, with the evaluated frame of each serving group kept (two wrappers around pipeline.validation.predict's
``columns_read`` / ``picked``: read-only, nothing written to the package). Per row at its catalog eta (the eta the
validation table's row was picked at): users per replica c, the decode iteration d (load_round_s), rho
(prefill_utilization), the prompt's own prefill tau_p (prefill_time_one_request_s), chunks n, and the model's TTFT,
split as closed_loop_ttft: wait = busy d / (1 - rho), own chunks' decode = busy n d, prefill = tau_p, others'
prompts = n rho d / (1 - rho).

    .venv/bin/python registry_data/research/r-clttft/parts.py OUT.parquet
"""

from __future__ import annotations

import importlib
import sys

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements

EXTRA = ["closed_loop_users_per_replica", "prefill_utilization", "prefill_time_one_request_s",
         "prefill_chunk_iterations", "closed_loop_ttft_mean_s", "closed_loop_saturated"]
predict_module = importlib.import_module("pipeline.validation.predict")


def with_parts(rows: pl.DataFrame, catalogs, extra: list[str], breakdown_of, kept: list[str]):
    """``errors(rows, predict(rows, catalogs))`` and, for each serving group under a concurrency, its ``kept`` columns
    beside ``measurement``, ``eta_compute`` and ``batch``: ``predict``'s columns read gain ``extra`` and the serving
    study is built with ``breakdown_of(serving.BREAKDOWN)`` as its breakdown columns (r-h2itl's parts.py uses it
    too)."""
    frames: list[pl.DataFrame] = []
    columns_read, picked = predict_module.columns_read, predict_module.picked

    def more_columns(study, columns, axes, stated=None):
        read = columns_read(study, columns, axes, stated)
        return read + ([c for c in extra if c not in read] if "concurrency" in axes else [])

    def keep(study, out, *args, **kw):
        if study == "serving" and "concurrency" in out.columns and out["concurrency"].is_not_null().any():
            frames.append(out.select("measurement", "eta_compute", "batch", *[c for c in kept if c in out.columns]))
        return picked(study, out, *args, **kw)

    predict_module.columns_read, predict_module.picked = more_columns, keep
    serving = importlib.import_module("pipeline.studies.serving")
    build = serving.build

    def build_with_parts(space, hardware_side=None, breakdown=False, **kw):
        if not serving.is_under_load(space) or "concurrency" not in space.configurations.columns:
            return build(space, hardware_side, breakdown, **kw)
        kept_breakdown = serving.BREAKDOWN
        serving.BREAKDOWN = breakdown_of(kept_breakdown)  # the 'breakdown' columns: the parts
        try:
            return build(space, hardware_side, True, **kw)
        finally:
            serving.BREAKDOWN = kept_breakdown

    serving.build = build_with_parts
    serving.serving_checked.checked = lambda *a, **k: None  # the check knows the study's own breakdown only
    try:
        table = errors(rows, predict(rows, catalogs))
    finally:
        predict_module.columns_read, predict_module.picked, serving.build = columns_read, picked, build
    return table, pl.concat(frames, how="diagonal_relaxed")


def main(out_path: str) -> None:
    catalogs = load_catalogs()
    rows = read_measurements(None, catalogs).rows
    table, kept = with_parts(rows, catalogs, EXTRA, lambda _: EXTRA, [*EXTRA, "utilization"])
    infx = rows.with_row_index("measurement").select("measurement", "name").filter(
        pl.col("name").str.starts_with("infx-dsr1-"))
    chosen = table.filter(pl.col("name").str.starts_with("infx-dsr1-")).select(
        "name", "metric", "measured", "predicted", "error_pct", "eta_compute", "batch_used")
    kept = kept.join(infx, on="measurement")
    kept = kept.with_columns(pl.col(c).cast(pl.Float64) for c in kept.columns
                             if c not in ("measurement", "name", "closed_loop_saturated"))
    frame = chosen.join(kept.drop("measurement"), on=["name", "eta_compute"], how="left")
    frame.write_parquet(out_path)
    print(frame.height, "rows;", frame.filter(pl.col("prefill_time_one_request_s").is_null()).height, "without parts")


if __name__ == "__main__":
    main(sys.argv[1])
