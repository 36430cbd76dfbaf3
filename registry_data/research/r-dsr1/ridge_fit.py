"""Fit of ``pipeline.walls.grouped_overlap.RIDGE_EXPONENT`` to the fused-MoE kernel microbenchmarks (fused_moe.csv,
vLLM PR #24700 on H100): for each candidate p, the check's model (check_fused_moe.py: one layer's decode MLP +
routing) against the measured kernel, over the tuned rows (Mixtral BF16 tuned config, Qwen3-30B-A3B FP8 PR config);
main's untuned Qwen3 config is printed but not fitted (its loss at 64-256 tok/expert is the config: the PR's beats it
by 27 % at 512). The fit: the p of the grid with the smallest mean |log(model / measured)| over all 28 tuned rows.
Run from the repository root (one process per p: the serving study builds its column expressions once per process):
.venv/bin/python registry_data/research/r-dsr1/ridge_fit.py
r-moegemm/overlap_fit.py runs the same fit on the applied term (``MODULE``, ``ATTRIBUTE``, ``CANDIDATES`` set there).
"""

from __future__ import annotations

import importlib
import math
import subprocess
import sys
from pathlib import Path
from statistics import median

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from check_fused_moe import table  # noqa: E402

CANDIDATES = (1.5, 2.0, 2.25, 2.5, 2.75, 3.0, 4.0, 1e3)  # 1e3: the roofline's max
MODULE, ATTRIBUTE = "pipeline.walls.grouped_overlap", "RIDGE_EXPONENT"  # the term r-dsr1's patch adds


def score(p: float) -> tuple[float, pl.DataFrame]:
    setattr(importlib.import_module(MODULE), ATTRIBUTE, p)
    t = table().with_columns(tuned=~pl.col("kernel").str.contains("main's config"),
                             log_error=(pl.col("predicted_us") / pl.col("kernel_time_us")).log())
    fit = t.filter(pl.col("tuned"))
    return float(fit["log_error"].abs().mean()), t


def mean_abs_pct(t: pl.DataFrame) -> str:
    return f"{100 * (math.exp(float(t['log_error'].abs().mean())) - 1):.1f} %"


def report(p: float) -> None:
    loss, t = score(p)
    tuned = pl.col("tuned")
    large = pl.col("tokens_per_expert") >= 16
    parts = [f"{model}{'' if ok else ' (main cfg)'} {median(g['error_pct'].to_list()):+.1f} %"
             for (model, ok), g in t.filter(large).group_by("model", "tuned", maintain_order=True)]
    print(f"p = {p:g}: mean |log error| (tuned rows) {loss:.3f} ({100 * (math.exp(loss) - 1):.1f} %); median error"
          f" at >= 16 tok/expert: {'; '.join(parts)}; tuned >= 16 tok/expert {mean_abs_pct(t.filter(tuned & large))},"
          f" tuned < 16 tok/expert {mean_abs_pct(t.filter(tuned & ~large))}")


def main() -> None:
    if len(sys.argv) > 1:
        report(float(sys.argv[1]))
        return
    for p in CANDIDATES:
        subprocess.run([sys.executable, sys.argv[0], str(p)], check=True)  # the script run: this or overlap_fit


if __name__ == "__main__":
    main()
