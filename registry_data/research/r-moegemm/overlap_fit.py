"""Fit of ``pipeline.walls.grouped_gemm.GROUPED_OVERLAP_P`` (r-infx's grouped launch + this folder's overlap η, applied
in the thirty-third session) to the fused-MoE kernel microbenchmarks (r-dsr1/fused_moe.csv, vLLM PR #24700 on H100):
r-dsr1/ridge_fit.py's fit (its docstring: the check's model against the measured kernel, the tuned rows' mean
|log(model / measured)|), run on this term. Run from the repository root (one process per p):
.venv/bin/python registry_data/research/r-moegemm/overlap_fit.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("ridge_fit", Path(__file__).parents[1] / "r-dsr1" / "ridge_fit.py")
ridge = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ridge)
ridge.MODULE, ridge.ATTRIBUTE = "pipeline.walls.grouped_gemm", "GROUPED_OVERLAP_P"
ridge.CANDIDATES = (1.5, 2.0, 2.25, 2.5, 2.75, 3.0, 4.0, 6.0, 64.0)  # 64: the roofline (2^(1/64) = 1.011 at c = m)

if __name__ == "__main__":
    ridge.main()
