"""How much wall 7's Poisson batch reads the prefill share rho_p, on r-srvq's six TensorRT-LLM Llama 2 70B Server runs
(run by hand from the worktree root: `.venv/bin/python registry_data/research/r-srvload/prompt_price.py`;
r-srvload/README.md).

Per run: the price of one prompt at each step of wall 7's fixed point (``serving_load.under_load_values``: a prompt's
share of the prefill pass of the m prompts an iteration batches, pass(m) / m), the chain's mean as shipped (rho_p at the
price of the last step before the final one, the queue beyond the cap at the replica's capacity) and with rho_p at the
final price (the one wall 7's ``prefill_utilization`` reads), each beside the exact chain (the round at every batch,
r-srvq's ``birth_death_batch``) at the same rho_p, and the batch the log implies."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvq"))
import pipeline.studies.serving_load as serving_load  # noqa: E402
from saturation_check import SYSTEMS, answer, birth_death_batch  # noqa: E402


def check() -> list[str]:
    steps, seen = serving_load._load_step(), {}
    prompts, knee = steps["prompts"], steps["poisson_knee"]

    def priced(known):
        seen.setdefault("tau", []).append(known["prefill"])
        return prompts(known)

    def chain(known):
        seen["known"] = dict(known)
        return knee(known)

    steps["prompts"], steps["poisson_knee"] = priced, chain
    lines = []
    try:
        for name, (hardware, tp, pp, gpus, rate, output, tpot, _, _) in SYSTEMS.items():
            seen.clear()
            lam = rate * tp * pp / gpus
            row, load = answer(hardware, tp, pp, output, 4096, lam)
            known, final = seen["known"], load["prefill_time_one_request_s"] / pp
            mu, cap = row["capacity_requests_per_s"], int(load["load_batch_cap"])
            means = {}
            for label, tau in (("shipped", known["prefill"]), ("final", final)):
                first = steps["poisson_first"](known | {"prefill": tau})["batch"]
                at = load["decode_at"](first)
                closed = knee(known | {"prefill": tau, "knee": first, "at_knee": at})["batch"]
                exact = birth_death_batch(lam, output, lam * tau, cap, load["decode_at"], mu)
                means[label] = (lam * tau, closed, exact)
            prices = " ".join(f"{t * 1e3:.1f}" for t in seen["tau"])
            lines.append(f"{name}: prompt price by step (ms) {prices} -> final {final * 1e3:.1f}; cap {cap}, log b "
                         f"{lam * (output - 1) * tpot:.0f}")
            for label, (rho_p, closed, exact) in means.items():
                lines.append(f"    rho_p {rho_p:.3f} ({label}): closed form {closed:.0f}, exact chain {exact:.0f}")
    finally:
        steps["prompts"], steps["poisson_knee"] = prompts, knee
    return lines


if __name__ == "__main__":
    print("\n".join(check()))
