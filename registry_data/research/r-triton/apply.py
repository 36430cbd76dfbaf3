"""The TensorRT-LLM engine runtime behind Triton as its own framework profile (issue 12 item 3).
Re-runnable and idempotent:

    .venv/bin/python registry_data/research/r-triton/apply.py [registry_dir]

The catalog's "TensorRT-LLM" profiles describe the PyTorch backend (default since TensorRT-LLM 1.0):
decode replayed as CUDA graphs, the overlap scheduler on. The 216 measurement rows of TensorRT-LLM
v0.14.0's "Online Serving Measurements" table ran the TensorRT-engine C++ runtime through the Triton
TensorRT-LLM backend (their notes say so), whose documented defaults differ
(triton-inference-server/tensorrtllm_backend docs/model_config.md, "tensorrt_llm model", read 2026-12-03):

- ``cuda_graph_mode``: "Set to `true` to enable cuda graph. (default=`false`)": decode launches every
  kernel eagerly -> ``decode_cuda_graphs`` false;
- ``enable_chunked_context`` default false: a prompt is not chunked, but one iteration still takes at most
  the engine's ``max_num_tokens`` (trtllm-build default 8192) -> ``prefill_chunk_tokens`` 8192 as before;
- ``kv_cache_free_gpu_mem_fraction`` default 0.9 "of GPU memory (after loading the model)" -> the same
  ``memory_fraction`` 0.9 of free memory;
- the overlap scheduler is a PyTorch-backend feature, and no per-iteration figure of the C++ executor is
  published -> ``scheduler_overhead_per_iteration_s`` null (none added).

So this script adds a "TensorRT-LLM Triton" copy of each TensorRT-LLM inference profile with those
three cells changed (η ranges unchanged: the same kernels), and moves the measurement rows whose notes
say they ran through the Triton TensorRT-LLM backend to it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry

FRAMEWORK = "TensorRT-LLM Triton"
DOC = ("https://github.com/triton-inference-server/tensorrtllm_backend/blob/"
       "05ceae03c28c855c8520ba8429659b9d01c5f783/docs/model_config.md")
NOTE = ("TensorRT-engine C++ runtime served by the Triton TensorRT-LLM backend (e.g. TensorRT-LLM v0.14.0's online "
        "serving table). Triton backend docs/model_config.md (read 2026-12-03): cuda_graph_mode default false -> "
        "decode launches eagerly; enable_chunked_context default false, one iteration at most max_num_tokens "
        "(trtllm-build default 8192); kv_cache_free_gpu_mem_fraction default 0.9 of the memory free after loading "
        "the model. No per-iteration scheduler figure of the C++ executor is published (the overlap scheduler is "
        "the PyTorch backend's): none added. η ranges: the TensorRT-LLM profile's (same kernels).")
TRITON_NOTES = "(?i)via the Triton TensorRT-LLM backend"


def profiles(frame: pl.DataFrame) -> pl.DataFrame:
    base = frame.filter((pl.col("framework") == "TensorRT-LLM") & (pl.col("workload") == "inference"))
    added = base.with_columns(
        framework=pl.lit(FRAMEWORK), profile=pl.col("profile").str.replace("TensorRT-LLM", FRAMEWORK),
        notes=pl.lit(NOTE), source_url=pl.lit(DOC), last_verified=pl.lit("2026-12-03").str.to_date(), decode_cuda_graphs=pl.lit(False), graph_launch_s=pl.lit(None, pl.Float64),
        graph_launch_per_kernel_s=pl.lit(None, pl.Float64), graph_source_url=pl.lit(DOC),
        scheduler_overhead_per_iteration_s=pl.lit(None, pl.Float64), scheduler_source_url=pl.lit(None, pl.String),
        memory_fraction_source_url=pl.lit(DOC))
    kept = frame.filter(pl.col("framework") != FRAMEWORK)
    return pl.concat([kept, added.select(frame.columns)], how="vertical_relaxed")


def measurements(frame: pl.DataFrame) -> pl.DataFrame:
    triton = (pl.col("framework") == "TensorRT-LLM") & pl.col("notes").str.contains(TRITON_NOTES)
    return frame.with_columns(framework=pl.when(triton).then(pl.lit(FRAMEWORK)).otherwise(pl.col("framework")))


def main(registry: Path) -> None:
    for table, change in (("efficiency_profiles", profiles), ("measurements", measurements)):
        path = registry / f"{table}.parquet"
        before = pl.read_parquet(path)
        after = change(before)
        if not before.equals(after):
            print(write_catalog(after, table, registry, source=f"{path} (r-triton/apply.py)"))
    moved = pl.read_parquet(registry / "measurements.parquet").filter(pl.col("framework") == FRAMEWORK)
    print(f"measurements on {FRAMEWORK!r}: {moved.height}", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
