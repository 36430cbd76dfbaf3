"""Two small runs in one output folder, a node run and a newer serving run (the queries' cases)."""

from __future__ import annotations

from pathlib import Path

NODE = {"axes": {"hardware": ["T4", "A100 SXM4 80GB"], "model": ["ResNet-50", "Llama 2 7B"], "batch": [1, 8]}}
SERVING = {"study": "serving", "axes": {"hardware": ["H100 SXM5 80GB"], "model": ["Llama 2 7B"], "batch": [1]}}


def make_runs(out: Path) -> Path:
    import pipeline

    pipeline.run_sweep(NODE, out)
    pipeline.run_sweep(SERVING, out)
    return out
