"""Names people type (issue 13 item 8): case, spaces and punctuation ignored, an ambiguous name an
error listing its candidates (exit 2), ``catalog list --filter`` and ``--format``; catalog rows
that name other rows stay strict."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
import pytest

import pipeline
from pipeline import runs
from pipeline.catalogs.io import schema_units
from pipeline.catalogs.load import load_catalogs
from pipeline.catalogs.names import AmbiguousNameError, candidates, name_key, resolve
from pipeline.errors import suggest
from pipeline.spec import parse_spec
from pipeline.spec.names import resolve_names

BUNDLED = Path(__file__).resolve().parents[2] / "registry_data"
HARDWARE = ["H100 SXM5 80GB", "H100 PCIe 80GB", "H100 NVL 94GB", "B200 (HGX B200)", "GB200 NVL72 GPU", "A10",
            "A100 SXM4 80GB", "A100 PCIe 80GB", "L4", "L40S"]
MODELS = ["Llama 3 8B", "Llama 3.1 8B", "Llama 3.1 70B", "GPT-3 1.3B", "GPT-3 13B", "Mixtral 8x7B"]


@pytest.mark.parametrize("typed, key", [
    ("Llama 3 8B", "llama3_8b"), ("llama 3 8b", "llama3_8b"), ("llama3-8b", "llama3_8b"), ("LLAMA_3_8B", "llama3_8b"),
    ("Llama 3.1 8B", "llama3.1_8b"), ("llama-3.1-8b", "llama3.1_8b"),
    ("GPT-3 1.3B", "gpt3_1.3b"), ("GPT-3 13B", "gpt3_13b"),  # a decimal point is not punctuation
    ("B200 (HGX B200)", "b200hgxb200"), ("Mixtral 8x7B", "mixtral8x7b"),
])
def test_name_keys(typed, key):
    assert name_key(typed) == key


@pytest.mark.parametrize("typed, meant", [
    ("llama 3 8b", "Llama 3 8B"), ("llama3-8b", "Llama 3 8B"), ("LLAMA-3.1-70B", "Llama 3.1 70B"),
    ("gpt-3 1.3b", "GPT-3 1.3B"), ("gpt3 13b", "GPT-3 13B"),
    ("a10", "A10"), ("l4", "L4"),  # exact keys win over the longer names they begin
    ("b200", "B200 (HGX B200)"), ("h100 sxm", "H100 SXM5 80GB"),  # the only name beginning so
    ("a100 pcie", "A100 PCIe 80GB"), ("h100 nvl", "H100 NVL 94GB"),
])
def test_typed_names_resolve(typed, meant):
    assert resolve(typed, [*HARDWARE, *MODELS]) == meant


def test_ambiguous_names_list_their_candidates():
    assert candidates("h100", HARDWARE) == ["H100 SXM5 80GB", "H100 PCIe 80GB", "H100 NVL 94GB"]
    assert candidates("a100 80gb", HARDWARE) == ["A100 SXM4 80GB", "A100 PCIe 80GB"]  # words, in order
    assert candidates("llama 3.1", MODELS) == ["Llama 3.1 8B", "Llama 3.1 70B"]
    with pytest.raises(AmbiguousNameError, match="'h100' is ambiguous: it could be 'H100 SXM5 80GB', "
                                                 "'H100 PCIe 80GB', 'H100 NVL 94GB'; give one of them"):
        resolve("h100", HARDWARE, "axes.hardware")


def test_unknown_names_are_left_for_the_checks():
    assert resolve("h100x", HARDWARE) == "h100x" and candidates("Llama 2 7X", MODELS) == []
    assert suggest("h100x", HARDWARE)[:3] == ["H100 SXM5 80GB", "H100 PCIe 80GB", "H100 NVL 94GB"]


def test_bundled_names_keep_distinct_keys():
    """No two rows of a table a user names could be confused by the matching."""
    for table in ("hardware", "models", "precisions", "clusters", "regions", "workloads", "storage",
                  "host_pipelines"):
        names = pl.read_parquet(BUNDLED / f"{table}.parquet")["name"].to_list()
        assert len({name_key(n) for n in names}) == len(names), table


def test_spec_names_resolve_to_catalog_names():
    spec = parse_spec({"study": "serving", "axes": {"hardware": ["h100 sxm", "mi300x"], "model": ["llama-2-7b"],
                                                    "compute_dtype": ["FP8"], "dataset": ["vllm-random"],
                                                    "region": ["GERMANY"]},
                       "efficiency": {"framework": "vllm"}})
    resolved = resolve_names(spec, load_catalogs())
    a = resolved.axes
    assert a.hardware == ("H100 SXM5 80GB", "MI300X") and a.model == ("Llama 2 7B",) and a.region == ("Germany",)
    assert a.compute_dtype == ("fp8",) and a.dataset == ("vllm-random-default",)
    assert resolved.efficiency.framework == "vLLM"
    assert resolved.as_dict() == parse_spec({"study": "serving", "axes": {
        "hardware": ["H100 SXM5 80GB", "MI300X"], "model": ["Llama 2 7B"], "compute_dtype": ["fp8"],
        "dataset": ["vllm-random-default"], "region": ["Germany"]},
        "efficiency": {"framework": "vLLM"}}).as_dict()  # the same run id as the catalog's spelling
    training = parse_spec({"study": "training", "axes": {"cluster": ["dgx a100"], "model": ["gpt 3"]},
                           "training": {"storage": "micron 7450", "data_pipeline": "imagenet jpeg"}})
    prepared = runs.prepare(training)  # the sweep path resolves, and the manifest holds the catalog's names
    assert prepared.spec.axes.cluster == ("NVIDIA DGX SuperPOD DGX A100 (140 nodes, 7 SU x 20)",)
    assert prepared.spec.axes.model == ("GPT-3 175B",)
    assert prepared.spec.data.storage == "Micron 7450 (PCIe 4.0 NVMe, U.3)"
    assert prepared.spec.data.data_pipeline == "ImageNet JPEG decode only (Pillow, 1 thread, Xeon 8581C)"


def test_api_takes_typed_names():
    typed = pipeline.evaluate("llama 3 8b", "h100 sxm", batch=4)
    exact = pipeline.evaluate("Llama 3 8B", "H100 SXM5 80GB", batch=4)
    assert typed.equals(exact) and typed["model"][0] == "Llama 3 8B"
    row = pipeline.evaluate_training("llama3-8b", "dgx a100", gpus=8).row(0, named=True)
    assert row["cluster"] == "NVIDIA DGX SuperPOD DGX A100 (140 nodes, 7 SU x 20)"
    with pytest.raises(AmbiguousNameError) as exc:
        pipeline.evaluate_serving("llama 3.1", "h100")  # both ambiguous: both reported at once
    assert {p.column for p in exc.value.problems} == {"axes.model", "axes.hardware"}


def test_cli_ambiguous_exits_2(mlsys):
    res = mlsys("evaluate", "--model", "llama 3 8b", "--hardware", "h100")
    assert res.exit_code == 2
    message = " ".join(res.stderr.split())
    assert ("axes.hardware: 'h100' is ambiguous: it could be 'H100 SXM5 80GB', 'H100 PCIe 80GB', 'H100 NVL 94GB'"
            in message)
    res = mlsys("evaluate", "--model", "llama 3 8b", "--hardware", "h100 sxm")
    assert res.exit_code == 0 and "Llama 3 8B on H100 SXM5 80GB" in res.stdout


def test_measurement_rows_stay_strict(tmp_path):
    """A measurement row naming its model and hardware as the CLI would forgive is still an error."""
    from pipeline.validation.measurements import read_measurements

    row = ("https://example.org/paper,resnet-b1,latency_s,0.38,,,ms,{model},{hardware},,1,fp16,,default,"
           "single-stream,1,,,,,,,,,T1")
    header = ("source_url,name,metric,value,value_low,value_high,unit,model,hardware,cluster,devices,compute_dtype,"
              "weight_dtype,framework,scenario,batch,seq_len,prompt_len,output_len,tp,pp,dp,microbatch,"
              "recompute,source_location")
    path = tmp_path / "measured.csv"
    path.write_text("\n".join([header, row.format(model="ResNet-50", hardware="A100 SXM4 80GB"),
                               row.format(model="resnet 50", hardware="a100 sxm4 80gb").replace("b1", "b2")]) + "\n")
    measured = read_measurements(path, load_catalogs())
    assert measured.rows["name"].to_list() == ["resnet-b1"]
    assert {(p.column, p.message.split(";")[0]) for p in measured.problems} == {
        ("model", "unknown name 'resnet 50'"), ("hardware", "unknown name 'a100 sxm4 80gb'")}


def test_show_resolves(mlsys):
    res = mlsys("catalog", "show", "llama3-8b")
    assert res.exit_code == 0 and "models: Llama 3 8B" in res.stdout
    res = mlsys("catalog", "show", "h100")
    assert res.exit_code == 2 and "'H100 PCIe 80GB (hardware)'" in res.stderr
    res = mlsys("catalog", "show", "no such thing")
    assert res.exit_code == 2 and "unknown name 'no such thing'" in res.stderr


def test_list_filter_and_formats(mlsys):
    res = mlsys("catalog", "list", "hardware", "--filter", "h100", "--format", "csv")
    assert res.exit_code == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["name"] for r in rows] == ["H100 SXM5 80GB", "H100 PCIe 80GB", "H100 NVL 94GB"]
    assert "memory_bandwidth_bytes_per_s [B/s]" in rows[0]
    # H100 SXM5 datasheet: 3.35 TB/s
    assert float(rows[0]["memory_bandwidth_bytes_per_s [B/s]"]) == 3.35e12
    res = mlsys("catalog", "list", "hardware", "--filter", "vendor=amd", "--filter", "category=datacenter",
                "--format", "json", "--all")
    out = json.loads(res.stdout)
    expected = pl.read_parquet(BUNDLED / "hardware.parquet").filter(pl.col("vendor") == "AMD")["name"].to_list()
    assert [r["name"] for r in out["rows"]] == expected and len(expected) >= 3
    assert out["units"]["tdp_w"] == schema_units("hardware")["tdp_w"] == "W" and "source_url" in out["rows"][0]
    res = mlsys("catalog", "list", "models", "--filter", "is_moe=true", "--filter", "llama", "--format", "json")
    assert [r["name"] for r in json.loads(res.stdout)["rows"]] == ["Llama 4 Scout 17B-16E", "Llama 4 Maverick 17B-128E"]
    res = mlsys("catalog", "list", "models", "--filter", "is_moe=yes", "--filter", "vendr=x")
    assert res.exit_code == 2
    assert "column is_moe: --filter 'is_moe=yes': expected true or false" in res.stderr
    assert "column vendr: --filter 'vendr=x': unknown column" in res.stderr
    res = mlsys("catalog", "list", "hardware", "--format", "xml")
    assert res.exit_code == 2 and "--format: got 'xml', expected one of table, csv, json" in res.stderr
