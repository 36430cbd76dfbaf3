"""Predict the bundled (or REGISTRY's) measurements once, write the per-row error table (name, metric, measured,
predicted, error_pct, reason) to OUT and print make_baseline's lines for it: one prediction gives both the rows'
errors and the baseline (the same calls as `mlsys validate` and tests/validation/make_baseline.py).

    nice .venv/bin/python registry_data/research/r-trcfg/measure.py OUT.parquet [REGISTRY]
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements
from tests.validation.make_baseline import baseline


def main(out: Path, registry: Path | None = None) -> None:
    catalogs = load_catalogs(registry) if registry else load_catalogs()
    measured = read_measurements(None, catalogs)
    table = errors(measured.rows, predict(measured.rows, catalogs))
    keep = [c for c in ("name", "metric", "measured", "predicted", "error_pct", "reason") if c in table.columns]
    table.select(keep).write_parquet(out)
    for metric, e in baseline(table)["metrics"].items():
        print(f"- {metric}: catalog {e['catalog']}, cv {e['cv']}, predicted {e['predicted']}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
