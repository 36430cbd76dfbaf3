"""Columns computed once per distinct key and gathered back onto the joined rows (``per_key``, issue 15)."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest
from polars.testing import assert_frame_equal, assert_series_equal

from pipeline.catalogs.load import load_catalogs
from pipeline.runs.streamed import Sourced
from pipeline.spec import parse_spec
from pipeline.studies import per_key, training
from pipeline.studies import training_reference as reference
from pipeline.studies.sides import Space

# 3 hardware rows (two with the same peak), 12 model rows (3 distinct sizes): y = peak x size, z = size + 1
HARDWARE = pl.DataFrame({"workload": ["w"] * 3, "name": ["a", "b", "c"], "peak": [2.0, 3.0, 2.0]})
MODEL = pl.DataFrame({"workload": ["w"] * 12, "size": [10.0, 20.0, 10.0, 30.0, 20.0, 10.0] * 2, "batch": range(12)})


def _toy(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
    return pairs.with_columns(y=pl.col("peak") * pl.col("size"), z=pl.col("size") + 1.0), {"y": "Y", "z": "Z"}


def _space() -> Space:
    return Space(HARDWARE, MODEL, {"peak": None, "size": None, "batch": None, "name": None, "workload": None})


@pytest.mark.parametrize("hardware", [("peak",), ("name", "peak")])  # distinct peaks (2 classes) / every row
def test_a_group_gathered_by_its_keys_equals_its_formula_on_every_row(hardware):
    """By hand: row (b, size 30) holds 3 x 30 = 90 and 31; every row as computing y and z per row."""
    frame, units = per_key.gathered(_space(), None, [per_key.Group(("y", "z"), ("size",), hardware, _toy)])
    got = frame.select("name", "size", "batch", "y", "z").collect()
    want = _toy(_space().frame().select("name", "size", "batch", "peak"))[0].drop("peak").collect()
    assert_frame_equal(got, want, check_exact=True)
    assert got.filter((pl.col("name") == "b") & (pl.col("size") == 30.0)).select("y", "z").row(0) == (90.0, 31.0)
    assert units["y"] == "Y" and units["z"] == "Z"
    # gathered as one struct, unnested: the columns themselves, in the group's order, no struct left over
    assert frame.collect_schema().names()[-2:] == ["y", "z"]
    assert not [c for c in frame.collect_schema().names() if c.startswith(per_key.NESTED)]


def _z_only(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
    return pairs.with_columns(z=pl.col("size") + 1.0), {"z": "Z"}


def _three(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
    frame, units = _toy(pairs)
    return frame.with_columns(w=pl.col("size") * 2.0), units | {"w": "W"}


def test_a_groups_apart_columns_are_gathered_only_where_the_plan_reads_them():
    """Issue 15 (serving sweep speed): a struct gather gathers every field, read or not, and polars' projection
    pushdown stops at ``unnest``. y and z gathered as one struct, w (``apart``) on its own: a plan that reads y
    only gathers one struct, no w; every column equals the group without ``apart`` (by hand: row (b, size 30) y
    90, z 31, w 60)."""
    group = per_key.Group(("y", "z", "w"), ("size",), ("peak",), _three)
    htable, _ = per_key.classes(HARDWARE, ["peak"])
    mtable, _ = per_key.classes(MODEL, ["size"])
    _, _, packed = per_key._table(replace(group, apart=("w", "z")), htable, mtable)
    assert [s.name for s in packed] == ["y", f"{per_key.NESTED}z"]  # y alone: a column; z and w: a struct
    frame, _ = per_key.gathered(_space(), None, [replace(group, apart=("w",))])
    plain, _ = per_key.gathered(_space(), None, [group])
    assert_frame_equal(frame.collect(), plain.collect(), check_exact=True, check_column_order=False)
    assert frame.filter(name="b", size=30.0).select("y", "z", "w").collect().row(0) == (90.0, 31.0, 60.0)
    reads_y = frame.select("name", "y").explain()
    assert reads_y.count(".gather(") == 1 and f"{per_key.NESTED}w" not in reads_y  # w's gather left out
    assert frame.select("w").explain().count(".gather(") == 1


def test_a_table_is_one_chunk_a_column():
    """Issue 15 (serving sweep speed): a gather from a column in several chunks is slower; a group's compute that
    yields its pairs in two chunks still gives a table of one chunk a column, with the same values."""
    def two_chunks(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
        frame, units = _toy(pairs)
        return pl.concat([frame.head(2), frame.slice(2)], rechunk=False), units

    group = per_key.Group(("y", "z"), ("size",), ("peak",), two_chunks)
    htable, _ = per_key.classes(HARDWARE, ["peak"])
    mtable, _ = per_key.classes(MODEL, ["size"])
    _, _, (table,) = per_key._table(group, htable, mtable)  # the group's columns as one struct
    assert table.n_chunks() == 1 and table.struct.unnest().n_chunks("all") == [1, 1]
    assert table.struct.field("y").to_list() == [20.0, 40.0, 60.0, 30.0, 60.0, 90.0]  # peak 2, 3 x size 10, 20, 30


@pytest.mark.parametrize("whole_side_classes", [per_key.WHOLE_SIDE_CLASSES, 0])  # whole side's table / chunk's
def test_a_chunk_of_the_hardware_side_gathers_its_own_values(monkeypatch, whole_side_classes):
    """A slice of the hardware side (a writer's chunk) gathers from the classes of the whole side (cached: the same
    table for the next chunk) or of its own rows, and its values are the slice's own."""
    monkeypatch.setattr(per_key, "WHOLE_SIDE_CLASSES", whole_side_classes)
    space, group = _space(), per_key.Group(("y",), ("size",), ("peak",), _toy)
    for rows in ([2], [1, 2]):
        frame, _ = per_key.gathered(space, HARDWARE[rows], [group])
        got = frame.select("name", "y").collect()
        want = HARDWARE[rows].join(MODEL, on="workload", how="inner", maintain_order="right_left").select(
            "name", y=pl.col("peak") * pl.col("size"))
        assert_frame_equal(got, want, check_exact=True)


