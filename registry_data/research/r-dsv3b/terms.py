"""The training study's terms for the Megatron-Bridge DeepSeek-V3 rows of an `mlsys validate` run (diagnosis only;
nothing here feeds the model): each row's predicted step split into its terms, per microbatch and per step.

    .venv/bin/python registry_data/research/r-dsv3b/terms.py VALIDATION.parquet [--registry DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from pipeline.api import _one_configuration, _spec
from pipeline.catalogs.paths import bundled_registry
from pipeline.validation.predict import measurement_spec

SHOW = ["num_microbatches", "virtual_stages", "stage_layers", "stage_head_flop_per_sequence", "recompute",
        "compute_time_per_microbatch_s", "ep_comm_time_per_microbatch_s", "compute_time_s", "tp_comm_time_s",
        "ep_comm_time_s", "pipeline_bubble_time_s", "pp_p2p_time_s", "dp_exposed_time_s", "step_time_s",
        "pipeline_bubble_fraction", "mfu", "hfu"]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("validation", type=Path)
    p.add_argument("--registry", type=Path, default=bundled_registry())
    p.add_argument("--all", action="store_true", help="print every column of each row's study output")
    a = p.parse_args()
    rows = (pl.read_parquet(a.validation).with_columns(value=pl.col("measured"))
            .filter(pl.col("name").str.contains("mbridge"), pl.col("name").str.contains("deepseekv3")).sort("name"))
    for r in rows.iter_rows(named=True):
        spec, _ = measurement_spec(r)
        out = _one_configuration(_spec(spec), a.registry, breakdown=True).row(0, named=True)
        print(f"== {r['name']}: measured {r['measured']:,.0f}, predicted {r['predicted']:,.0f} "
              f"({r['error_pct']:+.1f} %)")
        keys = sorted(out) if a.all else [k for k in SHOW if k in out]
        for k in keys:
            v = out[k]
            print(f"   {k:40s} {v:.6g}" if isinstance(v, float) else f"   {k:40s} {v}")


if __name__ == "__main__":
    main()
