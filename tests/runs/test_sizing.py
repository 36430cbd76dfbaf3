"""chunks(): Parquet parts whose union is the in-memory sweep, sized by CHUNK_ROWS; the size guards
of a sweep (issue 14 item 3)."""

from __future__ import annotations

import json
from dataclasses import replace

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import pipeline
from pipeline import runs
from pipeline.runs import narrow, partitions, sizing
from pipeline.spec import parse_spec
from pipeline.studies import node, per_key
from pipeline.studies import serving_precomputed as precomputed
from pipeline.studies.sides import Space

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


# -- issue 15: a training chunk holds at most MAX_CHUNK_ROWS rows (peak RSS) ------------------------

TRAINING = {"study": "training", "axes": {"hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB"],
                                          "model": ["Llama 2 7B", "Llama 3 8B"], "compute_dtype": ["bf16"],
                                          "seq_len": [2048, 4096], "gpus": [8, 64], "tp": [1, 2], "pp": [1, 2],
                                          "global_batch": [512]}}


def test_training_pieces_cut_the_model_side_and_their_parts_are_the_sweep(tmp_path, monkeypatch):
    prepared = runs.prepare(parse_spec(TRAINING, "test"))
    hw, model = prepared.space.hardware_side, prepared.space.model_side
    assert hw.height >= 2 and model.height >= 6
    # every hardware row joins the whole model side (one workload): a third of it is the limit, so
    # each hardware row alone, its model side in 3 consecutive slices of ceil(M / 3) rows
    monkeypatch.setitem(sizing.MAX_CHUNK_ROWS, "training", -(-model.height // 3))
    cut = list(sizing.pieces(prepared.space, "training"))
    assert len(cut) == 3 * hw.height
    assert all(h.height == 1 and m.height <= -(-model.height // 3) for h, m in cut)
    for i in range(hw.height):
        mine = cut[3 * i:3 * i + 3]
        assert all(h.equals(hw.slice(i, 1)) for h, _ in mine)
        assert pl.concat([m for _, m in mine]).equals(model)
    # a limit of two hardware rows' joins: the rows in pairs, the model side whole
    monkeypatch.setitem(sizing.MAX_CHUNK_ROWS, "training", 2 * model.height)
    paired = list(sizing.pieces(prepared.space, "training"))
    assert [h.height for h, _ in paired] == [2] * (hw.height // 2) + [1] * (hw.height % 2)
    assert all(m is model for _, m in paired)

    monkeypatch.setitem(sizing.MAX_CHUNK_ROWS, "training", -(-model.height // 3))
    run_dir = runs.run(prepared, tmp_path / "out")
    # the writer keeps an accelerator's k clusters together (sizing.units): k x M joined rows in
    # ceil(k M / limit) model slices of ceil(M / that) rows; a piece may keep no row
    limit = -(-model.height // 3)
    sizes = [-(-model.height // -(-k * model.height // limit)) for k in hw["accelerator"].value_counts()["count"]]
    expected = sum(len(range(0, model.height, size)) for size in sizes)
    assert expected >= 3 * hw["accelerator"].n_unique()
    assert len(partitions.part_files(run_dir, "training")) >= expected - 1
    cut_rows = runs.scan_run(run_dir).collect().drop("run_id").sort("config_id")
    monkeypatch.setitem(sizing.MAX_CHUNK_ROWS, "training", 10**9)  # one piece: the uncut join
    whole = runs.run(prepared, tmp_path / "whole")
    assert len(partitions.part_files(whole, "training")) == hw["accelerator"].n_unique()
    whole_rows = runs.scan_run(whole).collect().drop("run_id").sort("config_id")
    assert cut_rows.height == prepared.rows > 0 and cut_rows.equals(whole_rows)  # every value, nulls included


def test_pieces_keep_an_accelerators_clusters_together(monkeypatch):
    """Units are runs of one partition-key value: two A clusters joining 4 model rows each (8) over a
    limit of 6 stay together, the model side cut in ceil(8 / 6) = 2 slices of ceil(4 / 2) = 2 rows, and
    B's cluster comes alone; at a limit of 8, A's two clusters whole, then B (4 more would exceed 8).
    Without a key each cluster is its own unit (one a piece at 6)."""
    from pipeline.studies.sides import Space

    hw = pl.DataFrame({"accelerator": ["A", "A", "B"], "cluster": ["c1", "c2", "c3"], "workload": ["training"] * 3})
    model = pl.DataFrame({"model": ["m0", "m1", "m2", "m3"], "workload": ["training"] * 4})
    space = Space(hw, model, {})
    monkeypatch.setitem(sizing.MAX_CHUNK_ROWS, "training", 6)
    cut = list(sizing.pieces(space, "training", key="accelerator"))
    assert [(h["cluster"].to_list(), m["model"].to_list()) for h, m in cut] == [
        (["c1", "c2"], ["m0", "m1"]), (["c1", "c2"], ["m2", "m3"]), (["c3"], ["m0", "m1", "m2", "m3"])]
    assert [h["cluster"].to_list() for h, _ in sizing.pieces(space, "training")] == [["c1"], ["c2"], ["c3"]]
    monkeypatch.setitem(sizing.MAX_CHUNK_ROWS, "training", 8)
    assert [h["cluster"].to_list() for h, _ in sizing.pieces(space, "training", key="accelerator")] == [
        ["c1", "c2"], ["c3"]]


def test_runs_of_equal_values():
    values = pl.Series(["B", "B", "A", "A", "A", None, "B"], dtype=pl.Categorical)
    assert list(sizing.runs_of(values)) == [(0, 2), (2, 3), (5, 1), (6, 1)]


def test_runs_of_nothing():
    assert list(sizing.runs_of(pl.Series([], dtype=pl.Categorical))) == []


SERVING = {"study": "serving", "axes": {"hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB", "L4"],
                                        "model": ["Llama 3 8B", "Mixtral 8x7B"], "precision": ["fp16", "fp8"],
                                        "tp": [1, 2, 8], "batch": [1, 4, 16], "prompt_len": [512, 2048],
                                        "output_len": [128, 512]}}


@pytest.mark.parametrize(("load", "blocks"), [({}, 1), ({"request_rate": [0.5, 4.0]}, 1), ({}, 3)])
def test_serving_pieces_streamed_by_one_plan_are_the_sweep_collected_per_chunk(tmp_path, monkeypatch, load, blocks):
    """Issue 15 (serving memory): pieces of a fifth of the model side, fed 7 joined rows at a time to one plan
    gathering by the ids the sides carry (``serving.streamed_space``), write the rows a plan collected per chunk of
    whole accelerators writes (serving before it was cut), every value, nulls included; offline and under load; and
    with the model side in ``blocks`` (``sizing.model_blocks``), each its own space, plan and per-key tables."""
    prepared = runs.prepare(parse_spec(SERVING | {"axes": SERVING["axes"] | load}, "test"))
    model = prepared.space.model_side
    monkeypatch.setitem(sizing.MAX_CHUNK_ROWS, "serving", -(-model.height // 5))
    monkeypatch.setitem(sizing.SOURCE_ROWS, "serving", 7)
    monkeypatch.setitem(sizing.STREAMED_ABOVE_MODEL_ROWS, "serving", 0)
    monkeypatch.setitem(sizing.MODEL_BLOCK_ROWS, "serving", -(-model.height // blocks))
    monkeypatch.setattr(sizing, "TWO_BLOCK_ROWS", {})
    built = []
    block_space = partitions.block_space
    monkeypatch.setattr(partitions, "block_space", lambda *args: built.append(args[1].height) or block_space(*args))
    cut = runs.run(prepared, tmp_path / "cut")
    assert len(built) == blocks and sum(built) == model.height
    assert len(partitions.part_files(cut, "serving")) >= 5 * prepared.space.hardware_side["hardware"].n_unique()
    cut_rows = runs.scan_run(cut).collect().drop("run_id").sort("config_id")
    monkeypatch.delitem(sizing.MAX_CHUNK_ROWS, "serving")
    whole = runs.run(prepared, tmp_path / "whole")
    whole_rows = runs.scan_run(whole).collect().drop("run_id").sort("config_id")
    assert cut_rows.height == prepared.rows > 100 and cut_rows.equals(whole_rows)
    assert cut_rows["itl_s"].drop_nulls().n_unique() > 50


@pytest.mark.parametrize("load", [{}, {"request_rate": [0.5, 4.0]}])
def test_serving_blocks_collected_chunk_by_chunk_are_the_sweep_of_the_whole_side(tmp_path, monkeypatch, load):
    """Issue 15 (serving speed, r-srvspd4): a model side above BLOCKED_ABOVE_MODEL_ROWS swept in 3 blocks, each its
    own space and plan whose chunks are collected whole (not streamed), writes the rows of the whole side's sweep,
    every value, nulls included; offline and under load. The blocks share one hardware side (its Enums), the
    study's groups and the hardware classes, built once a run (r-srvspd5); their tables are each block's own."""
    prepared = runs.prepare(parse_spec(SERVING | {"axes": SERVING["axes"] | load}, "test"))
    model = prepared.space.model_side
    monkeypatch.setitem(sizing.BLOCKED_ABOVE_MODEL_ROWS, "serving", 0)
    monkeypatch.setitem(sizing.MODEL_BLOCK_ROWS, "serving", -(-model.height // 3))
    monkeypatch.setattr(sizing, "TWO_BLOCK_ROWS", {})
    built, streamed, sides, calls = [], [], [], {"groups": 0, "tables": 0}
    block_space = partitions.block_space

    def space_of(*args):
        built.append((args[1].height, args[2]))
        sides.append((space := block_space(*args)).hardware_side)
        return space
    monkeypatch.setattr(partitions, "block_space", space_of)
    monkeypatch.setattr(partitions.streamed, "piece_rows", lambda *args: streamed.append(1) or iter(()))
    for module, name, what in ((precomputed, "_groups", "groups"), (per_key, "_table", "tables")):
        def counted(*args, f=getattr(module, name), what=what, **kwargs):
            calls[what] += 1
            return f(*args, **kwargs)
        monkeypatch.setattr(module, name, counted)
    per_key.forget()
    cut = runs.run(prepared, tmp_path / "cut")
    assert [n for n, _ in built] == [-(-model.height // 3)] * 2 + [model.height - 2 * -(-model.height // 3)]
    assert not any(stream for _, stream in built) and not streamed
    assert all(side is sides[0] for side in sides) and calls["groups"] == 1 and calls["tables"] > 3
    cut_rows = runs.scan_run(cut).collect().drop("run_id").sort("config_id")
    monkeypatch.setitem(sizing.BLOCKED_ABOVE_MODEL_ROWS, "serving", model.height)
    built.clear()
    whole = runs.run(prepared, tmp_path / "whole")
    assert built == [(model.height, False)]
    whole_rows = runs.scan_run(whole).collect().drop("run_id").sort("config_id")
    assert cut_rows.height == prepared.rows > 100 and cut_rows.equals(whole_rows)
    assert cut_rows["itl_s"].drop_nulls().n_unique() > 50


def test_model_blocks_are_consecutive_even_slices_of_the_model_side():
    """A streamed sweep's model side in consecutive slices of at most MODEL_BLOCK_ROWS rows, as even as can be:
    10 rows at most 4 a block are 4, 4, 2 -> ceil(10 / 3) = 4, 4, 2; not cut, or within the limit, the side itself."""
    space = Space(pl.DataFrame({"h": [1]}), pl.DataFrame({"m": list(range(10))}), {})
    blocks = {"serving": 4}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sizing, "MODEL_BLOCK_ROWS", blocks)
        patch.setattr(sizing, "TWO_BLOCK_ROWS", {})
        assert [b["m"].to_list() for b in sizing.model_blocks(space, "serving", True)] == [
            [0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
        assert [b is space.model_side for b in sizing.model_blocks(space, "serving", False)] == [True]
        assert [b is space.model_side for b in sizing.model_blocks(space, "training", True)] == [True]
        blocks["serving"] = 10
        assert [b is space.model_side for b in sizing.model_blocks(space, "serving", True)] == [True]
        blocks["serving"] = 3  # 10 rows at most 3 a block: 4 blocks of ceil(10 / 4) = 3, 3, 3, 1
        assert [b.height for b in sizing.model_blocks(space, "serving", True)] == [3, 3, 3, 1]


def test_a_model_side_two_blocks_of_two_block_rows_hold_is_cut_into_two():
    """``TWO_BLOCK_ROWS``: a side of at most twice as many rows is two blocks, as even as can be, however small
    ``MODEL_BLOCK_ROWS``; a larger side is cut at ``MODEL_BLOCK_ROWS``; a side ``MODEL_BLOCK_ROWS`` holds stays one.
    By hand: 10 rows, at most 3 a block and two of at most 5: [5, 5]; two of at most 4 (8 < 10): [3, 3, 3, 1]; at
    most 10 a block: the side itself."""
    space = Space(pl.DataFrame({"h": [1]}), pl.DataFrame({"m": list(range(10))}), {})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sizing, "MODEL_BLOCK_ROWS", {"serving": 3})
        patch.setattr(sizing, "TWO_BLOCK_ROWS", {"serving": 5})
        assert [b["m"].to_list() for b in sizing.model_blocks(space, "serving", True)] == [
            [0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
        assert [b is space.model_side for b in sizing.model_blocks(space, "serving", False)] == [True]
        patch.setattr(sizing, "TWO_BLOCK_ROWS", {"serving": 4})
        assert [b.height for b in sizing.model_blocks(space, "serving", True)] == [3, 3, 3, 1]
        patch.setattr(sizing, "MODEL_BLOCK_ROWS", {"serving": 10})
        assert [b is space.model_side for b in sizing.model_blocks(space, "serving", True)] == [True]
    real = Space(pl.DataFrame({"h": [1]}), pl.DataFrame({"m": list(range(158_368))}), {})
    assert [b.height for b in sizing.model_blocks(real, "serving", True)] == [79_184, 79_184]  # the 10 M bench's


def test_serving_is_swept_in_blocks_above_its_model_side_threshold_and_never_streamed():
    """Issue 15: serving's model side is cut into blocks (``sizing.blocked``) only when it holds more than
    BLOCKED_ABOVE_MODEL_ROWS rows, and serving is not streamed at any size by default (its blocks' chunks are collected
    whole: r-srvspd4); training always is streamed (so blocked), node neither."""
    space = runs.prepare(parse_spec(SERVING, "test")).space
    rows = space.model_side.height
    assert 0 < rows <= sizing.BLOCKED_ABOVE_MODEL_ROWS["serving"]
    assert not sizing.streamed(space, "serving") and not sizing.blocked(space, "serving")
    assert sizing.streamed(space, "training") and sizing.blocked(space, "training")  # no threshold
    assert not sizing.streamed(space, "node") and not sizing.blocked(space, "node")
    bigger = replace(space, model_side=pl.concat([space.model_side] * (sizing.BLOCKED_ABOVE_MODEL_ROWS["serving"]
                                                                        // rows + 1)))
    assert sizing.blocked(bigger, "serving") and not sizing.streamed(bigger, "serving")


@pytest.mark.parametrize(("limit", "first"), [(0, "dimensions"), (10**9, None)])
def test_a_large_model_side_writes_its_dimension_tables_before_the_first_chunk(tmp_path, small_spec, monkeypatch,
                                                                                limit, first):
    """Above OVERLAP_DIMENSIONS_MAX_MODEL_ROWS the dimension tables are complete before any chunk is computed (their
    transient copies would stack on the first pieces'); below it they may be built while the first chunk is."""
    monkeypatch.setattr(sizing, "OVERLAP_DIMENSIONS_MAX_MODEL_ROWS", limit)
    events = []
    write_dimensions, piece_rows = narrow.write_dimensions, partitions.piece_rows

    def dimensions(*args):
        write_dimensions(*args)
        events.append("dimensions")

    def pieces(*args):
        events.append("chunk")
        yield from piece_rows(*args)

    monkeypatch.setattr(narrow, "write_dimensions", dimensions)
    monkeypatch.setattr(partitions, "piece_rows", pieces)
    run_dir = runs.run(runs.prepare(parse_spec(small_spec)), tmp_path / "out")
    assert sorted(events) == ["chunk", "dimensions"] and (run_dir / "dimensions").is_dir()
    if first:
        assert events[0] == first
