"""The peer's side of ``mlsys bench --single``: MLSys·im's single-configuration calls, timed in the
peer's own interpreter (``PYTHON pipeline/bench_peer.py CALLS``), so that our environment never
imports it and it never imports ours.

It imports the standard library and MLSys·im only, and prints one JSON object: per call, the
median wall time in seconds over ``CALLS`` varied configurations (built-in models and
accelerators of MLSys·im's registry, several batches and lengths, one warm-up round first),
or the error text when a call raised; and the tool's version.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from importlib import metadata


def _median(call, configurations: list, calls: int) -> float:
    for c in configurations:  # warm-up: first-use costs (registry objects, caches) are not the steady state
        call(c)
    times = []
    for i in range(calls):
        c = configurations[i % len(configurations)]
        started = time.perf_counter()
        call(c)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    calls = int(argv[0]) if argv else 200
    import mlsysim
    from mlsysim.engine.engine import Engine
    from mlsysim.engine.evaluation import SystemEvaluator
    from mlsysim.engine.solvers.distributed import DistributedModel
    from mlsysim.engine.solvers.serving import ServingModel

    cloud, language, clusters = mlsysim.Hardware.Cloud, mlsysim.Models.Language, mlsysim.Systems.Clusters
    accelerators = [cloud.H100, cloud.A100, cloud.H200]
    models = [language.Llama2_7B, language.Llama3_8B, language.Llama2_13B]
    configurations = [(models[i % 3], accelerators[(i // 3) % 3], 1 + i % 16, 512 * (1 + i % 4)) for i in range(48)]
    serving = ServingModel()
    distributed = DistributedModel()
    fleets = [clusters.Research_256, clusters.Lab_64_H100]
    results: dict[str, object] = {"tool": f"MLSys·im {metadata.version('mlsysim')}"}
    runs = {
        "Engine.solve": lambda c: Engine.solve(c[0], c[1], batch_size=c[2], precision="fp16", seq_len=c[3]),
        "ServingModel.solve": lambda c: serving.solve(c[0], c[1], seq_len=c[3], batch_size=c[2], precision="fp16"),
        "DistributedModel.solve": lambda c: distributed.solve(c[0], fleets[c[2] % 2], batch_size=256 * c[2],
                                                              precision="bf16", tp_size=8),
        "SystemEvaluator.evaluate": lambda c: SystemEvaluator.evaluate(
            "bench", c[0], c[1], batch_size=c[2], precision="fp16", efficiency=0.5, fleet_obj=fleets[c[2] % 2],
            nodes=1, duration_days=30.0),
    }
    for name, call in runs.items():
        try:
            results[name] = _median(call, configurations, calls)
        except Exception as error:  # report it: the other calls still run
            results[name] = f"{type(error).__name__}: {error}"
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
