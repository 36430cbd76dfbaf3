"""State the eager prefill's host cost per kernel in the efficiency profiles (column
``prefill_eager_host_per_kernel_s``, read by ``pipeline.walls.serving.prefill_launch_overhead_s`` through
``pipeline.studies.efficiency.FRAMEWORK_TERMS``). Re-runnable: adds the two columns where the catalog lacks them,
sets them on the frameworks of ``STATED`` (inference rows) and leaves every other row null (0 in the sweep: the
launch cost alone).

    .venv/bin/python registry_data/research/r-pfgraph/prefill_host.py [--unstated] [REGISTRY_DIR]

``--unstated`` (what the branch ran) adds the two columns null on every row: the term's mechanism, no prediction
moves. Without it SGLang's figure is stated: the change kept as ``stated.patch`` (README.md, "Decision").

The figure (README.md of this folder): sgl-project/sglang#12160 times one DeepSeek-V3 prefill of one new token
(SGLang scheduler log "forward cost") at 82.64 ms eager and 23.10 ms replayed as a CUDA graph. The difference is the
host's dispatch of the eager forward (the GPU work is the same); over the model's kernel count for DeepSeek-V3
(61 layers x kernels_per_transformer_layer 11, the spec's default) it is 88.7 µs per kernel.

Which frameworks run prefill eagerly by default, at the versions the rows state (README.md, "Which profiles"):
- SGLang v0.5.6 / v0.5.9 (InferenceX DeepSeek-R1 rows): ``enable_piecewise_cuda_graph`` False (server_args.py);
  the InferenceX launch scripts do not pass it. On ROCm the piecewise graph is off whatever the flag.
- TensorRT-LLM: not stated. Its PyTorch backend runs the context phase eagerly unless
  ``torch_compile_config.enable_piecewise_cuda_graph`` (default False), but the profile rows also serve the
  MLPerf rows of TensorRT-LLM's compiled engines, whose context phase is one TensorRT engine per step.
- vLLM: not stated (V1 piecewise graphs by default; V0 eager prefill: the profiles carry no version).
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

EAGER_FORWARD_S = 82.6406478881836e-3  # sglang#12160: "forward cost-82.6406478881836 ms", #new-token 1, eager
GRAPHED_FORWARD_S = 23.097753524780273e-3  # the same, "forward cost- 23.097753524780273 ms", prefill CUDA graph
DEEPSEEK_V3_LAYERS = 61  # models catalog, DeepSeek-V3 / R1 n_layers
KERNELS_PER_LAYER = 11  # the spec's software.kernels_per_transformer_layer default
PER_KERNEL_S = (EAGER_FORWARD_S - GRAPHED_FORWARD_S) / (DEEPSEEK_V3_LAYERS * KERNELS_PER_LAYER)
SGLANG_12160 = "https://github.com/sgl-project/sglang/pull/12160"
STATED = {"SGLang": (PER_KERNEL_S, SGLANG_12160)}
VERIFIED = datetime.date(2026, 12, 7)


def with_prefill_host(profiles: pl.DataFrame, stated: dict[str, tuple[float, str]]) -> pl.DataFrame:
    """``profiles`` with ``prefill_eager_host_per_kernel_s`` and ``prefill_host_source_url`` set for the inference
    rows of the frameworks of ``stated`` (``last_verified`` today there), null elsewhere."""
    table = pl.DataFrame([{"framework": f, "value": v, "url": u} for f, (v, u) in stated.items()],
                         schema={"framework": pl.String, "value": pl.Float64, "url": pl.String})
    hit = pl.col("value").is_not_null() & (pl.col("workload") == "inference")
    out = profiles.join(table, on="framework", how="left", maintain_order="left").with_columns(
        prefill_eager_host_per_kernel_s=pl.when(hit).then(pl.col("value")),
        prefill_host_source_url=pl.when(hit).then(pl.col("url")),
        last_verified=pl.when(hit).then(pl.lit(VERIFIED)).otherwise(pl.col("last_verified")))
    return out.drop("value", "url")


def main(argv: list[str]) -> None:
    unstated = "--unstated" in argv
    argv = [a for a in argv if a != "--unstated"]
    registry = Path(argv[0]) if argv else bundled_registry()
    out = with_prefill_host(pl.read_parquet(registry / "efficiency_profiles.parquet"), {} if unstated else STATED)
    for profile, value in out.filter(pl.col("prefill_eager_host_per_kernel_s").is_not_null()).select(
            "profile", "prefill_eager_host_per_kernel_s").rows():
        print(f"{profile}: prefill_eager_host_per_kernel_s {value:.4e} s", file=sys.stderr)
    print(write_catalog(out.select(list(CATALOGS["efficiency_profiles"].to_schema().columns)),
                        "efficiency_profiles", registry))


if __name__ == "__main__":
    main(sys.argv[1:])
