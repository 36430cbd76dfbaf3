"""Incremental reruns (issue 15 item 4): a run given an earlier one reuses the partitions whose
inputs (catalog rows, spec, code) did not change, recomputes the others, and its rows equal a full
recompute's; one hardware row edited recomputes that accelerator only, a model row every partition."""

from __future__ import annotations

import json
import os

import polars as pl
import pytest

from pipeline import runs
from pipeline.catalogs.io import write_catalog
from pipeline.runs import incremental, partitions
from pipeline.runs.diff import diff_runs
from pipeline.spec import parse_spec

NODE = {"axes": {"hardware": ["T4", "A10", "H100 SXM5 80GB"], "model": ["ResNet-50", "Llama 2 7B"],
                 "batch": [1, 8], "seq_len": [512], "compute_dtype": ["fp16", "fp8"]}}
TRAINING = {"study": "training", "axes": {"hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB"],
                                          "model": ["Llama 2 7B"], "compute_dtype": ["bf16"],
                                          "seq_len": [4096], "global_batch": [512]}}
FOLDER = {"T4": "hardware=T4", "A10": "hardware=A10", "H100": "hardware=H100%20SXM5%2080GB"}


def sweep(spec: dict, registry, out, reuse_from=None):
    return runs.run(runs.prepare(parse_spec(spec, "test"), registry), out, reuse_from=reuse_from)


def rows(run, study="node") -> pl.DataFrame:
    return runs.scan_run(run, study).collect().drop("run_id").sort("config_id")  # config_id: derived


def edit(registry, table: str, key: str, name: str, column: str, factor: float) -> None:
    frame = pl.read_parquet(registry / f"{table}.parquet")
    assert frame.filter(pl.col(key) == name).height == 1
    changed = pl.when(pl.col(key) == name).then(pl.col(column) * factor).otherwise(pl.col(column))
    write_catalog(frame.with_columns(changed.cast(frame[column].dtype).alias(column)), table, registry)


def manifest(run) -> dict:
    return json.loads((run / "manifest.json").read_text())


def test_one_hardware_row_recomputes_its_partition_only(tmp_path, registry):
    out = tmp_path / "out"
    first = sweep(NODE, registry, out)
    again = sweep(NODE, registry, out, reuse_from=first)  # nothing changed: everything reused
    assert manifest(again)["reused"]["recomputed"] == [] and len(manifest(again)["reused"]["partitions"]) == 3
    assert rows(again).equals(rows(first))

    edit(registry, "hardware", "name", "T4", "memory_bandwidth_bytes_per_s", 2.0)
    second = sweep(NODE, registry, out, reuse_from=again)
    reused = manifest(second)["reused"]
    assert reused["recomputed"] == [FOLDER["T4"]] and reused["from"] == again.name
    assert reused["partitions"] == sorted([FOLDER["A10"], FOLDER["H100"]])
    for name in ("A10", "H100"):  # reused parts are hard links of the earlier run's, not new files
        part = second / "study=node" / FOLDER[name] / "part-00000.parquet"
        assert os.stat(part).st_ino == os.stat(again / "study=node" / FOLDER[name] / "part-00000.parquet").st_ino
        assert pl.read_parquet(part)["run_id"].cast(pl.String).unique().to_list() == [first.name]
    t4 = pl.read_parquet(second / "study=node" / FOLDER["T4"] / "*.parquet", hive_partitioning=False)
    assert t4["run_id"].cast(pl.String).unique().to_list() == [second.name]

    full = sweep(NODE, registry, tmp_path / "full")  # the same inputs, computed from scratch
    assert rows(second).equals(rows(full))  # same config_ids, every value (run_id aside) identical
    assert manifest(second)["rows"] == manifest(full)["rows"]
    for key in ("partitions", "out_of_range", "out_of_range_by_part"):  # rows per part, counted or carried over
        assert manifest(second)[key] == manifest(full)[key]

    d = diff_runs(first, second, out)  # the diff names the changed rows: T4's, and only those
    t4_ids = set(rows(full).filter(pl.col("hardware") == "T4")["config_id"])
    assert d.catalogs_changed == ["hardware"] and d.added == d.removed == 0
    assert 0 < d.changed <= len(t4_ids) and set(d.samples["changed"]) <= t4_ids
    assert [(c.table, c.changed) for c in d.catalogs] and d.catalogs[0].table == "hardware"


