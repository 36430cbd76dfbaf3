"""Wall 7's batch under Poisson arrivals on the two H200 Mixtral 8x7B Server rows (r-srvlat/knee_check.py) and r-srvq's
six Llama 2 70B Server runs, on wall 7's own inputs (the rate, G, rho_p, the fluid batch and the round its fixed point
reaches): the closed form (``poisson_batch``) on three priced batches (1, b, cap; as shipped before r-knee) and on four
(the round priced again at the first's mean, as wall 7 now does), beside the exact birth-death chain on wall 7's round
at every batch and on the round interpolated through the same priced batches (the closed form's own target), and
Little's law on each against the logs' mean TPOT (r-srvq's runs). Run by hand from the worktree root:
`.venv/bin/python registry_data/research/r-knee/nodes_check.py` (r-knee/README.md)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvq"))
import saturation_check as sc  # noqa: E402

import pipeline.studies.serving_load as sl  # noqa: E402
from pipeline import scalar  # noqa: E402
from pipeline.units import expression_library  # noqa: E402
from pipeline.walls.poisson_batch import poisson_batch  # noqa: E402

RUNS = [("Mixtral 8x7B", 427, "NVIDIA v4.1 H200 x8 Mixtral", "H200 SXM 141GB", 1, 1, 146, 392.18 / 8, None),
        ("Mixtral 8x7B", 427, "ASUSTeK v5.1 H200 x8 Mixtral", "H200 SXM 141GB", 1, 1, 146, 409.87 / 8, None)]
RUNS += [("Llama 2 70B", 222, name, hw, tp, pp, out, rate * tp * pp / gpus, tpot)
         for name, (hw, tp, pp, gpus, rate, out, tpot, _, _) in sc.SYSTEMS.items()]
NAMES = ("lam", "g", "rho", "cap", "fluid", "d1", "db", "dc")


def main() -> None:
    with expression_library(scalar):
        c = scalar.col
        three = scalar.compile_function({"b": poisson_batch(*(c(n) for n in NAMES))})
        four = scalar.compile_function({"b": poisson_batch(*(c(n) for n in NAMES), knee=c("knee"),
                                                           round_knee=c("dk"))})
    steps, seen = sl._load_step(), {}  # noqa: SLF001 (a research script reads wall 7's compiled step)
    poisson = steps["poisson_knee"]

    def record(known: dict) -> dict:
        seen.update(known)
        return poisson(known)
    steps["poisson_knee"] = record
    try:
        for model, prompt, name, hw, tp, pp, out, lam, tpot in RUNS:
            sc.MODEL, sc.PROMPT = model, prompt
            seen.clear()
            _, load = sc.answer(hw, tp, pp, out, 4096, lam)
            k = dict(seen)
            lam_r, g, b, cap = k["request_rate"] / k["replicas"], k["generated_tokens"], k["fluid"], int(k["cap"])
            rho, overhead = lam_r * k["prefill"], k["decode"] - load["decode_at"](b)

            def d(x, overhead=overhead):
                return load["decode_at"](x) + overhead
            values = {"lam": lam_r, "g": g, "rho": rho, "cap": cap, "fluid": b, "d1": d(1), "db": d(b), "dc": d(cap)}
            m3 = three(values)["b"]
            m4 = four(values | {"knee": m3, "dk": d(m3)})["b"]
            r = lam_r * g * d(cap) / ((1.0 - rho) * cap)  # beyond the cap: the geometric tail's ratio

            def chain(at, r=r, lam_r=lam_r, g=g, rho=rho, cap=cap):
                return float(cap) if r >= 1.0 else sc.birth_death_batch(lam_r, g, rho, cap, at, lam_r / r)
            exact = chain(d)
            i3 = chain(sc.through(sorted({(1.0, d(1)), (b, d(b)), (float(cap), d(cap))})))
            i4 = chain(sc.through(sorted({(1.0, d(1)), (b, d(b)), (m3, d(m3)), (float(cap), d(cap))})))
            line = (f"{name}: rho_p {rho:.3f}, b {b:.0f}, cap {cap}, r(cap) {r:.3f} | three {m3:.0f} (chain on the "
                    f"line {i3:.0f}), four {m4:.0f} ({i4:.0f}), exact {exact:.0f}")
            if tpot:
                line += " | Little / log TPOT: " + ", ".join(
                    f"{n} {x / (lam_r * (g - 1)) / tpot * 100 - 100:+.0f} %"
                    for n, x in (("three", m3), ("four", m4), ("exact", exact)))
            print(line)
    finally:
        steps["poisson_knee"] = poisson


if __name__ == "__main__":
    main()
