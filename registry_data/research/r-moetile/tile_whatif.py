"""What-if: the grouped MoE GEMMs priced at a framework-stated M tile instead of the model's 64-row floor.

Patches, in this process only (nothing on disk changes):
- a framework term ``moe_tile_m`` (rows of the grouped GEMM's BLOCK_SIZE_M) read from the efficiency profiles, the
  way ``moe_row_copy`` is (``pipeline.studies.efficiency.FRAMEWORK_TERMS``), stated here on the SGLang profile
  for the Hopper family only (SGLang's shipped H200 JSON for DeepSeek-R1's TP8 shard, E=257 N=256 fp8 block
  [128, 128]: BLOCK_SIZE_M 16 at every key up to 512 tokens, 64 from 1024; tiles.csv);
- the grouped GEMM's tiles and tile efficiency (``pipeline.walls.expert_parallel`` ``grouped_tiles`` /
  ``expert_tile_efficiency``) at that tile where the kernel call's tokens (``{p}_stage_tokens``) are at most
  ``MAX_TOKENS`` (the JSON's nearest-key lookup: keys 512 and 1024, so up to 768 tokens take 512's tile).

Usage (repository root, on a tree without moe_tile.patch: it adds the same term for real):
  .venv/bin/python registry_data/research/r-moetile/tile_whatif.py baseline [--notile]   # make_baseline's JSON
  .venv/bin/python registry_data/research/r-moetile/tile_whatif.py kernels [MAX_TOKENS]  # r-dsr1 / r-mixfp8 checks
  .venv/bin/python registry_data/research/r-moetile/tile_whatif.py rows OUT.parquet [--notile]  # per row
``--notile``: main's tile. For p = 2.0 apply r-mixfp8's overlap_p2.patch first (README section 3).
"""

from __future__ import annotations

import json
import sys

import polars as pl

from pipeline.units import UExpr, lit, where

TILE_M = 16.0  # SGLang E=257,N=256,device_name=NVIDIA_H200,dtype=fp8_w8a8,block_shape=[128, 128].json, keys 1-512
MAX_TOKENS = 768.0  # nearest key: 512 (BLOCK_SIZE_M 16) up to 768 tokens, 1024 (64) above
FAMILY = "nvidia-hopper"
FRAMEWORK = "SGLang"


def patch(tile_on: bool = True) -> None:
    from pipeline.studies import efficiency, serving
    from pipeline.walls import expert_parallel as ep
    from pipeline.walls.gemm import gemm_rows, gemm_tile_m, gemm_tiles
    from pipeline.walls.registries import SERVING

    efficiency.FRAMEWORK_TERMS["moe_tile_m"] = (["moe_tile_m"], "moe_routing_source_url", {"moe_tile_m": 0.0})
    efficiency.FRAMEWORK_UNITS["moe_tile_m"] = ""
    if "moe_tile_m" not in serving.KNOBS:
        serving.KNOBS.append("moe_tile_m")
    if not tile_on:
        return

    def tile(m: UExpr, tile_m: UExpr, stated: UExpr, tokens: UExpr, family: UExpr) -> UExpr:
        use = (stated > lit(0.0)) & (tokens <= lit(MAX_TOKENS, "tok")) & (family == FAMILY)
        return where(use, stated, gemm_tile_m(m, tile_m))

    for p in ep.PHASES:
        for gemm in ("up", "down"):
            def tiles(m, n, tile_m, tile_n, experts, stated, tokens, family):
                rows = gemm_rows(m)
                return gemm_tiles(rows, n, tile(rows, tile_m, stated, tokens, family), tile_n) * experts

            def eff(m, n, tile_m, tile_n, stated, tokens, family):
                rows = gemm_rows(m)
                tm = tile(rows, tile_m, stated, tokens, family)
                return (rows * n) / (gemm_tiles(rows, n, tm, tile_n) * tm * tile_n)

            shape = [f"{p}_mlp_{gemm}_gemm_m", f"{p}_mlp_{gemm}_gemm_n", "gemm_tile_m", "gemm_tile_n"]
            extra = ["moe_tile_m", f"{p}_stage_tokens", "family"]
            for name, fn, inputs in ((f"{p}_mlp_{gemm}_gemm_tiles", tiles, [*shape, f"{p}_mlp_group_gemms", *extra]),
                                     (f"{p}_mlp_{gemm}_gemm_tile_efficiency", eff, [*shape, *extra])):
                def formula(*args, _fn=fn):
                    return _fn(*args)
                formula.__wrapped__ = fn
                formula.__name__ = name
                formula.inputs = inputs
                SERVING[name] = formula
    from pipeline.studies import serving_disaggregated, serving_speculative
    for module in (serving, serving_disaggregated, serving_speculative):  # their merges were made at import
        module.FORMULAS = {**module.FORMULAS, **{k: SERVING[k] for k in SERVING if "_gemm_tile" in k}}


def catalogs(every_framework: bool = False):
    """The bundled catalogs with ``moe_tile_m`` on the SGLang profile rows (every row: ``every_framework``)."""
    from dataclasses import replace

    from pipeline.catalogs.load import load_catalogs
    c = load_catalogs()
    stated = pl.lit(True) if every_framework else pl.col("framework") == FRAMEWORK
    prof = c.efficiency_profiles.with_columns(
        moe_tile_m=pl.when(stated).then(TILE_M).otherwise(None).cast(pl.Float64))
    return replace(c, efficiency_profiles=prof)


def kernels() -> None:
    """r-dsr1's and r-mixfp8's kernel checks (loaded by path) with the stated tile on every framework's rows:
    vLLM's tuned E=8,N=7168,device_name=NVIDIA_H100_80GB_HBM3.json (the #24700 BF16 rows) states 16 rows at
    keys 1-32 and 32 at 48-96: 16 up to 40 tokens (nearest key) is what this prices."""
    import importlib.util
    from pathlib import Path

    import pipeline.catalogs.load as load
    from pipeline.studies import single
    global MAX_TOKENS
    single.answer = lambda *a, **k: None  # the sweep path (the scalar fast path keeps its own compiled plan)
    MAX_TOKENS = float(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3][0].isdigit() else 40.0
    cat = catalogs(every_framework=True)
    load.load_catalogs = lambda *a, **k: cat
    import pipeline.runs.prepared as prepared
    prepared.load_catalogs = load.load_catalogs
    here = Path(__file__).parent.parent
    for name in ("r-dsr1/check_fused_moe.py", "r-mixfp8/check_timings.py"):
        spec = importlib.util.spec_from_file_location(name.split("/")[1][:-3], here / name)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mod.load_catalogs = load.load_catalogs
        print(f"== {name} (stated tile {TILE_M:.0f} up to {MAX_TOKENS:.0f} tokens, Hopper)")
        mod.main()


def main() -> None:
    what, rest = sys.argv[1], sys.argv[2:]
    patch("--notile" not in rest)
    if what == "kernels":
        kernels()
        return
    cat = catalogs()
    if what == "baseline":
        from pipeline.validation import errors, predict, read_measurements
        from tests.validation.make_baseline import baseline
        measured = read_measurements(None, cat)
        print(json.dumps(baseline(errors(measured.rows, predict(measured.rows, cat))), indent=2))
    elif what == "rows":  # the errors table (one row per measurement) to a parquet file
        from pipeline.validation import errors, predict, read_measurements
        measured = read_measurements(None, cat)
        errors(measured.rows, predict(measured.rows, cat)).write_parquet(rest[0])
    else:
        raise SystemExit("baseline | rows OUT.parquet | kernels [MAX_TOKENS], [--notile]")


if __name__ == "__main__":
    main()
