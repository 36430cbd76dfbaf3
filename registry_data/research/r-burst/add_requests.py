"""Fill the measurements catalog's ``requests`` column (issue 12 item 4): the request count of the
TensorRT-LLM 0.14 online-serving table, which that page states once for the whole table:

    NVIDIA/TensorRT-LLM, docs/source/performance/perf-overview.md at commit
    258c7540c03517def55d9a5aadfa9288af474e1b, section "Online Serving Measurements", line 326:
    "All data in the table below was generated using version 0.14.0, with 500 requests and BF16 precision."

Every row of that table (source_url at that commit, source_location naming the 'Online Serving
Measurements' table) gets requests = 500; every other row keeps its value (null when the column is
new). Re-runnable:

    .venv/bin/python registry_data/research/r-burst/add_requests.py [registry_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

SOURCE = ("https://github.com/NVIDIA/TensorRT-LLM/blob/258c7540c03517def55d9a5aadfa9288af474e1b/docs/source/"
          "performance/perf-overview.md")
TABLE = "'Online Serving Measurements' table"
REQUESTS = 500  # perf-overview.md line 326 at the commit above


def main(registry: Path) -> Path:
    columns = list(CATALOGS["measurements"].to_schema().columns)
    old = pl.read_parquet(registry / "measurements.parquet")
    if "requests" not in old.columns:
        old = old.with_columns(requests=pl.lit(None, pl.Int64))
    table = (pl.col("source_url") == SOURCE) & pl.col("source_location").str.contains(TABLE, literal=True)
    out = old.with_columns(requests=pl.when(table).then(pl.lit(REQUESTS, pl.Int64)).otherwise("requests"))
    print(f"requests = {REQUESTS} on {out.filter(table).height} rows", file=sys.stderr)
    return write_catalog(out.select(columns), "measurements", registry)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
