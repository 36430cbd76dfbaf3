"""The cases of issue 14's "Why", one each (signals, kill -9, ``--out`` a file and ``ulimit -f``
are subprocess tests in tests/runs/test_interrupted.py)."""

from __future__ import annotations

import json
import os
import stat
from functools import cache
from pathlib import Path

import polars as pl

from tests.robustness.harness import BUNDLED, Case, Ctx, Result

EVAL = ("evaluate", "--model", "Llama 2 7B", "--hardware", "H100 SXM5 80GB")
SMALL = '[axes]\nhardware = ["T4"]\nmodel = ["ResNet-50"]\nbatch = [1]\n'
HANGS = ("9**9**9 B/s", "10**10**7 B/s")


def spec(ctx: Ctx, text: str, *more: str) -> Result:
    return ctx.mlsys("sweep", "--spec", ctx.write("spec.toml", text), "--out", ctx.tmp / "out", "--no-map", *more)


def nothing_written(ctx: Ctx, _: Result) -> str | None:
    out = ctx.tmp / "out"
    left = [p.name for p in out.iterdir()] if out.exists() else []
    return f"left {left} in the output folder" if left else None


def registry_unchanged(ctx: Ctx, _: Result) -> str | None:
    changed = [p.name for p in sorted(BUNDLED.glob("*.parquet"))
               if p.read_bytes() != (ctx.registry() / p.name).read_bytes()]
    return f"the registry changed: {changed}" if changed else None


@cache
def measurements() -> pl.DataFrame:
    """A few node rows of the measurements catalog, as text (a --measured CSV)."""
    df = pl.read_parquet(BUNDLED / "measurements.parquet")
    rows = df.filter(pl.col("hardware").is_not_null() & pl.col("cluster").is_null() & pl.col("kernel_op").is_null()
                     & pl.col("metric").is_in(["latency_s", "samples_per_s"])).head(4)
    return rows.with_columns(pl.all().cast(pl.String))


def measured(ctx: Ctx, frame: pl.DataFrame | None, *, text: str | None = None) -> Result:
    path = ctx.tmp / "measured.csv"
    if text is not None:
        path.write_text(text)
    else:
        frame.write_csv(path)
    return ctx.mlsys("validate", "--measured", path, "--out", ctx.tmp / "out")


def query_folder(ctx: Ctx, sql: str) -> Path:
    ctx.write("q/evil.sql", "-- reads: node\n" + sql)
    return ctx.tmp / "q"


def no_file(name: str):
    def check(ctx: Ctx, _: Result) -> str | None:
        return f"{name} was written" if (ctx.tmp / name).exists() else None
    return check


def edited_csv(ctx: Ctx, table: str, edit) -> Path:
    """``table`` exported from the registry copy as CSV, passed through ``edit`` (a frame -> frame)."""
    ctx.mlsys("catalog", "export", "--csv", ctx.tmp / "csv", "--table", table, "--registry", ctx.registry())
    path = ctx.tmp / "csv" / f"{table}.csv"
    edit(pl.read_csv(path, infer_schema=False)).write_csv(path)
    return path


def imported(ctx: Ctx, table: str, edit) -> Result:
    path = edited_csv(ctx, table, edit)
    return ctx.mlsys("catalog", "import", "--csv", path, "--registry", ctx.registry())


def first_cell(column: str, value: str):
    return lambda df: df.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(value))
                                      .otherwise(pl.col(column)).alias(column))


def broken_catalog(content: bytes | None):
    def run(ctx: Ctx) -> Result:
        path = ctx.registry() / "hardware.parquet"
        path.write_bytes(path.read_bytes()[:1000] if content is None else content)
        return ctx.mlsys(*EVAL, "--registry", ctx.registry())
    return run


def exported_escapes(ctx: Ctx, res: Result) -> str | None:
    text = (ctx.tmp / "export" / "hardware.csv").read_text()
    return None if "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text \
        else "a cell beginning with = was exported unescaped"


def _formula_note(ctx: Ctx) -> Result:
    res = imported(ctx, "hardware", first_cell("notes", '=HYPERLINK("http://evil.example","x")'))
    if res.code:
        return res
    return ctx.mlsys("catalog", "export", "--csv", ctx.tmp / "export", "--table", "hardware",
                     "--registry", ctx.registry())


def fifo(ctx: Ctx) -> Path:
    os.mkfifo(ctx.tmp / "pipe")
    return ctx.tmp / "pipe"


def two_runs_check(ctx: Ctx, res: Result) -> str | None:
    return None if res.stdout.strip() else "printed nothing"


