"""Cell-by-cell comparison of two kernel_efficiency.parquet files (r-b300gemm/README.md).

Run: .venv/bin/python registry_data/research/r-b300gemm/compare.py OLD.parquet [NEW.parquet]
"""

from __future__ import annotations

import sys

import polars as pl

KEY = ["hardware", "precision", "efficiency_basis"]
SKIP = {"last_verified"}


def changes(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """One row per (key, column) whose value differs (floats beyond 1e-9 relative), rows only in one side included."""
    j = old.join(new, on=KEY, how="full", suffix="_new", coalesce=True)
    out = []
    for c in old.columns:
        if c in KEY or c in SKIP or f"{c}_new" not in j.columns:
            continue
        a, b = pl.col(c), pl.col(f"{c}_new")
        if old.schema[c].is_numeric():
            diff = (a - b).abs() > 1e-9 * pl.max_horizontal(a.abs(), b.abs(), pl.lit(1.0))
            differ = diff.fill_null(a.is_null() != b.is_null())
        else:
            differ = (a != b).fill_null(a.is_null() != b.is_null())
        out.append(j.filter(differ).select(*KEY, pl.lit(c).alias("column"), a.cast(pl.String).alias("old"),
                                           b.cast(pl.String).alias("new")))
    return pl.concat(out)


if __name__ == "__main__":
    new_path = sys.argv[2] if len(sys.argv) > 2 else "registry_data/kernel_efficiency.parquet"
    o, n = pl.read_parquet(sys.argv[1]), pl.read_parquet(new_path)
    print(f"rows {o.height} -> {n.height}")
    with pl.Config(tbl_rows=400, tbl_cols=10, tbl_width_chars=230, fmt_str_lengths=70):
        print(changes(o, n).sort("column", "hardware", "precision"))
