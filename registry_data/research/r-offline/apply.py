"""Issue 12: state ``requests`` on TensorRT-LLM's perf-overview throughput rows (trtllm-bench, offline).

trtllm-bench throughput queues a dataset of ``$num_requests`` synthetic requests at an infinite rate and reports
output tokens over the whole run; the page's 'Preparing a Dataset' table gives the count per ISL/OSL
(docs/source/performance/perf-overview.md: 128/128 30000, 128/2048 3000, 128/4096 1500, 2048/128 3000,
2048/2048 1500, 5000/500 1500, 1000/1000 3000, 500/2000 3000, 20000/2000 1000; the v1.0 page adds 1000/2000 1500).
Each of these rows already quotes its count in its notes ('..., 30000 requests (page table ...)'); this script
copies that count into the ``requests`` column (where null), checked against the table above, so the run is
predicted as the finite burst it is (pipeline.walls.burst: waves of the batch cap, the last one partial).

Run from the repository root (a second run changes nothing):

    .venv/bin/python registry_data/research/r-offline/apply.py
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

REGISTRY = Path(__file__).parents[2]
PAGE = "docs/source/performance/perf-overview.md"
# (ISL, OSL) -> $num_requests, the page's table (both page versions in the catalog agree where they overlap)
NUM_REQUESTS = {(128, 128): 30000, (128, 2048): 3000, (128, 4096): 1500, (2048, 128): 3000, (2048, 2048): 1500,
                (5000, 500): 1500, (1000, 1000): 3000, (500, 2000): 3000, (20000, 2000): 1000, (1000, 2000): 1500}
QUOTED = re.compile(r"(\d+) requests")


def updated(measurements: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    rows, changed = [], 0
    for r in measurements.iter_rows(named=True):
        offline = ((r["source_url"] or "").endswith(PAGE) and r["scenario"] == "offline"
                   and r["metric"] == "tokens_per_s")
        if offline and r["requests"] is None:
            quoted = QUOTED.search(r["notes"] or "")
            table = NUM_REQUESTS.get((r["prompt_len"], r["output_len"]))
            if quoted is None or table is None or int(quoted.group(1)) != table:
                raise ValueError(f"measurements row {r['name']!r}: notes quote {quoted and quoted.group(1)} requests, "
                                 f"the page's table {table} for ISL/OSL {r['prompt_len']}/{r['output_len']}")
            r["requests"] = table
            changed += 1
        rows.append(r)
    return pl.DataFrame(rows, schema=measurements.schema), changed


def main() -> None:
    measurements, changed = updated(read_catalog("measurements", REGISTRY))
    print(f"{changed} rows given requests")
    print(write_catalog(measurements, "measurements", REGISTRY, source="r-offline/apply.py"))


if __name__ == "__main__":
    main()
