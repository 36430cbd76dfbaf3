"""The Dask executor (issue 15 item 6): a sweep run as tasks on a 2-worker LocalCluster (worker
processes started with spawn) writes the same rows (config_id) and values as the local executor,
each task building only its partitions' space; without the extra, a clear message."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl
import pytest

from pipeline import runs
from pipeline.runs import dask_executor, narrow, partitions, sizing
from pipeline.runs.typed import PARTITION_KEY
from pipeline.spec import parse_spec

SERVING = {"study": "serving", "axes": {"hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB", "MI300X", "L4"],
                                        "model": ["Llama 2 7B", "Mixtral 8x7B"], "compute_dtype": ["fp16", "fp8"],
                                        "tp": [1, 2, 8], "batch": [1, 32], "prompt_len": [512],
                                        "output_len": [128]}}
# The clusters catalog's one cluster of each: 1120 (A100 40GB: 140 nodes x 8, scale-up domain 8), 256
# (TPU v6e: 32 x 8, ICI domain 256) and 64 (Trn2 UltraServer: 4 x 16, domain 64) accelerators: gpus =
# 4096 fits none of them.
TRAINING = {"study": "training", "axes": {"hardware": ["A100 SXM4 40GB", "TPU v6e", "Trainium2"],
                                          "model": ["Llama 2 7B"], "compute_dtype": ["bf16"], "seq_len": [4096],
                                          "gpus": [64, 512, 4096], "tp": [1, 2, 4, 8, 16], "pp": [1, 2],
                                          "global_batch": [512]}}


@pytest.fixture(scope="module")
def dask2():
    """An executor on a 2-worker LocalCluster (one per test module: starting it takes seconds)."""
    with dask_executor.dask_executor(workers=2) as executor:
        yield executor


def rows(run, study: str) -> pl.DataFrame:
    return runs.scan_run(run, study).collect().drop("run_id")  # config_id: derived from the dimension tables


def by_partition(run, study: str) -> dict[str, pl.DataFrame]:
    """Each partition folder's rows, its parts read in order."""
    files: dict[str, list] = {}
    for f in partitions.part_files(run, study):
        files.setdefault(f.parent.name, []).append(f)
    return {k: pl.read_parquet(v, hive_partitioning=False).drop("run_id") for k, v in files.items()}


def manifest(run) -> dict:
    return json.loads((run / "manifest.json").read_text())


@pytest.mark.parametrize("name", ["node", "serving", "training"])
def test_dask_writes_the_rows_and_values_of_the_local_executor(name, dask2, tmp_path, small_spec):
    spec = {"node": small_spec, "serving": SERVING, "training": TRAINING}[name]
    prepared = runs.prepare(parse_spec(spec, "test"))
    study = prepared.spec.study
    assert len(dask_executor.task_groups(prepared, workers=2)) >= 2  # the sweep is cut into several tasks
    local = runs.run(prepared, tmp_path / "local")
    on_dask = runs.run(prepared, tmp_path / "dask", executor=dask2)
    a, b = rows(local, study), rows(on_dask, study)
    assert a.height > 0 and set(a["config_id"]) == set(b["config_id"]) and b["config_id"].is_unique().all()
    assert a.sort("config_id").equals(b.sort("config_id"))  # every value, nulls included
    here, there = by_partition(local, study), by_partition(on_dask, study)
    assert list(here) == list(there) and all(here[k].equals(there[k]) for k in here)  # rows in the same order
    assert not list(on_dask.glob(f"**/{dask_executor.SCRATCH}"))
    first, second = manifest(local), manifest(on_dask)
    for key in ("rows", "dropped", "out_of_range", "inputs"):
        assert first[key] == second[key], key
    assert sum(second["partitions"].values()) == a.height


def test_a_rerun_on_dask_reuses_unchanged_partitions(dask2, tmp_path, small_spec):
    prepared = runs.prepare(parse_spec(small_spec, "test"))
    first = runs.run(prepared, tmp_path / "out")
    again = runs.run(prepared, tmp_path / "out", reuse_from=first, executor=dask2)
    assert manifest(again)["reused"]["recomputed"] == [] and len(manifest(again)["reused"]["partitions"]) == 4
    assert rows(again, "node").sort("config_id").equals(rows(first, "node").sort("config_id"))


