"""The birth-death batch (saturation_check.py) beside wall 7's fluid batch on the load-check configurations that
tests/validation/test_simulate.py holds the closed form to (pipeline.validation.load_check: vLLM, Llama 3 8B and Llama
2 70B TP4 on H100, 0.5-0.95 of capacity): would the correction move them? Run by hand:
`.venv/bin/python registry_data/research/r-srvq/loadcheck_check.py`; r-srvq/README.md."""

from __future__ import annotations

import sys
from pathlib import Path

import pipeline.studies.serving as serving
from pipeline import formulas
from pipeline.spec import parse_spec
from pipeline.studies import single
from pipeline.validation.load_check import CONFIGURATION, FRAMEWORK, OTHERS, capacity
from pipeline.walls.registries import SERVING

sys.path.insert(0, str(Path(__file__).parent))
from saturation_check import CATALOGS, birth_death_batch  # noqa: E402


def fluid_and_chain(axes: dict, rate: float) -> tuple[float, float, float]:
    seen: dict = {}
    original = serving.under_load_values

    def keep(values: dict, units: dict, *args) -> dict:
        out = original(values, units, *args)
        at = formulas.compile_scalar(units, ["decode_pass_time_s"], formulas.REGISTRY | SERVING, rebind={"batch": "_b"})
        overhead = values.get("scheduler_overhead_per_iteration_s") or 0.0
        seen.update(out, generated=values["output_len"],
                    round=lambda b: at(values | {"_b": b})["decode_pass_time_s"] + overhead)
        return out

    serving.under_load_values = keep
    try:
        spec = parse_spec({"study": "serving", "axes": axes | {"request_rate": [rate]},
                           "efficiency": {"framework": FRAMEWORK}}, "r-srvq load check")
        row = single.answer(spec, CATALOGS).rows[0]
    finally:
        serving.under_load_values = original
    rho_p = rate * seen["prefill_time_one_request_s"]  # one replica, pp 1
    chain = birth_death_batch(rate, int(seen["generated"]), rho_p, int(seen["load_batch_cap"]), seen["round"],
                              row["capacity_requests_per_s"])
    return seen["load_batch"], chain, seen["load_batch_cap"]


if __name__ == "__main__":
    for axes in (CONFIGURATION, *OTHERS):
        mu = capacity(axes, FRAMEWORK, CATALOGS)
        for fraction in (0.5, 0.7, 0.9, 0.95):
            fluid, chain, cap = fluid_and_chain(axes, fraction * mu)
            print(f"{axes['model'][0]} tp {axes['tp'][0]} {axes['prompt_len'][0]}/{axes['output_len'][0]} "
                  f"x{fraction}: fluid {fluid:.1f}, birth-death {chain:.1f} (cap {cap:.0f})")
