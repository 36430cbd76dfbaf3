"""fits' answers on a run for five parameter sets, each written to OUT_<params>.parquet: `PYTHONPATH=TREE python
fits_answers.py RUN OUT`; then `fits_answers.py --compare OUT_A OUT_B` says whether each pair is equal (rows, values,
dtypes, order)."""
import glob
import sys

import polars as pl

PARAMS = [{}, {"context_tokens": "640"}, {"batch": "4", "context_tokens": "2176"}, {"model": "Llama 3.1 8B"},
          {"context_tokens": "7"}]


def name(params: dict) -> str:
    return "_".join(params.values()).replace(" ", "") or "defaults"


if sys.argv[1] == "--compare":
    for params in PARAMS:
        a, b = (pl.read_parquet(f"{o}_{name(params)}.parquet") for o in sys.argv[2:4])
        print(f"{name(params)}: {a.height} rows, equal {a.equals(b) and a.schema == b.schema}")
else:
    from pipeline.runs.database import run_query
    for params in PARAMS:
        run_query("fits", sys.argv[1], params).write_parquet(f"{sys.argv[2]}_{name(params)}.parquet")
