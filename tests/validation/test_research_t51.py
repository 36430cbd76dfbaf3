"""registry_data/research/r-t51/add_rows.py: the MLPerf Training v5.1 rows it selects by its README's rule append to
a copy of the catalog with none of them (whatever other rows the catalog holds), a second run changes nothing, and
every row is cited to a pinned results file and states no precision its config does not."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import polars as pl

import pipeline
from pipeline.catalogs.io import read_catalog, write_catalog

ROOT = Path(pipeline.__file__).parent.parent / "registry_data"
HERE = ROOT / "research" / "r-t51"
PINNED = "https://github.com/mlcommons/training_results_v5.1/blob/4da2d1cd71eb30c855dad12712480ae5ac90dd89/"


def _module():
    spec = importlib.util.spec_from_file_location("add_rows_t51", HERE / "add_rows.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _without_v51(tmp_path: Path) -> pl.DataFrame:
    for table in ("measurements", "clusters"):
        shutil.copy(ROOT / f"{table}.parquet", tmp_path / f"{table}.parquet")
    rows = read_catalog("measurements", tmp_path)
    kept = rows.filter(~pl.col("source_url").str.contains("training_results_v5.1/", literal=True))
    write_catalog(kept, "measurements", tmp_path)
    return kept


def test_the_rows_append_once_and_a_second_run_changes_nothing(tmp_path):
    module = _module()
    before = _without_v51(tmp_path)
    added = module.apply(tmp_path)
    once = pl.read_parquet(tmp_path / "measurements.parquet")
    assert added > 0 and once.height == before.height + added
    assert module.apply(tmp_path) == 0
    assert pl.read_parquet(tmp_path / "measurements.parquet").equals(once)
    # the committed catalog holds exactly the rows the script appends
    committed = pl.read_parquet(ROOT / "measurements.parquet")
    new = once.filter(pl.col("source_url").str.contains("training_results_v5.1/", literal=True))
    in_catalog = committed.filter(pl.col("source_url").str.contains("training_results_v5.1/", literal=True))
    assert set(new["name"]) == set(in_catalog["name"])


def test_every_row_is_cited_and_states_a_configured_precision():
    parsed = pl.read_csv(HERE / "parsed.csv", infer_schema_length=None)
    rows = pl.read_parquet(ROOT / "measurements.parquet").filter(
        pl.col("source_url").str.contains("training_results_v5.1/", literal=True))
    assert 0 < rows.height <= _module().CAP
    for r in rows.iter_rows(named=True):
        assert r["source_url"].startswith(PINNED) and r["source_url"].endswith("/result_0.txt"), r["name"]
        assert r["source_location"].startswith(r["source_url"].removeprefix(PINNED)), r["name"]
        assert str(r["last_verified"]) == "2026-12-06"
        assert r["compute_dtype"] in ("fp8", "fp4") and f"Precision {r['compute_dtype']}: " in r["notes"], r["name"]
    # one row per configuration, the vendors' own submissions kept where a partner ran the same one
    assert rows.select(_module().KEY).is_unique().all()
    vendor_keys = parsed.filter(pl.col("vendor") & pl.col("compute_dtype").is_not_null()).select(_module().KEY)
    kept = rows.join(vendor_keys, on=_module().KEY, how="semi", nulls_equal=True)
    assert kept["name"].str.contains(r"-(nvidia|amd)-").all()


def test_a_republished_log_is_not_a_new_row():
    """Nebius's v5.1 H200 Llama 3.1 405B logs give the step times of its v5.0 rows (25.3549 s on 1024 GPUs,
    50.0153 s on 512): the earlier rows stand, no v5.1 copy is added."""
    rows = pl.read_parquet(ROOT / "measurements.parquet").filter(
        (pl.col("model") == "Llama 3.1 405B") & (pl.col("hardware") == "H200 SXM 141GB")
        & pl.col("value").is_in([25.3549, 50.0153]))
    assert rows.height == 2 and rows["name"].str.starts_with("mlperf-train-v5.0-").all()


def test_the_8b_layout_gives_the_logged_batch():
    """NVIDIA GB200 x8 Llama 3.1 8B: TP 1, PP 1, CP 1 and micro batch 2 (config_GB200_2x4x2xtp1pp1cp1_8b_fp4.sh
    lines 8, 10, 12, 15) on 8 GPUs: 8 data-parallel ranks x 2 sequences = the logged global_batch_size 16 (the log
    states gradient_accumulation_steps 1.0)."""
    row = pl.read_parquet(ROOT / "measurements.parquet").filter(
        pl.col("name") == "mlperf-train-v5.1-nvidia-tyche-ngpu8-ngc25.09-nemo-llama31-8b-step").row(0, named=True)
    dp = row["devices"] // (row["tp"] * row["pp"] * row["cp"])
    assert dp * row["microbatch"] == row["batch"] == 16
