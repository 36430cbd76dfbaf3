"""The perf-overview tokens_per_s rows with tp > 1: each row's decode pass at the batch its prediction used, its TP
all-reduce message, the all-reduce path chosen (one-shot or NCCL), the communication time and its share of the pass.
Run from the repository root:

    .venv/bin/python -m pipeline validate --out DIR
    .venv/bin/python registry_data/research/r-tpdec/tp_terms.py DIR [N: the N rows of largest error, default all]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import serving, single

# the TP terms ride along with the per-operator breakdown (this script only)
serving.BREAKDOWN.extend(["decode_tp_comm_time_s", "decode_tp_message_bytes", "decode_tp_nccl_all_reduce_s",
                          "decode_pass_time_s", "decode_logits_gather_time_s"])


def decode_pass(row: dict, catalogs) -> dict:
    dtype = row["compute_dtype"]
    spec = {"study": "serving", "axes": {
        "model": [row["model"]], "hardware": [row["hardware"]], "compute_dtype": [dtype],
        "weight_dtype": [row["weight_dtype"] or dtype], "kv_dtype": [dtype], "tp": [row["tp"]], "pp": [row["pp"]],
        "batch": [int(row["batch_used"])], "prompt_len": [row["prompt_len"]], "output_len": [row["output_len"]]},
        "efficiency": {"framework": "TensorRT-LLM"}}
    return single.answer(parse_spec(spec, "tp terms"), catalogs, breakdown=True).rows[0]


def main(run: Path, n: int) -> None:
    rows = pl.read_parquet(next(run.glob("validation/*/validation.parquet"))).filter(
        pl.col("metric") == "tokens_per_s", pl.col("source_url").str.contains("perf-overview"),
        pl.col("framework") == "TensorRT-LLM", pl.col("tp") > 1).sort("error_pct", descending=True).head(n)
    catalogs = load_catalogs()
    shares = []
    for row in rows.iter_rows(named=True):
        r = decode_pass(row, catalogs)
        comm, tp_comm, msg = r["decode_communication_time_s"], r["decode_tp_comm_time_s"], r["decode_tp_message_bytes"]
        print(f"{row['model']:14s} {row['hardware'][:10]:10s} tp{row['tp']} {row['compute_dtype']:5s} "
              f"{row['prompt_len']}/{row['output_len']} b{row['batch_used']:.0f} err {row['error_pct']:+6.1f} % "
              f"{row['bound']:8s} pass {r['decode_pass_time_s'] * 1e3:6.2f} ms  msg {msg / 1e6:6.2f} MB  "
              f"nccl {r['decode_tp_nccl_all_reduce_s'] * 1e6:6.1f} us  tp comm {tp_comm * 1e3:6.2f} ms "
              f"({tp_comm / r['decode_pass_time_s']:.0%})  comm {comm * 1e3:6.2f} ms")
        shares.append({"hardware": row["hardware"], "error_pct": row["error_pct"],
                       "comm_share": comm / r["decode_pass_time_s"]})
    # if the collectives were underpriced by a common factor, the error would grow with their share of the pass
    by_share = pl.DataFrame(shares).with_columns(pcie=pl.col("hardware") == "L40S",
                                                 share_bin=pl.col("comm_share").cut([0.05, 0.1, 0.2, 0.4]))
    print(by_share.group_by("pcie", "share_bin").agg(n=pl.len(), median_error_pct=pl.col("error_pct").median(),
                                                     median_share=pl.col("comm_share").median())
          .sort("pcie", "median_share"))
    print(by_share.group_by("hardware").agg(n=pl.len(), median_error_pct=pl.col("error_pct").median(),
                                            median_share=pl.col("comm_share").median()).sort("hardware"))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
