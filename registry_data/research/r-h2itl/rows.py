"""Per-row validation errors of every metric at catalog eta on the bundled catalogs (as ``mlsys validate`` and
make_baseline run them), written to Parquet for ``summary.py``.

    .venv/bin/python registry_data/research/r-h2itl/rows.py OUT.parquet
"""

from __future__ import annotations

import sys

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements

KEEP = ["name", "metric", "framework", "model", "hardware", "scenario", "concurrency", "batch", "prompt_len",
        "output_len", "source_url", "measured", "predicted", "error_pct", "abs_error_pct"]


def main(out_path: str) -> None:
    catalogs = load_catalogs()
    rows = read_measurements(None, catalogs).rows
    table = errors(rows, predict(rows, catalogs))
    table.select([c for c in KEEP if c in table.columns]).write_parquet(out_path)
    print(table.height, "rows")


if __name__ == "__main__":
    main(sys.argv[1])
