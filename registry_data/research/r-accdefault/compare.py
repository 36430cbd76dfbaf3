"""Two ``mlsys validate`` runs side by side (r-accdefault README's tables): each metric's median |error| at the
catalog's η and cross-validated, then every row of the named hardware. Run from the repo root:

    .venv/bin/python registry_data/research/r-accdefault/compare.py BEFORE_DIR AFTER_DIR [HARDWARE ...]

BEFORE_DIR / AFTER_DIR: the --out directories of two ``mlsys validate`` runs (their newest run is read).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

CHANGED = ["H100 NVL 94GB", "L4", "A100 SXM4 40GB"]


def run(out: str) -> str:
    return str(sorted(Path(out).glob("validation/*/validation.parquet"))[-1])


def main(before: str, after: str, hardware: list[str]) -> None:
    con = duckdb.connect()
    b, a = run(before), run(after)
    per_metric = f"""
        with b as (select * from '{b}'), a as (select * from '{a}')
        select coalesce(b.metric, 'all') metric, count(*) n,
               round(median(b.abs_error_pct), 2) before_cat, round(median(a.abs_error_pct), 2) after_cat,
               round(median(b.cv_abs_error_pct), 2) before_cv, round(median(a.cv_abs_error_pct), 2) after_cv
        from b join a using (name) where b.abs_error_pct is not null and a.abs_error_pct is not null
        group by rollup (b.metric) order by b.metric nulls last"""
    print("| metric | rows | catalog before | catalog after | cv before | cv after |\n|---|---|---|---|---|---|")
    for r in con.sql(per_metric).fetchall():
        print("| " + " | ".join(str(v) for v in r) + " |")
    names = ", ".join(f"'{h}'" for h in hardware)
    rows = f"""
        with b as (select * from '{b}'), a as (select * from '{a}')
        select b.hardware, b.metric, b.model, b.scenario, b.name,
               round(b.error_pct, 1), round(a.error_pct, 1), round(b.cv_error_pct, 1), round(a.cv_error_pct, 1)
        from b join a using (name) where b.hardware in ({names}) order by b.hardware, b.metric, b.model, b.name"""
    print("\n| hardware | metric | model | scenario | row | catalog before % | catalog after % | cv before % "
          "| cv after % |\n|---|---|---|---|---|---|---|---|---|")
    for r in con.sql(rows).fetchall():
        print("| " + " | ".join("" if v is None else str(v) for v in r) + " |")
    by_hw = f"""
        with b as (select * from '{b}'), a as (select * from '{a}')
        select b.hardware, count(*), round(median(b.abs_error_pct), 1), round(median(a.abs_error_pct), 1),
               round(median(b.error_pct), 1), round(median(a.error_pct), 1),
               round(median(b.cv_abs_error_pct), 1), round(median(a.cv_abs_error_pct), 1)
        from b join a using (name) where b.hardware in ({names}) and b.abs_error_pct is not null
        group by rollup (b.hardware) order by b.hardware nulls last"""
    print("\n| hardware | rows | median abs before | after | median signed before | after | cv abs before | after |"
          "\n|---|---|---|---|---|---|---|---|")
    for r in con.sql(by_hw).fetchall():
        print("| " + " | ".join("all changed" if v is None else str(v) for v in r) + " |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:] or CHANGED)
