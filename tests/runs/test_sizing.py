"""chunks(): Parquet parts whose union is the in-memory sweep, sized by CHUNK_ROWS."""

from __future__ import annotations

import json

import polars as pl
from polars.testing import assert_frame_equal

import pipeline
from pipeline import runs
from pipeline.runs import sizing
from pipeline.spec import parse_spec
from pipeline.studies import node

IDENTITY = ["hardware", "model", "workload", "step", "compute_dtype", "batch", "seq_len"]


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(IDENTITY, nulls_last=True)


def test_chunked_parts_union_equals_in_memory_sweep(tmp_path, small_spec, monkeypatch):
    monkeypatch.setattr(sizing, "CHUNK_ROWS", 40)
    real_chunks = sizing.chunks
    monkeypatch.setattr(sizing, "chunks", lambda space, target_rows=None: real_chunks(space, 40))
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
    monkeypatch.setattr(sizing, "CHUNK_ROWS", 40)
    run_dir = pipeline.run_sweep(small_spec, tmp_path / "out")
    parts = sorted((run_dir / "node").glob("part-*.parquet"))
    assert len(parts) >= 3
    streamed = pl.concat([pl.read_parquet(p) for p in parts])
    assert_frame_equal(_sorted(streamed), _sorted(pipeline.sweep(small_spec)))
