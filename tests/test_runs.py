"""Run directories: layout, manifest, atomic writes, newest-run resolution, chunked output."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import pipeline
from pipeline import runs
from pipeline.runs import atomic, database
from pipeline.catalogs.schemas import CATALOGS
from pipeline.errors import InputError
from pipeline.spec import parse_spec
from pipeline.studies import node, schema_columns

REPO = Path(__file__).resolve().parent.parent
CATALOG_TABLES = tuple(CATALOGS)  # hardware, models, ..., clusters, regions, accelerator_costs, cloud_prices
IDENTITY = ["hardware", "model", "workload", "step", "compute_dtype", "batch", "seq_len"]
DROP_NO_PEAK = "hardware has no published dense peak for compute_dtype"
DROP_CONTEXT = "seq_len exceeds the model's max_context_tokens"
RUN_DIR_NAME = re.compile(r"^(\d{8}T\d{6}Z)-[0-9a-f]{8}$")

# No row of this spec is dropped for two reasons at once (Llama 2 7B takes 4096 tokens).
NO_OVERLAP_SPEC = {
    "axes": {
        "hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB", "T4"],
        "model": ["ResNet-50", "Llama 2 7B"],
        "compute_dtype": ["fp16", "bf16", "fp8"],
        "batch": [1, 8],
        "seq_len": [512, 2048],
        "workload": ["inference", "training"],
    }
}


# ---------------------------------------------------------------- independent counting helpers

STEPS_PER = {("cnn", "inference"): 1, ("cnn", "training"): 1,
             ("encoder", "inference"): 1, ("encoder", "training"): 1,
             ("decoder", "inference"): 2, ("decoder", "training"): 1}


def model_rows(axes: dict, workload: str, context_filter: bool = True, registry: Path | None = None) -> int:
    """model x step x batch x seq_len rows for one workload, counted straight from the catalog."""
    models = pl.read_parquet((registry or REPO / "registry_data") / "models.parquet")
    total = 0
    for row in models.filter(pl.col("name").is_in(axes["model"])).iter_rows(named=True):
        steps = STEPS_PER[(row["model_type"], workload)]
        if row["model_type"] == "cnn":
            seqs = 1
        elif context_filter:
            seqs = sum(1 for s in axes["seq_len"] if s <= row["max_context_tokens"])
        else:
            seqs = len(axes["seq_len"])
        total += steps * len(axes["batch"]) * seqs
    return total


def peak_pairs(axes: dict, registry: Path | None = None) -> tuple[int, int]:
    """(hardware x compute_dtype pairs with a published peak, pairs without one)."""
    reg = registry or REPO / "registry_data"
    hw = pl.read_parquet(reg / "hardware.parquet").filter(pl.col("name").is_in(axes["hardware"]))
    prec = dict(pl.read_parquet(reg / "precisions.parquet").select("name", "peak_column").iter_rows())
    have = missing = 0
    for row in hw.iter_rows(named=True):
        for dtype in axes["compute_dtype"]:
            if row[prec[dtype]] is None:
                missing += 1
            else:
                have += 1
    return have, missing


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file (hidden ones too) under ``directory``, relative path -> bytes."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def parquet_rows(run_dir: Path) -> int:
    return sum(pl.scan_parquet(f).select(pl.len()).collect().item()
               for f in (run_dir / "node").glob("part-*.parquet"))


# ---------------------------------------------------------------- 1. layout and manifest

def test_run_directory_layout(tmp_path, small_spec):
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    run_dir = pipeline.run_sweep(small_spec, tmp_path / "out")
    after = datetime.datetime.now(datetime.UTC)

    assert run_dir.parent == tmp_path / "out"
    assert [p.name for p in (tmp_path / "out").iterdir()] == [run_dir.name]
    m = RUN_DIR_NAME.match(run_dir.name)
    assert m, run_dir.name
    stamp = datetime.datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    assert before <= stamp <= after
    assert sorted(p.name for p in run_dir.iterdir()) == ["catalogs", "manifest.json", "node", "results.duckdb"]
    parts = sorted((run_dir / "node").iterdir())
    assert parts and all(re.fullmatch(r"part-\d{5}\.parquet", p.name) for p in parts)
    assert sorted(p.name for p in (run_dir / "catalogs").iterdir()) == sorted(f"{t}.parquet" for t in CATALOG_TABLES)
    for table in CATALOG_TABLES:  # the run keeps byte-identical copies of the catalogs it used
        assert (run_dir / "catalogs" / f"{table}.parquet").read_bytes() == \
            (REPO / "registry_data" / f"{table}.parquet").read_bytes()


def test_manifest_contents(tmp_path, registry):
    run_dir = pipeline.run_sweep(NO_OVERLAP_SPEC, tmp_path / "out", registry=registry)
    manifest = json.loads((run_dir / "manifest.json").read_text())

    assert manifest["run_id"] == run_dir.name
    assert manifest["spec"] == parse_spec(NO_OVERLAP_SPEC).as_dict()
    assert set(manifest["catalogs"]) == set(CATALOG_TABLES)
    for table in CATALOG_TABLES:
        expected = hashlib.sha256((registry / f"{table}.parquet").read_bytes()).hexdigest()
        assert manifest["catalogs"][table]["sha256"] == expected, table
        copied = hashlib.sha256((run_dir / "catalogs" / f"{table}.parquet").read_bytes()).hexdigest()
        assert copied == expected, table

    axes = NO_OVERLAP_SPEC["axes"]
    have, missing = peak_pairs(axes, registry)
    assert missing == 3  # A100: fp8; T4: bf16, fp8 -- checks the helper, and the catalog it assumes
    per_pair = sum(model_rows(axes, w, registry=registry) for w in axes["workload"])
    assert manifest["rows"]["node"] == parquet_rows(run_dir) == have * per_pair
    assert isinstance(manifest["dropped"], dict)
    assert manifest["dropped"] == {DROP_NO_PEAK: missing * per_pair}
    assert manifest["package_version"] == runs.version()
    assert isinstance(manifest["wall_time_s"], (int, float)) and manifest["wall_time_s"] >= 0


def test_fp8_on_a100_alone_is_counted_under_its_reason(tmp_path):
    spec = {"axes": {"hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB"], "model": ["Llama 2 7B", "ResNet-50"],
                     "compute_dtype": ["fp8"], "batch": [1, 2, 4], "seq_len": [1024],
                     "workload": ["inference"]}}
    run_dir = pipeline.run_sweep(spec, tmp_path / "out")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    # A100 has no fp8 peak: Llama (prefill + decode) x 3 batches + ResNet x 3 batches = 9 rows
    assert manifest["dropped"] == {DROP_NO_PEAK: 9}
    assert manifest["rows"]["node"] == parquet_rows(run_dir) == 9
    assert pl.read_parquet(run_dir / "node" / "*.parquet")["hardware"].unique().to_list() == ["H100 SXM5 80GB"]


def test_context_drops_are_counted(tmp_path):
    spec = {"axes": {"hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB"], "model": ["BERT-Large"],
                     "compute_dtype": ["fp16"], "batch": [1, 8], "seq_len": [384, 2048],
                     "workload": ["inference", "training"]}}
    manifest = json.loads((pipeline.run_sweep(spec, tmp_path / "out") / "manifest.json").read_text())
    # BERT-Large takes 512 tokens: seq_len 2048 goes, for 2 hardware x 2 batches x 2 workloads
    assert manifest["dropped"] == {DROP_CONTEXT: 8}
    assert manifest["rows"]["node"] == 8


def test_rows_plus_dropped_equal_the_requested_product(tmp_path, small_spec):
    run_dir = pipeline.run_sweep(small_spec, tmp_path / "out")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    axes = small_spec["axes"]
    have, missing = peak_pairs(axes)
    full = (have + missing) * sum(model_rows(axes, w, context_filter=False) for w in axes["workload"])
    assert manifest["rows"]["node"] + sum(manifest["dropped"].values()) == full


# ---------------------------------------------------------------- 2. atomicity

def _boom(*_a, **_k):
    raise RuntimeError("injected failure")


def _fail_second_sink(monkeypatch, exc):
    original = pl.LazyFrame.sink_parquet
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(args)
        if len(calls) >= 2:
            raise exc
        return original(self, *args, **kwargs)

    real_chunks = runs.chunks
    monkeypatch.setattr(runs, "chunks", lambda space, target_rows=None: real_chunks(space, 10))
    monkeypatch.setattr(pl.LazyFrame, "sink_parquet", flaky)


FAILURES = {
    "create_database": lambda mp: mp.setattr(database, "create_database", _boom),
    "write_catalogs": lambda mp: mp.setattr(runs, "_write_catalogs", _boom),
    "sink_parquet_mid_run": lambda mp: _fail_second_sink(mp, RuntimeError("injected failure")),
    "keyboard_interrupt_mid_run": lambda mp: _fail_second_sink(mp, KeyboardInterrupt()),
    "final_rename": lambda mp: mp.setattr(atomic.os, "rename", _boom),
}


@pytest.mark.parametrize("where", list(FAILURES))
def test_failed_run_leaves_nothing_and_keeps_previous_run(tmp_path, small_spec, monkeypatch, where):
    out = tmp_path / "out"
    previous = pipeline.run_sweep(small_spec, out)
    before = snapshot(out)

    FAILURES[where](monkeypatch)
    expected = KeyboardInterrupt if where == "keyboard_interrupt_mid_run" else RuntimeError
    with pytest.raises(expected):
        pipeline.run_sweep(small_spec, out)
    monkeypatch.undo()

    assert [p.name for p in out.iterdir()] == [previous.name]  # no new run, no .incomplete-* dir
    assert snapshot(out) == before
    assert database.resolve_run(None, out) == previous


def test_failed_first_run_leaves_no_directory(tmp_path, small_spec, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(database, "create_database", _boom)
    with pytest.raises(RuntimeError):
        pipeline.run_sweep(small_spec, out)
    assert list(out.iterdir()) == []
    assert database.runs(out) == []


# ---------------------------------------------------------------- newest run

def test_resolve_run_returns_newest_complete_run(tmp_path, small_spec, monkeypatch, freeze_clock):
    out = tmp_path / "out"
    t0 = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    freeze_clock(t0)
    first = pipeline.run_sweep(small_spec, out)
    freeze_clock(t0 + datetime.timedelta(seconds=1))
    second = pipeline.run_sweep({"axes": {"model": ["ResNet-50"], "hardware": ["T4"]}}, out)
    assert first.name.startswith("20300102T030405Z-") and second.name.startswith("20300102T030406Z-")

    # Later-named leftovers that are not complete runs must be ignored.
    hidden = out / ".incomplete-20991231T235959Z-ffffffff-4242"
    (hidden / "node").mkdir(parents=True)
    (hidden / "manifest.json").write_text("{}")
    (out / "20991231T235959Z-eeeeeeee").mkdir()  # a run name without a manifest
    (out / "notes").mkdir()

    assert database.runs(out) == [first, second]
    assert database.resolve_run(None, out) == second
    assert database.resolve_run(first.name, out) == first
    assert database.resolve_run(str(first), tmp_path / "elsewhere") == first


def test_resolve_run_without_runs_is_an_input_error(tmp_path):
    (tmp_path / "out" / ".incomplete-20300102T030405Z-abcdef01-1").mkdir(parents=True)
    with pytest.raises(InputError, match="no complete run"):
        database.resolve_run(None, tmp_path / "out")


def test_same_spec_twice_in_one_second_gets_a_suffix(tmp_path, small_spec, monkeypatch, freeze_clock):
    out = tmp_path / "out"
    freeze_clock(datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC))
    first = pipeline.run_sweep(small_spec, out)
    second = pipeline.run_sweep(small_spec, out)
    assert second.name == first.name + "-1"
    assert database.resolve_run(None, out) == second


def test_newest_of_two_runs_in_one_second(tmp_path, small_spec, monkeypatch, freeze_clock):
    other = {"axes": {"model": ["ResNet-50"], "hardware": ["T4"]}}
    freeze_clock(datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC))
    for order, specs in (("ab", (small_spec, other)), ("ba", (other, small_spec))):
        out = tmp_path / order
        pipeline.run_sweep(specs[0], out)
        newest = pipeline.run_sweep(specs[1], out)
        assert database.resolve_run(None, out) == newest, order


def test_sweep_with_every_row_dropped_is_an_empty_queryable_run(tmp_path):
    spec = {"axes": {"hardware": ["A100 SXM4 80GB"], "model": ["ResNet-50"], "compute_dtype": ["fp8"],
                     "batch": [1, 2]}}
    run_dir = pipeline.run_sweep(spec, tmp_path / "out")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["rows"]["node"] == 0
    assert manifest["dropped"] == {DROP_NO_PEAK: 2}
    declared = {name: spec["dtype"] for name, spec in schema_columns(node.SCHEMA).items()}
    for part in (run_dir / "node").glob("part-*.parquet"):
        assert {k: str(v) for k, v in pl.read_parquet_schema(part).items()} == declared
    con = database.connect(run_dir)
    try:
        assert con.sql("select count(*) from node").fetchall()[0][0] == 0
    finally:
        con.close()
    assert pipeline.query("bottlenecks", run=run_dir).height == 0


# ---------------------------------------------------------------- 5. output schema and chunks

def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(IDENTITY, nulls_last=True)


def test_parquet_dtypes_match_the_schema(tmp_path, small_spec):
    run_dir = pipeline.run_sweep(small_spec, tmp_path / "out")
    declared = {name: spec["dtype"] for name, spec in schema_columns(node.SCHEMA).items()}
    assert list(declared) == node.OUTPUTS
    for part in (run_dir / "node").glob("part-*.parquet"):
        schema = pl.read_parquet_schema(part)
        assert list(schema) == node.OUTPUTS
        assert {k: str(v) for k, v in schema.items()} == declared


def test_parquet_dtypes_for_a_cnn_only_sweep(tmp_path):
    # seq_len is null on every row: it must still be written as Int64, not Null.
    run_dir = pipeline.run_sweep({"axes": {"model": ["ResNet-50"], "hardware": ["T4"]}}, tmp_path / "out")
    declared = {name: spec["dtype"] for name, spec in schema_columns(node.SCHEMA).items()}
    for part in (run_dir / "node").glob("part-*.parquet"):
        assert {k: str(v) for k, v in pl.read_parquet_schema(part).items()} == declared


def test_chunked_parts_union_equals_in_memory_sweep(tmp_path, small_spec, monkeypatch):
    monkeypatch.setattr(runs, "CHUNK_ROWS", 40)
    real_chunks = runs.chunks
    monkeypatch.setattr(runs, "chunks", lambda space, target_rows=None: real_chunks(space, 40))
    reported = []
    run_dir = runs.run(runs.prepare(parse_spec(small_spec)), tmp_path / "out", on_chunk=reported.append)

    parts = sorted((run_dir / "node").glob("part-*.parquet"))
    assert len(parts) >= 3
    sizes = [pl.scan_parquet(p).select(pl.len()).collect().item() for p in parts]
    assert reported == sizes
    assert all(s > 0 for s in sizes)

    streamed = pl.concat([pl.read_parquet(p) for p in parts])
    in_memory = pipeline.sweep(small_spec)
    assert streamed.columns == in_memory.columns == node.OUTPUTS
    assert in_memory.select(IDENTITY).n_unique() == in_memory.height  # the sort key is a key
    assert_frame_equal(_sorted(streamed), _sorted(in_memory))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["rows"]["node"] == in_memory.height == sum(sizes)


def test_chunk_rows_setting_is_honoured(tmp_path, small_spec, monkeypatch):
    monkeypatch.setattr(runs, "CHUNK_ROWS", 40)
    run_dir = pipeline.run_sweep(small_spec, tmp_path / "out")
    parts = sorted((run_dir / "node").glob("part-*.parquet"))
    assert len(parts) >= 3
    streamed = pl.concat([pl.read_parquet(p) for p in parts])
    assert_frame_equal(_sorted(streamed), _sorted(pipeline.sweep(small_spec)))
