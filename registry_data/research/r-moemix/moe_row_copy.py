"""State each serving framework's MoE routing pipeline in the efficiency profiles (column ``moe_row_copy``, read by
``pipeline.walls.moe_routing`` through ``pipeline.studies.efficiency.FRAMEWORK_TERMS``). Re-runnable on main: adds
the two columns where the catalog lacks them, then sets them per framework and leaves the other rows null (a null
falls back to a less specific row, else to the copy: main's count).

    .venv/bin/python registry_data/research/r-moemix/moe_row_copy.py [--vllm] [REGISTRY_DIR]

Without ``--vllm`` (what the branch ran) it states TensorRT-LLM's copy only, which is the count every row had
before, so no prediction moves. ``--vllm`` also states vLLM's gather: the physics fix, kept out of the bundled
catalog because it makes the measured vLLM rows worse (README.md of this folder, "Per framework").

Per framework, from its source (README.md of this folder, "Per framework"):
- TensorRT-LLM (and its Triton server backend): true. ``CutlassMoeFCRunner::runMoe`` calls
  ``expandInputRowsKernelLauncher``, which copies each token's row to its k expert-ordered slots before GEMM 1.
- vLLM: false. ``fused_experts`` (Triton ``fused_moe_kernel``) loads A at ``offs_token // top_k``: GEMM 1 gathers
  the token rows through ``sorted_token_ids`` from ``moe_align_block_size``; no copy kernel. (Its DeepGEMM path,
  ``ep_scatter``, does copy; it is taken for block-FP8 DeepSeek-style models on Hopper, not for Mixtral.)
- SGLang: not stated here (null): its default TP path is the same Triton kernel (gather), its DeepEP path runs
  DeepGEMM on scattered rows (copy); which one a row used depends on its launch flags. No SGLang MoE row is
  measured.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

TRTLLM = ("https://github.com/NVIDIA/TensorRT-LLM/blob/05316d3313360012536ace46c781518f5afae75e/"
          "cpp/tensorrt_llm/kernels/mixtureOfExperts/moe_kernels.cu")
VLLM = ("https://github.com/vllm-project/vllm/blob/000d1458098ebf47491dad470d164d443ab18a9c/"
        "vllm/model_executor/layers/fused_moe/fused_moe.py")
STATED = {"TensorRT-LLM": (True, TRTLLM), "TensorRT-LLM Triton": (True, TRTLLM)}
VLLM_STATED = {"vLLM": (False, VLLM)}


def with_routing(profiles: pl.DataFrame, stated: dict[str, tuple[bool, str]]) -> pl.DataFrame:
    """``profiles`` with ``moe_row_copy`` and ``moe_routing_source_url`` set for the frameworks of ``stated``
    (inference rows only: training stacks route differently and no study reads it there), null elsewhere."""
    table = pl.DataFrame([{"framework": f, "copy": c, "url": u} for f, (c, u) in stated.items()],
                         schema={"framework": pl.String, "copy": pl.Boolean, "url": pl.String})
    out = profiles.join(table, on="framework", how="left", maintain_order="left").with_columns(
        moe_row_copy=pl.when(pl.col("workload") == "inference").then(pl.col("copy")),
        moe_routing_source_url=pl.when(pl.col("workload") == "inference").then(pl.col("url")))
    return out.drop("copy", "url")


def main(argv: list[str]) -> None:
    vllm = "--vllm" in argv
    argv = [a for a in argv if a != "--vllm"]
    registry = Path(argv[0]) if argv else bundled_registry()
    out = with_routing(pl.read_parquet(registry / "efficiency_profiles.parquet"),
                       STATED | (VLLM_STATED if vllm else {}))
    for profile, copy in out.filter(pl.col("moe_row_copy").is_not_null()).select("profile", "moe_row_copy").rows():
        print(f"{profile}: moe_row_copy {copy}", file=sys.stderr)
    print(write_catalog(out.select(list(CATALOGS["efficiency_profiles"].to_schema().columns)),
                        "efficiency_profiles", registry))


if __name__ == "__main__":
    main(sys.argv[1:])
