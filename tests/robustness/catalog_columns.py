"""One bad cell for each column of every catalog, through ``mlsys catalog import --csv``: each
table's CSV export with one cell per column made bad (a different row for each column, wrapping
around), imported once per table; each column's case passes when the rejection names that row and
column. The columns come from the pandera schemas, so a new column gets its case."""

from __future__ import annotations

import re

import polars as pl

from pipeline.catalogs.io import export_csv
from pipeline.catalogs.schemas import CATALOGS
from tests.robustness.harness import Case, Ctx, Result
from tests.robustness.why import registry_unchanged

BAD = {"Float64": "abc", "Int64": "1.5", "Boolean": "maybe", "Date": "2026-13-45"}
TEXT = "x\u202ey"  # a right-to-left override: no text cell accepts it
_imported: dict[str, Result] = {}  # table -> the one import of its bad CSV (per process)


def columns(table: str) -> dict[str, str]:
    return {name: str(column.dtype) for name, column in CATALOGS[table].to_schema().columns.items()}


def bad_cells(table: str, height: int) -> dict[str, tuple[int, str]]:
    """column -> (0-based row, bad text)."""
    return {c: (i % height, BAD.get(dtype, TEXT)) for i, (c, dtype) in enumerate(columns(table).items())}


def import_bad(ctx: Ctx, table: str) -> Result:
    if table not in _imported:
        path = export_csv(table, ctx.tmp / "csv", ctx.registry())
        df = pl.read_csv(path, infer_schema=False)
        header = {h.split(" [")[0]: h for h in df.columns}
        for column, (row, text) in bad_cells(table, df.height).items():
            h = header[column]
            df = df.with_columns(pl.when(pl.int_range(pl.len()) == row).then(pl.lit(text)).otherwise(pl.col(h))
                                 .alias(h))
        df.write_csv(path)
        result = ctx.mlsys("catalog", "import", "--csv", path, "--registry", ctx.registry())
        problem = registry_unchanged(ctx, result)
        _imported[table] = result if problem is None else Result(result.code, result.stdout, problem)
    return _imported[table]


def named(table: str, column: str, row: int):
    line = re.compile(rf"row {row + 1}\b.*column {re.escape(column)}:")

    def check(ctx: Ctx, result: Result) -> str | None:
        said = result.stderr + result.stdout
        return None if any(line.search(s) for s in said.splitlines()) else \
            f"no line names row {row + 1}, column {column}: {said[-300:]}"
    return check


def the_cases() -> list[Case]:
    out = []
    for table in CATALOGS:
        for column, (row, text) in bad_cells(table, height_of(table)).items():
            out.append(Case(f"catalog columns: {table}", f"{table}.{column} = {text!r}",
                            lambda ctx, t=table: import_bad(ctx, t), 2, (), named(table, column, row)))
    return out


def height_of(table: str) -> int:
    from tests.robustness.harness import BUNDLED

    return pl.scan_parquet(BUNDLED / f"{table}.parquet").select(pl.len()).collect().item()