def test_a_group_that_would_not_share_is_left_to_the_plan():
    """Every model row its own class (batch): a table as large as the rows, so the columns are not added."""
    frame, units = per_key.gathered(_space(), None, [per_key.Group(("y",), ("batch", "size"), ("peak",), _toy)])
    assert "y" not in units and "y" not in frame.collect_schema()


def test_side_ids_gather_by_the_numbers_the_rows_carry():
    """``Group.ids``: the sides carry their class numbers (a model id per distinct size); a slice of the hardware
    side keeps its whole-side numbers."""
    hw = HARDWARE.with_row_index("_h")
    model = MODEL.with_columns((pl.col("size").rank("dense").cast(pl.Int64) - 1).alias("_m"))
    space = Space(hw, model, _space().units | {"_h": None, "_m": None})
    group = per_key.Group(("y",), ("size",), ("peak",), _toy, ids=("_h", "_m"))
    frame, _ = per_key.gathered(space, hw[[2]], [group])
    got = frame.select("name", "y").collect()
    assert got["name"].to_list() == ["c"] * 12 and got["y"].to_list() == [2.0 * s for s in MODEL["size"]]


def test_training_gathers_the_gemm_etas_and_gives_the_rows_of_the_per_row_plan(monkeypatch):
    """The GEMM η and their values at the one-node layout, computed per (hardware row, shape) and gathered, equal
    the plan that computes them on every row (monkeypatched: no group); two hardware rows (bf16, fp8), so a pair
    taken in another order moves values."""
    space = training.build_space(load_catalogs(), parse_spec({"study": "training", "axes": {
        "cluster": ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"], "model": ["Llama 2 7B", "Llama 2 13B"],
        "compute_dtype": ["bf16", "fp8"], "seq_len": [2048, 4096], "gpus": [64, 512], "tp": [1, 2, 8], "pp": [1, 4],
        "microbatch": [1, 2], "global_batch": [512, 1024], "recompute": ["none", "full"], "zero_stage": [0, 3]}}))
    _, units = training.inputs(space)
    assert {*reference.ETAS, *(f"{e}{reference.AT_NODE}" for e in reference.ETAS)} <= set(units)
    got = training.build(space).frame.collect()
    monkeypatch.setattr(reference, "shape_etas", lambda *_: [])
    assert "train_matmul_eta_compute" not in training.inputs(space)[1]
    want = training.build(space).frame.collect()
    assert got.height > 100 and got.equals(want)
    assert got["mfu"].drop_nulls().n_unique() > 10


