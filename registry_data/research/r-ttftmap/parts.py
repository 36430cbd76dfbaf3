"""The model's TTFT parts for every predicted serving row under load (a request rate or a concurrency): the catalog's
own predict() on the bundled registry, as `mlsys validate` runs it, with wall 7's intermediate columns kept (two
read-only wrappers around pipeline.validation.predict's ``columns_read`` / ``picked``, as r-clttft's parts.py;
nothing is written to the package).

    .venv/bin/python registry_data/research/r-ttftmap/parts.py OUT.parquet

Columns kept (where the group's plan has them): tau_p ``prefill_time_one_request_s``; d ``load_round_s`` (a decode
pass at the batch in flight plus the scheduler's overhead); rho ``prefill_utilization``; the shares of arrivals that
find the replica idle / in a decode-only iteration / in an iteration carrying prefill; E[Y] ``ttft_excess_mean_s``
(residual of that iteration and the prompts that arrived meanwhile); the multi-step / attention-DP block wait
``scheduler_block_wait_s``; the decode pass alone ``itl_at_load_s``; the batch in flight, TPOT, capacity; and the
closed loop's ``closed_loop_ttft_mean_s`` / ``prefill_chunk_iterations``."""

from __future__ import annotations

import importlib
import sys

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements

EXTRA = ["prefill_time_one_request_s", "load_round_s", "itl_at_load_s", "prefill_utilization", "load_idle_share",
         "load_decode_only_share", "load_carrying_share", "ttft_excess_mean_s", "scheduler_block_wait_s",
         "scheduler_overhead_per_iteration_s", "request_rate_per_replica", "batch_in_flight", "tpot_under_load_s",
         "capacity_requests_per_s", "closed_loop_ttft_mean_s", "prefill_chunk_iterations", "ttft_p50_s", "ttft_mean_s",
         "replicas", "tp", "ep"]
predict_module = importlib.import_module("pipeline.validation.predict")


def with_parts(rows: pl.DataFrame, catalogs) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``errors(rows, predict(rows, catalogs))`` and each serving group's EXTRA columns (where its plan has them)
    beside ``measurement``, ``eta_compute`` and ``batch``."""
    frames: list[pl.DataFrame] = []
    columns_read, picked = predict_module.columns_read, predict_module.picked

    def more_columns(study, columns, axes, stated=None):
        read = columns_read(study, columns, axes, stated)
        if study != "serving" or not ({"request_rate", "concurrency"} & set(axes)):
            return read
        return read + [c for c in EXTRA if c in columns and c not in read]

    def keep(study, out, *args, **kw):
        if study == "serving" and "prefill_time_one_request_s" in out.columns:
            frames.append(out.select("measurement", "eta_compute", "batch", *[c for c in EXTRA if c in out.columns]))
        return picked(study, out, *args, **kw)

    predict_module.columns_read, predict_module.picked = more_columns, keep
    serving = importlib.import_module("pipeline.studies.serving")
    build, checked = serving.build, serving.serving_checked.checked

    def build_with_parts(space, hardware_side=None, breakdown=False, **kw):
        return build(space, hardware_side, breakdown or serving.is_under_load(space), **kw)

    # the study's 'breakdown' columns are the parts for the whole run (r-clttft's parts.py swaps them per build;
    # groups run on two threads, so here once, before predict starts them)
    kept_breakdown = serving.BREAKDOWN
    serving.BREAKDOWN = [c for c in EXTRA if c not in serving.OUTPUTS]
    serving.build = build_with_parts
    serving.serving_checked.checked = lambda *a, **k: None  # the check knows the study's own breakdown only
    try:
        table = errors(rows, predict(rows, catalogs))
    finally:
        predict_module.columns_read, predict_module.picked, serving.build = columns_read, picked, build
        serving.BREAKDOWN = kept_breakdown
        serving.serving_checked.checked = checked
    return table, pl.concat(frames, how="diagonal_relaxed")


def main(out_path: str) -> None:
    catalogs = load_catalogs()
    rows = read_measurements(None, catalogs).rows
    table, kept = with_parts(rows, catalogs)
    names = rows.with_row_index("measurement").select("measurement", "name")
    kept = kept.join(names, on="measurement").drop("measurement")
    kept = kept.with_columns(pl.col(c).cast(pl.Float64) for c in kept.columns if c not in ("name",))
    chosen = table.filter(pl.col("metric").is_in(["ttft_s", "itl_s"]), pl.col("predicted").is_not_null()).select(
        "line", "name", "metric", "statistic", "measured", "predicted", "error_pct", "eta_compute", "batch_used")
    frame = chosen.join(kept.rename({"batch": "batch_used"}), on=["name", "eta_compute", "batch_used"], how="left")
    frame.write_parquet(out_path)
    ttft = frame.filter(pl.col("metric") == "ttft_s")
    print(frame.height, "rows;", ttft.height, "ttft_s rows;",
          ttft.filter(pl.col("prefill_time_one_request_s").is_null()).height, "ttft_s rows without parts")


if __name__ == "__main__":
    main(sys.argv[1])
