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

import os
from typing import Any

# polars' allocator is jemalloc, configured by ``_RJEM_MALLOC_CONF`` when polars loads (polars 2.1 sets dirty pages
# returned after 0.5 s, muzzy after 1 s, then appends this variable's options, which win). A muzzy page is one
# jemalloc has released with MADV_FREE: the kernel takes it back only under pressure, so it stays in the RSS and a
# sweep's peak stacks the pages its space build freed on its first chunks'. Muzzy pages released at once
# (MADV_DONTNEED) and dirty ones after 1 s: the 300 M-row node sweep peaked at 1,432 / 1,469 MB (91.3 / 94.6 CPU s)
# against 1,607 / 1,624 (92.0 / 96.5) with polars' options (`bench_run node 300000000 zstd`); dirty after 0.5 s,
# 1,478 MB at 101.2 CPU s; dirty at 0 s doubled the CPU. Dirty after 5 s (nodealloc, load 17-29: serving 30 M
# 1,358-1,387 MB at 86.6-90.0 CPU s against 1,322-1,354 at 96.1-100.5) did not hold on the seventeenth session's
# merged tree at load 5-7 (`bench_run serving 30000000 zstd`, alternated): 5 s peaked at 1,477 / 1,528 / 1,556 MB
# (87.5 / 105.2 / 87.4 CPU s), above issue 15's 1.5 GB, 1 s at 1,385 / 1,387 MB (83.9 / 88.9 CPU s); 30 s took
# serving to 1,806 MB (svkeys2); narenas:2 saved nothing; jemalloc's background threads are on by default.
# tests/test_allocator.py checks polars sees these options last. A value the user set is kept.
ALLOCATOR_OPTIONS = "dirty_decay_ms:1000,muzzy_decay_ms:0"
os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR_OPTIONS)

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