def test_a_model_row_recomputes_every_partition(tmp_path, registry):
    out = tmp_path / "out"
    first = sweep(NODE, registry, out)
    edit(registry, "models", "name", "Llama 2 7B", "ffn_dim", 2)
    second = sweep(NODE, registry, out, reuse_from=first)
    assert manifest(second)["reused"] == {"from": None, "partitions": [], "recomputed": sorted(FOLDER.values())}
    assert rows(second).equals(rows(sweep(NODE, registry, tmp_path / "full")))


def test_spec_or_code_change_reuses_nothing(tmp_path, registry, monkeypatch):
    out = tmp_path / "out"
    first = sweep(NODE, registry, out)
    other = sweep(NODE | {"axes": NODE["axes"] | {"batch": [1, 8, 32]}}, registry, out, reuse_from=first)
    assert manifest(other)["reused"]["partitions"] == []
    monkeypatch.setattr(incremental, "code_version", lambda: {"package_version": "x", "sources_sha256": "y"})
    assert manifest(sweep(NODE, registry, out, reuse_from=first))["reused"]["partitions"] == []


def test_training_keys_its_cluster_rows(tmp_path, registry):
    out = tmp_path / "out"
    first = sweep(TRAINING, registry, out)
    clusters = pl.read_parquet(registry / "clusters.parquet")
    h100 = clusters.filter(pl.col("accelerator") == "H100 SXM5 80GB")["name"].sort().to_list()
    assert h100
    edit(registry, "clusters", "name", h100[0], "nodes", 2.0)
    second = sweep(TRAINING, registry, out, reuse_from=first)
    assert manifest(second)["reused"]["recomputed"] == ["accelerator=H100%20SXM5%2080GB"]
    assert manifest(second)["reused"]["partitions"] == ["accelerator=A100%20SXM4%2080GB"]
    assert rows(second, "training").equals(rows(sweep(TRAINING, registry, tmp_path / "full"), "training"))


@pytest.mark.parametrize("missing", ["run", "inputs"])
def test_an_earlier_run_without_inputs_reuses_nothing(tmp_path, registry, missing):
    out = tmp_path / "out"
    first = sweep(NODE, registry, out)
    if missing == "inputs":  # a run written before partitions recorded their inputs
        described = manifest(first)
        del described["inputs"]
        (first / "manifest.json").write_text(json.dumps(described))
    else:
        first = None
    assert manifest(sweep(NODE, registry, out, reuse_from=first))["reused"]["partitions"] == []


def test_sweep_reuse_at_the_command_line(tmp_path, registry, mlsys):
    (tmp_path / "spec.toml").write_text('[axes]\nhardware = ["T4", "A10"]\nmodel = ["ResNet-50"]\nbatch = [1]\n')
    args = ("sweep", "--spec", "spec.toml", "--out", "o", "--no-map", "--registry", str(registry))
    assert mlsys(*args).exit_code == 0
    edit(registry, "hardware", "name", "A10", "memory_bandwidth_bytes_per_s", 0.5)
    res = mlsys(*args, "--reuse")
    assert res.exit_code == 0, res.stderr
    first, second = runs_of(tmp_path / "o")
    assert f"reused 1 partitions of {first.name}, computed 1: hardware=A10" in res.stdout
    assert manifest(second)["reused"]["partitions"] == ["hardware=T4"]


def runs_of(out):
    from pipeline.runs import database

    return database.runs(out)
