"""The model's decode step, term by term, for r-infx's closed-loop DeepSeek-R1 rows (infx-dsr1-*): the catalog's
predict() on the bundled registry (as ``mlsys validate`` and make_baseline), with the serving study asked for the
decode breakdown columns at the row's own batch (r-clttft's parts.py method: wrappers of ``predict.columns_read`` /
``predict.picked`` and of ``serving.build``; read-only, nothing written to the package).

    .venv/bin/python registry_data/research/r-h2itl/parts.py OUT.parquet
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import read_measurements

DECODE = ["decode_attention_class_time_s", "decode_attention_time_s", "decode_projections_time_s",
          "decode_mlp_class_time_s", "decode_mlp_time_s", "decode_mlp_gemm_time_s", "decode_mlp_act_time_s",
          "decode_moe_routing_time_s", "decode_other_class_time_s", "decode_norms_time_s", "decode_lm_head_time_s",
          "decode_sampling_time_s", "decode_dequant_overhead_s", "decode_communication_time_s",
          "decode_launch_overhead_s", "decode_alltoall_time_s", "decode_lora_time_s", "weight_stream_time_s",
          "decode_pass_time_s", "decode_mlp_bytes", "decode_mlp_flop", "decode_attention_bytes",
          "decode_attention_flop", "decode_mlp_is_compute_bound", "decode_attention_is_compute_bound",
          "decode_attention_eta_compute", "decode_mlp_gemm_bytes"]
LOAD = ["closed_loop_users_per_replica", "prefill_utilization", "prefill_time_one_request_s", "load_batch",
        "tpot_clustering_s", "tpot_at_mean_batch_s", "scheduler_overhead_per_iteration_s", "load_round_s"]
EXTRA = DECODE + LOAD
HERE = Path(__file__).resolve().parent


def clttft_parts():
    """r-clttft's parts.py, loaded by path: its ``with_parts`` keeps a closed-loop group's columns through predict."""
    spec = importlib.util.spec_from_file_location("r_clttft_parts", HERE.parent / "r-clttft" / "parts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(out_path: str) -> None:
    serving = importlib.import_module("pipeline.studies.serving")
    catalogs = load_catalogs()
    rows = read_measurements(None, catalogs).rows
    rows = rows.filter(pl.col("name").str.starts_with("infx-dsr1-"))
    table, kept = clttft_parts().with_parts(
        rows, catalogs, EXTRA, lambda b: b + [c for c in EXTRA if c not in b + serving.OUTPUTS], EXTRA)
    infx = rows.with_row_index("measurement").select("measurement", "name")
    chosen = table.select("name", "metric", "framework", "hardware", "concurrency", "prompt_len", "output_len",
                          "measured", "predicted", "error_pct", "eta_compute", "batch_used")
    kept = kept.join(infx, on="measurement")
    kept = kept.with_columns(pl.col(c).cast(pl.Float64, strict=False) for c in kept.columns
                             if c not in ("measurement", "name") and not c.endswith("_bound"))
    frame = chosen.join(kept.drop("measurement"), on=["name", "eta_compute"], how="left")
    frame.write_parquet(out_path)
    print(frame.height, "rows;", frame.filter(pl.col("decode_pass_time_s").is_null()).height, "without parts;",
          "missing:", [c for c in EXTRA if c not in frame.columns])


if __name__ == "__main__":
    main(sys.argv[1])
