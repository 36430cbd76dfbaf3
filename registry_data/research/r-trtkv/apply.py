"""Replay patches.csv onto the measurements catalog: the KV-cache layout of TensorRT-LLM v0.5's L40S Llama 2 7B
row at batch 64, 128/2048 (issue 12, tests/validation/test_feasible.py SESSION_KV), as its v0.6.1 A100 sibling
already states.

The v0.5 page (docs/source/performance.md at 11e14500, upstream release/0.5.0) says only that its numbers "were
collected using the methodology described in the benchmarks folder" (lines 12-13). Every engine build the sources
state for those tables keeps the default contiguous cache: examples/llama/build.py at 11e14500, "By default we use
contiguous KV cache. By setting this flag you enable paged KV cache" (--paged_kv_cache, lines 307-312; set only by
--use_inflight_batching, lines 358-360); the benchmarks folder's own builder (benchmarks/python/gpt_benchmark.py at
11e14500) never enables it, and the Llama2-7b command added beside the v0.5 tables at 587d063e (performance.md) does
not pass it. The layout does not change a prediction (pipeline.validation.predict.measurement_spec does not read
kv_cache); what the engine held (its build-time activation memory) stays unstated (SESSION_KV).

Read on the octoml/TensorRT-LLM-release mirror, which carries upstream's commits (NVIDIA/TensorRT-LLM's snapshot
is over the fetch limit). The source is appended to the row's notes once, so a second run changes nothing. Run
from the repository root:

    .venv/bin/python registry_data/research/r-trtkv/apply.py
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
    """r-feas's replay procedure on this directory's patches.csv (the kv_cache column exists already)."""
    return r_feas.apply(registry, HERE, {})


if __name__ == "__main__":
    print(apply(), "patches")
