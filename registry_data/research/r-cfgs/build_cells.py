"""Merge ``v41_cells.csv``, ``v50_cells.csv`` and ``v51_cells.csv`` into ``cells.csv`` (what ``apply.py``
replays): only the cells the catalog leaves null when the finders ran (a stated cell the config agrees with is not
rewritten; none disagrees, r-cfgs/README.md), each with a short ``why``: the class or setting the run registered and
where the value is defined.

    .venv/bin/python registry_data/research/r-cfgs/build_cells.py
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
COLUMNS = ["name", "column", "value", "repository", "commit", "path", "line", "why"]


def main() -> None:
    read = {"schema_overrides": {"value": pl.Int64, "line": pl.Int64, "current": pl.Int64, "note": pl.String,
                                 "defined_in": pl.String}}
    v41 = pl.read_csv(HERE / "v41_cells.csv", **read)
    differ = v41.filter(pl.col("current").is_not_null() & (pl.col("current") != pl.col("value")))
    if differ.height:
        raise SystemExit(f"v41_cells.csv: {differ.height} stated cells differ from their config, e.g. "
                         f"{differ.row(0, named=True)}; decide which is the run's before replaying")
    v41 = v41.filter(pl.col("current").is_null()).with_columns(
        pl.format("class {} registered for the run; {} on {}", "class", "column", "defined_in")
        .alias("why"),
        pl.when(pl.col("note").is_not_null()).then(pl.format("; {}", "note")).otherwise(pl.lit("")).alias("n"))
    v41 = v41.with_columns(pl.concat_str("why", "n").alias("why"))
    v51 = pl.read_csv(HERE / "v51_cells.csv", **read).with_columns(
        pl.format("the {} setting; {}", "class", "note").alias("why"))
    v50 = pl.read_csv(HERE / "v50_cells.csv", **read).with_columns(
        pl.format("class {} by its rate; {} on {}, {}", "class", "column", "defined_in", "note").alias("why"))
    cells = pl.concat([v41.select(COLUMNS), v50.select(COLUMNS), v51.select(COLUMNS)]).sort("name", "column")
    if cells.select("name", "column").is_duplicated().any():
        raise SystemExit("cells.csv: a (name, column) pair twice; expected one value per cell")
    cells.write_csv(HERE / "cells.csv")
    print(cells.height, "cells;", cells.group_by("column").len().sort("column").rows())


if __name__ == "__main__":
    main()
