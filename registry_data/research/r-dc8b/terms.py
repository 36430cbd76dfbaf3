"""Print the training study's terms for measurement rows whose name contains a pattern, at
one eta of the grid (the columns `mlsys validate` computes but does not keep), or with --table every eta's step,
compute, DP and CP terms. It wraps pipeline.validation.predict's column choice and picking to keep every column (a
research probe; no model code changed). Run from the worktree root:
`.venv/bin/python registry_data/research/r-dc8b/terms.py PATTERN [COLUMN-SUBSTRING ...]` or
`.venv/bin/python registry_data/research/r-dc8b/terms.py --table PATTERN`."""

from __future__ import annotations

import importlib
import sys

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import predict, read_measurements

CAPTURED: list[pl.DataFrame] = []
predict_module = importlib.import_module("pipeline.validation.predict")


def main(pattern: str, wanted: list[str]) -> None:
    read, pick = predict_module.columns_read, predict_module.picked

    def every_column(study, units, axes, stated):  # the whole plan, not only what picking reads
        return list(dict.fromkeys(read(study, units, axes, stated) + list(units)))

    def capture(study, out, *rest):
        CAPTURED.append(out)
        return pick(study, out, *rest)

    predict_module.columns_read, predict_module.picked = every_column, capture
    catalogs = load_catalogs()
    rows = read_measurements(None, catalogs).rows.filter(pl.col("name").str.contains(pattern))
    predict(rows, catalogs)
    names = rows.with_row_index("measurement").select("measurement", "name", "value")
    for part in CAPTURED:
        part = part.drop("name", strict=False).join(names, on="measurement")
        for r in part.unique("measurement").iter_rows(named=True):  # one eta of each row
            print("==", r["name"], "measured", r["value"], "eta_compute", r["eta_compute"])
            for k, v in sorted(r.items()):
                if v is not None and (not wanted or any(w in k for w in wanted)):
                    print(f"   {k} = {v}")


def table(pattern: str) -> pl.DataFrame:
    """Every eta of the matching rows: step, compute, DP all-reduce (and exposed), CP, bound."""
    CAPTURED.clear()
    main(pattern, ["\0"])
    names = read_measurements(None, load_catalogs()).rows.filter(pl.col("name").str.contains(pattern)) \
        .with_row_index("measurement").select("measurement", "name", "value")
    cols = ["eta_compute", "step_time_s", "compute_time_s", "dp_allreduce_time_s", "dp_exposed_time_s",
            "cp_comm_time_s", "communication_time_s", "bound"]
    return pl.concat([p.drop("name", strict=False).join(names, on="measurement").select("name", "value", *cols)
                      for p in CAPTURED]).sort("name", "eta_compute")


if __name__ == "__main__" and sys.argv[1:2] == ["--table"]:
    pl.Config.set_tbl_rows(-1)
    pl.Config.set_tbl_width_chars(250)
    print(table(sys.argv[2]))
elif __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "datacrunch", sys.argv[2:])

