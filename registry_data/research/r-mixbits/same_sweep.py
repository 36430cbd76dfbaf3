"""Whether two `mlsys sweep` runs wrote the same rows (DuckDB, every column but run_id, as multisets): the sweep's
weight_effective_bits default (null) must leave its output as it was. From the repository root:

    .venv/bin/python registry_data/research/r-mixbits/same_sweep.py BEFORE_RUN_DIR AFTER_RUN_DIR
"""

from __future__ import annotations

import sys

import duckdb


def main(before: str, after: str) -> None:
    con = duckdb.connect()
    files = [f"read_parquet('{d}/study=serving/*/*.parquet')" for d in (before, after)]
    columns = [[r[0] for r in con.execute(f"describe select * from {f}").fetchall()] for f in files]
    if columns[0] != columns[1]:
        sys.exit(f"columns differ: {sorted(set(columns[0]) ^ set(columns[1]))}")
    keep = ", ".join(f'"{c}"' for c in columns[0] if c != "run_id")
    rows = [con.execute(f"select count(*) from {f}").fetchone()[0] for f in files]
    query = "select count(*) from (select {keep} from {x} except all select {keep} from {y})"
    only = [con.execute(query.format(keep=keep, x=x, y=y)).fetchone()[0] for x, y in (files, files[::-1])]
    print(f"{len(columns[0])} columns, rows {rows[0]} / {rows[1]}; only before {only[0]}, only after {only[1]}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
