"""Replay r-bertev onto a registry's measurements catalog (the bundled one by default): every MLPerf BERT training
row whose log separates the evaluation gets a training-only `value`, re-derived from its own log's timestamps, and a
`source_location` saying how; its notes get the derivation (the log lines and the run_pretraining.py lines that
define the interval) once. The rows whose log cannot separate it keep their value, with a note saying why.

NVIDIA's run_pretraining.py logs each `tracked_stats` throughput as the samples trained since the previous one over
the time since the previous one, and resets that clock before it runs the evaluation (code.csv's lines: e.g.
training_results_v5.0 NVIDIA/benchmarks/bert/implementations/tyche_ngpu512_ngc25.04_pytorch/run_pretraining.py lines
2014-2019, then EVAL_START at 2025): every interval after the first holds the previous evaluation. Per interval
(intervals.csv, extract.py reads it from the log): samples = epoch_num - the previous one's, its time = samples /
the logged throughput (the code's own arithmetic inverted), it ends at the line's time_ms; the eval_start..eval_stop
time inside it (evals.csv) is taken out: training-only = samples / (time - evaluation inside). The row's value is
the median over the intervals (the catalog's rows are medians of the logged values; the last, whole-run
tracked_stats after run_stop is not an interval and is left out). Only these rows' value, source_location and
notes are written; a second run changes nothing.

    .venv/bin/python registry_data/research/r-bertev/apply.py [REGISTRY]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
# r-cfgs' replay, by path: one implementation of setting a folder's cells and appending their notes once
_spec = importlib.util.spec_from_file_location("r_cfgs_apply_bertev", HERE.parent / "r-cfgs" / "apply.py")
cfgs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cfgs)


def per_interval(folder: Path = HERE) -> pl.DataFrame:
    """One row per per-evaluation tracked_stats interval: its samples, time (ms), the evaluation time inside it (ms)
    and the training-only throughput (samples/s)."""
    iv = pl.read_csv(folder / "intervals.csv").sort("name", "line").with_columns(
        (pl.col("epoch_num") - pl.col("epoch_num").shift(1).over("name").fill_null(0)).alias("samples"))
    iv = iv.with_columns((pl.col("samples") / pl.col("throughput") * 1e3).alias("interval_ms"))
    iv = iv.with_columns((pl.col("time_ms") - pl.col("interval_ms")).alias("start"))
    ev = pl.read_csv(folder / "evals.csv")
    overlap = (pl.min_horizontal("stop_ms", "time_ms") - pl.max_horizontal("start_ms", "start")).clip(lower_bound=0)
    inside = iv.join(ev, on="name").group_by("name", "line").agg(overlap.sum().alias("eval_ms"))
    return iv.join(inside, on=["name", "line"], how="left").with_columns(pl.col("eval_ms").fill_null(0.0)).with_columns(
        (pl.col("samples") / ((pl.col("interval_ms") - pl.col("eval_ms")) / 1e3)).alias("train_only"))


def per_row(folder: Path = HERE) -> pl.DataFrame:
    """Per row with per-evaluation intervals: the training-only median (the new value, rounded to 0.01 samples/s as
    the catalog's values are), the logged median, the intervals' count and log lines, the evaluation's share."""
    return per_interval(folder).group_by("name", maintain_order=True).agg(
        pl.col("train_only").median().round(2).alias("value"), pl.col("throughput").median().alias("logged"),
        pl.col("train_only").min().alias("low"), pl.col("train_only").max().alias("high"), pl.len().alias("n"),
        pl.col("line").min().alias("first"), pl.col("line").max().alias("last"),
        (pl.col("eval_ms").sum() / pl.col("interval_ms").sum() * 100).alias("eval_pct"))


def cells(registry: Path = REGISTRY, folder: Path = HERE) -> pl.DataFrame:
    """The cells to set on ``registry``'s rows (name, column, value as text), the row's note on its value cell (a
    `notes` cell with no value: the note only)."""
    code = pl.read_csv(folder / "code.csv")
    rows = pl.read_parquet(registry / "measurements.parquet", columns=["name", "source_url"])
    url = pl.format("https://github.com/{}/blob/{}/{}", "code_repository", "code_commit", "code_path")
    measured = per_row(folder).join(code, on="name").join(rows, on="name").with_columns(
        pl.col("source_url").str.extract(r"/blob/[0-9a-f]{40}/(.+)$", 1).alias("log"))
    fmt = {k: pl.col(k).round(1) for k in ("logged", "low", "high", "eval_pct")}
    value_note = pl.format(
        "[value = {} samples/s, training only (r-bertev): the median over the {} per-evaluation tracked_stats of "
        "{}#L{}-L{} of each interval's samples over its time less the eval_start..eval_stop time inside it "
        "({} % of the intervals' time); {}#L{}-L{} times each tracked_stats from the previous one and resets that "
        "clock before the evaluation (#L{}), so every interval after the first held the previous evaluation; the "
        "median of the logged values, evaluation included, is {}]",
        "value", "n", "source_url", "first", "last", fmt["eval_pct"], url, "code_clock", "code_tracked_stats",
        "code_eval_start", fmt["logged"])
    location = pl.format(
        "{}: median of {} per-evaluation 'tracked_stats' intervals (lines {}-{}), each as samples / (interval - the "
        "eval_start..eval_stop time inside it): training-only throughput (samples/s; min {}, max {}; logged median, "
        "evaluation included, {}) (r-bertev)", "log", "n", "first", "last", fmt["low"], fmt["high"], fmt["logged"])
    set_ = measured.select("name", pl.lit("value").alias("column"), pl.col("value").cast(pl.String),
                           value_note.alias("note"))
    located = measured.select("name", pl.lit("source_location").alias("column"), location.alias("value"),
                              pl.lit(None, pl.String).alias("note"))
    kept = code.filter(pl.col("kind") == "whole-run").select(
        "name", pl.lit("notes").alias("column"), pl.lit(None, pl.String).alias("value"), pl.format(
            "[value unchanged (r-bertev): the log holds one tracked_stats only, the whole run's samples over the time "
            "since run_start ({}#L{}-L{}), and no eval_start / eval_stop, so the evaluations inside it cannot be taken "
            "out: it measures training plus evaluation]", url, pl.col("code_final") - 2, "code_final").alias("note"))
    return pl.concat([set_, located, kept])


def apply(registry: Path = REGISTRY, folder: Path = HERE) -> int:
    """Replay the cells onto ``registry``'s measurements (read as the catalog loads it); the cells set."""
    path = registry / "measurements.parquet"
    c = cells(registry, folder)
    frame = cfgs.replayed(read_catalog("measurements", registry), c, ("value", "source_location"), None, folder)
    write_catalog(frame, "measurements", registry, source=f"{path} after r-bertev/apply.py")
    return c.filter(pl.col("value").is_not_null()).height


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
