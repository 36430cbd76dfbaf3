"""The TP all-reduce of one decode layer as the serving wall prices it (the faster of NCCL's ring at the collectives
catalog's fitted alpha and beta of the message's regime and the custom one-shot fit, as ``runs_one_shot``) against
the kernel benchmarks of vLLM PR 24111 (H100 SXM, NCCL and one-shot, TP 2/4/6, 0.5-4 MiB messages: the decode
messages of a 70B model at batch 32-256). Float twins of the walls' formulas (collective_fits.ring_time_s,
custom_allreduce.one_shot_time_s, each tested against its wall). Run from the repository root:

    .venv/bin/python registry_data/research/r-tpdec/per_call.py
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.collective_fits import ring_time_s
from pipeline.catalogs.custom_allreduce import one_shot_time_s
from pipeline.catalogs.paths import bundled_registry
from pipeline.walls.communication import ALLREDUCE_REGIME_BOUNDS_BYTES

LINK_BYTES_PER_S = 450e9  # H100 SXM5 scale-up link in the hardware catalog (per direction)


def regime(message: float) -> str:
    return f"r{sum(message >= b for b in ALLREDUCE_REGIME_BOUNDS_BYTES)}"


def main() -> None:
    registry = bundled_registry()
    fits = pl.read_csv(registry / "collective_fits.csv").filter(pl.col("fabric_class") == "nvlink4_nvswitch")
    nccl = {r["regime"]: (r["alpha_s"], r["beta_bytes_per_s"]) for r in fits.iter_rows(named=True)}
    custom = pl.read_csv(registry / "custom_allreduce_fits.csv").row(0, named=True)
    every = pl.read_csv(registry / "research" / "r-collectives" / "custom_allreduce.csv").filter(
        pl.col("source_url").str.contains("vllm/pull/24111"))
    points = every.filter(pl.col("algorithm").is_in(["nccl", "one_shot"]))
    rows = []
    for p in points.iter_rows(named=True):
        n, m = float(p["ranks"]), float(p["message_bytes"])
        ring = ring_time_s(n, m, *nccl[regime(m)])
        shot = one_shot_time_s(n, m, custom["alpha_s"], custom["link_fraction"] * LINK_BYTES_PER_S)
        model = ring if p["algorithm"] == "nccl" else shot
        rows.append({"algorithm": p["algorithm"], "ranks": p["ranks"], "message_MiB": m / 2**20,
                     "measured_us": p["time_us"], "model_us": model * 1e6,
                     "error_pct": (model * 1e6 / p["time_us"] - 1) * 100,
                     "wall_picks_us": min(ring, shot) * 1e6})
    frame = pl.DataFrame(rows).sort("algorithm", "ranks", "message_MiB")
    pl.Config.set_tbl_rows(60)
    print(frame)
    print(frame.group_by("algorithm", "ranks").agg(median_error_pct=pl.col("error_pct").median())
          .sort("algorithm", "ranks"))
    best = every.group_by("ranks", "message_bytes").agg(best_us=pl.col("time_us").min())
    picked = frame.group_by("ranks", "message_MiB").agg(pl.col("wall_picks_us").first())
    both = picked.join(best.with_columns(message_MiB=pl.col("message_bytes") / 2**20), on=["ranks", "message_MiB"])
    print("the wall's pick vs the fastest measured kernel (NCCL, one-shot, two-shot):")
    print(both.with_columns(error_pct=(pl.col("wall_picks_us") / pl.col("best_us") - 1) * 100)
          .sort("ranks", "message_MiB").select("ranks", "message_MiB", "best_us", "wall_picks_us", "error_pct"))


if __name__ == "__main__":
    main()
