"""Held out: r-accrest §3's offline per-sample times (16 RetinaNet runs, TensorRT 8.6 / 9.x / 10.x) through the
package: per-sample time = latency_s / batch of ``api.evaluate`` (int8, TensorRT) at the harness's offline batch,
against GPUs / samples per second. No validation row; nothing fitted. From the repository root (any tree):

    .venv/bin/python registry_data/research/r-acccnn/held_out.py

The runs, their batches and rates are r-accrest's (retinanet_layers_priced.py: OFFLINE, OFFLINE_ONLY, RUNS).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "r-accrest"))
import retinanet_layers_priced as rp  # noqa: E402  (r-accrest: the runs)

from pipeline import api  # noqa: E402


def runs() -> list[tuple[str, str, int, int, float]]:
    """(source, hardware, GPUs, batch, samples per second of the system): r-accrest's 16 offline runs."""
    hardware = {source: hw for source, hw, *_ in rp.RUNS}
    return [(s, hardware[s], *rp.OFFLINE[s]) for s in rp.OFFLINE] + list(rp.OFFLINE_ONLY)


def main() -> None:
    errors: dict[str, list[float]] = {"all": [], "TRT >= 9": []}
    for source, hw, gpus, batch, sps in runs():
        row = api.evaluate("RetinaNet", hw, batch=batch, compute_dtype="int8", framework="TensorRT").row(0, named=True)
        measured, predicted = gpus / sps, row["latency_s"] / batch
        pct = 100 * (predicted / measured - 1)
        errors["all"].append(abs(pct))
        if not source.startswith("v3.0"):
            errors["TRT >= 9"].append(abs(pct))
        print(f"{source[:58]:58} {hw:15} batch {batch:3d} measured {measured * 1e3:6.3f} ms/sample, "
              f"predicted {predicted * 1e3:6.3f} ({pct:+6.1f} %)")
    print("median |error|: " + ", ".join(f"{k} {statistics.median(v):.1f} % ({len(v)} runs)"
                                         for k, v in errors.items()))


if __name__ == "__main__":
    main()