def test_a_training_task_builds_only_the_layouts_its_clusters_can_hold():
    prepared = runs.prepare(parse_spec(TRAINING, "test"))
    # Trn2: 64 accelerators, so gpus 64 only; its catalog row states no scale-up link latency, so
    # tp x cp > 1 cannot be timed (rule NO_LINK): tp 1 only
    trn2 = dask_executor.partition_spec(prepared, ("Trainium2",)).axes
    assert (trn2.hardware, trn2.gpus, trn2.tp) == (("Trainium2",), (64,), (1,))
    # A100 40GB: 1120 accelerators (gpus 64, 512) in domains of 8 (tp <= 8: tp_across_domains = false)
    a100 = dask_executor.partition_spec(prepared, ("A100 SXM4 40GB",)).axes
    assert (a100.gpus, a100.tp, a100.pp) == ((64, 512), (1, 2, 4, 8), (1, 2))
    # A100 40GB with TPU v6e: gpus 512 on the A100s, tp 16 within the TPUs' 256-chip domain
    both = dask_executor.partition_spec(prepared, ("A100 SXM4 40GB", "TPU v6e")).axes
    assert (both.gpus, both.tp) == ((64, 512), (1, 2, 4, 8, 16))
    task = dask_executor.task_space(prepared.catalogs, dask_executor.partition_spec(prepared, ("Trainium2",)))
    full = prepared.space.model_side
    assert task.model_side.height < full.height / 10  # 1 of 3 gpus values, 1 of 5 tp values
    assert task.rows == runs.prepare(parse_spec(TRAINING | {"axes": TRAINING["axes"] | {"hardware": ["Trainium2"]}},
                                                "test")).rows


def test_layouts_filtered_first_leave_the_same_model_side():
    prepared = runs.prepare(parse_spec(TRAINING, "test"))
    first = runs.STUDIES["training"].build_space(prepared.catalogs, prepared.spec, layouts_first=True)
    assert first.model_side.equals(prepared.space.model_side) and first.rows == prepared.rows
    assert first.hardware_side.equals(prepared.space.hardware_side)


def test_workers_are_spawned_processes_not_forks(dask2):
    # a forked worker would hold every module of this process, pytest included; a spawned one starts afresh
    seen = dask2.client.run(eval, "'pytest' in __import__('sys').modules, __import__('os').getpid()")
    assert len(seen) == 2 and not any(has_pytest for has_pytest, _ in seen.values())
    assert len({pid for _, pid in seen.values()} | {__import__("os").getpid()}) == 3


def test_without_the_extra_dask_is_refused_with_how_to_install_it(mlsys, tmp_path, monkeypatch, small_spec):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed raises ImportError
    with pytest.raises(Exception, match=r"pip install 'mlsys-pipeline\[dask\]'"):
        dask_executor.require()
    spec = tmp_path / "s.toml"
    spec.write_text('[axes]\nhardware = ["T4"]\nmodel = ["ResNet-50"]\nbatch = [1]\nworkload = ["inference"]\n')
    res = mlsys("sweep", "--spec", spec, "--out", tmp_path / "out", "--executor", "dask", "--no-map")
    assert res.exit_code == 2
    assert "--executor: dask needs Dask distributed, which is not installed: pip install 'mlsys-pipeline[dask]'" \
        in res.stderr
    assert not list((tmp_path / "out").glob("*/manifest.json"))
    res = mlsys("sweep", "--spec", spec, "--out", tmp_path / "out", "--scheduler", "tcp://localhost:8786")
    assert res.exit_code == 2 and "--scheduler: only with --executor dask" in res.stderr


def test_a_nightly_on_dask_diffs_empty_against_a_local_one(dask2, tmp_path):
    from pipeline import nightly

    (tmp_path / "node.toml").write_text('[axes]\nhardware = ["T4", "H100 SXM5 80GB", "MI300X"]\n'
                                        'model = ["ResNet-50", "Llama 2 7B"]\nbatch = [1, 8]\n')
    config = tmp_path / "nightly.toml"
    config.write_text('studies = ["node.toml"]\nkeep = 2\n')
    out = tmp_path / "out"
    nightly.run(out, config, say=lambda line: None, reports=False)
    second = nightly.run(out, config, say=lambda line: None, reports=False, reuse=False, executor=dask2)
    (entry,) = second.runs
    assert len(entry["reused"]["recomputed"]) == 3 and entry["rows"] > 0  # every partition computed on Dask
    assert (entry["diff"]["added"], entry["diff"]["removed"], entry["diff"]["changed"]) == (0, 0, 0)


