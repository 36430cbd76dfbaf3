"""Two `mlsys validate` runs' validation.parquet compared per metric (median |error| at catalog eta, then cv), and
the rows that moved. Diagnosis only. Run: .venv/bin/python registry_data/research/r-accnode/compare.py BEFORE AFTER"""

from __future__ import annotations

import sys

import duckdb


def main(before: str, after: str) -> None:
    con = duckdb.connect()
    con.sql(f"create view a as select * from '{before}' where predicted is not null")
    con.sql(f"create view b as select * from '{after}' where predicted is not null")
    print("metric, rows, catalog median |error| before -> after, cv before -> after, moved, better, worse")
    for row in con.sql("""
        select a.metric, count(*), round(median(abs(a.error_pct)), 1), round(median(abs(b.error_pct)), 1),
               round(median(abs(a.cv_error_pct)), 1), round(median(abs(b.cv_error_pct)), 1),
               count(*) filter (where abs(a.predicted / b.predicted - 1) > 1e-9),
               count(*) filter (where abs(b.error_pct) < abs(a.error_pct) - 1e-9),
               count(*) filter (where abs(b.error_pct) > abs(a.error_pct) + 1e-9)
        from a join b using (line, metric) group by all order by 1""").fetchall():
        print(*row, sep=", ")
    print("all latency and throughput:", con.sql("""
        select round(median(abs(a.error_pct)), 2), round(median(abs(b.error_pct)), 2),
               round(median(abs(a.cv_error_pct)), 2), round(median(abs(b.cv_error_pct)), 2), count(*)
        from a join b using (line, metric)""").fetchall()[0])
    print("\nmoved rows (catalog eta): name, metric, hardware, error before -> after")
    for row in con.sql("""
        select a.name, a.metric, a.hardware, round(a.error_pct, 1), round(b.error_pct, 1)
        from a join b using (line, metric) where abs(a.predicted / b.predicted - 1) > 1e-9
        order by a.metric, a.hardware, a.name""").fetchall():
        print(*row, sep=", ")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
