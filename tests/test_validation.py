"""Validation and calibration: measurements predicted through the studies, errors, the
prediction band, η fitted with leave-one-out, the report, and bad measurement rows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import pipeline
from pipeline import validation
from pipeline.validation import calibrate as calibration
from pipeline.catalogs.load import load_catalogs

SELENE = "NVIDIA Selene subset, Megatron-LM (Narayanan et al. SC21, 3072 A100)"
HEADER = ("source_url,name,metric,value,value_low,value_high,unit,model,hardware,cluster,devices,compute_dtype,"
          "weight_dtype,framework,scenario,batch,seq_len,prompt_len,output_len,tp,pp,dp,microbatch,"
          "recompute,source_location")
URL = "https://example.org/paper"
ROWS = [
    f"{URL},resnet-b1,latency_s,0.38,,,ms,ResNet-50,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,T1",
    f"{URL},resnet-offline,samples_per_s,30000,,,1/s,ResNet-50,A100 SXM4 80GB,,8,int8,,default,offline,,"
    ",,,,,,,,T2",
    f"{URL},llama-ttft,ttft_s,45,40,50,ms,Llama 2 70B,H100 SXM5 80GB,,8,fp16,,default,offline,1,,2048,128,"
    "8,1,,,,T3",
    f'{URL},gpt3-384,hfu,49,,,%,GPT-3 175B,A100 SXM4 80GB,"{SELENE}",384,bf16,,Megatron-LM,training,1536,'
    "2048,,,8,12,4,1,full,T4",
]
BAD = [
    f"{URL},bad-model,latency_s,1,,,ms,ResNet-51,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,x",
    f"{URL},bad-value,latency_s,-1,,,ms,ResNet-50,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,x",
    f"{URL},no-unit,latency_s,1,,,,ResNet-50,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,x",
    f"{URL},wrong-unit,latency_s,1,,,tok/s,ResNet-50,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,x",
]


@pytest.fixture(scope="module")
def catalogs():
    return load_catalogs()


def write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "measured.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


@pytest.fixture(scope="module")
def table(tmp_path_factory, catalogs) -> pl.DataFrame:
    measured = validation.read_measurements(write(tmp_path_factory.mktemp("m"), ROWS), catalogs)
    assert measured.problems == []
    return validation.errors(measured.rows, validation.predict(measured.rows, catalogs))


def test_predictions_are_the_studies_own(table):
    by_name = {r["name"]: r for r in table.iter_rows(named=True)}
    node = pipeline.evaluate("ResNet-50", "A100 SXM4 80GB", batch=1).row(0, named=True)
    assert by_name["resnet-b1"]["predicted"] == pytest.approx(node["latency_s"], rel=1e-12)
    assert by_name["resnet-b1"]["measured"] == pytest.approx(0.38e-3)  # ms converted to s
    serving = pipeline.evaluate_serving("Llama 2 70B", "H100 SXM5 80GB", tp=8, prompt_len=2048, output_len=128,
                                        breakdown=False).row(0, named=True)
    assert by_name["llama-ttft"]["predicted"] == pytest.approx(serving["ttft_s"], rel=1e-12)
    training = pipeline.evaluate_training("GPT-3 175B", SELENE, dp=4, tp=8, pp=12, global_batch=1536,
                                          recompute="full", framework="Megatron-LM").row(0, named=True)
    assert by_name["gpt3-384"]["predicted"] == pytest.approx(training["hfu"], rel=1e-12)
    assert by_name["gpt3-384"]["measured"] == pytest.approx(0.49)  # % converted to a fraction


def test_largest_feasible_batch_and_the_system_size(table):
    """An unpublished batch: the best feasible one; 8 accelerators give 8x one accelerator's samples/s."""
    row = table.filter(pl.col("name") == "resnet-offline").row(0, named=True)
    frame = pipeline.sweep({"axes": {"model": ["ResNet-50"], "hardware": ["A100 SXM4 80GB"],
                                     "compute_dtype": ["int8"], "batch": validation.NODE_BATCHES}})
    best = frame.filter(pl.col("is_feasible"))["samples_per_s"].max()
    assert row["predicted"] == pytest.approx(8 * best, rel=1e-12)
    assert row["batch_used"] == frame.filter(pl.col("samples_per_s") == best)["batch"][0]


def test_errors_band_and_range(table):
    for r in table.iter_rows(named=True):
        assert r["error_pct"] == pytest.approx((r["predicted"] / r["measured"] - 1) * 100)
        assert r["predicted_low"] <= r["predicted"] <= r["predicted_high"]
    ttft = table.filter(pl.col("name") == "llama-ttft").row(0, named=True)
    hi = 0.050
    assert ttft["range_error_pct"] == pytest.approx((ttft["predicted"] / hi - 1) * 100)  # above the range's top


def test_calibration_recovers_a_known_eta_out_of_sample(table):
    """Measurements made by the model itself at eta 0.37: the fit finds 0.37 in and out of sample."""
    hfu = table.filter(pl.col("name") == "gpt3-384").row(0, named=True)
    at = validation.ETA_GRID.index(0.37)
    rows = [hfu | {"name": f"copy-{i}", "measured": hfu["grid"][at]} for i in range(3)]
    fitted, cv = calibration.fit(pl.DataFrame(rows, schema=table.schema))
    assert fitted["eta_fitted"].to_list() == [pytest.approx(0.37)]
    assert cv["cv_abs_error_pct"].max() < 1.0


def test_bad_rows_are_reported_by_line_and_the_rest_still_run(tmp_path, catalogs):
    measured = validation.read_measurements(write(tmp_path, [ROWS[0], *BAD]), catalogs)
    rendered = sorted(p.render() for p in measured.problems)
    assert rendered == sorted([
        "row 2 (line 3), column model: unknown name 'ResNet-51'; did you mean 'ResNet-50', 'ResNet-18', "
        "'ResNet-101'?",
        "row 3 (line 4), column value: got -1.0, expected > 0",
        "row 4 (line 5), column unit: expected a value, got null",
        "row 5 (line 6), column unit: got 'tok/s', expected a unit of s"])
    assert measured.rows["name"].to_list() == ["resnet-b1"]


def test_cli_validate_and_report(tmp_path):
    path = write(tmp_path, [ROWS[0], ROWS[3], BAD[1]])
    env = {k: v for k, v in os.environ.items() if k != "MLSYS_REGISTRY"}
    out = subprocess.run([sys.executable, "-m", "pipeline", "validate", "--measured", str(path), "--out", "o"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "left out: row 3 (line 4), column value: got -1.0, expected > 0" in " ".join(out.stderr.split())
    run_dir = validation.latest(tmp_path / "o")
    assert {"validation.parquet", "report.md", "scatter.svg", "fitted_profiles.csv", "results.duckdb"} <= {
        p.name for p in run_dir.iterdir()}
    report = subprocess.run([sys.executable, "-m", "pipeline", "report", "validation", "--out", "o"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert report.returncode == 0 and "| metric | hfu | 1 |" in report.stdout
    groups = pipeline.query("validation_report", run=run_dir)
    assert groups.filter(pl.col("grouping") == "all")["rows"].item() == 2