def test_mlsys_sweep_on_a_running_scheduler(dask2, mlsys, tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('[axes]\nhardware = ["T4", "H100 SXM5 80GB", "MI300X"]\nmodel = ["ResNet-50", "Llama 2 7B"]\n'
                    'batch = [1, 8]\n')
    address = dask2.client.scheduler.address  # as a dask-jobqueue cluster's scheduler_address
    res = mlsys("sweep", "--spec", spec, "--out", tmp_path / "dask", "--executor", "dask", "--scheduler", address,
                "--no-map")
    local = mlsys("sweep", "--spec", spec, "--out", tmp_path / "local", "--no-map")
    assert res.exit_code == 0 == local.exit_code, res.stderr
    wrote = next(line for line in res.stdout.splitlines() if line.startswith("wrote ")).split(" rows")[0]
    assert wrote != "wrote 0" and wrote in local.stdout
    (a,), (b,) = ([r for r in (tmp_path / o).iterdir() if r.name[0].isdigit()] for o in ("local", "dask"))
    assert rows(a, "node").sort("config_id").equals(rows(b, "node").sort("config_id"))


def test_a_task_writes_its_fact_parts_and_no_dimension_table(tmp_path, monkeypatch):
    prepared = runs.prepare(parse_spec(SERVING, "test"))
    written = []  # the task's scratch folder is removed: what it wrote there is seen as it is written
    monkeypatch.setattr(narrow, "write_dimensions", lambda *args: written.append(args))
    (tmp_path / dask_executor.SCRATCH).mkdir()
    (tmp_path / partitions.study_folder("serving")).mkdir()
    values = ("H100 SXM5 80GB", "L4")
    files = dask_executor.write_partitions(dask_executor.partition_spec(prepared, values), prepared.catalogs, values,
                                           str(tmp_path), "r", 0, narrow.model_join_keys(prepared))
    assert {Path(f).parent.name for f in files} == {partitions.partition_folder("serving", v) for v in values}
    assert written == []
    assert not list(tmp_path.glob(f"**/{narrow.DIMENSIONS}")) and not list(tmp_path.glob("**/*-model.parquet"))
    assert not (tmp_path / dask_executor.SCRATCH / "00000").exists()


@pytest.mark.parametrize("name", ["serving", "training"])
def test_the_driver_planning_no_row_writes_the_tables_and_units_of_a_full_plan(name, tmp_path, monkeypatch):
    monkeypatch.setitem(sizing.STREAMED_ABOVE_MODEL_ROWS, "serving", 0)  # serving's streamed plan (its streamed_space)
    prepared = runs.prepare(parse_spec({"serving": SERVING, "training": TRAINING}[name], "test"))
    every = frozenset(prepared.space.hardware_side[PARTITION_KEY[name]].cast(pl.String).drop_nulls().to_list())
    units = []
    for out in ("full", "none"):
        (tmp_path / out).mkdir()
        units.append(partitions.write_study(prepared, tmp_path / out, "r", lambda files, recorded=None: None, every,
                                            planned_rows=out == "full"))
    assert units[0] == units[1] and units[0]
    tables = [sorted((tmp_path / o / narrow.DIMENSIONS).iterdir()) for o in ("full", "none")]
    assert [p.name for p in tables[0]] == [p.name for p in tables[1]] == [f"{name}-hardware.parquet",
                                                                          f"{name}-model.parquet"]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(*tables, strict=True))


def test_a_task_is_a_workers_share_of_the_sweep():
    prepared = runs.prepare(parse_spec(SERVING, "test"))
    every = tuple(sorted(SERVING["axes"]["hardware"]))
    assert dask_executor.task_groups(prepared, workers=1) == [every]  # one worker: its fixed cost paid once
    halves = dask_executor.task_groups(prepared, workers=2)
    assert len(halves) == 2 and tuple(v for group in halves for v in group) == every
    assert dask_executor.task_groups(prepared, rows_per_task=1, workers=1) == [(v,) for v in every]  # the cap
    assert dask_executor.task_groups(prepared, frozenset({"L4"}), workers=1) == [tuple(v for v in every if v != "L4")]
