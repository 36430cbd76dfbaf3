"""Does TensorRT-LLM's max_num_tokens, as the v5.1 Server configs set it, explain the TTFT of r-srvq's runs? Wall 7's
discrete-event simulation (pipeline/validation/simulate.py: decode tokens counted against the budget first, prompts
chunked FCFS into what is left, as TensorRT-LLM's MicroBatchScheduler does; r-w7cap §1) of each run's replica at the
catalog's budget and at the config's, beside wall 7's closed form (which takes the budget as not binding) and the log.
Run by hand from the worktree root: `.venv/bin/python registry_data/research/r-srvload/budget_check.py [requests]`
(r-srvload/README.md §5). Budgets: mlcommons/inference_results_v5.1 (bare mirror HEAD), closed/ASUSTeK/configs/
ESC_N8_H200-SXM-141GBx8/Server/llama2-70b.py 1536; closed/Cisco/configs/llama2-70b/Server/__init__.py H200_SXM_141GBx1
1536, H100_SXM_80GB_PP2x1 1024. The v4.1 CTS runs are left out (their budget not read here)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvq"))
from saturation_check import SYSTEMS, answer  # noqa: E402

from pipeline.validation.simulate import replica_from_values, simulate  # noqa: E402

BUDGETS = {"ASUSTeK v5.1 H200 x8": 1536, "Cisco v5.1 H200 x16": 1536, "Cisco v5.1 H100 x16 (PP2)": 1024}


def check(requests: int) -> list[str]:
    lines = []
    for name, budget in BUDGETS.items():
        hardware, tp, pp, gpus, rate, output, tpot, ttft, _ = SYSTEMS[name]
        lam = rate * tp * pp / gpus
        row, load = answer(hardware, tp, pp, output, 4096, lam)
        found = load["found"]
        # an iteration's prompts priced as one pass (a prompt alone is over capacity on Cisco H200, r-srvq §2)
        replica = replica_from_values(found.inputs[0], found.units, found.registry, batched_prefill=True)
        parts = [f"{name}: closed form TTFT P50 {row['ttft_p50_s'] * 1e3:.0f} ms, TPOT "
                 f"{row['tpot_under_load_s'] * 1e3:.1f}; log {ttft * 1e3:.0f} / {tpot * 1e3:.1f}"]
        for tokens in (replica.max_batched_tokens, budget):
            sim = simulate(dataclasses.replace(replica, max_batched_tokens=tokens), lam, requests=requests,
                           warmup=requests // 5, seed=1)
            parts.append(f"simulation at budget {tokens:.0f}: TTFT P50 {sim.ttft_p50_s * 1e3:.0f} ms, TPOT "
                         f"{sim.tpot_mean_s * 1e3:.1f}")
        lines.append("\n    ".join(parts))
    return lines


if __name__ == "__main__":
    print("\n".join(check(int(sys.argv[1]) if len(sys.argv) > 1 else 15000)))
