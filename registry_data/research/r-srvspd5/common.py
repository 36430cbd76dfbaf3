"""What the r-srvspd5 scripts share: r-srvspd4's ``common`` loaded by path (which loads r-srvspd3's, r-srvspd's and
r-srvrow's): ``cpu`` (this process's CPU s), ``prepared`` (the serving bench's spec at N rows, prepared as
``mlsys bench`` does) and ``load`` (a module of another r-* folder by path, r-srvspd4's)."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

spec = importlib.util.spec_from_file_location("r_srvspd4_common", Path(__file__).resolve().parent.parent / "r-srvspd4"
                                              / "common.py")
srvspd4 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(srvspd4)
cpu, prepared, load = srvspd4.cpu, srvspd4.prepared, srvspd4.load


def block_plan(p, block, enums, **changes) -> SimpleNamespace:
    """BLOCK of prepared run P as the run builds it (grouped by hardware, CHANGES to its space, per-key tables let go
    first): ``p``, ``enums``, ``space``, ``side``, ``texts``, ``dtypes``, ``shape`` and its chunks' hardware sides,
    ``pieces`` (collects_ab.py, fallback_plan.py; ``first_block``)."""
    from pipeline.runs import narrow, partitions, sizing
    from pipeline.runs.typed import text_codes
    from pipeline.studies import per_key

    per_key.forget()
    space = replace(partitions.block_space(p, block, False, enums), grouped_by="hardware", **changes)
    side = partitions.sorted_side(space, "hardware", frozenset())
    texts = text_codes([p.space.hardware_side, p.space.model_side], ())
    plan = p.study.build(space, side.head(0))
    dtypes = plan.frame.collect_schema()
    shape = narrow.layout(p, dtypes, None)
    pieces = [hw for hw, _ in sizing.pieces(space, "serving", hardware_side=side, key="hardware", cut=False)]
    return SimpleNamespace(p=p, enums=enums, space=space, side=side, texts=texts, dtypes=dtypes, shape=shape,
                           pieces=pieces)


def first_block(rows: int) -> SimpleNamespace:
    """``block_plan`` of the first block of the serving bench at ROWS (write_options.py, write_split.py,
    later_build.py)."""
    from pipeline.runs import sizing
    from pipeline.runs.typed import text_enums

    p = prepared(rows)
    enums = text_enums(p.catalogs, "serving")
    return block_plan(p, next(sizing.model_blocks(p.space, "serving", True)), enums)


def typed_chunk(b: SimpleNamespace, hw):
    """The study's build of ``first_block`` B's chunk of hardware side HW, typed as the run types it (lazy)."""
    from pipeline.runs.typed import typed

    return typed(b.p.study.build(b.space, hw).frame, "serving", "rid", b.texts, b.shape, b.enums, b.dtypes)


def written_chunks(b: SimpleNamespace):
    """``first_block`` B's chunks collected as the run writes them, a chunk's empty body (no ``hardware`` column) and
    the run's Parquet options for it (write_options.py, write_split.py)."""
    from pipeline.runs import partitions
    from pipeline.runs.typed import arrow_schema
    from pipeline.studies import schema_columns

    chunks = [typed_chunk(b, hw).collect() for hw in b.pieces]
    declared = schema_columns(b.p.study.SCHEMA)
    empty = chunks[0].head(0).drop("hardware")
    schema = arrow_schema(empty.lazy(), {k: d["unit"] for k, d in declared.items()},
                          {k: d["description"] for k, d in declared.items()})
    return chunks, empty, partitions.parquet_options(schema, "zstd")


def first_build_cpu(p, block, enums, **changes) -> float:
    """CPU s of the study's build of BLOCK's first chunk as the run makes it, per-key tables let go first (so built
    in it); CHANGES: to the block's space (table_engine.py, written_only_ab.py, apart_cost.py, tables10.py)."""
    from pipeline.runs import partitions, sizing
    from pipeline.studies import per_key

    per_key.forget()
    space = partitions.block_space(p, block, False, enums)
    space = replace(space, **changes) if changes else space
    side = partitions.sorted_side(space, "hardware", frozenset())
    hw = next(iter(sizing.chunks(space, hardware_side=side)))[0]
    c = cpu()
    p.study.build(replace(space, grouped_by="hardware"), hw)
    return cpu() - c
