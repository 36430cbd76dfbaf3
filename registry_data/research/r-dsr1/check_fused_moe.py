"""The model's MoE layer against fused-MoE kernel microbenchmarks (fused_moe.csv): for each timed call, the serving
study's decode MLP of one layer at that batch (``decode_mlp_time_s``: the expert GEMMs with the per-expert M = t·k/E,
the experts some token picks read once, 3 kernels' fixed time) plus one layer's routing kernels
(``decode_moe_routing_time_s`` / MoE layers), which is what vLLM's benchmark_moe.py times (``fused_moe``: top-k,
align, the two grouped GEMMs, the activation, the sum). Nothing fitted. Prints one line per row and the median error
by tokens per expert. Run from the repository root:
.venv/bin/python registry_data/research/r-dsr1/check_fused_moe.py
"""

from __future__ import annotations

from pathlib import Path
from statistics import median

import polars as pl

import pipeline
from pipeline.catalogs.load import load_catalogs

CSV = Path(__file__).with_name("fused_moe.csv")


def predicted_us(row: dict, model: dict) -> dict:
    """The model's one-layer MoE time (µs) and its parts for one benchmark row (``model``: its catalog row)."""
    if model["moe_layer_interval"] is not None:
        raise ValueError(f"fused_moe.csv: {row['model']} interleaves dense and MoE layers; count them here first")
    r = pipeline.evaluate_serving(row["model"], row["hardware"], batch=row["batch"], tp=row["tp"], prompt_len=128,
                                  output_len=2, compute_dtype=row["compute_dtype"], weight_dtype=row["weight_dtype"],
                                  breakdown=True).row(0, named=True)
    moe_layers = model["n_layers"] - (model["n_dense_layers"] or 0)
    routing = r["decode_moe_routing_time_s"] / moe_layers
    return {"mlp_us": r["decode_mlp_time_s"] * 1e6, "routing_us": routing * 1e6,
            "predicted_us": (r["decode_mlp_time_s"] + routing) * 1e6, "bound": r["decode_mlp_bound"],
            "tokens_per_expert": row["batch"] * model["n_experts_per_token"] / model["n_experts"]}


def table() -> pl.DataFrame:
    models = {m["name"]: m for m in load_catalogs().models.to_dicts()}
    out = [r | predicted_us(r, models[r["model"]]) for r in pl.read_csv(CSV).to_dicts()]
    return pl.DataFrame(out).with_columns(
        error_pct=(100.0 * (pl.col("predicted_us") / pl.col("kernel_time_us") - 1.0)).round(1))


def main() -> None:
    t = table()
    for r in t.iter_rows(named=True):
        print(f"{r['model']:14s} {r['compute_dtype']:4s} tp{r['tp']} {r['kernel'][:40]:40s} batch {r['batch']:5d} "
              f"({r['tokens_per_expert']:7.2f} tok/expert): measured {r['kernel_time_us']:7.1f} us, model "
              f"{r['predicted_us']:7.1f} us ({r['bound']}) {r['error_pct']:+.1f} %")
    for lo, hi in ((0, 32), (32, 128), (128, 1e9)):
        part = t.filter((pl.col("tokens_per_expert") >= lo) & (pl.col("tokens_per_expert") < hi))
        for (model, kernel), g in part.group_by("model", "kernel", maintain_order=True):
            print(f"{lo}-{hi} tok/expert, {model}, {kernel[:60]}: median error "
                  f"{median(g['error_pct'].to_list()):+.1f} % over {g.height} rows")


if __name__ == "__main__":
    main()
