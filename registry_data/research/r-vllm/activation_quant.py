"""State each serving framework's activation quantization in the efficiency profiles (column
``activation_quant_unfused``, read by ``pipeline.walls.activation_quant`` through
``pipeline.studies.efficiency.FRAMEWORK_TERMS``). Re-runnable on main: adds the two columns where the catalog lacks
them and leaves every row null (a null falls back to a less specific row, else to fused: no kernel, the count every
row had before), so no prediction moves. ``--vllm`` also states vLLM's unfused quant: the physics, kept out of the
bundled catalog because it loses two measured rows and moves the catalog-η figures the wrong way (README.md here).

    .venv/bin/python registry_data/research/r-vllm/activation_quant.py [--vllm] [REGISTRY_DIR]

vLLM: true. ``apply_fp8_linear`` (vllm/model_executor/layers/quantization/utils/w8a8_utils.py) runs
``ops.scaled_fp8_quant`` on each FP8 Linear's input before ``cutlass_scaled_mm`` / ``torch._scaled_mm``; the
RMSNorm/SiluMul+quant fusion pass is off by default under V1 (vllm/config/compilation.py ``PassConfig.enable_fusion``
``default_factory=lambda: not envs.VLLM_USE_V1``) and V0 compiles nothing (``CompilationConfig.level`` None -> 0 for
V0). The flag is framework-wide (``efficiency.FRAMEWORK_WIDE``): it is software, so vLLM's A100/H100 rows state it for
MI300X and L40S too. TensorRT-LLM: not stated (r-dectrt: no source says its quantize layers run unfused).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

VLLM = ("https://github.com/vllm-project/vllm/blob/0039d4bdd8b569a09663acc7dd3fbef7cbb718ee/"
        "vllm/model_executor/layers/quantization/utils/w8a8_utils.py")
VLLM_STATED = {"vLLM": (True, VLLM)}


def with_activation_quant(profiles: pl.DataFrame, stated: dict[str, tuple[bool, str]]) -> pl.DataFrame:
    """``profiles`` with ``activation_quant_unfused`` and its source set for the inference rows of the frameworks of
    ``stated``, null elsewhere (training stacks are not read by the serving wall)."""
    table = pl.DataFrame([{"framework": f, "unfused": u, "url": s} for f, (u, s) in stated.items()],
                         schema={"framework": pl.String, "unfused": pl.Boolean, "url": pl.String})
    out = profiles.drop("activation_quant_unfused", "activation_quant_source_url", strict=False)
    out = out.join(table, on="framework", how="left", maintain_order="left").with_columns(
        activation_quant_unfused=pl.when(pl.col("workload") == "inference").then(pl.col("unfused")),
        activation_quant_source_url=pl.when(pl.col("workload") == "inference").then(pl.col("url")))
    return out.drop("unfused", "url")


def main(argv: list[str]) -> None:
    vllm = "--vllm" in argv
    argv = [a for a in argv if a != "--vllm"]
    registry = Path(argv[0]) if argv else bundled_registry()
    out = with_activation_quant(pl.read_parquet(registry / "efficiency_profiles.parquet"), VLLM_STATED if vllm else {})
    for profile, flag in out.filter(pl.col("activation_quant_unfused").is_not_null()).select(
            "profile", "activation_quant_unfused").rows():
        print(f"{profile}: activation_quant_unfused {flag}", file=sys.stderr)
    print(write_catalog(out.select(list(CATALOGS["efficiency_profiles"].to_schema().columns)),
                        "efficiency_profiles", registry))


if __name__ == "__main__":
    main(sys.argv[1:])
