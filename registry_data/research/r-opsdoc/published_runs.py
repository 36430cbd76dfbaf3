"""Recompute the README's "Against published training runs" table (Operations section).

    .venv/bin/python registry_data/research/r-opsdoc/published_runs.py

Each run: the fastest feasible layout (smallest step time) of the model on its cluster, over
tp x pp x virtual stages x microbatch x ZeRO stage x recomputation, region "United States"
(the regions catalog), ``dp_overlap_fraction`` 0.5, the run's published token budget. GPU-hours
= gpus x time to train (with failures and checkpoints where the cluster has an MTBF);
tCO2e = ``co2e_per_run_t`` (facility energy x grid intensity, plus embodied). ``implied_mfu``: the MFU
the published GPU-hours imply with our FLOP count and peak (our MFU x our hours / published hours).

Settings: 512 GPUs, 512 sequences per step (the packaged ``training_regions`` spec's cluster, GPU count,
sequence length and batch, with its layout axes opened). On the tree of 2026-11-26 (commit 932a688) they give
the old table's Llama 3.1 8B row exactly (0.58 M GPU-hours, 227 t) and its Llama 3.1 70B tCO2e (1,856 t);
the old 70B GPU-hours (5.15 M), the Llama 2 70B row and the 405B row were not reproduced by any setting tried
(docs/measurement-history.md, "Operations: against published training runs").

Published figures: Touvron et al. 2023 (arXiv:2307.09288) Table 2; Meta's Llama 3.1 model card
(github.com/meta-llama/llama-models, models/llama3_1/MODEL_CARD.md, "Training Energy Use" table).
"""

from __future__ import annotations

import polars as pl

import pipeline

DGX_H100 = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"  # the packaged training_regions spec's cluster
RUNS = [
    # name, model, cluster, gpus, seq_len, global_batch, tokens, published GPU-hours, published tCO2e
    ("Llama 2 70B, 2 T tokens, A100", "Llama 2 70B",
     "NVIDIA Selene subset, Megatron-LM (Narayanan et al. SC21, 3072 A100)", 512, 4096, 512, 2e12, 1.72e6, 291.42),
    ("Llama 3.1 70B, 15 T tokens, H100", "Llama 3.1 70B",
     DGX_H100, 512, 8192, 512, 15e12, 7.0e6, 2040),
    ("Llama 3.1 8B, 15 T tokens, H100", "Llama 3.1 8B",
     DGX_H100, 512, 8192, 512, 15e12, 1.46e6, 420),
    ("Llama 3.1 405B, 15 T tokens, H100", "Llama 3.1 405B",
     DGX_H100, 512, 8192, 512, 15e12, 30.84e6, 8930),
]


def spec(model: str, cluster: str, gpus: int, seq_len: int, global_batch: int, tokens: float) -> dict:
    return {
        "study": "training",
        "axes": {
            "model": [model], "cluster": [cluster], "compute_dtype": ["bf16"], "seq_len": [seq_len],
            "gpus": [gpus], "tp": [1, 2, 4, 8], "pp": [1, 2, 4, 8, 16], "microbatch": [1, 2],
            "global_batch": [global_batch], "virtual_stages": [1, 2], "zero_stage": [1, 3],
            "recompute": ["selective", "full"], "region": ["United States"],
        },
        "training": {"train_tokens": tokens, "dp_overlap_fraction": 0.5},
    }


def main() -> None:
    rows = []
    for name, model, cluster, gpus, seq, batch, tokens, pub_h, pub_t in RUNS:
        frame = pipeline.sweep(spec(model, cluster, gpus, seq, batch, tokens))
        best = frame.filter(pl.col("is_feasible")).sort("step_time_s").head(1)
        if best.height == 0:
            rows.append({"run": name, "layout": "no feasible layout"})
            continue
        r = best.row(0, named=True)
        seconds = r["time_to_train_s"] if r.get("time_to_train_s") is not None else r["time_to_train_ideal_s"]
        hours = gpus * seconds / 3600
        rows.append({
            "run": name, "layout": f"TP {r['tp']} x PP {r['pp']} x DP {r['dp']}, v {r['virtual_stages']}, "
            f"mb {r['microbatch']}, ZeRO {r['zero_stage']}, {r['recompute']}",
            "mfu": r["mfu"], "implied_mfu": r["mfu"] * hours / pub_h, "watts_per_gpu": r.get("device_power_w"),
            "gpu_hours_m": hours / 1e6, "hours_vs_published": hours / pub_h - 1,
            "co2e_t": r["co2e_per_run_t"], "co2e_vs_published": r["co2e_per_run_t"] / pub_t - 1,
        })
    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=80, tbl_width_chars=250):
        print(pl.DataFrame(rows))


if __name__ == "__main__":
    main()
