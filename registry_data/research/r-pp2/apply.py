"""Replay patches.csv onto the measurements catalog: the layout Cisco's MLPerf Inference v5.1 Llama 2 70B
runs on H100 (HGX-H100 x16 and x32, TensorRT-LLM) state. Their harness configs (closed/Cisco/configs/
llama2-70b/{Offline,Server}/__init__.py at 965182b0) build every H100_SXM_80GB class of the "PP2" workload
setting at tensor_parallelism 1, pipeline_parallelism 2, and the run's user.conf targets (Server 210 / 420,
Offline 220 / 440 requests/s on 16 / 32 GPUs) are 26.25 and 27.5 per GPU pair: the PP2 classes' (Server
25.25 per 2 GPUs, 107 per 8; Offline 27.5 per 2), not the TP2 Server classes' (13.533 per 2, 75 per 8). So
each pair of GPUs is one TP1 x PP2 replica; the eight rows (Offline and Server tokens/s, Server TTFT P50
and TPOT mean) state tp = 1, pp = 2 instead of leaving the layout to the smallest tp that fits.

The source is appended to each row's notes once, so a second run changes nothing. Run from the
repository root:

    .venv/bin/python registry_data/research/r-pp2/apply.py
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
