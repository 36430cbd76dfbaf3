"""``mlsys catalog diff A B``: what changes from registry A to registry B, table by table: rows
added and removed, and every changed cell with its old and new value, rows matched by each
table's key (``pipeline.catalogs.dump.table_key``). A and B are registry directories (or two
Parquet files of one table); files are read as they are, not validated, and a table held by
one registry only is reported as such."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline.catalogs.dump import cell, detect_table, frame_key, read_parquet
from pipeline.catalogs.schemas import CATALOGS
from pipeline.errors import InputError, Problem


@dataclass
class TableDiff:
    table: str
    key: list[str]
    added: list[str] = field(default_factory=list)  # keys, as "a / b" text
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, str, str, str]] = field(default_factory=list)  # key, column, old, new
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    only_in: str | None = None  # "A" or "B": the table is in one registry only
    rows: int = 0  # rows of the table where it is in one registry only

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed or self.columns_added or self.columns_removed
                    or self.only_in)

    def as_dict(self) -> dict:
        return {"table": self.table, "key": self.key, "added": self.added, "removed": self.removed,
                "changed": [{"key": k, "column": c, "old": o, "new": n} for k, c, o, n in self.changed],
                "columns_added": self.columns_added, "columns_removed": self.columns_removed,
                "only_in": self.only_in, "rows": self.rows}


def diff_registries(a: str | Path, b: str | Path) -> list[TableDiff]:
    """Every table that differs between A and B (directories of ``<table>.parquet``, or two files)."""
    a, b = Path(a), Path(b)
    for side, path in (("A", a), ("B", b)):
        if not path.exists():
            raise InputError("catalog diff", [Problem(None, side, f"not found: {path}")])
    if a.is_file() or b.is_file():
        if not (a.is_file() and b.is_file()):
            raise InputError("catalog diff", [Problem(None, None, "expected two registry directories or two "
                                                                  f"Parquet files, got {a} and {b}")])
        return [d for d in [diff_files(a, b)] if not d.same]
    out = []
    for table in CATALOGS:
        pa_, pb = a / f"{table}.parquet", b / f"{table}.parquet"
        if pa_.exists() and pb.exists():
            d = diff_files(pa_, pb, table)
        elif pa_.exists() or pb.exists():
            frame, _ = read_parquet(pa_ if pa_.exists() else pb)
            d = TableDiff(table, frame_key(frame, table), only_in="A" if pa_.exists() else "B", rows=frame.height)
        else:
            continue
        if not d.same:
            out.append(d)
    return out


def diff_files(a: Path, b: Path, table: str | None = None) -> TableDiff:
    old, _ = read_parquet(a)
    new, _ = read_parquet(b)
    table = table or detect_table(new.columns, b.name) or detect_table(old.columns, a.name)
    key = frame_key(new, table)
    missing = [(side, c) for side, frame in (("A", old), ("B", new)) for c in key if c not in frame.columns]
    if missing:
        raise InputError(f"catalog diff ({table or b.name})",
                         [Problem(None, c, f"key column missing in {side}") for side, c in missing])
    return diff_frames(old, new, table or b.stem, key)


def diff_frames(old: pl.DataFrame, new: pl.DataFrame, table: str, key: list[str]) -> TableDiff:
    """Rows matched on ``key``; cells compared in the columns both frames have (a column whose
    type changed is compared as text)."""
    d = TableDiff(table, key, columns_added=[c for c in new.columns if c not in old.columns],
                  columns_removed=[c for c in old.columns if c not in new.columns])
    shared = [c for c in old.columns if c in new.columns and c not in key]
    old, new = _comparable(old, new, key + shared)
    label = pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in key], separator=" / ").alias("_key")
    joined = old.with_columns(_in_old=pl.lit(True)).join(
        new.with_columns(_in_new=pl.lit(True)), on=key, how="full", coalesce=True, suffix="_new", nulls_equal=True
    ).with_columns(label, pl.col("_in_old", "_in_new").fill_null(False))
    d.added = joined.filter(~pl.col("_in_old"))["_key"].sort().to_list()
    d.removed = joined.filter(~pl.col("_in_new"))["_key"].sort().to_list()
    both = joined.filter(pl.col("_in_old") & pl.col("_in_new"))
    for column in shared:
        moved = both.filter(pl.col(column).ne_missing(pl.col(f"{column}_new")))  # NaN equals NaN in polars
        d.changed += [(k, column, cell(o), cell(n)) for k, o, n in
                      moved.select("_key", column, f"{column}_new").iter_rows()]
    d.changed.sort(key=lambda t: (t[0], shared.index(t[1])))
    return d


def _comparable(old: pl.DataFrame, new: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The shared columns; where the two files' types differ, both as text."""
    text = [c for c in columns if old.schema[c] != new.schema[c]]
    cast = [pl.col(text).cast(pl.String)] if text else []
    return old.select(columns).with_columns(*cast), new.select(columns).with_columns(*cast)


def render(diffs: list[TableDiff], a: str, b: str) -> list[str]:
    """The diff as lines for people: a summary per table, then ``+`` added, ``-`` removed and
    ``~`` changed rows with each cell's old → new."""
    if not diffs:
        return [f"no differences between {a} and {b}"]
    lines = [f"catalog diff: {a} → {b}"]
    for d in diffs:
        if d.only_in:
            lines.append(f"{d.table}: only in {a if d.only_in == 'A' else b} ({d.rows} rows)")
            continue
        changed_rows = len({k for k, *_ in d.changed})
        lines.append(f"{d.table} (key {', '.join(d.key)}): {len(d.added)} added, {len(d.removed)} removed, "
                     f"{changed_rows} changed ({len(d.changed)} cells)")
        lines += [f"  columns added: {', '.join(d.columns_added)}"] if d.columns_added else []
        lines += [f"  columns removed: {', '.join(d.columns_removed)}"] if d.columns_removed else []
        lines += [f"  + {k}" for k in d.added] + [f"  - {k}" for k in d.removed]
        lines += [f"  ~ {k}: {c}: {o or 'null'} → {n or 'null'}" for k, c, o, n in d.changed]
    return lines
