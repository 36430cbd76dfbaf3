"""Wall 7's batch in flight on r-srvq's six TensorRT-LLM Llama 2 70B Server runs beside its own simulation's
(``simulate.Outcome.batch_mean``, the time-averaged sequences admitted) and the log's (Little's law on the summary).
Run by hand from the worktree root: `.venv/bin/python registry_data/research/r-srvload/sim_batch.py [requests]`
(r-srvload/README.md §2). The simulation prices an iteration's prompts as the closed form's latency formulas do (each
prompt alone) and, `batched`, as one pass of the iteration's prompt tokens."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvq"))
from saturation_check import SYSTEMS, answer  # noqa: E402

from pipeline.validation.simulate import replica_from_values, simulate  # noqa: E402


def check(requests: int) -> list[str]:
    lines = []
    for name, (hardware, tp, pp, gpus, rate, output, tpot, _, _) in SYSTEMS.items():
        lam = rate * tp * pp / gpus
        row, load = answer(hardware, tp, pp, output, 4096, lam)
        found = load["found"]
        sims = []
        for batched in (False, True):
            replica = replica_from_values(found.inputs[0], found.units, found.registry, batched_prefill=batched)
            out = simulate(replica, lam, requests=requests, warmup=requests // 5, seed=1)
            sims.append(f"{out.batch_mean:.0f} (TPOT {out.tpot_mean_s * 1e3:.1f} ms)")
        lines.append(f"{name}: closed form {row['batch_in_flight']:.0f} (TPOT {row['tpot_under_load_s'] * 1e3:.1f} ms, "
                     f"cap {load['load_batch_cap']:.0f}) | simulation {sims[0]}, batched prompts {sims[1]} | log "
                     f"{lam * (output - 1) * tpot:.0f} ({tpot * 1e3:.1f} ms)")
    return lines


if __name__ == "__main__":
    print("\n".join(check(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)))
