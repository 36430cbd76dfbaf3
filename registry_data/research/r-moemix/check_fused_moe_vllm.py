"""r-dsr1's kernel check (check_fused_moe.py: the model's one MoE layer against vLLM's benchmark_moe timings of its
Triton fused_moe) evaluated under the vLLM profile, so that the routing pipeline is vLLM's (``moe_row_copy`` false:
no row copy) where the catalog states it. Run from the repository root, on main and on a branch, to compare:
.venv/bin/python registry_data/research/r-moemix/check_fused_moe_vllm.py
"""

from __future__ import annotations

import importlib.util
from functools import partial
from pathlib import Path

import pipeline

_path = Path(__file__).parents[1] / "r-dsr1" / "check_fused_moe.py"
_spec = importlib.util.spec_from_file_location("check_fused_moe", _path)
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)

if __name__ == "__main__":
    pipeline.evaluate_serving = partial(pipeline.evaluate_serving, framework="vLLM")
    check.main()
