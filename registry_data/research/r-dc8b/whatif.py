"""What the Llama 3.1 8B MLPerf Training v5.1 rows would predict if the gradient traffic were hidden as the runs'
overlap flags state (OVERLAP_GRAD_REDUCE / OVERLAP_PARAM_GATHER = True, config_common.sh lines 69-70 of every
implementation), at catalog eta. Arithmetic on the model's own columns (terms.py), no model change:
  full     step - dp_exposed                       (everything hidden: an upper bound on the gain)
  bucket   step - dp_exposed + last bucket         (Megatron's bucketed reduce-scatter: the last 128 Mi-param bucket,
                                                   custom.yaml line 165, and the first all-gather bucket stay exposed)
Run from the worktree root: `.venv/bin/python registry_data/research/r-dc8b/whatif.py`."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
import terms  # noqa: E402

from pipeline.catalogs.load import load_catalogs  # noqa: E402
from pipeline.validation import errors, predict, read_measurements  # noqa: E402

BUCKET_PARAMS = 134217728  # Megatron DDP bucket_size (params), conf/custom.yaml line 165
PARAMS = 8.03e9  # Llama 3.1 8B


def main(pattern: str = "llama31-8b") -> pl.DataFrame:
    grid = terms.table(pattern)  # dp_exposed is the same at every eta
    dp = grid.group_by("name").agg(pl.col("dp_exposed_time_s").first(), pl.col("cp_comm_time_s").first())
    catalogs = load_catalogs()
    rows = read_measurements(None, catalogs).rows.filter(pl.col("name").str.contains(pattern))
    table = errors(rows, predict(rows, catalogs)).select("name", "value", "predicted", "bound", "error_pct")
    # one bucket of the reduce-scatter and one of the all-gather: 2 x bucket / params of the (RS + AG) time
    last = pl.col("dp_exposed_time_s") * 2 * BUCKET_PARAMS / PARAMS / 2
    out = table.join(dp, on="name").with_columns(
        full=pl.col("predicted") - pl.col("dp_exposed_time_s"),
        bucket=pl.col("predicted") - pl.col("dp_exposed_time_s") + last).with_columns(
        full_error_pct=(pl.col("full") / pl.col("value") - 1) * 100,
        bucket_error_pct=(pl.col("bucket") / pl.col("value") - 1) * 100)
    return out.with_columns(pl.col("name").str.replace("mlperf-train-v5.1-", "").str.replace("-llama31-8b-step", ""))


if __name__ == "__main__":
    pl.Config.set_tbl_rows(-1)
    pl.Config.set_tbl_cols(-1)
    pl.Config.set_tbl_width_chars(250)
    pl.Config.set_float_precision(4)
    print(main(*sys.argv[1:2]))
