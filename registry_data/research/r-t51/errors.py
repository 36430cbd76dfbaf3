"""The held-out figure: a validation run's error on the MLPerf Training v5.1 rows (added by add_rows.py) beside the
v5.0 and v4.1 rows of the same models, per model x accelerator x devices x metric (median signed and absolute
error at the catalog's eta, rows predicted / rows).

    .venv/bin/mlsys validate --out /tmp/acct51-val1
    .venv/bin/python registry_data/research/r-t51/errors.py /tmp/acct51-val1
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

MODELS = ["Llama 2 70B", "Llama 3.1 405B", "Llama 3.1 8B"]
ROUND = pl.col("source_url").str.extract(r"training_results_(v[0-9.]+)")
ROUNDS = ("v4.1", "v5.0", "v5.1")
HELD = pl.col("round") == "v5.1"
# the per-group tables are r-v50's (one implementation)
_SPEC = importlib.util.spec_from_file_location("errors_v50_for_t51",
                                               Path(__file__).parent.parent / "r-v50" / "errors.py")
V50 = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(V50)


def table(run: Path) -> pl.DataFrame:
    found = sorted(Path(run).glob("validation/*/validation.parquet"))
    rows = pl.read_parquet(found[-1]).filter(pl.col("model").is_in(MODELS) & ROUND.is_in(ROUNDS))
    return rows.with_columns(round=ROUND)


def main(run: str) -> None:
    rows = table(Path(run))
    pl.Config(**V50.FORMAT)
    print("median signed / median |error| % (predicted/rows), per model x accelerator x devices x metric")
    print(V50.side_by_side(rows, ["model", "hardware", "devices", "metric"], HELD, ROUNDS))
    print("per model x accelerator x metric")
    print(V50.side_by_side(rows, ["model", "hardware", "metric"], HELD, ROUNDS))
    print("per model x metric")
    print(V50.side_by_side(rows, ["model", "metric"], HELD, ROUNDS))
    print("per model")
    print(V50.side_by_side(rows, ["model"], HELD, ROUNDS))
    print("v5.1 rows not predicted, and why")
    print(rows.filter((pl.col("round") == "v5.1") & pl.col("error_pct").is_null())
          .select("name", *[c for c in ("reason", "status", "note") if c in rows.columns]))


if __name__ == "__main__":
    main(sys.argv[1])
