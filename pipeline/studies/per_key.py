"""Columns computed once per distinct key of the columns they read, gathered back onto a study's joined rows (issue 15).

A study's rows are the product of a hardware side (hundreds of rows) and a model side (tens of thousands): millions.
Many of its columns read a few columns of each side only (a GEMM's η: the accelerator's kernel fit and the GEMM's M,
N, K; an operator's roofline: a hardware row and the tokens of a pass). ``gathered`` computes such a ``Group`` on the
pairs of the distinct keys of either side (its *classes*: thousands of pairs for millions of rows) and gathers each
row's value by its pair's number, hardware class x (model classes) + model class: one integer gather a group (its
columns as one struct, taken by field; a group's ``apart`` columns as another, which a plan reading none of them
leaves out), not a join that copies every column of the row. The same expressions on the same
values, so the same values. Classes are told apart by polars' equality (NULL equals NULL); keys are shapes, counts and
catalog constants, never -0.0 or NaN.

A side's classes are either
- the distinct rows of the group's key columns of that side, numbered here and carried through the join by an id
  column added to the side (``__h...``, ``__m...``); the hardware side's on the space's whole side when they are few
  (``WHOLE_SIDE_CLASSES``: one table for every chunk), else on the chunk's rows; a space's sides may carry them
  already (``numbered``: the serving sweep's streamed source brings them, as the whole sides' classes);
- or ids the sides already carry (``Group.ids``: a plan built before its rows exist, as the training sweep's streamed
  source), numbered on the whole sides: the table spans every id, and a slice's gaps are never gathered.

A group whose columns read fewer keys each (``Group.parts``: the serving length-free split's 58 columns, 86 x 4,518
pairs; a part 190,722 at most) computes each part on the pairs of its own classes and gathers them into its
table, which rows gather as before (its ``apart`` columns, which a run's plan does not read, are left out of that
table: gathered through each part's pair of every pair, from the part's own). The hardware classes of a chunk's rows
come from one join on the union of the groups' keys (``_whole_classes``), not one join a group.

A group is left to the plan (computed per row) where it would not share: a table of more than half the pairs of the
sides' rows, or of more than ``MAX_TABLE_ROWS`` (each column is collected whole by every plan).

One cache (``cached``): what a side or a space gives (its classes, a table on the whole sides, a study's groups) is
built once while the same objects ask again (a writer's chunks share one space); an entry holds its owners, so their
ids are never reused, and one entry a key is kept (the last owners').
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial

import polars as pl

from pipeline.studies.sides import Space

ID = "__id"
NESTED = "__gathered"  # a set of a group's columns gathered as one struct, then taken by field (``_packed``)
WHOLE_SIDE_CLASSES = 256  # hardware classes computed on the whole side (one table for all chunks) up to this many
CHECKED_ROWS = 1 << 16  # rows ``classes`` checks at a time (67 keys: a 35 MB copy)
TABLE_THREADS = 2  # threads computing a plan's per-key tables (``_each``)
# pairs (hardware rows x model rows) above which the tables are computed one at a time: two in flight at once raised
# the 30 M-row training sweep's peak RSS 1,255-1,266 -> 1,370-1,379 MB (its 52 M pairs; the serving bench's 6.4 M)
THREADED_PAIRS = 8_000_000
MAX_TABLE_ROWS = 2_000_000  # pairs above which a group is computed per row (~8 MB a Float64 column a million pairs)
IDX = pl.get_index_type()  # a pair's number: < MAX_TABLE_ROWS


@dataclass(frozen=True)
class Group:
    """Columns read from a few columns of each side, computed once per pair of their distinct values."""
    columns: tuple[str, ...]  # the columns the group adds
    model: tuple[str, ...]  # the model-side columns they read
    hardware: tuple[str, ...]  # the hardware-side ones
    # the pairs (a lazy frame of each class's keys, hardware class major) -> a lazy frame holding ``columns``, and
    # their units; None for a group of ``parts``, whose table is assembled from theirs
    compute: Callable[[pl.LazyFrame], tuple[pl.LazyFrame, dict]] | None
    ids: tuple[str, str] | None = None  # (hardware id, model id): the sides' numbering of their classes
    # groups of ``columns`` that read fewer of the keys: each computed on the pairs of its own classes and gathered
    # into this group's table (``_assembled``), not computed on every pair of this group's classes
    parts: tuple[Group, ...] = ()
    # ``columns`` a plan may not read (serving's: read by its query-time columns only): gathered apart from the
    # others, so that a plan reading none of them does not gather them (``_packed``)
    apart: tuple[str, ...] = ()
    # groups of columns ``compute`` reads as inputs (serving's kernel η: 26 of 84 hardware classes), each computed on
    # the pairs of its own classes and gathered onto this group's pairs (``_assembled``) before ``compute``
    inner: tuple[Group, ...] = ()


def gathered(space: Space, hardware_side: pl.DataFrame | None, groups: Sequence[Group]) -> tuple[pl.LazyFrame, dict]:
    """``space.frame(hardware_side)`` and ``space.units`` with each group's columns computed per pair of classes and
    gathered into every row (a group that would not share is left out: the plan computes it per row)."""
    hw, model, units, gathers = _numbered(space, hardware_side, groups)
    if not gathers:
        return space.frame(hardware_side), units
    frame = replace(space, model_side=model).frame(hw).with_columns(pl.lit(s).gather(i).alias(s.name)
                                                                    for s, i in gathers)
    structs = [s for s, _ in gathers if s.dtype == pl.Struct]
    if not structs:
        return frame, units
    # each field by name, then the struct dropped (not ``unnest``, which polars' projection pushdown stops at): a
    # struct none of whose fields the plan reads is not gathered
    return frame.with_columns(pl.col(s.name).struct.field(f) for s in structs
                              for f in s.struct.fields).drop(s.name for s in structs), units


def numbered(space: Space, groups: Sequence[Group]) -> Space:
    """``space`` whose sides carry the class ids ``gathered`` numbers them by (the whole sides' classes), so that a
    plan built before its rows exist (a streamed source of the sides' pieces, ``runs.streamed``) gathers by the ids
    its rows bring. ``gathered`` numbers a hardware side again every call (its rows may be another side's, as
    validation's at each η), and keeps the model side's: a model side is its space's or a piece of it. No table is
    computed here; the cache's entries for the sides are kept for the new ones (their keys are the same)."""
    hw, model, _units, _gathers = _numbered(space, None, groups, tables=False)
    for key, (owners, value) in list(_CACHE.items()):
        _CACHE[key] = (tuple(hw if o is space.hardware_side else model if o is space.model_side else o
                             for o in owners), value)
    return replace(space, hardware_side=hw, model_side=model)


def _numbered(space: Space, hardware_side: pl.DataFrame | None, groups: Sequence[Group], tables: bool = True):
    """The hardware rows and the model side with each shared group's class ids (``__h<i>``, ``__m<i>``: ``i`` the
    first group of those keys), the units and the gathers (none without ``tables``)."""
    hw = space.hardware_side if hardware_side is None else hardware_side
    model, units, gathers, added, hids_of = space.model_side, dict(space.units), [], {}, {}
    names: dict = {}  # (side, keys) -> the id column of those classes on that side
    for i, group in enumerate(groups):
        for prefix, keys in (("__h", group.hardware), ("__m", group.model)):
            names.setdefault((prefix, keys), f"{prefix}{i}")
    models = _model_classes(space, [group for group in groups if not group.ids]) if tables else {}
    whole = _whole_classes(space, hardware_side, [group.hardware for group in groups if not group.ids])

    def find(group: Group):
        return (_by_ids(space, hardware_side, group) if group.ids
                else _by_keys(space, hardware_side, group, whole.get(group.hardware), tables, models.get(group.model)))

    todo = [group for group in groups if not (group.ids and not tables)]  # (ids the sides carry already: skipped)
    computed = sum(tables and _computes(space, group, whole.get(group.hardware)) for group in todo)
    threaded = computed >= 2 and space.hardware_side.height * space.model_side.height <= THREADED_PAIRS
    found_all = dict(zip(map(id, todo), _each(find, todo, threaded), strict=True))
    for i, group in enumerate(groups):
        if group.ids and not tables:  # ids the sides carry already
            continue
        found = found_all[id(group)]
        if found is None:
            continue
        ids, m, group_units, table = found
        if group.ids is None:
            hids, mids = ids
            hname, mname = names["__h", group.hardware], names["__m", group.model]
            hids_of[hname] = hids  # added at once below (one frame, not one a group)
            if mname not in model.columns and mname not in added:
                added[mname] = mids
        else:
            hname, mname = group.ids
        if tables:
            index = pl.col(hname).cast(IDX) * m + pl.col(mname).cast(IDX)  # IdxSize: gathered without a cast
            # a set of a part's apart columns gathered through the part's pair of each pair (``_assembled``)
            gathers.extend((column, index) if isinstance(column, pl.Series) else
                           (column[0], pl.lit(column[1]).gather(index)) for column in table)
            units |= group_units
    hw = hw.with_columns(ids.alias(name) for name, ids in hids_of.items()) if hids_of else hw
    if added:  # one frame while the same ids are added (every chunk of a sweep: ``paired`` numbers its layouts once)
        model = cached(("model ids", tuple(added)), (model, *added.values()),
                       lambda: model.with_columns(ids.alias(name) for name, ids in added.items()))
    return hw, model, units, gathers


def _computes(space: Space, group: Group, whole) -> bool:
    """Whether ``_numbered``'s call for ``group`` computes its table (one of a whole side's not cached yet, or one of
    the rows' own classes), not only gathers a cached one."""
    owners = (space.hardware_side, space.model_side, space.units)
    if group.ids:
        return _held(("ids", group.columns), owners) is None
    return whole is None or _held(("table", group.columns, group.apart), owners) is None


def _each(function: Callable, items: Sequence, threaded: bool) -> list:
    """``function`` of each item, in order: on ``TABLE_THREADS`` threads where ``threaded`` (at least two compute a
    table, on at most ``THREADED_PAIRS`` pairs; polars releases the GIL while it collects one: a plan's first build,
    the serving bench's 18 tables and the 14 parts of its length-free split, 0.46-0.53 -> 0.41-0.45 s of wall for the
    same CPU), else on this thread (a later chunk's build gathers cached tables: no thread to start)."""
    if not threaded:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=TABLE_THREADS, thread_name_prefix="mlsys-tables") as pool:
        return list(pool.map(function, items))


def classes(frame: pl.DataFrame, keys: Sequence[str]) -> tuple[pl.DataFrame, pl.Series]:
    """The distinct rows of ``frame``'s ``keys`` in the order of their first row, numbered (``ID``: row i is class
    i), and each row's class. Told apart by a hash of each row's keys, then checked: every row equals its class's
    first row (else the rows are joined on every key, which took the 30 M-row serving sweep up 400-640 MB on the
    67 keys of its length-free split)."""
    if not keys:
        return pl.DataFrame({ID: [0]}, schema={ID: pl.UInt32}), pl.Series(ID, [0] * frame.height, pl.UInt32)
    rows = frame.select(keys)
    hashes = rows.hash_rows()
    first = hashes.is_first_distinct()
    table = rows.filter(first)
    ids = pl.DataFrame({"h": hashes}).join(pl.DataFrame({"h": hashes.filter(first)}).with_row_index(ID), on="h",
                                           how="left", maintain_order="left")[ID]
    # the rows against their classes' first rows a block at a time (a block's copy of its keys: the 30 M-row sweep's
    # 67 keys x 475 k model rows copied whole would be ~250 MB), compared by ``DataFrame.equals`` (``eq_missing``'s
    # equality, NULL equals NULL; one call, not an expression a key: the bench spec's 85 checks 0.18 -> 0.04 CPU s)
    if all(rows.slice(start, CHECKED_ROWS).equals(table[ids.slice(start, CHECKED_ROWS)])
           for start in range(0, rows.height, CHECKED_ROWS)):
        return table.with_row_index(ID), ids
    table = rows.unique(maintain_order=True).with_row_index(ID)
    return table, rows.join(table, on=list(keys), how="left", nulls_equal=True, maintain_order="left")[ID]


_CACHE: dict = {}


def forget(keep: tuple = ()) -> None:
    """Empty the cache, so that the next pass builds its tables as a new process's sweep does (``mlsys bench``); but
    for the entries no frame but those of ``keep`` (by identity) owns: a sweep's next block keeps what its hardware
    side gives (its classes; a study's groups, ``serving_precomputed.groups``)."""
    for key, (owners, _) in list(_CACHE.items()):
        if not keep or any(isinstance(o, pl.DataFrame) and all(o is not k for k in keep) for o in owners):
            del _CACHE[key]


def cached(key: Hashable, owners: tuple, build: Callable):
    """``build()``, once while the same ``owners`` (compared by identity) ask for ``key``."""
    hit = _held(key, owners)
    if hit is None:
        hit = _CACHE[key] = (owners, build())
    return hit[1]


def _held(key: Hashable, owners: tuple) -> tuple | None:
    """The cache's entry for ``key`` if the same ``owners`` hold it."""
    hit = _CACHE.get(key)
    if hit is None or len(hit[0]) != len(owners) or any(a is not b for a, b in zip(hit[0], owners, strict=True)):
        return None
    return hit


def _model_classes(space: Space, groups: Sequence[Group]) -> dict[tuple[str, ...], Future]:
    """The groups' model-side classes not cached yet (``classes`` of the whole model side, cached), found on a thread
    in the groups' order while the main thread computes the tables of the groups before (polars releases the GIL:
    the serving bench's first plan finds 17, ~50 ms on 50,904 rows, beside its first group's table, ~0.3 s)."""
    owners = (space.model_side,)
    keys = [k for k in dict.fromkeys(group.model for group in groups) if _held(("classes", k), owners) is None]
    if not keys:
        return {}
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlsys-classes")
    found = {k: pool.submit(cached, ("classes", k), owners, partial(classes, space.model_side, k)) for k in keys}
    pool.shutdown(wait=False)  # the thread ends after the last
    return found


def _table(group: Group, htable: pl.DataFrame, mtable: pl.DataFrame,
           rechunk: bool = True) -> tuple[int, dict, tuple[pl.Series | tuple[pl.Series, pl.Series], ...]]:
    """The model classes, the units of the group's columns and their values on every (hardware class, model class)
    pair, in the order h x (model classes) + m, packed for gathering (``_packed``); of a group in parts, its ``apart``
    columns as each part's set and the part's pair of every pair (``_assembled``): (values, pair of the part)."""
    if group.parts:
        table, units, apart = _assembled(group.parts, htable, mtable, group.apart)
        return mtable.height, {c: units[c] for c in group.columns}, _packed(
            table.select(c for c in group.columns if c not in group.apart), ()) + apart
    pairs = htable.rename({ID: "__h"}).lazy().join(mtable.rename({ID: "__m"}).lazy(), how="cross",
                                                  maintain_order="left_right")
    if group.inner:  # in the pairs' order (h major), beside them
        pairs = pl.concat([pairs, _assembled(group.inner, htable, mtable)[0].lazy()], how="horizontal")
    frame, units = group.compute(pairs)
    # one chunk a column: a gather from a column in several chunks (a streamed collect's) is ~1.6x slower (a part's
    # table is gathered into its group's by ``_assembled``, one chunk a column: not copied into one first)
    table = frame.select(group.columns).collect()
    table = table.rechunk() if rechunk else table
    return mtable.height, {c: units[c] for c in group.columns}, _packed(table, group.apart)


def _packed(table: pl.DataFrame, apart: Sequence[str]) -> tuple[pl.Series, ...]:
    """``table``'s columns as gathered: those not ``apart``, then those ``apart``, each set its column or for several
    their struct (``NESTED``: ``gathered`` takes its fields; the index is converted and bounds-checked once a set, not
    once a column). A struct gather gathers every field, read or not: the sets are the plan's to leave out."""
    sets = ([c for c in table.columns if c not in apart], [c for c in table.columns if c in apart])
    return tuple(table[c[0]] if len(c) == 1 else table.select(c).to_struct(f"{NESTED}{c[0]}") for c in sets if c)


def _assembled(parts: Sequence[Group], htable: pl.DataFrame, mtable: pl.DataFrame, apart: Sequence[str] = ()
               ) -> tuple[pl.DataFrame, dict, tuple[tuple[pl.Series, pl.Series], ...]]:
    """The columns of ``parts`` on every pair of ``htable`` x ``mtable`` (``_table``'s order), each part's table
    computed on the pairs of the classes of its own keys among theirs and gathered by each pair's: the length-free
    split of the serving bench spec (58 columns, 86 x 4,518 pairs) reads 190,722 pairs at most a part. Gathered
    into one chunk a column, not a collect's chunks copied into one (a streamed collect's 180 MB: ~0.1 CPU s).
    The columns ``apart`` (a run's plan reads none) are not gathered here: each part's set of them and that part's
    pair of every pair, for a plan reading them to gather through (the bench spec: 17 of 44 columns, 53 MB)."""
    hids, mids, tables, units, found = {}, {}, [], {}, {}

    def classes_of(table: pl.DataFrame, keys: tuple[str, ...]) -> tuple[pl.DataFrame, pl.Series]:
        if (id(table), keys) not in found:  # parts of the same keys share their classes
            found[id(table), keys] = classes(table, keys)
        return found[id(table), keys]

    subs = []
    for i, part in enumerate(parts):
        (hsub, hids[i]), (msub, mids[i]) = classes_of(htable, part.hardware), classes_of(mtable, part.model)
        subs.append((replace(part, apart=tuple(c for c in part.columns if c in apart)), hsub, msub))
    threaded = len(subs) >= 2 and htable.height * mtable.height <= THREADED_PAIRS  # each part computes a table
    for m, part_units, table in _each(lambda sub: _table(*sub, rechunk=False), subs, threaded):
        tables.append((m, table))
        units |= part_units
    # each part's index on the pairs, then its columns gathered by it: each step one query, its columns computed in
    # parallel (not 13 indexes and 44 gathers one after another on the main thread); the gathers as a select of
    # literals, each column one chunk (a select on the pairs' frame splits it, and a chunked column is read slower)
    index = pl.DataFrame({f"h{i}": ids for i, ids in hids.items()}).lazy().join(
        pl.DataFrame({f"m{i}": ids for i, ids in mids.items()}).lazy(), how="cross", maintain_order="left_right"
    ).select((pl.col(f"h{i}").cast(IDX) * m + pl.col(f"m{i}").cast(IDX)).alias(str(i))
             for i, (m, _) in enumerate(tables)).collect()
    sets = [(i, column) for i, (_, packed) in enumerate(tables) for column in packed]
    table = pl.select(pl.lit(column).gather(pl.lit(index[str(i)])).alias(column.name)
                      for i, column in sets if _first(column) not in apart)
    return table.unnest([c for c in table.columns if c.startswith(NESTED)]), units, tuple(
        (column, index[str(i)]) for i, column in sets if _first(column) in apart)


def _first(packed: pl.Series) -> str:
    """The first column of a packed set (``_packed``: its column, or its struct's first field)."""
    return packed.struct.fields[0] if packed.dtype == pl.Struct else packed.name


def _shares(hclasses: int, mclasses: int, hrows: int, mrows: int) -> bool:
    """Whether a table of ``hclasses`` x ``mclasses`` pairs is worth it for the product of ``hrows`` x ``mrows``."""
    return hclasses * mclasses * 2 <= hrows * mrows and hclasses * mclasses <= MAX_TABLE_ROWS


def _whole_classes(space: Space, hardware_side: pl.DataFrame | None, keys: Sequence[tuple[str, ...]]) -> dict:
    """Of each set of hardware ``keys`` whose classes are the whole side's (one table for every chunk of the space:
    up to ``WHOLE_SIDE_CLASSES``, or any on a side of no rows, a streamed plan's, whose source brings the ids
    ``numbered`` gave the whole side): the whole side's classes and the class of each row of ``hardware_side``, the
    sets' classes found by one join on the union of their keys (a row not found there, a side from elsewhere such
    as validation's at each η: by its set's own keys; not found there either: no entry, its own classes)."""
    side = space.hardware_side
    hw = side if hardware_side is None else hardware_side
    keys = [k for k in dict.fromkeys(keys) if k and (hw.height == 0 or side.height <= WHOLE_SIDE_CLASSES or cached(
        ("count", k), (side,), lambda k=k: side.select(k).n_unique()) <= WHOLE_SIDE_CLASSES)]  # (no more than its rows)
    found = {k: cached(("hardware classes", k), (side,), lambda k=k: classes(side, list(k))) for k in keys}
    if hw is side or not found:
        return found
    union = sorted({c for k in keys for c in k})
    lookup = cached(("classes of", tuple(keys)), (side,), lambda: side.select(union).with_columns(
        ids.alias(f"__k{i}") for i, (_, ids) in enumerate(found.values())).unique(union, keep="first",
                                                                                  maintain_order=True))
    rows = hw.select(union).join(lookup, on=union, how="left", nulls_equal=True, maintain_order="left")
    whole = {}
    for i, (k, (table, _)) in enumerate(found.items()):
        ids = rows[f"__k{i}"]
        if ids.null_count():
            ids = hw.select(k).join(table, on=list(k), how="left", nulls_equal=True, maintain_order="left")[ID]
        if not ids.null_count():
            whole[k] = table, ids.rename(ID)
    return whole


def _by_keys(space: Space, hardware_side: pl.DataFrame | None, group: Group,
             whole: tuple[pl.DataFrame, pl.Series] | None, table: bool = True, model: Future | None = None):
    """Each side's class of each row, and the group's table (without ``table``: None), classes by the distinct
    keys: the hardware side's ``whole`` (``_whole_classes``), else those of its own rows; the model side's
    (``model``: being found, ``_model_classes``)."""
    hw, hkeys = space.hardware_side if hardware_side is None else hardware_side, list(group.hardware)
    mtable, mids = model.result() if model is not None else cached(
        ("classes", group.model), (space.model_side,), lambda: classes(space.model_side, group.model))
    htable, hids = classes(hw, hkeys) if whole is None else whole  # the whole side's: one table for every chunk
    if not _shares(htable.height, mtable.height, (hw if whole is None else space.hardware_side).height,
                   space.model_side.height):  # a whole side's table serves every chunk
        return None
    if not table:
        return (hids, mids), None, None, None
    if whole is None:
        return (hids, mids), *_table(group, htable, mtable)
    return (hids, mids), *cached(("table", group.columns, group.apart),
                                 (space.hardware_side, space.model_side, space.units),
                                 lambda: _table(group, htable, mtable))


def _by_ids(space: Space, hardware_side: pl.DataFrame | None, group: Group):
    """The group's table on the ids the sides carry (numbered on the whole sides), or None where they are not one
    per hardware row and one per distinct model key."""
    hid, mid = group.ids
    # the hardware rows the frame joins: ``hardware_side`` (its values may differ from the space's: validation's rows
    # at each η), the whole side where it is empty (a streamed plan's source, ``runs.streamed``)
    hw = space.hardware_side if hardware_side is None or hardware_side.height == 0 else hardware_side
    model, hkeys, mkeys = space.model_side, list(group.hardware), list(group.model)
    if (not {hid, *hkeys} <= set(hw.columns) or not {mid, *mkeys} <= set(model.columns) or hw.height == 0
            or model.height == 0 or hw[hid].n_unique() != hw.height):
        return None
    whole = space.hardware_side
    if hw is not whole and {hid, *hkeys} <= set(whole.columns) and hw.select(hid, *hkeys).equals(
            whole.select(hid, *hkeys).join(hw.select(hid), on=hid, how="semi", maintain_order="left")):
        hw = whole  # a slice of the whole side (a chunk): the whole side's table, built once for every chunk
    if hw is whole:
        return cached(("ids", group.columns), (whole, model, space.units),
                      lambda: _ids_table(group, whole, model, whole.height))
    return _ids_table(group, hw, model, whole.height)


def _ids_table(group: Group, hw: pl.DataFrame, model: pl.DataFrame, hrows: int):
    """``_by_ids``' table on the hardware rows ``hw`` (None where the ids do not number the keys); ``hrows``: the
    whole hardware side's rows."""
    (hid, mid), hkeys, mkeys = group.ids, list(group.hardware), list(group.model)
    # one row per id (hashing the id alone: a unique over every key column of the model side took the 30 M-row
    # training run's peak RSS up ~130 MB); keys under two ids are refused
    mtable = model.select(mid, *mkeys).unique(mid, keep="first", maintain_order=True)
    if mtable.select(mkeys).n_unique() != mtable.height:
        return None
    count, rows = int(model[mid].max()) + 1, int(hw[hid].max()) + 1
    if not _shares(rows, count, hrows, model.height):  # the sweep the ids number
        return None
    mtable = pl.DataFrame({ID: range(count)}, schema={ID: model.schema[mid]}).join(
        mtable.rename({mid: ID}), on=ID, how="left", maintain_order="left")
    htable = pl.DataFrame({ID: range(rows)}, schema={ID: hw.schema[hid]}).join(
        hw.select(hid, *hkeys).rename({hid: ID}), on=ID, how="left", maintain_order="left")
    return None, *_table(group, htable, mtable)
