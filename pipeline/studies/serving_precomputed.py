"""The serving study's columns that depend on the model side only, computed once per model-side row.

About a hundred of the serving formulas read model-side columns only (the decoder's shape, the
layout tp x pp x ep, the batch and the lengths): token counts, per-device layer shapes, each
operator's FLOPs, GEMM dimensions and activation elements, the devices of a replica. ``precompute``
evaluates them on the model side (tens of thousands of rows) instead of on its product with the
hardware side (millions), as the node study does (``node._precomputed``): the joined frame holds
them as input columns, which ``formulas.plan`` reads and never recomputes, so every value is the
one the same expression gives per row.

A pass evaluated again at another input (``formulas.plan``'s ``rebind``: wall 7's batch in flight,
the verification pass of speculation, the draft model's pass, the prefill batch) must not read a
precomputed column computed from the input it rebinds: ``rebindable`` leaves those columns out of
the pass's inputs, so it recomputes them from the raw columns, which the model side keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import polars as pl

from pipeline import formulas
from pipeline.studies import per_key
from pipeline.studies.sides import Space
from pipeline.walls.operator_shapes import GEMM_SHAPES


def precompute(space: Space, wanted: Iterable[str], formulas_: Mapping) -> Space:
    """``space`` whose model side also holds the columns of ``wanted``'s formula graph that read
    model-side columns only (those the rest of the plan reads), with their units."""
    wanted = list(wanted)
    model = space.model_side
    available = {c: space.units[c] for c in model.columns if c in space.units}
    # a column the hardware side (or its operations columns) holds is read from there, never computed here
    registry = {name: fn for name, fn in formulas_.items() if name not in space.units or name in available}
    local = [c for c in formulas.computable_from(available, wanted, registry) if c not in available]
    if not local:
        return space
    plan = formulas.plan(model.lazy(), available, local, registry)
    units = available | dict(plan.units)
    read = formulas.inputs_used(units, wanted, registry)  # what the plan of the joined frame reads
    kept = [c for c in local if c in read]
    side = model.with_columns(plan.frame.select(kept).collect())
    return replace(space, model_side=side, units=space.units | {c: units[c] for c in kept})


_DEPENDENT: dict[tuple, tuple] = {}


def depends_on(formulas_: Mapping, keys: Iterable[str]) -> frozenset[str]:
    """The formulas computed, directly or through other formulas, from any column of ``keys`` (once per
    registry and keys: a plan rebinds the same few inputs many times)."""
    keys = frozenset(keys)
    cache_key = (id(formulas_), len(formulas_), keys)
    if cache_key not in _DEPENDENT:  # the entry keeps ``formulas_`` alive, so its id cannot be reused
        _DEPENDENT[cache_key] = (formulas_, _depends_on(formulas_, keys))
    return _DEPENDENT[cache_key][1]


def _depends_on(formulas_: Mapping, keys: frozenset[str]) -> frozenset[str]:
    memo: dict[str, bool] = {}

    def reads_key(name: str) -> bool:
        if name not in memo:
            memo[name] = False  # a formula graph has no cycle (formulas.plan raises on one)
            fn = formulas_.get(name)
            params = [] if fn is None else formulas.parameters(fn)
            memo[name] = any(p in keys or reads_key(p) for p in params)
        return memo[name]

    return frozenset(name for name in formulas_ if reads_key(name))


def rebindable(units: Mapping, rebind: Iterable[str], formulas_: Mapping) -> dict:
    """``units`` for a pass that rebinds the columns ``rebind``: without the input columns a formula
    computes from one of them (a precomputed column at the first evaluation's value), so the pass
    recomputes those from the rebound input."""
    rebind = set(rebind)
    stale = depends_on(formulas_, rebind) - rebind
    return {c: u for c, u in units.items() if c not in stale}


PASSES = ("prefill_pass_time_s", "decode_pass_time_s")  # what wall 7 and a burst evaluate again at other batches


def batch_free(frame: pl.LazyFrame, units: dict, formulas_: Mapping, written: Iterable[str] = (),
               wanted: Iterable[str] = PASSES) -> tuple[pl.LazyFrame, dict]:
    """``frame`` and ``units`` with the columns of ``wanted``'s formula graph that read neither ``batch`` nor a
    column of ``written`` (one a caller writes again later), nor one computed from those, added once as input
    columns: each pass evaluated again at another batch (wall 7's fixed point, a burst's waves) then reads them
    instead of recomputing them under its own suffix (a loaded group's plan held each about twenty times). The
    same expressions on the same values, so the same values."""
    moving = depends_on(formulas_, {"batch", *written}) | {"batch", *written}
    available = {c: u for c, u in units.items() if c not in moving}
    free = [c for c in formulas.computable_from(available, wanted, formulas_) if c not in units]
    if not free:
        return frame, units
    plan = formulas.plan(frame, available, free, formulas_, keep=True)
    return plan.frame, units | dict(plan.units)


# -- columns that do not depend on the lengths: once per hardware row x length-free model row --------------------

# The model-side axes a row's lengths set; the sweep multiplies every layout by them (axes.prompt_len x
# axes.output_len, or axes.dataset's rows).
LENGTH_AXES = frozenset({"prompt_len", "output_len", "dataset", "input_tokens_std", "output_tokens_std",
                         "input_output_correlation"})


@dataclass(frozen=True)
class Split:
    """The columns ``joined`` computes on the product of the hardware rows and the distinct rows of a few
    model-side columns (a ``per_key.Group``)."""
    inputs: dict  # what they read: hardware-side and model-side columns, with units
    keys: list[str]  # the model-side columns among those (a shared model row: one value of each)
    columns: list[str]  # the ones the rest of the plan reads (their units: the table's plan's, ``_groups``)


def split(space: Space, wanted: Iterable[str], formulas_: Mapping) -> Split:
    """The formulas of ``wanted``'s graph that read neither a length axis nor a column computed from one."""
    lengthy = depends_on(formulas_, LENGTH_AXES) | LENGTH_AXES
    return _split(space, wanted, wanted, formulas_, lengthy)


def _split(space: Space, seeds: Iterable[str], wanted: Iterable[str], formulas_: Mapping,
           moving: Iterable[str] = (), known: Mapping | None = None) -> Split:
    """The formulas of ``seeds``' graph computable from side columns not in ``moving``, and of those the ones
    that ``wanted`` reads (not already ``known``)."""
    present = set(space.hardware_side.columns) | set(space.model_side.columns)
    moving, known = set(moving), dict(known or {})
    inputs = {c: u for c, u in space.units.items() if c in present and c not in moving}
    registry = {name: fn for name, fn in formulas_.items() if name not in space.units}  # inputs stay inputs
    free = [c for c in formulas.computable_from(inputs, list(seeds), registry) if c not in inputs]
    if not free:
        return Split(inputs, [], [])
    # the names only: the columns' units come from the plan that computes them (not a compile of its own here)
    read = formulas.inputs_used(space.units | known | dict.fromkeys(free), list(wanted), formulas_)
    columns = [c for c in free if c in read and c not in known]
    keys = sorted((formulas.inputs_used(inputs, columns, registry) & set(space.model_side.columns)) - {"workload"})
    return Split(inputs, keys, columns)


def _groups(space: Space, wanted: tuple[str, ...], formulas_: Mapping, shared: tuple,
            written: tuple[str, ...] | None) -> list[per_key.Group]:
    """The length-free split, then one per group of ``shared`` (each: the columns of its seeds' graph, on the
    distinct rows of the model-side columns they read); once per space (a sweep builds its plan once per chunk of
    hardware rows). A group's columns that ``written`` (of ``wanted``: those a run writes) does not read are gathered
    apart (``per_key.Group.apart``): a run's plan leaves them out."""
    registry = {n: f for n, f in formulas_.items() if n not in space.units}  # inputs stay inputs
    parts, known = [split(space, wanted, formulas_)], {}
    for seeds in shared:
        known |= dict.fromkeys(parts[-1].columns)
        parts.append(_split(space, seeds, wanted, formulas_, known=known))

    def group(part: Split, columns: Iterable[str], in_parts: tuple = (), inner: bool = True) -> per_key.Group:
        read = formulas.inputs_used(part.inputs, columns, registry)
        # the inputs the plan reads, not the split's ~300 (a compile is keyed by them, each unit hashed)
        inputs = {c: u for c, u in part.inputs.items() if c in read}
        etas = [] if in_parts or not inner else kernel_etas(columns, part.inputs, registry)
        inners = tuple(group(part, [eta], inner=False) for eta in etas)
        # the kernel η read from its table (``Group.inner``), in the unit its table's plan gives it (the same compile)
        inputs |= {g.columns[0]: g.compute(pl.LazyFrame())[1][g.columns[0]] for g in inners}
        # the formulas it computes only: a compile keys its registry by content (~1,000 formulas hashed a compile)
        own = {n: registry[n] for n in formulas.computable_from(inputs, list(columns), registry)}

        def compute(pairs: pl.LazyFrame) -> tuple[pl.LazyFrame, dict]:
            plan = formulas.plan(pairs, inputs, list(columns), own)
            return plan.frame, plan.units
        return per_key.Group(tuple(columns), tuple(sorted(read & set(part.keys))),
                             tuple(sorted(read - set(part.keys))), compute, parts=in_parts, inner=inners)

    # the length-free split in parts by the keys its columns read (``per_key.Group.parts``)
    free = parts[0].columns
    read = [formulas.inputs_used(parts[0].inputs, [c], registry) for c in free]
    split_parts = tuple(group(parts[0], columns) for columns in _merged(space, free, read, parts[0].keys))
    groups = ([group(parts[0], free, split_parts)] if free else []) + [group(p, p.columns) for p in parts[1:]
                                                                       if p.columns]
    if written is None:
        return groups
    # what the written columns read, the groups' columns taken as inputs
    used = formulas.inputs_used(space.units | {c: None for p in parts for c in p.columns}, written, formulas_)
    return [replace(g, apart=tuple(c for c in g.columns if c not in used)) for g in groups]


# a GEMM's η (``pipeline.walls.operator_shapes``): the hardware side's kernel fit and the GEMM's M, N, K only; and the
# QKV and O projections' priced η (``walls.mixed_precision``: the 16-bit fit's η where they stay 16-bit, else
# their own), whose 16-bit GEMM model a group would otherwise evaluate on each of its own pairs (86 x 5,561 prefill)
GEMM_ETAS = frozenset(f"{p}_{op}_eta_compute" for p in ("prefill", "decode", "step") for op in GEMM_SHAPES) | {
    f"{p}_{op}_priced_eta_compute" for p in ("prefill", "decode") for op in ("qkv_proj", "o_proj")}


def kernel_etas(columns: Iterable[str], inputs: Mapping, formulas_: Mapping) -> list[str]:
    """The GEMM η formulas that computing ``columns`` passes through (not ``columns`` themselves, nor inputs): each
    reads 26 of the bench spec's 84 hardware classes and a GEMM's shape, so a group computes it on the pairs of its
    own classes (``per_key.Group.inner``) instead of on each of its own pairs (bench spec: the tables' formulas
    0.54 -> 0.45 CPU s; attention's η, cheaper than its gather, stays inline). The same expressions on the same values,
    so the same values."""
    etas = GEMM_ETAS.difference(columns, inputs).intersection(formulas_)  # each read as if it were an input
    return sorted(etas & formulas.inputs_used(dict(inputs) | dict.fromkeys(etas), columns, formulas_))


def _merged(space: Space, columns: Sequence[str], keys: Sequence[set[str]], model: Sequence[str]) -> list[list[str]]:
    """``_by_keys_read``'s groups of ``columns``, a group merged into a larger one where it has at least half its pairs
    and their keys together have that one's classes (on either side: the keys it adds are fixed by its own): the
    columns of both computed once on its pairs, sharing the terms both read (bench spec: three parts of the
    length-free split, 297 k + 2 x 187 k pairs, in one of 297 k; its table 343 -> 272 CPU ms)."""
    # the model side's classes of every key (``per_key``'s, of the whole split: computed once) and the hardware side
    everything, model = tuple(sorted(frozenset().union(*keys) & set(model))), set(model)
    hardware = set(space.hardware_side.columns) - model  # (``workload``, neither side's key, is read by neither)
    sides = (space.hardware_side, per_key.cached(("classes", everything), (space.model_side,),
                                                 lambda: per_key.classes(space.model_side, everything))[0])
    hashes: dict = {}  # a side's rows' hash of some of its keys (told apart by the hashes: a merge moves no value)

    def count(side: int, *groups: frozenset) -> int:
        found = []
        for g in groups:
            own = tuple(sorted(c for c in g if c in (model if side else hardware)))
            if own and (side, own) not in hashes:
                hashes[side, own] = sides[side].select(own).hash_rows()
            found += [hashes[side, own]] if own else []
        # one hash column: its own count (a frame's ``n_unique`` costs ~0.4 ms of planning on a few thousand rows)
        if len(found) == 1:
            return found[0].n_unique()
        return pl.DataFrame({str(i): f for i, f in enumerate(found)}).n_unique() if found else 1

    lists = _by_keys_read(columns, keys)
    read = [frozenset().union(*(keys[columns.index(c)] for c in cs)) for cs in lists]
    size = {i: (count(0, k), count(1, k)) for i, k in enumerate(read)}
    kept: list[int] = []
    for i in sorted(size, key=lambda i: -size[i][0] * size[i][1]):
        into = next((j for j in kept if 2 * size[i][0] * size[i][1] >= size[j][0] * size[j][1]
                     and count(0, read[j], read[i]) == size[j][0] and count(1, read[j], read[i]) == size[j][1]), None)
        if into is None:
            kept.append(i)
        else:
            lists[into], read[into] = lists[into] + lists[i], read[into] | read[i]
    return [lists[i] for i in sorted(kept)]


def _by_keys_read(columns: Sequence[str], keys: Sequence[set[str]]) -> list[list[str]]:
    """``columns`` (each reading its set of ``keys``) in groups, one per set no other set holds: each column in the
    first group of fewest keys whose set holds its own."""
    most = [k for k in dict.fromkeys(map(frozenset, keys)) if not any(k < other for other in keys)]
    groups: dict[frozenset, list[str]] = {}
    for column, own in zip(columns, keys, strict=True):
        groups.setdefault(min((k for k in most if own <= k), key=len), []).append(column)
    return list(groups.values())


def joined(space: Space, hardware_side: pl.DataFrame | None, wanted: Iterable[str],
           formulas_: Mapping, shared: Iterable[Iterable[str]] = (), written: Iterable[str] | None = None
           ) -> tuple[pl.LazyFrame, dict]:
    """``space.frame(hardware_side)`` and its units, with the columns of ``split`` and of each group of
    ``shared`` added: each computed on the product of the hardware rows and the distinct rows of the
    model-side columns it reads (the length-free model rows; a few thousand rows for one operator's
    roofline, of tens of thousands) and gathered into every row (``per_key.gathered``), not recomputed per row.
    The same expressions on the same values, so the same values. A space whose rows are not the product
    of its sides (a subclass with its own ``frame``: validation's listed configurations) takes the plain frame."""
    if not space.is_product():
        return space.frame(hardware_side), space.units
    return per_key.gathered(space, hardware_side, groups(space, wanted, formulas_, shared, written))


def groups(space: Space, wanted: Iterable[str], formulas_: Mapping, shared: Iterable[Iterable[str]] = (),
           written: Iterable[str] | None = None) -> list[per_key.Group]:
    """``joined``'s groups: once per hardware side, units and the model side's columns (a sweep's blocks share them;
    a merge of parts, ``_merged``, is the first block's: the same values either way)."""
    shared, written = tuple(tuple(g) for g in shared), None if written is None else tuple(written)
    return per_key.cached(("serving groups", tuple(wanted), shared, written, tuple(space.model_side.columns)),
                          (space.hardware_side, space.units, formulas_),
                          lambda: _groups(space, tuple(wanted), formulas_, shared, written))
