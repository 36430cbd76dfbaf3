"""Wall 7's batch under Poisson arrivals (pipeline.walls.poisson_batch) on r-srvq's six TensorRT-LLM Llama 2 70B Server
runs: the closed form (the round affine through 1, the fluid batch and the cap; tests/walls/test_poisson_batch.py holds
it to the exact sum on that round) beside the exact birth-death sum with the round at every batch (r-srvq's, which reads
the round's wave-quantisation wiggles) and the batch the log implies. Run by hand from the worktree root:
`.venv/bin/python registry_data/research/r-srvbd/chain_check.py` (r-srvbd/README.md)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvq"))
from saturation_check import SYSTEMS, answer, birth_death_batch  # noqa: E402


def check() -> list[str]:
    lines = []
    for name, (hardware, tp, pp, gpus, rate, output, tpot, ttft, _) in SYSTEMS.items():
        lam = rate * tp * pp / gpus
        row, load = answer(hardware, tp, pp, output, 4096, lam)
        cap, d, mu = load["load_batch_cap"], load["decode_at"], row["capacity_requests_per_s"]
        rho_p = lam * load["prefill_time_one_request_s"] / pp  # 80 layers: the busiest stage's share 1 / pp
        b = row["batch_in_flight"]
        full = birth_death_batch(lam, output, rho_p, int(cap), d, mu)
        b_log = lam * (output - 1) * tpot
        lines.append(f"{name}: closed form b {b:.0f} (cap {cap:.0f}), TPOT {row['tpot_under_load_s'] * 1e3:.1f} ms "
                     f"(log {tpot * 1e3:.1f}), TTFT P50 {row['ttft_p50_s'] * 1e3:.0f} ms (log {ttft * 1e3:.0f}) | "
                     f"exact chain, round at every batch {full:.0f} | log b {b_log:.0f}")
    return lines


if __name__ == "__main__":
    print("\n".join(check()))
