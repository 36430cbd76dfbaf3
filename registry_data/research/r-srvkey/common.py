"""What the r-srvkey scripts share: r-srvspd5's ``common`` loaded by path (which loads r-srvspd4's, r-srvspd3's,
r-srvspd's and r-srvrow's): ``cpu`` (this process's CPU s), ``prepared`` (the serving bench's spec at N rows as
``mlsys bench`` prepares it), ``first_block`` / ``typed_chunk`` (the 10 M spec's first model block and a chunk of it
typed as the run types it), ``first_build_cpu`` (a block's first build, per-key tables included)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("r_srvspd5_common", HERE.parent / "r-srvspd5" / "common.py")
srvspd5 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(srvspd5)
cpu, prepared, first_block, typed_chunk = srvspd5.cpu, srvspd5.prepared, srvspd5.first_block, srvspd5.typed_chunk
first_build_cpu = srvspd5.first_build_cpu


def split_tables(p) -> dict:
    """Each per-key group in parts (the length-free split) of the 10 M spec's first model block, as its first build
    meets it: {first column: (group, hardware table, model table)}, caught by wrapping ``per_key._table`` for the
    build (restored after)."""
    from pipeline.runs import sizing
    from pipeline.runs.typed import text_enums
    from pipeline.studies import per_key

    caught, table = {}, per_key._table

    def spy(group, htable, mtable, *a, **k):
        if group.parts and group.columns[0] not in caught:
            caught[group.columns[0]] = (group, htable, mtable)
        return table(group, htable, mtable, *a, **k)

    per_key._table = spy
    try:
        first_build_cpu(p, next(sizing.model_blocks(p.space, "serving", True)), text_enums(p.catalogs, "serving"))
    finally:
        per_key._table = table
    return caught
