"""TensorRT-LLM's perf-overview tokens_per_s rows, every tp: each row's decode pass at the batch its prediction used,
split into its terms (the GEMMs' weight streaming, attention, norms, LM head + sampling, the TP communication, the
launches, and the kernels' fixed time α under the memory term), each term's share of the pass, and the median share
and signed error by tp and accelerator. If one per-GPU term were under-priced by a common factor, the error would
grow with its share. Run from the repository root:

    .venv/bin/python -m pipeline validate --out DIR
    .venv/bin/python registry_data/research/r-tpdec2/tp_shares.py DIR [OUT.parquet]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.studies import serving
from pipeline.walls.operators import OPERATOR_KERNELS

# one row's decode pass at its batch_used: r-tpdec's (tp_terms.decode_pass)
_SPEC = importlib.util.spec_from_file_location("tp_terms", Path(__file__).parents[1] / "r-tpdec" / "tp_terms.py")
tp_terms = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(tp_terms)

EXTRA = ["decode_pass_time_s", "decode_communication_time_s", "decode_launch_overhead_s", "decode_sampling_time_s",
         "memory_latency_s", "decode_tokens", "n_layers"]
serving.BREAKDOWN.extend(c for c in EXTRA if c not in serving.BREAKDOWN)  # this script only
GEMMS = ("qkv_proj", "o_proj", "mlp")


def terms(r: dict) -> dict:
    """One row's decode pass in seconds by term (the layer operators x L)."""
    layers = r["n_layers"]
    alpha = r["memory_latency_s"] or 0.0
    memory_bound = [op for op in (*GEMMS, "attention", "norms") if r[f"decode_{op}_bound"] == "memory"]
    return {"gemm_s": layers * sum(r[f"decode_{op}_time_s"] for op in GEMMS),
            "attention_s": layers * r["decode_attention_time_s"], "norms_s": layers * r["decode_norms_time_s"],
            "head_s": r["decode_lm_head_time_s"] + r["decode_sampling_time_s"],
            "comm_s": r["decode_communication_time_s"], "launch_s": r["decode_launch_overhead_s"],
            "alpha_s": layers * alpha * sum(OPERATOR_KERNELS[op] for op in memory_bound),
            "gemm_compute_s": layers * sum(r[f"decode_{op}_time_s"] for op in GEMMS if r[f"decode_{op}_bound"] == "compute"),
            "pass_s": r["decode_pass_time_s"]}


def main(run: Path, out: Path | None) -> None:
    rows = pl.read_parquet(next(run.glob("validation/*/validation.parquet"))).filter(
        pl.col("metric") == "tokens_per_s", pl.col("source_url").str.contains("perf-overview"),
        pl.col("framework") == "TensorRT-LLM", pl.col("batch_used").is_not_null())
    catalogs = load_catalogs()
    found = []
    for row in rows.iter_rows(named=True):
        found.append({k: row[k] for k in ("model", "hardware", "compute_dtype", "tp", "prompt_len", "output_len",
                                          "batch_used", "error_pct")} | terms(tp_terms.decode_pass(row, catalogs)))
    table = pl.DataFrame(found)
    if out:
        table.write_parquet(out)
    summarize(table)


def summarize(table: pl.DataFrame) -> None:
    shares = [(pl.col(f"{t}_s") / pl.col("pass_s")).median().round(3).alias(t)
              for t in ("gemm", "gemm_compute", "attention", "norms", "head", "comm", "launch", "alpha")]
    pl.Config.set_tbl_rows(60)
    pl.Config.set_tbl_width_chars(200)
    pcie = pl.col("hardware") == "L40S"
    agg = [pl.len().alias("rows"), pl.col("error_pct").median().round(1).alias("median_error_pct"), *shares]
    print(table.filter(~pcie).group_by("tp").agg(agg).sort("tp"))
    print(table.filter(~pcie).group_by("hardware", "tp").agg(agg).sort("hardware", "tp"))
    print(table.filter(~pcie).group_by("model", "tp").agg(agg).sort("model", "tp"))
    for t in ("gemm", "gemm_compute", "attention", "norms", "comm", "alpha"):  # the error against each term's share (NVLink rows)
        share = pl.col(f"{t}_s") / pl.col("pass_s")
        print(t, table.filter(~pcie).with_columns(share_bin=share.qcut(4)).group_by("share_bin").agg(
            pl.len().alias("rows"), share.median().round(3).alias("median_share"),
            pl.col("error_pct").median().round(1).alias("median_error_pct")).sort("median_share"))


if __name__ == "__main__":
    if sys.argv[1].endswith(".parquet"):
        summarize(pl.read_parquet(sys.argv[1]))
    else:
        main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
