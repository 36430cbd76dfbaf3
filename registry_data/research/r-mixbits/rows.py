"""Predict every row of a registry's measurements catalog once and keep both views of it: the per-row errors
(Parquet, for the before / after table of the rows weight_effective_bits moves) and make_baseline's JSON (printed),
from the same predictions. From the repository root:

    .venv/bin/python registry_data/research/r-mixbits/rows.py OUT.parquet [REGISTRY] > OUT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements
from tests.validation.make_baseline import baseline


def main(out: Path, registry: str | None) -> None:
    catalogs = load_catalogs(registry)
    measured = read_measurements(None, catalogs)
    table = errors(measured.rows, predict(measured.rows, catalogs))
    table.select("name", "metric", "measured", "predicted", "error_pct", "abs_error_pct", "bound",
                 "reason").write_parquet(out)
    print(json.dumps(baseline(table), indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
