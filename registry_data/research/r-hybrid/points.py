"""Every point of tests/validation/test_finite_run.py (wall 7's finite run against the simulation of the same 500
Poisson arrivals), its TTFT / TPOT errors, and the saturation check (wall 7's capacity against the requests/s the
simulated scheduler sustains), on one tree.

    .venv/bin/python registry_data/research/r-hybrid/points.py                                   # this tree
    PYTHONPATH=/tmp/hybrid-base .venv/bin/python registry_data/research/r-hybrid/points.py       # main's copy
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from pipeline.catalogs.load import load_catalogs  # noqa: E402
from pipeline.validation.burst_check import compare  # noqa: E402
from pipeline.validation.load_check import capacity  # noqa: E402
from tests.validation.test_finite_run import (  # noqa: E402
    BASE, BELOW, CHAT, GROWING, POINTS, SHORT, WINDOW, alone_capacity, sustained_rate)


def main() -> None:
    catalogs = load_catalogs()
    print("| point | rate /s | TTFT error | TPOT error |\n|---|---|---|---|")
    named = [(p, "") for p in POINTS + GROWING + WINDOW + BELOW]
    for (cap, axes, times), _ in named:
        configuration = BASE | {"batch": [cap]} | axes
        rate = times * alone_capacity(configuration, catalogs)
        point = compare(configuration, "TensorRT-LLM", 500, catalogs, rate=rate)
        name = f"B{cap} {configuration['prompt_len'][0]}/{configuration['output_len'][0]} x{times:g}"
        print(f"| {name} | {rate:.2f} | {point['error_burst_ttft_mean_s']:+.3f} | "
              f"{point['error_burst_tpot_mean_s']:+.3f} |")
    configuration = BASE | {"batch": [512]} | CHAT
    rate = 0.95 * capacity(configuration, "TensorRT-LLM", catalogs)
    point = compare(configuration, "TensorRT-LLM", 500, catalogs, rate=rate)
    print(f"| between (202/214 x0.95 capacity) | {rate:.2f} | {point['error_burst_ttft_mean_s']:+.3f} | "
          f"{point['error_burst_tpot_mean_s']:+.3f} |")
    print("\n| saturation | capacity /s | sustained /s | ratio | alone / sustained |\n|---|---|---|---|---|")
    for name, axes in (("467/16", SHORT), ("467/256", {}), ("202/214", CHAT)):
        configuration = BASE | {"batch": [512]} | axes
        mu, sustained = capacity(configuration, "TensorRT-LLM", catalogs), sustained_rate(configuration, catalogs)
        print(f"| {name} | {mu:.2f} | {sustained:.2f} | {mu / sustained:.4f} | "
              f"{alone_capacity(configuration, catalogs) / sustained:.3f} |")


if __name__ == "__main__":
    main()
