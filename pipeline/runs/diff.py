"""``mlsys runs diff A B`` (issue 15 item 3): what changed from run A to run B of one study.

Rows are matched on ``config_id`` (``pipeline.runs.typed``), which encodes a NULL axis as a value of
its own, so a configuration with a NULL ``seq_len`` matches itself (a join on the axis columns
themselves drops such rows unless it is NULL-safe). Rows only in B are added, only in A removed; of
the rows in both, each column counts the rows whose value differs (NULL equals NULL, NaN equals NaN;
``rtol``: numbers within that relative tolerance are equal). The catalogs: tables whose sha256 in
the two manifests differ are compared cell by cell from the copies each run keeps
(``pipeline.catalogs.diff``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline.catalogs.diff import TableDiff, diff_files
from pipeline.catalogs.diff import render as render_catalogs
from pipeline.errors import InputError, Problem
from pipeline.runs.database import resolve_run
from pipeline.runs.views import scan_run
from pipeline.runs.partitions import part_files

IGNORED = ("config_id", "run_id")  # the key, and a column that differs between any two runs
SAMPLE = 5  # config_ids listed per kind of change


@dataclass
class RunDiff:
    a: str
    b: str
    study: str
    rows_a: int
    rows_b: int
    added: int
    removed: int
    changed: int  # rows in both runs with at least one changed column
    columns: dict[str, int]  # column -> rows whose value changed (columns that changed only)
    samples: dict[str, list[int]]  # "added", "removed", "changed" -> a few config_ids
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    catalogs_changed: list[str] = field(default_factory=list)  # tables whose content hash differs
    catalogs: list[TableDiff] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "study": self.study, "rows_a": self.rows_a, "rows_b": self.rows_b,
                "added": self.added, "removed": self.removed, "changed": self.changed, "columns": self.columns,
                "samples": self.samples, "columns_added": self.columns_added,
                "columns_removed": self.columns_removed, "catalogs_changed": self.catalogs_changed,
                "catalogs": [d.as_dict() for d in self.catalogs]}


def _manifest(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text())


def _rows(run: Path, study: str) -> pl.LazyFrame:
    files = part_files(run, study)
    if not files or "config_id" not in scan_run(run, study).collect_schema():  # written, or derived (narrow)
        raise InputError("runs diff", [Problem(None, run.name, "has no config_id column (written before runs were "
                                                               "keyed); rerun its spec to compare it")])
    return scan_run(run, study)  # a narrow run: the fact table joined with its dimension tables


def _differs(column: str, dtype: pl.DataType, rtol: float) -> pl.Expr:
    old, new = pl.col(column), pl.col(f"{column}__b")
    if rtol > 0 and dtype.is_float():
        near = (old - new).abs() <= rtol * pl.max_horizontal(old.abs(), new.abs())
        return old.ne_missing(new) & ~near.fill_null(False)
    return old.ne_missing(new)


def diff_runs(a: str | Path, b: str | Path, out: str | Path = "outputs", rtol: float = 0.0) -> RunDiff:
    run_a, run_b = resolve_run(a, out), resolve_run(b, out)
    ma, mb = _manifest(run_a), _manifest(run_b)
    if ma["study"] != mb["study"]:
        raise InputError("runs diff", [Problem(None, None, f"{run_a.name} is a {ma['study']} run and {run_b.name} "
                                                           f"a {mb['study']} run; compare runs of one study")])
    study = ma["study"]
    old, new = _rows(run_a, study), _rows(run_b, study)
    sa, sb = old.collect_schema(), new.collect_schema()
    shared = [c for c in sa if c in sb and c not in IGNORED]
    joined = old.select("config_id", *shared).with_columns(_a=pl.lit(True)).join(
        new.select("config_id", *shared).with_columns(_b=pl.lit(True)), on="config_id", how="full", coalesce=True,
        suffix="__b").with_columns(pl.col("_a", "_b").fill_null(False))
    both = pl.col("_a") & pl.col("_b")
    flags = {c: (both & _differs(c, sa[c], rtol)) for c in shared}
    any_change = pl.any_horizontal(*flags.values()) if flags else pl.lit(False)
    marked = joined.select("config_id", "_a", "_b", any_change.alias("_changed"),
                           *(f.alias(c) for c, f in flags.items())).collect()
    counts = marked.select((~pl.col("_a")).sum().alias("added"), (~pl.col("_b")).sum().alias("removed"),
                           pl.col("_changed").sum(), *(pl.col(c).sum() for c in shared)).row(0, named=True)

    def sample(condition: pl.Expr) -> list[int]:
        return marked.filter(condition)["config_id"].sort().head(SAMPLE).to_list()

    hashes = [{t: entry.get("sha256") for t, entry in m["catalogs"].items()} for m in (ma, mb)]
    changed_tables = sorted(t for t in set(hashes[0]) | set(hashes[1]) if hashes[0].get(t) != hashes[1].get(t))
    catalogs = [d for t in changed_tables
                if (run_a / "catalogs" / f"{t}.parquet").exists() and (run_b / "catalogs" / f"{t}.parquet").exists()
                for d in [diff_files(run_a / "catalogs" / f"{t}.parquet", run_b / "catalogs" / f"{t}.parquet", t)]
                if not d.same]
    return RunDiff(run_a.name, run_b.name, study, int(marked["_a"].sum()), int(marked["_b"].sum()),
                   counts["added"], counts["removed"], counts["_changed"],
                   {c: counts[c] for c in shared if counts[c]},
                   {"added": sample(~pl.col("_a")), "removed": sample(~pl.col("_b")), "changed": sample("_changed")},
                   [c for c in sb if c not in sa], [c for c in sa if c not in sb], changed_tables, catalogs)


def render(d: RunDiff) -> list[str]:
    """The diff as lines for people."""
    lines = [f"runs diff ({d.study}): {d.a} ({d.rows_a:,} rows) → {d.b} ({d.rows_b:,} rows), keyed by config_id",
             f"rows: {d.added:,} added, {d.removed:,} removed, {d.changed:,} changed"]
    lines += [f"  {c}: {n:,} rows changed" for c, n in sorted(d.columns.items(), key=lambda t: (-t[1], t[0]))]
    lines += [f"columns added: {', '.join(d.columns_added)}"] if d.columns_added else []
    lines += [f"columns removed: {', '.join(d.columns_removed)}"] if d.columns_removed else []
    lines += [f"e.g. {kind} config_id {', '.join(map(str, ids))}" for kind, ids in d.samples.items() if ids]
    if not d.catalogs_changed:
        return [*lines, "catalogs: identical (same sha256 of every table)"]
    lines.append(f"catalogs changed: {', '.join(d.catalogs_changed)}")
    return lines + (render_catalogs(d.catalogs, d.a, d.b)[1:] if d.catalogs else [])
