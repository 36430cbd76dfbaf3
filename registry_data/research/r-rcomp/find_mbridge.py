"""The activation recomputation of each Megatron-Bridge performance-recipe Llama row (``mbridge-*``) whose recompute
is null, from the recipe's own workload base config, appended to ``cells.csv`` / ``unresolved.csv`` (run after
find_cells.py, which writes them afresh).

A row names its release (25.11 = v0.2.0 at 7af9601c, 26.02 = 0a25f911, the commit the rows' source_url pins), system,
precision and model. The base config of that name (``LLAMA3_70B_GB200_FP8_CS_BASE_CONFIG`` in v0.2.0's
``configs/llama3/workload_base_configs.py``; ``LLAMA3_70B_PRETRAIN_CONFIG_GB200_FP8_CS_V1`` / ``_V2`` in 0a25f911's
``configs/llama/llama3_workload_base_configs.py``) is read with ``ast`` (``WorkloadBaseConfig(...)`` and
``replace(BASE, ...)`` chains); a variant whose layout (TP, PP, CP, VP, MBS, GBS) differs from the row's is not the
row's, and two variants that match but disagree leave the row null. The overrides then act as
``scripts/performance/utils/helpers.py`` ``set_recompute_overrides`` (v0.2.0; ``utils/overrides.py`` at 0a25f911)
does: ``recompute_num_layers`` = full recomputation, block method, on that many layers; ``cpu_offloading_num_layers``
= activation offloading; ``recompute_modules`` = selective. None of them set: the recipe's model keeps no
recomputation (v0.2.0's llama recipes set none, so Megatron-Core's TransformerConfig default None holds; 0a25f911's
set ``recompute_granularity = None`` in recipes/llama/llama3.py). Only that case is a cell ("none"); the others are
what the vocabulary cannot say, or a selective module list the model does not price, and are left null.

    .venv/bin/python registry_data/research/r-rcomp/find_mbridge.py [MIRROR_GIT_DIR] [CATALOG]

CATALOG: as find_cells.py's, the catalog before apply.py (git show aaeb2cdc:registry_data/measurements.parquet).
"""

from __future__ import annotations

import ast
import csv
import re
import subprocess
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
REPO = "NVIDIA-NeMo/Megatron-Bridge"
RELEASES = {  # release -> commit, base-config file per model family, name pattern
    "25.11": ("7af9601c9da746d21481194356295bfe23df3737",
              {"llama3": "scripts/performance/configs/llama3/workload_base_configs.py",
               "llama31": "scripts/performance/configs/llama31/workload_base_configs.py"},
              ("{model}_{gpu}_{dtype}_BASE_CONFIG",)),
    "26.02": ("0a25f911b2ed6c6905a539504fdb8e5b40e3438b",
              {"llama3": "scripts/performance/configs/llama/llama3_workload_base_configs.py",
               "llama31": "scripts/performance/configs/llama/llama31_workload_base_configs.py"},
              ("{model}_PRETRAIN_CONFIG_{gpu}_{dtype}_V2", "{model}_PRETRAIN_CONFIG_{gpu}_{dtype}_V1")),
}
DTYPES = {"fp8-cs": "FP8_CS", "fp8": "FP8_CS", "mxfp8": "FP8_MX", "nvfp4": "NVFP4", "bf16": "BF16"}
DEFAULTS = {"tensor_model_parallel_size": 1, "pipeline_model_parallel_size": 1, "context_parallel_size": 1,
            "virtual_pipeline_model_parallel_size": None, "micro_batch_size": 1}  # utils.py WorkloadBaseConfig
LAYOUT = {"tp": "tensor_model_parallel_size", "pp": "pipeline_model_parallel_size", "cp": "context_parallel_size",
          "virtual_stages": "virtual_pipeline_model_parallel_size", "microbatch": "micro_batch_size",
          "batch": "global_batch_size"}
RECIPE_NONE = {  # 0a25f911 recipes/llama/llama3.py: the recipe function's "recompute_granularity = None" line
    "llama3_8b": "def llama3_8b_pretrain_config", "llama3_70b": "def llama3_70b_pretrain_config",
    "llama31_405b": "def llama31_405b_pretrain_config"}
NAME = re.compile(r"^mbridge-(?P<rel>[\d.]+)-dgx-(?P<gpu>[a-z0-9]+)-(?P<dtype>fp8-cs|fp8|mxfp8|nvfp4|bf16)-"
                  r"(?P<model>llama3_8b|llama3_70b|llama31_405b)-\d+gpus-")


def show(mirror: Path, commit: str, path: str) -> str:
    return subprocess.run(["git", "--git-dir", str(mirror), "show", f"{commit}:{path}"], capture_output=True,
                          text=True, check=True).stdout


