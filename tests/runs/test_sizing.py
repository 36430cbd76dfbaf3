"""chunks(): Parquet parts whose union is the in-memory sweep, sized by CHUNK_ROWS; the size guards
of a sweep (issue 14 item 3)."""

from __future__ import annotations

import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import pipeline
from pipeline import runs
from pipeline.runs import narrow, partitions, sizing
from pipeline.spec import parse_spec
from pipeline.studies import node

IDENTITY = ["hardware", "model", "workload", "step", "compute_dtype", "batch", "seq_len"]


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(IDENTITY, nulls_last=True)


def test_chunked_parts_union_equals_in_memory_sweep(tmp_path, small_spec, monkeypatch):
    monkeypatch.setattr(sizing, "CHUNK_ROWS", 40)
    real_chunks = sizing.chunks
    monkeypatch.setattr(sizing, "chunks", lambda space, target_rows=None, hardware_side=None: real_chunks(
        space, 40, hardware_side))
    reported = []
    run_dir = runs.run(runs.prepare(parse_spec(small_spec)), tmp_path / "out", on_chunk=reported.append)

    parts = partitions.part_files(run_dir, "node")
    assert len(parts) >= 3
    sizes = [pl.scan_parquet(p).select(pl.len()).collect().item() for p in parts]
    assert sum(reported) == sum(sizes) and len(reported) >= 3  # one report per chunk, of its rows in all parts
    assert all(s > 0 for s in sizes)

    streamed = runs.scan_run(run_dir).collect().drop("config_id", "run_id")
    in_memory = narrow.stored(pipeline.sweep(small_spec), runs.prepare(parse_spec(small_spec)))
    assert streamed.columns == in_memory.columns == node.OUTPUTS
    assert in_memory.select(IDENTITY).n_unique() == in_memory.height  # the sort key is a key
    assert_frame_equal(_sorted(streamed), _sorted(in_memory))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["rows"]["node"] == in_memory.height == sum(sizes)


def test_chunk_rows_setting_is_honoured(tmp_path, small_spec, monkeypatch):
    monkeypatch.setattr(sizing, "CHUNK_ROWS", 40)
    run_dir = pipeline.run_sweep(small_spec, tmp_path / "out")
    parts = partitions.part_files(run_dir, "node")
    assert len(parts) >= 3
    streamed = runs.scan_run(run_dir).collect().drop("config_id", "run_id")
    assert_frame_equal(_sorted(streamed), _sorted(narrow.stored(pipeline.sweep(small_spec),
                                                                runs.prepare(parse_spec(small_spec)))))


# -- issue 14 item 3: estimates before anything is built, and sweeps refused unless forced -----------

def test_a_spec_too_large_to_build_is_refused_before_building(tmp_path):
    """2 x 10^9 configurations took 41 s and 6.2 GB just to estimate; 10^12 grew past 12 GB."""
    from pipeline.errors import InputError

    spec = {"axes": {"batch": list(range(1, 5001)), "seq_len": list(range(1, 5001)), "model": ["Llama 3 8B"]}}
    with pytest.raises(InputError) as err:
        pipeline.run_sweep(spec, tmp_path / "out")
    assert "make up to 25,000,000 configurations per accelerator" in str(err.value)
    assert not (tmp_path / "out").exists()


def test_upper_bound_is_the_product_of_the_axes():
    from pipeline.catalogs.load import load_catalogs
    from pipeline.runs.prepared import upper_bound

    catalogs = load_catalogs()
    spec = parse_spec({"axes": {"hardware": ["T4", "L4"], "batch": [1, 2, 3], "seq_len": [128, 256],
                                "compute_dtype": ["fp16", "fp8"], "model": "all"}})
    models = catalogs.models.height
    # per accelerator, precision and workload: models x batch x seq_len x region (none: 1)
    assert upper_bound(spec, catalogs) == (2 * models * 2 * 3 * 2 * 1, models * 3 * 2)


def test_a_sweep_over_max_rows_is_refused_unless_forced(mlsys, tmp_path):
    args = ["sweep", "--spec", "default", "--out", tmp_path / "out", "--no-map", "--max-rows", "1000"]
    res = mlsys(*args)
    assert res.exit_code == 2 and "more than 1,000" in res.stderr and "pass --force" in res.stderr, res.stderr
    assert not (tmp_path / "out").exists()
    res = mlsys(*args[:-2], "--max-rows", "1000", "--dry-run")
    assert res.exit_code == 0 and "would be refused without --force" in res.stdout, res.stdout
    res = mlsys(*args, "--force")
    assert res.exit_code == 0, res.stderr


def test_more_than_the_free_disk_is_refused(tmp_path):
    from pipeline.runs import refusals

    est = {"rows": 10, "estimated_seconds": 1.0, "estimated_bytes": 10**18}
    found = refusals(est, tmp_path / "not" / "yet", max_rows=100)
    assert [p.column for p in found] == ["--out"] and "GB free on" in found[0].message