@pytest.mark.parametrize("collide", ["none", "every row", "last block"])
def test_classes_are_the_distinct_keys_in_order_even_when_hashes_collide(monkeypatch, collide):
    """By hand: sizes 10, 20, 10, 30, 20, 10 (x2) are classes 0, 1, 0, 2, 1, 0 of table 10, 20, 30, with a null key
    its own class; ``collide``: every row hashed alike, or the null key (the last row, checked in the last block of 4
    rows) hashed as size 10, so the check refuses the hashes and the keys are joined."""
    if collide == "every row":
        monkeypatch.setattr(pl.DataFrame, "hash_rows", lambda self, *_, **__: pl.Series([7] * self.height,
                                                                                       dtype=pl.UInt64))
    if collide == "last block":
        monkeypatch.setattr(per_key, "CHECKED_ROWS", 4)
        monkeypatch.setattr(pl.DataFrame, "hash_rows", lambda self, *_, **__: self.to_series().fill_null(10.0).cast(
            pl.UInt64))
    frame = pl.concat([MODEL, pl.DataFrame({"workload": ["w"], "size": [None], "batch": [12]})], how="vertical_relaxed")
    table, ids = per_key.classes(frame, ["size"])
    assert table["size"].to_list() == [10.0, 20.0, 30.0, None] and table[per_key.ID].to_list() == [0, 1, 2, 3]
    assert ids.to_list() == [0, 1, 0, 2, 1, 0] * 2 + [3]


@pytest.mark.parametrize("whole_side_classes", [per_key.WHOLE_SIDE_CLASSES, 0])
def test_numbered_sides_bring_the_ids_a_plan_without_rows_gathers_by(monkeypatch, whole_side_classes):
    """A plan built on no hardware rows (a streamed source's, ``Sourced``) over sides ``numbered`` gives, on pieces
    of their product (hardware rows x model slices, in another order), each row's own values: the ids travel with
    the rows, numbered on the whole sides whatever their classes' count."""
    monkeypatch.setattr(per_key, "WHOLE_SIDE_CLASSES", whole_side_classes)
    space, group = _space(), per_key.Group(("y", "z"), ("size",), ("peak",), _toy)
    numbered = per_key.numbered(space, [group])
    assert [c for c in numbered.hardware_side.columns if c.startswith("__h")]
    assert [c for c in numbered.model_side.columns if c.startswith("__m")]
    pieces = [Space(numbered.hardware_side[rows], numbered.model_side.slice(start, 5), space.units).frame()
              for rows in ([2], [0, 1]) for start in (5, 0, 10)]
    fed = Sourced(numbered.hardware_side, numbered.model_side, space.units, source=pl.concat(pieces))
    frame, units = per_key.gathered(fed, fed.hardware_side.head(0), [group])
    assert units["y"] == "Y"
    got = frame.select("name", "batch", "y", "z").collect()
    want = _toy(pl.concat(pieces).select("name", "batch", "peak", "size"))[0].select("name", "batch", "y", "z")
    assert got.height == 36 and got.equals(want.collect())


def test_a_group_in_parts_gives_the_table_of_the_whole_group():
    """Issue 15 (serving speed): y reads peak and size, z size only; in parts (z on the model classes alone) the
    table is the group's own, value for value, one chunk a column, in the group's column order."""
    parts = (per_key.Group(("z",), ("size",), (), _z_only), per_key.Group(("y",), ("size",), ("peak",), _toy))
    whole = per_key.Group(("y", "z"), ("size", "batch"), ("name", "peak"), _toy)
    htable, _ = per_key.classes(HARDWARE, ["name", "peak"])
    mtable, _ = per_key.classes(MODEL, ["size", "batch"])
    m, units, (want,) = per_key._table(whole, htable, mtable)
    got = per_key._table(replace(whole, parts=parts), htable, mtable)
    assert got[:2] == (m, units) and got[2][0].n_chunks() == 1 and got[2][0].struct.unnest().n_chunks("all") == [1, 1]
    assert_series_equal(got[2][0], want, check_exact=True)
    assert want.struct.field("z").to_list()[:3] == [11.0, 21.0, 11.0]  # size 10, 20, 10 + 1 (hardware row a)


def test_a_group_in_parts_gathers_its_apart_columns_through_their_parts_pairs():
    """Issue 15 (serving prologue): a group in parts assembles the columns a run's plan reads only; an ``apart``
    column (z: its part reads size alone, 3 model classes) is gathered from its part's own table through that
    part's pair of each pair. Every row equals the group without ``apart`` (by hand: row (b, size 30) y 90, z 31),
    and a plan reading y only gathers no z."""
    parts = (per_key.Group(("z",), ("size",), (), _z_only), per_key.Group(("y",), ("size",), ("peak",), _toy))
    whole = per_key.Group(("y", "z"), ("size",), ("peak",), _toy, parts=parts)
    htable, _ = per_key.classes(HARDWARE, ["peak"])
    mtable, _ = per_key.classes(MODEL, ["size"])
    _, _, packed = per_key._table(replace(whole, apart=("z",)), htable, mtable)
    assert packed[0].name == "y" and packed[0].len() == 2 * 3  # y assembled on every pair of the group
    (values, pairs), = packed[1:]
    assert values.name == "z" and values.to_list() == [11.0, 21.0, 31.0] and pairs.to_list() == [0, 1, 2] * 2
    frame, _ = per_key.gathered(_space(), None, [replace(whole, apart=("z",))])
    plain, _ = per_key.gathered(_space(), None, [whole])
    assert_frame_equal(frame.collect(), plain.collect(), check_exact=True, check_column_order=False)
    assert frame.filter(name="b", size=30.0).select("y", "z").collect().row(0) == (90.0, 31.0)
    assert frame.select("name", "y").explain().count(".gather(") == 1


