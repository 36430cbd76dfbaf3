"""Whether two runs' results.duckdb show the same study view: `python same_view.py RUN_A RUN_B [STUDY]` (run folders,
e.g. of `python -m pipeline bench --study serving --rows 3000000 --out DIR` in each tree's copy). Per column of the
view (run_id aside): the rows' count, NULLs and an order-free digest (the sum of each value's hash, as HUGEINT), each
read by DuckDB over the run's own database; then fits' answer (default parameters) equal. r-srvspd's same_rows.py
compares the parts and scan_run."""
import sys
from pathlib import Path

import duckdb

from pipeline.runs import database

a, b = (Path(p) for p in sys.argv[1:3])
study = sys.argv[3] if len(sys.argv) > 3 else "serving"


def digests(run: Path) -> tuple[list, list]:
    con = database.connect(run)
    columns = [c for c, in con.execute("select column_name from duckdb_columns() where table_name = ? order by "
                                       "column_index", [study]).fetchall() if c != "run_id"]
    sums = ", ".join(f'count("{c}"), sum(hash("{c}")::HUGEINT)' for c in columns)
    row = con.execute(f"select count(*), {sums} from {study}").fetchone()
    con.close()
    return columns, list(row)


ca, da = digests(a)
cb, db = digests(b)
assert ca == cb, "different columns"
assert da == db, [c for i, c in enumerate(ca) if da[1 + 2 * i:3 + 2 * i] != db[1 + 2 * i:3 + 2 * i]]
if study == "serving":
    assert database.run_query("fits", a).equals(database.run_query("fits", b)), "fits differs"
print(f"same view: {da[0]:,} rows x {len(ca)} columns (run_id aside)" + (", fits equal" if study == "serving" else ""))