def configs(text: str) -> dict[str, tuple[int, dict]]:
    """Every module-level ``NAME = WorkloadBaseConfig(...)`` / ``replace(BASE, ...)`` / ``OTHER`` as its line and
    resolved keywords (a replace() inherits its base's)."""
    out: dict[str, tuple[int, dict]] = {}
    for node in ast.parse(text).body:
        if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)):
            continue
        name, v = node.targets[0].id, node.value
        if isinstance(v, ast.Name) and v.id in out:
            out[name] = (node.lineno, dict(out[v.id][1]))
        elif isinstance(v, ast.Call) and isinstance(v.func, ast.Name):
            kw = {k.arg: ast.literal_eval(k.value) for k in v.keywords}
            if v.func.id == "replace" and isinstance(v.args[0], ast.Name) and v.args[0].id in out:
                out[name] = (node.lineno, out[v.args[0].id][1] | kw)
            elif v.func.id == "WorkloadBaseConfig":
                out[name] = (node.lineno, kw)
    return out


def decide(mirror: Path, r: dict) -> tuple[dict | None, str]:
    g = NAME.match(r["name"])
    if g is None or g["rel"] not in RELEASES:
        return None, "not a Megatron-Bridge Llama recipe row this script reads"
    commit, files, patterns = RELEASES[g["rel"]]
    family = "llama31" if g["model"].startswith("llama31") else "llama3"
    path = files[family]
    table = configs(show(mirror, commit, path))
    keys = {"model": g["model"].upper(), "gpu": g["gpu"].upper(), "dtype": DTYPES[g["dtype"]]}
    found = []
    for p in patterns:
        name = p.format(**keys)
        if name not in table:
            continue
        line, kw = table[name]
        cfg = DEFAULTS | kw
        if all(r[c] is None or cfg.get(f) == r[c] or (f.startswith("virtual") and cfg.get(f) is None and r[c] == 1)
               for c, f in LAYOUT.items()):
            found.append((name, line, cfg))
    if not found:
        return None, f"no base config in {path} at {commit[:8]} with the row's layout"
    says = {(c.get("recompute_num_layers"), c.get("cpu_offloading_num_layers"), str(c.get("recompute_modules")))
            for _, _, c in found}
    if len(says) > 1:
        return None, f"{' and '.join(n for n, _, _ in found)} both fit the row's layout and set recompute apart"
    name, line, cfg = found[0]
    if cfg.get("recompute_num_layers") is not None:
        return None, (f"{name} ({path} line {line}): recompute_num_layers={cfg['recompute_num_layers']}, full "
                      "recomputation by block on that many layers a stage")
    if cfg.get("cpu_offloading_num_layers") is not None:
        return None, (f"{name} ({path} line {line}): cpu_offloading_num_layers={cfg['cpu_offloading_num_layers']}, "
                      "activation offloading")
    if cfg.get("recompute_modules") is not None:
        return None, f"{name} ({path} line {line}): recompute_modules={cfg['recompute_modules']}"
    recipe = ""
    if g["rel"] == "26.02":
        text = show(mirror, commit, "src/megatron/bridge/recipes/llama/llama3.py").splitlines()
        start = next(i for i, s in enumerate(text) if s.startswith(RECIPE_NONE[g["model"]]))
        at = next(i for i in range(start, len(text)) if "cfg.model.recompute_granularity = None" in text[i]) + 1
        recipe = f"; the recipe sets recompute_granularity = None, recipes/llama/llama3.py line {at}"
    else:
        recipe = "; v0.2.0's llama recipes and providers set no recompute, so TransformerConfig's default None holds"
    also = f" ({' = '.join(n for n, _, _ in found)} agree)" if len(found) > 1 else ""
    return {"name": r["name"], "column": "recompute", "value": "none", "repository": REPO, "commit": commit,
            "path": path, "line": line,
            "why": f"{name}{also} sets no recompute_num_layers, cpu_offloading_num_layers or recompute_modules, "
                   f"so set_recompute_overrides leaves the model as the recipe builds it{recipe}: no activation "
                   "recomputation"}, ""


def main(mirror: Path, catalog: Path) -> None:
    m = pl.read_parquet(catalog)
    rows = m.filter(pl.col("name").str.starts_with("mbridge-") & pl.col("model").str.starts_with("Llama")
                    & pl.col("recompute").is_null()).sort("name")
    cells, left = [], []
    for r in rows.iter_rows(named=True):
        cell, why = decide(mirror, r)
        (cells.append(cell) if cell else left.append({"name": r["name"], "why": why}))
    for file, new in (("cells.csv", cells), ("unresolved.csv", left)):
        with open(HERE / file, newline="") as f:
            old = [x for x in csv.DictReader(f) if not x["name"].startswith("mbridge-")]
        fields = list(old[0]) if old else list(new[0])
        with open(HERE / file, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            w.writerows(sorted(old + new, key=lambda c: c["name"]))
    print(len(cells), "cells,", len(left), "rows left null")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/.mirror/NVIDIA-NeMo+Megatron-Bridge/repo"),
         Path(sys.argv[2]) if len(sys.argv) > 2 else REGISTRY / "measurements.parquet")