def the_cases() -> list[Case]:
    c: list[Case] = []
    add = c.append
    # --- security
    for name in ("../../../tmp/x/evil", "/tmp/x/evil"):
        add(Case("security", f"query name {name}", lambda ctx, n=name: (
            ctx.write("tmp/x/evil.sql", "-- reads: node\nselect 1"), ctx.mlsys("query", n, "--out", ctx.runs))[1],
            says=("unknown",), needs_runs=True))
    for statement in ("COPY (select 1) TO 'stolen.csv'", "ATTACH 'other.db'", "INSTALL httpfs", "LOAD httpfs",
                      "PRAGMA version", "SET threads = 1", "select * from read_csv('/etc/passwd')",
                      "select 1; COPY (select 1) TO 'stolen.csv'"):
        add(Case("security", f"query statement {statement[:40]}", lambda ctx, s=statement: ctx.mlsys(
            "query", "evil", "--queries", query_folder(ctx, s), "--out", ctx.runs),
            says=("evil",), check=no_file("stolen.csv"), needs_runs=True))
    for value in HANGS:
        add(Case("security", f"--set {value}", lambda ctx, v=value: ctx.mlsys(
            *EVAL, "--set", f"hardware.memory_bandwidth_bytes_per_s={v}"), says=("--set", "**")))
    add(Case("security", "[overrides] 9**9**9", lambda ctx: spec(
        ctx, SMALL + '[overrides]\n"hardware.memory_bandwidth_bytes_per_s" = "9**9**9 B/s"\n', "--dry-run"),
        says=("overrides.hardware.memory_bandwidth_bytes_per_s", "9**9**9")))
    add(Case("security", "measurement unit 9**9**9", lambda ctx: measured(
        ctx, first_cell("unit", "9**9**9 ms")(measurements())), code=0, says=("left out", "unit", "9**9**9")))
    add(Case("security", "CSV header unit 9**9**9", lambda ctx: imported(
        ctx, "hardware", lambda df: df.rename({"memory_bandwidth_bytes_per_s [B/s]":
                                               "memory_bandwidth_bytes_per_s [9**9**9 B/s]"})),
        says=("memory_bandwidth_bytes_per_s",), check=registry_unchanged))
    add(Case("security", "export escapes a formula", _formula_note, code=0, check=exported_escapes))
    for label, name in (("right-to-left override", "H100\u202eevil"), ("formula", "=cmd|' /C calc'!A0"),
                        ("control character", "H100\x07")):
        add(Case("security", f"name with a {label}", lambda ctx, n=name: imported(
            ctx, "hardware", first_cell("name", n)), says=("name", "row 1"), check=registry_unchanged))
    # --- specs
    add(Case("specs", "--spec a directory", lambda ctx: ctx.mlsys("sweep", "--spec", ctx.tmp, "--dry-run"),
             says=("spec",)))
    add(Case("specs", "--spec a binary file", lambda ctx: ctx.mlsys(
        "sweep", "--spec", ctx.write("b.toml", bytes(range(256)) * 4), "--dry-run"), says=("spec",)))
    for key, value in (("batch", "9223372036854775807"), ("batch", "[8, 8]"), ("seq_len", "1000000000000"),
                       ("batch", "[0]"), ("seq_len", "[-1]")):
        add(Case("specs", f"axes.{key} = {value}", lambda ctx, k=key, v=value: spec(
            ctx, f"[axes]\nhardware = ['T4']\nmodel = ['ResNet-50']\n{k} = {v}\n", "--dry-run"),
            says=(f"axes.{key}",), check=nothing_written))
    many = ", ".join(str(i) for i in range(1, 10_001))
    add(Case("specs", "10^12 configurations --dry-run", lambda ctx: spec(
        ctx, f"[axes]\nbatch = [{many}]\nseq_len = [{many}]\n", "--dry-run"), says=("configurations", "split"),
        check=nothing_written))
    add(Case("specs", "a sweep over --max-rows", lambda ctx: spec(
        ctx, "[axes]\nbatch = [1, 2, 4, 8]\n", "--max-rows", "1000"), says=("--max-rows", "--force"),
        check=nothing_written))
    unknown = ", ".join(f'"no-such-accelerator-{i}"' for i in range(20_000))
    add(Case("specs", "20,000 unknown names", lambda ctx: spec(ctx, f"[axes]\nhardware = [{unknown}]\n", "--dry-run"),
             says=("axes.hardware",), check=nothing_written))
    # --- catalogs
    for label, content in (("truncated", None), ("empty", b""), ("not Parquet", b"name,vendor\nH100,NVIDIA\n")):
        add(Case("catalogs", f"{label} catalog file", broken_catalog(content), says=("hardware.parquet",)))
    add(Case("catalogs", "[GB/s] header over B/s values", lambda ctx: imported(
        ctx, "hardware", lambda df: df.rename({"memory_bandwidth_bytes_per_s [B/s]":
                                               "memory_bandwidth_bytes_per_s [GB/s]"})),
        says=("memory_bandwidth_bytes_per_s",), check=registry_unchanged))
    add(Case("catalogs", "import an empty table", lambda ctx: imported(ctx, "hardware", lambda df: df.head(0)),
             says=("hardware", "no rows"), check=registry_unchanged))
    add(Case("catalogs", "import removes a referenced row", lambda ctx: imported(
        ctx, "hardware", lambda df: df.filter(pl.col("name") != "H100 SXM5 80GB")),
        says=("H100 SXM5 80GB",), check=registry_unchanged))
    add(Case("catalogs", "import renames a referenced row", lambda ctx: imported(
        ctx, "models", lambda df: df.with_columns(pl.col("name").replace("Llama 2 7B", "Llama-2-7B-renamed"))),
        says=("Llama 2 7B",), check=registry_unchanged))
    add(Case("catalogs", "--registry missing", lambda ctx: ctx.mlsys(*EVAL, "--registry", ctx.tmp / "nope"),
             says=("--registry", "nope")))
    add(Case("catalogs", "--registry a file", lambda ctx: ctx.mlsys(*EVAL, "--registry", ctx.write("f", "x")),
             says=("--registry",)))
    add(Case("catalogs", "--registry a folder of CSVs", lambda ctx: (
        ctx.mlsys("catalog", "export", "--csv", ctx.tmp / "csvs"),
        ctx.mlsys(*EVAL, "--registry", ctx.tmp / "csvs"))[1], says=("--registry", "csv")))
    add(Case("catalogs", "$MLSYS_REGISTRY missing", lambda ctx: ctx.mlsys(
        *EVAL, env={"MLSYS_REGISTRY": str(ctx.tmp / "nope")}), says=("MLSYS_REGISTRY",)))
    # --- runs (the environment: exit 1)
    add(Case("runs", "--out under a file", lambda ctx: ctx.mlsys(
        "sweep", "--spec", ctx.write("s.toml", SMALL), "--out", ctx.write("file", "x") / "out", "--no-map"),
        code=1, says=("error: cannot write",)))
    add(Case("runs", "query --output a pipe (never replaced)", lambda ctx: ctx.mlsys(
        "query", "shortlist", "--param", "model=ResNet-50", "--out", ctx.runs, "--format", "csv",
        "--output", fifo(ctx)), says=("--output", "not a regular file"),
        check=lambda ctx, r: None if stat.S_ISFIFO(os.lstat(ctx.tmp / "pipe").st_mode) else "the pipe was replaced",
        needs_runs=True))
    # --- queries
    add(Case("queries", "top=abc", lambda ctx: ctx.mlsys(
        "query", "shortlist", "--param", "model=ResNet-50", "--param", "top=abc", "--out", ctx.runs),
        says=("top", "abc"), needs_runs=True))
    add(Case("queries", "model=123", lambda ctx: ctx.mlsys(
        "query", "shortlist", "--param", "model=123", "--out", ctx.runs, "--format", "json"), code=0,
        check=lambda ctx, r: None if json.loads(r.stdout) == [] else "rows for a model named 123",
        needs_runs=True))
    add(Case("queries", "--output into a missing folder", lambda ctx: ctx.mlsys(
        "query", "shortlist", "--param", "model=ResNet-50", "--out", ctx.runs, "--format", "csv",
        "--output", ctx.tmp / "new" / "deeper" / "x.csv"), code=0,
        check=lambda ctx, r: None if "T4" in (ctx.tmp / "new/deeper/x.csv").read_text() else "no rows",
        needs_runs=True))
    for name, params in (("shortlist", ("--param", "model=ResNet-50")), ("design_space_map", ())):
        add(Case("queries", f"{name} after a serving sweep", lambda ctx, n=name, p=params: ctx.mlsys(
            "query", n, *p, "--out", ctx.runs, "--format", "csv"), code=0, check=two_runs_check, needs_runs=True))
    add(Case("queries", "unknown parameter", lambda ctx: ctx.mlsys(
        "query", "shortlist", "--param", "model=ResNet-50", "--param", "topp=3", "--out", ctx.runs),
        says=("topp",), needs_runs=True))
    # --- evaluate
    add(Case("evaluate", "--tp 2 with the node study", lambda ctx: ctx.mlsys(*EVAL, "--study", "node", "--tp", "2"),
             says=("--tp", "node study")))
    add(Case("evaluate", "--gpus 8 with the node study", lambda ctx: ctx.mlsys(*EVAL, "--gpus", "8"),
             says=("--gpus", "node study")))
    # --- validate --measured
    add(Case("validate", "empty file", lambda ctx: measured(ctx, None, text=""), says=("measured",),
             check=nothing_written))
    add(Case("validate", "header-only file", lambda ctx: measured(ctx, measurements().head(0)), says=("measured",),
             check=nothing_written))
    add(Case("validate", "duplicate names", lambda ctx: measured(
        ctx, measurements().with_columns(pl.lit("same").alias("name"))), says=("name", "same"),
        check=nothing_written))
    add(Case("validate", "every row bad", lambda ctx: measured(
        ctx, measurements().with_columns(pl.lit("no-such-model").alias("model"))), says=("no-such-model",),
        check=nothing_written))
    return c
