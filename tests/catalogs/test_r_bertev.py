"""registry_data/research/r-bertev: the MLPerf BERT training rows hold training-only throughput, re-derived from each
run's own log (the evaluation inside every logged tracked_stats interval taken out); the three rows whose log cannot
separate it keep their value and say why; the replay restores the cells and a second run changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-bertev"
REGISTRY = HERE.parent.parent
GB200_512 = "mlperf-train-v5.0-nvidia-tyche-ngpu512-ngc25.04-pytorch-bert-throughput"
# the logs whose only tracked_stats is the whole run's (run_pretraining.py of NGC 23.04, line 1980): value as logged
WHOLE_RUN = {"mlperf-train-v4.1-nvidia-eos-n8-ngc23.04-pytorch-bert-throughput": 53540.83,
             "mlperf-train-v4.1-nvidia-eos-ngc23.04-pytorch-bert-throughput": 7759.98,
             "mlperf-train-v3.1-dell-xe8640x4h100-sxm-80gb-bert-throughput": 4140.84}


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_bertev_apply")


def bert_rows() -> pl.DataFrame:
    return pl.read_parquet(REGISTRY / "measurements.parquet").filter(
        pl.col("model").eq("BERT-Large") & pl.col("metric").eq("samples_per_s")
        & pl.col("name").str.starts_with("mlperf-train"))


def test_an_interval_by_hand(apply):
    """training_results_v5.0 NVIDIA/results/tyche_ngpu512_ngc25.04_pytorch/bert/result_0.txt: tracked_stats at line
    1065 (time_ms 1746118571596, epoch_num 229494), eval_start 1066 (..571598), eval_stop 1067 (..571817), tracked_stats
    1069 (..572819, epoch_num 450430, throughput 180703.8332772375). The second interval: 220,936 samples over
    220936 / 180703.83 = 1.22264 s, of which the evaluation took 0.219 s: 220936 / 1.00364 = 220,134.4 samples/s.
    The first holds no evaluation: its value as logged."""
    iv = apply.per_interval().filter(pl.col("name") == GB200_512).sort("line")
    first, second = iv.row(0, named=True), iv.row(1, named=True)
    assert (first["line"], first["time_ms"], first["epoch_num"]) == (1065, 1746118571596, 229494)
    assert (second["line"], second["time_ms"], second["epoch_num"]) == (1069, 1746118572819, 450430)
    assert first["eval_ms"] == 0 and first["train_only"] == pytest.approx(172711.98744718748, rel=1e-12)
    assert second["samples"] == 220936 and second["eval_ms"] == pytest.approx(219, abs=1e-6)
    assert second["train_only"] == pytest.approx(220134.39, rel=1e-7)


def test_every_interval_after_the_first_holds_one_whole_evaluation(apply):
    """The log's own timestamps agree with the code (extract.py checks each interval starts within 2 ms of the
    previous tracked_stats): each per-row first interval has no evaluation, every later one exactly one, wholly."""
    iv = apply.per_interval()
    ev = pl.read_csv(HERE / "evals.csv").with_columns((pl.col("stop_ms") - pl.col("start_ms")).alias("took"))
    firsts = iv.group_by("name").agg(pl.col("line").min())
    later = iv.join(firsts, on=["name", "line"], how="anti")
    assert iv.join(firsts, on=["name", "line"])["eval_ms"].max() == 0
    held = later.join(ev, on="name").filter((pl.col("start_ms") >= pl.col("start") - 1)
                                            & (pl.col("stop_ms") <= pl.col("time_ms")))
    assert held.group_by("name", "line").len()["len"].max() == 1 and held.height == later.height
    assert (held["eval_ms"] - held["took"]).abs().max() < 1  # ms: the whole evaluation, to the log's rounding


def test_each_log_is_read_by_its_own_code():
    """code.csv: every BERT training row's log names the run_pretraining.py lines it came from, and a published copy
    has them: per-evaluation rows read the clock 5 lines before the tracked_stats event and evaluate after it; the
    whole-run rows are the three NGC 23.04 logs."""
    code = pl.read_csv(HERE / "code.csv")
    assert set(code["name"]) == set(bert_rows()["name"]) and code.height == 34
    per_eval = code.filter(pl.col("kind") == "per-eval")
    assert (per_eval["code_tracked_stats"] - per_eval["code_clock"] == 5).all()
    assert (per_eval["code_eval_start"] > per_eval["code_tracked_stats"]).all()
    assert set(code.filter(pl.col("kind") == "whole-run")["name"]) == set(WHOLE_RUN)
    assert set(per_eval["log_tracked_stats"]) == {"1850 2035", "1849 2028", "1908 2093", "1946 2131", "2019 2207"}


def test_the_rows_hold_the_training_only_median(apply):
    rows = bert_rows()
    derived = apply.per_row().join(rows.select("name", "value", "notes", "source_location"), on="name",
                                   suffix="_row")
    assert derived.height == 31 and (derived["value"] == derived["value_row"]).all()
    assert (derived["value"] > derived["logged"]).all()  # taking time out can only raise a rate
    assert derived["notes"].str.count_matches(r"\[value = [0-9.]+ samples/s, training only \(r-bertev\)").eq(1).all()
    assert derived["source_location"].str.ends_with("(r-bertev)").all()
    kept = rows.filter(pl.col("name").is_in(list(WHOLE_RUN)))
    assert dict(zip(kept["name"], kept["value"])) == WHOLE_RUN
    assert kept["notes"].str.count_matches("value unchanged (r-bertev)", literal=True).eq(1).all()


def test_replay_restores_the_cells_and_a_second_run_changes_nothing(apply, tmp_path):
    shutil.copy(REGISTRY / "measurements.parquet", tmp_path / "measurements.parquet")
    bundled = read_catalog("measurements", tmp_path)
    notes = apply.cells(tmp_path).filter(pl.col("note").is_not_null()).select("name", "note")
    assert notes.height == 34
    derived = pl.col("name").is_in(apply.per_row()["name"].to_list())
    undone = bundled.join(notes, on="name", how="left").with_columns(
        pl.when(derived).then(pl.col("value") * 0.95).otherwise(pl.col("value")).alias("value"),
        pl.when(derived).then(pl.lit("x")).otherwise(pl.col("source_location")).alias("source_location"),
        pl.when(pl.col("note").is_not_null())
        .then(pl.col("notes").str.strip_suffix(pl.lit(" ") + pl.col("note")))
        .otherwise(pl.col("notes")).alias("notes")).select(bundled.columns)
    assert not undone["notes"].str.contains("(r-bertev)", literal=True).any()
    write_catalog(undone, "measurements", tmp_path)
    assert not read_catalog("measurements", tmp_path).equals(bundled)
    for _ in range(2):
        assert apply.apply(tmp_path) == 62
        assert read_catalog("measurements", tmp_path).equals(bundled)
