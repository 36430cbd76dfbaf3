"""The GPT-OSS perf-overview rows' signed error (%) under several validation runs, side by side, with the length
classes' medians (r-gptsat's `table.py` for one or two runs).

    .venv/bin/python registry_data/research/r-mxmoe/whatif_table.py NAME=RUN_DIR [NAME=RUN_DIR ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "r-gptsat"))
from table import load  # noqa: E402  (r-gptsat/table.py: the rows of one run)


def main(argv: list[str]) -> None:
    runs = [a.split("=", 1) for a in argv]
    base = load(runs[0][1]).select("row", "isl_osl", "measured")
    for name, run in runs:
        base = base.join(load(run).select("row", pl.col("error_pct").round(1).alias(name)), on="row")
    pl.Config.set_tbl_rows(60)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    print(base)
    short = pl.col("isl_osl").is_in(["1000/1000", "1024/1024"])
    hopper = pl.col("row").str.contains("-h100-|-h200-")
    for label, cond in (("1k/1k", short), ("long", ~short), ("Hopper 1k/1k", short & hopper),
                        ("Hopper long", ~short & hopper), ("all", pl.lit(True))):
        part = base.filter(cond)
        cells = ", ".join(f"{n} {part[n].median():+.1f} / {part[n].abs().median():.1f}" for n, _ in runs)
        print(f"{label} ({part.height} rows), median signed / abs: {cells}")


if __name__ == "__main__":
    main(sys.argv[1:])
