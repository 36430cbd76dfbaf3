"""Replay patches.csv onto the measurements catalog: the layout the MLPerf Inference v5.1 Llama 3.1 405B Server and
Interactive runs state in their harness configs (at 965182b0). Every Hopper system (Nebius H200 x8, Cisco H100 x16
and x32, Cisco C885A M8 H200 x16) builds tensor_parallelism 8, pipeline_parallelism 1; every Blackwell one (NVIDIA
B200 x8, NVIDIA GB200-NVL72 x72, Azure ND GB200 v6 x4) tensor_parallelism 4, pipeline_parallelism 1; each config's
server_target_qps is the run's user.conf target_qps (per 8 GPUs for Cisco's multi-node runs). The rows left the
layout unstated, so the prediction took the smallest tp that fits (tp_grid: TP4 x 2 replicas on 8 H200s, fewer GPUs
per replica than the run used). The Offline rows (TP4 x PP2 on Hopper, TP2 x PP2 on Blackwell) are not patched here.

The source is appended to each row's notes once, so a second run changes nothing. Run from the repository root:

    .venv/bin/python registry_data/research/r-405tp/apply.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
_SPEC = importlib.util.spec_from_file_location("apply_feas", HERE.parent / "r-feas" / "apply.py")
r_feas = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(r_feas)


def apply(registry: Path = REGISTRY) -> int:
    """r-feas's replay procedure on this directory's patches.csv (tp and pp are existing columns)."""
    return r_feas.apply(registry, HERE, {})


if __name__ == "__main__":
    print(apply(), "patches")
