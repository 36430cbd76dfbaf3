"""Step-time breakdown of Llama 2 70B layouts on A100 80GB (issue: is the training study's MFU too high?).

    .venv/bin/python registry_data/research/r-trmfu/breakdown.py

Part 1: layouts on 512 A100 of the Selene cluster, seq 4096, 512 sequences per step, dp_overlap_fraction 0.5 (the
published-runs table's settings, registry_data/research/r-opsdoc/published_runs.py). Part 2: torchtitan's published
FSDP2 run of Llama 2 70B on 64 A100 80GB (pytorch/torchtitan docs/performance.md, "Llama 2 performance numbers":
local batch 2, full activation checkpointing, MFU 50.5 %), at dp_overlap_fraction 0, 0.5 and 1 (the cluster's
network is Selene's, not torchtitan's). ``compute_eff``: hardware FLOPs per GPU / (peak x compute_time_s), the
compute term's own fraction of peak.
"""

from __future__ import annotations

import polars as pl

import pipeline

SELENE = "NVIDIA Selene subset, Megatron-LM (Narayanan et al. SC21, 3072 A100)"


def row(gpus: int, overlap: float, **layout) -> dict:
    r = pipeline.evaluate_training(model="Llama 2 70B", cluster=SELENE, gpus=gpus, seq_len=4096,
                                   training={"dp_overlap_fraction": overlap}, **layout).row(0, named=True)
    hw = r["hardware_flop_per_step"] / gpus
    return {**{k: layout[k] for k in ("tp", "pp", "zero_stage", "microbatch", "recompute")}, "gpus": gpus,
            "overlap": overlap, "m": r["num_microbatches"], "mem_gb": r["memory_per_gpu_bytes"] / 1e9,
            "compute_s": r["compute_time_s"], "compute_eff": hw / (r["peak_flop_per_s"] * r["compute_time_s"]),
            "tp_s": r["tp_comm_time_s"], "bubble_s": r["pipeline_bubble_time_s"], "p2p_s": r["pp_p2p_time_s"],
            "dp_s": r["dp_allreduce_time_s"], "dp_exposed_s": r["dp_exposed_time_s"], "step_s": r["step_time_s"],
            "mfu": r["mfu"], "hfu": r["hfu"]}


def main() -> None:
    base = {"microbatch": 1, "global_batch": 512, "recompute": "selective"}
    layouts = [dict(tp=2, pp=1, zero_stage=3, virtual_stages=1), dict(tp=4, pp=2, zero_stage=1, virtual_stages=2),
               dict(tp=8, pp=1, zero_stage=1, virtual_stages=1), dict(tp=8, pp=2, zero_stage=1, virtual_stages=1)]
    part1 = [row(512, 0.5, **base, **lay) for lay in layouts]
    part2 = [row(64, ov, tp=1, pp=1, zero_stage=3, microbatch=2, global_batch=128, recompute="full")
             for ov in (0.0, 0.5, 1.0)]
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=250, float_precision=3):
        print(pl.DataFrame(part1))
        print(pl.DataFrame(part2))


if __name__ == "__main__":
    main()
