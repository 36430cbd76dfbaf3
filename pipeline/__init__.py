"""mlsys-pipeline: a first-order analytical model of ML systems on dataframes.

Python API (``pipeline.api``; heavy modules load on first use, so ``import pipeline`` stays cheap):

    import pipeline
    row = pipeline.evaluate(model="Llama 3 8B", hardware="H100 SXM5 80GB", batch=8)
    frame = pipeline.sweep({"axes": {"model": ["ResNet-50"], "batch": [1, 64]}})
    run_dir = pipeline.run_sweep("my_spec.toml")          # writes outputs/<run-id>/
    shortlist = pipeline.query("shortlist", model="Llama 3 8B")
    folder = pipeline.report_run(run_dir)                  # report.html + a chart per SVG/PNG
"""

from __future__ import annotations

from typing import Any

__all__ = ["evaluate", "evaluate_kernel", "evaluate_serving", "evaluate_training", "queries", "query", "report_run",
           "run_sweep", "scorecard", "sweep"]


def __getattr__(name: str) -> Any:
    """``pipeline.evaluate`` and the other API functions, imported from ``pipeline.api`` on first use."""
    if name in __all__:
        from pipeline import api

        return getattr(api, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
