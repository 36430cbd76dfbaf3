"""The finite-run tests' points (tests/validation/test_finite_run.py) on one tree: the reference rate two ways, and
wall 7's finite run against the simulation at both rates.

- ``old``: the reference as the test took it before mixiter, wall 7's capacity with ``BATCH_QUEUED_PROMPTS`` off
  (with r-capsrv's capacity_offline that flag no longer reaches the capacity's prompt price, so this is the Offline-
  priced capacity);
- ``new``: the capacity formula with a prompt priced as a prefill pass of its own (the test's ``alone_capacity``).

    .venv/bin/python registry_data/research/r-mixiter/points.py          # this tree
    PYTHONPATH=/tmp/mixiter-base .venv/bin/python registry_data/research/r-mixiter/points.py   # main's tree
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import pipeline.studies.serving_load as serving_load  # noqa: E402
from pipeline.catalogs.load import load_catalogs  # noqa: E402
from pipeline.validation.burst_check import compare  # noqa: E402
from pipeline.validation.load_check import capacity  # noqa: E402
from tests.validation.test_finite_run import BASE, CHAT, SHORT, alone_capacity  # noqa: E402


def old_reference(configuration: dict, catalogs) -> float:
    batched = serving_load.BATCH_QUEUED_PROMPTS
    serving_load.BATCH_QUEUED_PROMPTS = False
    serving_load._load_step.cache_clear()
    try:
        return capacity(configuration, "TensorRT-LLM", catalogs)
    finally:
        serving_load.BATCH_QUEUED_PROMPTS = batched
        serving_load._load_step.cache_clear()


def main() -> None:
    catalogs = load_catalogs()
    print("point | capacity | old ref | new ref | rate (old) ttft / tpot error | rate (new) ttft / tpot error")
    for axes, times in ((SHORT, 1.1), ({}, 1.1), (CHAT, 1.1), (CHAT, 0.95)):
        configuration = BASE | {"batch": [512]} | axes
        refs = old_reference(configuration, catalogs), alone_capacity(configuration, catalogs)
        cells = []
        for ref in refs:
            point = compare(configuration, "TensorRT-LLM", 500, catalogs, rate=times * ref)
            cells.append(f"{times * ref:.2f}/s {point['error_burst_ttft_mean_s']:+.3f} / "
                         f"{point['error_burst_tpot_mean_s']:+.3f}")
        name = f"{configuration['prompt_len'][0]}/{configuration['output_len'][0]} x{times}"
        print(f"{name} | {capacity(configuration, 'TensorRT-LLM', catalogs):.2f} | {refs[0]:.2f} | {refs[1]:.2f} | "
              + " | ".join(cells))


if __name__ == "__main__":
    main()
