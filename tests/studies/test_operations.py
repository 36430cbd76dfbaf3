"""The region axis and the operations columns (walls 16-18) through every study, the
queries over them, and bad regions or prices."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline import runs
from pipeline.spec import parse_spec

H100_POD = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"
REGIONS = ["France", "Poland", "US-PJM (Virginia, Mid-Atlantic)"]
TRAINING = {"study": "training", "axes": {
    "model": ["Llama 3 8B"], "cluster": [H100_POD], "compute_dtype": ["bf16"], "gpus": [64], "tp": [8],
    "pp": [1], "global_batch": [256], "seq_len": [4096], "region": REGIONS}, "training": {"train_tokens": 1e12}}


@pytest.fixture(scope="module")
def training_rows() -> pl.DataFrame:
    return pipeline.sweep(TRAINING)


def test_a_training_run_in_three_regions(training_rows):
    rows = training_rows.sort("region")
    regions = pl.read_parquet(Path(__file__).resolve().parents[2] / "registry_data" / "regions.parquet")
    grid = dict(zip(regions["name"], regions["carbon_intensity_g_per_kwh"], strict=True))
    pue = dict(zip(regions["name"], regions["pue"], strict=True))
    assert rows.height == 3 and rows["step_time_s"].n_unique() == 1  # the region changes no time
    for r in rows.iter_rows(named=True):
        hours = r["time_to_train_s"] / 3600  # with checkpoints and failures (this cluster has an MTBF estimate)
        assert r["time_to_train_s"] > r["time_to_train_ideal_s"]
        it_kwh = 64 * r["device_power_w"] / 1e3 * hours
        assert r["energy_per_run_mwh"] == pytest.approx(it_kwh * pue[r["region"]] / 1e3, rel=1e-9)
        assert r["co2e_per_run_t"] >= it_kwh * pue[r["region"]] * grid[r["region"]] / 1e6 * (1 - 1e-9)
        assert r["cloud_cost_per_run_usd"] == pytest.approx(
            64 * r["cloud_price_usd_per_accelerator_hour"] * hours, rel=1e-9)
    co2 = dict(zip(rows["region"].cast(pl.String), rows["co2e_per_run_t"], strict=True))
    assert co2["France"] < co2["US-PJM (Virginia, Mid-Atlantic)"] < co2["Poland"]


def test_power_follows_the_study_s_utilization(training_rows):
    r = training_rows.row(0, named=True)
    assert 0 < r["power_utilization"] <= 1
    assert r["power_utilization"] == pytest.approx(r["compute_time_s"] / r["step_time_s"], rel=1e-9)


def test_serving_cost_per_million_tokens_by_hand():
    rows = pipeline.sweep({"study": "serving", "axes": {
        "model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB", "Gaudi 2"], "precision": ["bf16"], "tp": [1],
        "batch": [32], "prompt_len": [1024], "output_len": [256], "region": ["aws-us-east-1"]},
        "operations": {"cloud": "AWS"}})
    h100 = rows.filter(pl.col("hardware") == "H100 SXM5 80GB").row(0, named=True)
    per_token_s = 1 / h100["tokens_per_s"]
    assert h100["cloud_cost_per_million_output_tokens_usd"] == pytest.approx(
        h100["cloud_price_usd_per_accelerator_hour"] / 3600 * per_token_s * 1e6, rel=1e-9)
    assert h100["cloud_cost_per_million_prompt_tokens_usd"] == pytest.approx(
        h100["cloud_price_usd_per_accelerator_hour"] / 3600 * h100["ttft_s"] / (32 * 1024) * 1e6, rel=1e-9)
    assert str(h100["cloud_offer"]).startswith("AWS p5.48xlarge")
    gaudi = rows.filter(pl.col("hardware") == "Gaudi 2").row(0, named=True)
    assert gaudi["cloud_cost_per_million_output_tokens_usd"] is None  # missing price: null, never zero
    assert "no published cloud price" in gaudi["cost_note"]


def test_without_a_region_the_operations_columns_are_null():
    rows = pipeline.sweep({"axes": {"model": ["ResNet-50"], "hardware": ["A100 SXM4 80GB"], "batch": [8]}})
    assert rows["region"].is_null().all() and rows["cloud_cost_per_sample_usd"].is_null().all()


def test_node_study_per_sample_columns():
    rows = pipeline.sweep({"axes": {"model": ["ResNet-50"], "hardware": ["A100 SXM4 80GB"], "batch": [8],
                                    "region": ["France"]}})
    r = rows.row(0, named=True)
    assert r["facility_energy_per_sample_j"] == pytest.approx(r["facility_power_w"] / r["samples_per_s"], rel=1e-9)


def test_queries_over_regions(tmp_path):
    run_dir = runs.run(runs.prepare(parse_spec(TRAINING)), tmp_path)
    ranked = pipeline.query("region_comparison", run=run_dir, model="Llama 3 8B")
    assert ranked["region"].to_list() == ["France", "US-PJM (Virginia, Mid-Atlantic)", "Poland"]
    serving = {"study": "serving", "axes": {
        "model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB"], "precision": ["bf16"],
        "tp": [1, 2], "batch": [1, 16, 128], "prompt_len": [1024], "output_len": [256], "region": ["France"]}}
    run_dir = runs.run(runs.prepare(parse_spec(serving)), tmp_path)
    frontier = pipeline.query("cost_frontier", run=run_dir, model="Llama 3 8B")
    assert frontier["itl_s"].is_sorted()
    costs = frontier["cloud_cost_per_million_output_tokens_usd"].to_list()
    assert costs == sorted(costs, reverse=True) and len(set(costs)) == len(costs)  # each is cheaper than faster ones
    carbon = pipeline.query("carbon_per_token", run=run_dir, model="Llama 3 8B")
    assert set(carbon["hardware"].to_list()) == {"H100 SXM5 80GB", "A100 SXM4 80GB"}
    assert carbon["co2e_per_million_tokens_g"].is_sorted()
    assert carbon["carbon_method"].to_list() == ["generation"] * 2 and carbon["carbon_method_note"].is_null().all()


SPEC = 'study = "training"\n[axes]\nmodel = ["Llama 3 8B"]\ncluster = ["%s"]\ngpus = [8]\ntp = [8]\nregion = [%s]\n'


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("pue", 0.9, "got 0.9, expected >= 1"), ("carbon_intensity_g_per_kwh", -5.0, "got -5.0, expected >= 0"),
    ("electricity_price_usd_per_kwh", -0.1, "got -0.1, expected > 0")])
def test_bad_region_values_exit_2_and_write_nothing(mlsys, tmp_path, registry, column, value, expected):
    path = registry / "regions.parquet"
    original = pq.read_table(path)  # keep the unit metadata: only the value is wrong
    edited = pl.from_arrow(original).with_columns(
        pl.when(pl.col("name") == "France").then(value).otherwise(pl.col(column)).alias(column))
    pq.write_table(edited.to_arrow().cast(original.schema), path)
    (tmp_path / "spec.toml").write_text(SPEC % (H100_POD, '"France"'))
    out = mlsys("sweep", "--spec", "spec.toml", "--registry", str(registry), "--out", "outputs")
    assert out.exit_code == 2
    message = " ".join(out.stderr.split())
    assert "regions" in message and "(France)" in message and column in message and expected in message
    assert not (tmp_path / "outputs").exists()


def test_unknown_region_exits_2_with_suggestions(mlsys, tmp_path):
    (tmp_path / "spec.toml").write_text(SPEC % (H100_POD, '"Frannce"'))
    out = mlsys("sweep", "--spec", "spec.toml", "--out", "outputs")
    assert out.exit_code == 2
    assert "axes.region: unknown name 'Frannce'; did you mean 'France'" in " ".join(out.stderr.split())
    assert not (tmp_path / "outputs").exists()


def test_region_queries_flag_mixed_carbon_methods(tmp_path):
    """France and Poland are Ember (generation-based), US-PJM Electricity Maps (consumption-based):
    the comparison says it mixes them and ranks within each; one method compares like for like."""
    run_dir = runs.run(runs.prepare(parse_spec(TRAINING)), tmp_path)
    ranked = pipeline.query("region_comparison", run=run_dir, model="Llama 3 8B")
    methods = dict(zip(ranked["region"], ranked["carbon_method"], strict=True))
    assert methods == {"France": "generation", "Poland": "generation", "US-PJM (Virginia, Mid-Atlantic)": "consumption"}
    note = "mixes carbon methods (consumption, generation)"
    assert ranked["carbon_method_note"].str.contains(note, literal=True).all()
    within = dict(zip(ranked["region"], ranked["co2e_rank_in_method"], strict=True))
    assert within == {"France": 1, "Poland": 2, "US-PJM (Virginia, Mid-Atlantic)": 1}
    one = pipeline.query("region_comparison", run=run_dir, model="Llama 3 8B", carbon_method="generation")
    assert one["region"].to_list() == ["France", "Poland"] and one["carbon_method_note"].is_null().all()
