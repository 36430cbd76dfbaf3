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
from pipeline.errors import InputError, suggest
from pipeline.spec import parse_spec

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
                                                    "compute_dtype": ["FP8"], "dataset": ["vllm-random"]},
                       "efficiency": {"framework": "vllm"}})
    prepared = runs.prepare(spec)
    a = prepared.spec.axes
    assert a.hardware == ("H100 SXM5 80GB", "MI300X") and a.model == ("Llama 2 7B",)
    assert a.compute_dtype == ("fp8",) and a.dataset == ("vllm-random-default",)
    assert prepared.spec.efficiency.framework == "vLLM"
    assert prepared.spec.as_dict() == runs.prepare(parse_spec({"study": "serving", "axes": {
        "hardware": ["H100 SXM5 80GB", "MI300X"], "model": ["Llama 2 7B"], "compute_dtype": ["fp8"],
        "dataset": ["vllm-random-default"]}, "efficiency": {"framework": "vLLM"}})).spec.as_dict()  # same run id


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


def test_measurement_rows_stay_strict(registry):
    """A measurement row naming hardware by a name the CLI would forgive is still an error."""
    from pipeline.catalogs.io import read_catalog, write_catalog

    rows = read_catalog("measurements", registry)
    write_catalog(rows.with_columns(pl.col("hardware").replace({"H100 SXM5 80GB": "h100 sxm5 80gb"})),
                  "measurements", registry)
    with pytest.raises(InputError, match="column hardware: got 'h100 sxm5 80gb', expected a hardware catalog name"):
        load_catalogs(registry)


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
    assert json.loads(res.stdout)["rows"] == []
    res = mlsys("catalog", "list", "models", "--filter", "is_moe=yes", "--filter", "vendr=x")
    assert res.exit_code == 2
    assert "column is_moe: --filter 'is_moe=yes': expected true or false" in res.stderr
    assert "column vendr: --filter 'vendr=x': unknown column" in res.stderr
    res = mlsys("catalog", "list", "hardware", "--format", "xml")
    assert res.exit_code == 2 and "--format: got 'xml', expected one of table, csv, json" in res.stderr
