"""The model's MoE layer against an H200 fused-MoE kernel microbenchmark (h200_fused_moe.csv: SGLang PR #11730,
Qwen3-235B-A22B FP8 TP8, the untuned default config), with r-dsr1's check_fused_moe.predicted_us (one layer's decode
MLP + its routing kernels at that batch; nothing fitted). Also prints the memory-only time of the weights the model
reads at the catalog's eta_memory and the implied achieved bandwidth of the measured kernel.

    .venv/bin/python registry_data/research/r-h2itl/check_h200_moe.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl

import pipeline
from pipeline.catalogs.load import load_catalogs

HERE = Path(__file__).parent
spec = importlib.util.spec_from_file_location("check_fused_moe", HERE.parent / "r-dsr1" / "check_fused_moe.py")
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)


def main() -> None:
    models = {m["name"]: m for m in load_catalogs().models.to_dicts()}
    for r in pl.read_csv(HERE / "h200_fused_moe.csv").to_dicts():
        p = check.predicted_us(r, models[r["model"]])
        e = pipeline.evaluate_serving(r["model"], r["hardware"], batch=r["batch"], tp=r["tp"], prompt_len=128,
                                      output_len=2, compute_dtype=r["compute_dtype"], weight_dtype=r["weight_dtype"],
                                      breakdown=True).row(0, named=True)
        nbytes = e["decode_mlp_bytes"]
        bw = 4.8e12
        print(f"batch {r['batch']:3d} ({p['tokens_per_expert']:5.2f} tok/expert): measured {r['kernel_time_us']:6.1f} "
              f"us, model {p['predicted_us']:6.1f} us (mlp {p['mlp_us']:6.1f} {p['bound']}, routing "
              f"{p['routing_us']:5.1f}) {100 * (p['predicted_us'] / r['kernel_time_us'] - 1):+6.1f} %; MLP bytes "
              f"{nbytes / 1e6:6.1f} MB: measured {nbytes / (r['kernel_time_us'] * 1e-6) / bw:.3f} of 4.8 TB/s, "
              f"model MLP {nbytes / (p['mlp_us'] * 1e-6) / bw:.3f}")


if __name__ == "__main__":
    main()