def test_a_side_from_elsewhere_takes_its_own_classes():
    """A hardware side whose rows are not the space's on every key (validation's rows at another η): its classes
    are its own, and its values its own."""
    def named(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
        return pairs.with_columns(z=pl.col("size") + pl.col("name").str.len_bytes()), {"z": "Z"}

    space, group = _space(), per_key.Group(("y",), ("size",), ("peak",), _toy)
    other = HARDWARE.with_columns(peak=pl.Series([5.0, 3.0, 2.0]))  # the names the space's, a peak not
    frame, _ = per_key.gathered(space, other, [group, per_key.Group(("z",), ("size",), ("name",), named)])
    got = frame.select("name", "y", "z").collect()
    want = named(_toy(other.join(MODEL, on="workload", how="inner", maintain_order="right_left").lazy())[0])[0]
    assert_frame_equal(got, want.select("name", "y", "z").collect(), check_exact=True)
    assert got.filter(name="a")["y"].to_list()[:2] == [50.0, 100.0]  # peak 5 x size 10, 20


def test_a_groups_inner_columns_are_its_inputs_computed_on_their_own_classes():
    """Issue 15 (serving speed): v = y + batch reads y = peak x size, an inner group on (peak) x (size) classes (2 x 3
    pairs, not the group's 3 x 12); the table equals v computed with y inline, value for value. By hand: hardware a
    (peak 2), model row 3 (size 30, batch 3): 2 x 30 + 3 = 63."""
    def v_of_y(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
        return pairs.with_columns(v=pl.col("y") + pl.col("batch")), {"v": "V"}

    def v_inline(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
        return v_of_y(_toy(pairs)[0])

    seen = []

    def counted(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
        seen.append(pairs.collect().height)
        return _toy(pairs)

    inner = per_key.Group(("y",), ("size",), ("peak",), counted)
    group = per_key.Group(("v",), ("size", "batch"), ("name", "peak"), v_of_y, inner=(inner,))
    htable, _ = per_key.classes(HARDWARE, ["name", "peak"])
    mtable, _ = per_key.classes(MODEL, ["size", "batch"])
    m, units, (got,) = per_key._table(group, htable, mtable)
    _, _, (want,) = per_key._table(replace(group, compute=v_inline, inner=()), htable, mtable)
    assert seen == [2 * 3] and m == 12 and units == {"v": "V"}
    assert_series_equal(got, want, check_exact=True)
    assert got[3] == 63.0 and got.n_chunks() == 1


def test_a_large_group_in_parts_is_still_one_chunk_a_column():
    """Issue 15 (serving prologue): the parts' columns are gathered by one query; on 360,000 pairs (polars splits a
    frame that large into chunks to compute it in parallel) each column is still one chunk, value for value the
    table of the whole group. By hand: hardware row 7 (peak 8), model row 5 (size 6): y = 48, z = 7."""
    hardware = pl.DataFrame({"workload": ["w"] * 600, "name": [str(i) for i in range(600)],
                             "peak": [float(i + 1) for i in range(600)]})
    model = pl.DataFrame({"workload": ["w"] * 600, "size": [float(i + 1) for i in range(600)], "batch": range(600)})

    parts = (per_key.Group(("z",), ("size",), (), _z_only), per_key.Group(("y",), ("size",), ("peak",), _toy))
    whole = per_key.Group(("y", "z"), ("size", "batch"), ("name", "peak"), _toy)
    htable, _ = per_key.classes(hardware, ["name", "peak"])
    mtable, _ = per_key.classes(model, ["size", "batch"])
    _, _, (want,) = per_key._table(whole, htable, mtable)
    _, _, (got,) = per_key._table(replace(whole, parts=parts), htable, mtable)
    assert got.n_chunks() == 1 and got.struct.unnest().n_chunks("all") == [1, 1]
    assert_series_equal(got, want, check_exact=True)
    assert got.struct.unnest().row(7 * 600 + 5) == (48.0, 7.0)


def test_the_model_sides_classes_are_found_once_on_a_thread():
    """Issue 15 (serving prologue): the groups' model-side classes not cached yet are found on a thread (one per set
    of keys), equal ``classes``' own and cached: asked again, none is found anew."""
    space = _space()
    groups = [per_key.Group(("y",), ("size",), ("peak",), _toy), per_key.Group(("z",), ("size",), ("name",), _toy),
              per_key.Group(("w",), ("batch", "size"), ("peak",), _three)]
    per_key.forget()
    found = per_key._model_classes(space, groups)
    assert list(found) == [("size",), ("batch", "size")]
    for keys, future in found.items():
        (table, ids), (want_table, want_ids) = future.result(), per_key.classes(MODEL, keys)
        assert_frame_equal(table, want_table) and assert_series_equal(ids, want_ids)
    assert table.height == 12 and found[("size",)].result()[0]["size"].to_list() == [10.0, 20.0, 30.0]
    assert per_key._model_classes(space, groups) == {}


def _w_by_name(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
    return pairs.with_columns(w=pl.col("size") * 2.0), {"w": "W"}


def test_a_plans_tables_are_computed_on_threads_and_give_the_rows_of_one_thread(monkeypatch):
    """Issue 15 (serving prologue's wall): where two or more groups compute a table, ``_numbered`` computes them on
    ``TABLE_THREADS`` threads (and a group in parts its parts): the gathered rows equal those computed on this
    thread alone, bit for bit, by hand at row (b, size 30) y 90, z 31, w 60; a build whose tables are cached (a later
    chunk's) starts no thread."""
    space = _space()
    parts = (per_key.Group(("z",), ("size",), (), _z_only), per_key.Group(("y",), ("size",), ("peak",), _toy))
    groups = [per_key.Group(("y", "z"), ("size",), ("peak",), _toy, parts=parts),
              per_key.Group(("w",), ("size",), ("name",), _w_by_name)]
    threads = []
    each = per_key._each

    def counted(function, items, threaded):
        threads.append(threaded)
        return each(function, items, threaded)
    monkeypatch.setattr(per_key, "_each", counted)
    per_key.forget()
    frame = per_key.gathered(space, None, groups)[0].select("name", "size", "batch", "y", "z", "w").collect()
    assert threads == [True, True]  # the two groups' tables, then the two parts of the first
    assert frame.filter(name="b", size=30.0).select("y", "z", "w").row(0) == (90.0, 31.0, 60.0)
    threads.clear()
    per_key.gathered(space, None, groups)[0].collect()  # the tables cached: gathered on this thread
    assert threads == [False]
    monkeypatch.setattr(per_key, "TABLE_THREADS", 1)
    per_key.forget()
    alone = per_key.gathered(space, None, groups)[0].select("name", "size", "batch", "y", "z", "w").collect()
    assert_frame_equal(frame, alone, check_exact=True)
    # more pairs than THREADED_PAIRS (a space's hardware rows x model rows; a group's in parts, its classes'): one
    # table at a time, the groups' and the parts'
    monkeypatch.setattr(per_key, "THREADED_PAIRS", 0)
    threads.clear()
    per_key.forget()
    per_key.gathered(space, None, groups)[0].collect()
    assert threads == [False, False]


def test_forget_keeps_only_the_entries_no_other_frame_owns():
    """Issue 15 (r-srvspd5): ``forget(keep)`` lets go every entry a frame outside ``keep`` owns (a block's model side:
    its classes and tables) and keeps those of the kept frames alone (the hardware side's classes) and of no frame;
    ``forget()`` lets go of everything."""
    hardware, model, other = pl.DataFrame({"a": [1]}), pl.DataFrame({"b": [2]}), {"units": None}
    per_key.forget()
    built = []
    for key, owners in (("hw", (hardware,)), ("table", (hardware, model, other)), ("model", (model,)),
                        ("no frame", (other,))):
        per_key.cached(key, owners, lambda key=key: built.append(key) or key)
    per_key.forget((hardware,))
    for key, owners in (("hw", (hardware,)), ("table", (hardware, model, other)), ("model", (model,)),
                        ("no frame", (other,))):
        per_key.cached(key, owners, lambda key=key: built.append(key) or key)
    assert built == ["hw", "table", "model", "no frame", "table", "model"]
    per_key.forget()
    per_key.cached("hw", (hardware,), lambda: built.append("hw again"))
    assert built[-1] == "hw again"
