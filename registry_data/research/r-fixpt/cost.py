"""CPU seconds of wall 7's inputs on a swept serving space under a request rate (run by hand from a tree's root, or
with PYTHONPATH set to it: `.venv/bin/python registry_data/research/r-fixpt/cost.py`). `mlsys bench --study
serving` sweeps no request rate, so it never runs ``under_load``; this sweeps the bench's serving axes at 2 batch
sizes with three request rates and 4 replicas, and prints the rows and the CPU seconds of building and
collecting the plan (user + system, all threads), best of 3."""

from __future__ import annotations

import resource

from pipeline.runs import prepared
from pipeline.spec import parse_spec
from pipeline.studies import serving

SPEC = {"study": "serving", "axes": {
    "hardware": "all", "model": "all", "precision": ["fp16", "fp8"], "tp": [1, 2, 4, 8], "pp": [1, 2],
    "batch": [64, 1024], "prompt_len": [512, 2048], "output_len": [128, 512],
    "request_rate": [1.0, 10.0, 100.0], "replicas": [4]}}


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    space = prepared.prepare(parse_spec(SPEC, "cost")).space
    best = None
    for _ in range(3):
        start = cpu_s()
        rows = serving.build(space).frame.collect().height
        spent = cpu_s() - start
        best = spent if best is None else min(best, spent)
    print(f"{rows:,} rows under a request rate: {best:.2f} CPU s (best of 3), {rows / best:,.0f} rows per CPU s")
