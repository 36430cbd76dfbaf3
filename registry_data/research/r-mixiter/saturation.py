"""Wall 7's capacity against the requests/s the simulation of the same scheduler sustains at saturation (the test's
``sustained_rate``: makespans of 2,000 and 4,000 requests at t = 0, each iteration's prefill priced at its tokens).

    .venv/bin/python registry_data/research/r-mixiter/saturation.py
    PYTHONPATH=/tmp/mixiter-base .venv/bin/python registry_data/research/r-mixiter/saturation.py   # main's tree
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from pipeline.catalogs.load import load_catalogs  # noqa: E402
from pipeline.validation.load_check import capacity  # noqa: E402
from tests.validation.test_finite_run import BASE, CHAT, SHORT, alone_capacity, sustained_rate  # noqa: E402

catalogs = load_catalogs()
for axes in (SHORT, {}, CHAT):
    configuration = BASE | {"batch": [512]} | axes
    mu, sim = capacity(configuration, "TensorRT-LLM", catalogs), sustained_rate(configuration, catalogs)
    alone = alone_capacity(configuration, catalogs)
    print(f"{configuration['prompt_len'][0]}/{configuration['output_len'][0]}: capacity {mu:.2f}/s, simulation "
          f"sustains {sim:.2f}/s, capacity / simulation {mu / sim:.3f}; prompt-alone capacity {alone:.2f}/s "
          f"({alone / sim:.3f})")
