"""The engine's max batch (``gpu_batch_size``, TensorRT-LLM's ``max_batch_size``) of each MLPerf Inference Server run of
Llama 2 70B on H100 (SXM, NVL), Llama 3.1 8B on B200 and Mixtral 8x7B on H200 (SXM, NVL) whose row states no
``batch``, from the run's own config, one line per cell into ``cells.csv``; the rows no config states into
``unresolved.csv`` with why (r-h70sat/README.md section 1).

``batch`` on a Server row with a request rate is the cap of wall 7's in-flight batch under that rate
(``pipeline/validation/serving_rows.py`` ``load_axes``); on an Offline row, or a Server tokens/s row without a rate,
a stated batch is run exactly (``serving_spec``), so those rows are left as they are. A pipeline-parallel replica
holds gpu_batch_size x pp sequences (``PP_CAP``).

- v4.1: the class r-cfgs resolved for the row (``r-cfgs/v41_cells.csv``: the class registered for the run's system,
  harness, accuracy and power), ``gpu_batch_size`` by its MRO (``r-cfgs/classcfg.py``), inference_results_v4.1.
- v5.0: the class r-cfgs matched by scheduled rate in Cisco's v5.1 copy of NVIDIA's v5.0 configs
  (``r-cfgs/v50_cells.csv``), ``gpu_batch_size`` by its MRO (a dict keyed by benchmark).
- v5.1: the Custom (Triton for ``_Triton``) / 99 % / MaxP setting of the run's dict config (``r-chunkctx/configs.py``),
  ``gpu_batch_size`` keyed by benchmark.
- v4.0: the store holds NVIDIA's ``configs/llama2-70b/Server/__init__.py`` (read with the search tool's read_file,
  mlcommons/inference_results_v4.0 @8121a811); its classes and lines are in ``V40`` below (the class registered for
  the run's system at 99.9 %, MaxP: ``<System>_HighAccuracy``, which inherits its batch).

    .venv/bin/python registry_data/research/r-h70sat/find_batch.py V41_MIRROR V51_MIRROR [CATALOG]
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
RESEARCH = HERE.parent
REGISTRY = RESEARCH.parent
sys.path.insert(0, str(RESEARCH / "r-cfgs"))
sys.path.insert(0, str(RESEARCH / "r-chunkctx"))
from classcfg import classes, lookup  # noqa: E402
from configs import exports  # noqa: E402

SCOPE = (pl.col("model").eq("Llama 2 70B") & pl.col("hardware").str.starts_with("H100")) | (
    pl.col("model").eq("Llama 3.1 8B") & pl.col("hardware").str.starts_with("B200")) | (
    pl.col("model").eq("Mixtral 8x7B") & pl.col("hardware").str.starts_with("H200"))
KEYS = {"Llama 2 70B": "llama2-70b", "Mixtral 8x7B": "mixtral-8x7b", "Llama 3.1 8B": "llama3_1-8b"}
CONFIG_DIRS = {"Llama 2 70B": "llama2-70b", "Mixtral 8x7B": "mixtral-8x7b"}
V51_BENCH = {"llama2-70b-99": "llama2-70b", "llama2-70b-99.9": "llama2-70b", "llama3.1-8b": "llama3_1-8b",
             "mixtral-8x7b": "mixtral-8x7b"}
SUFFIX = r"-(ttft-p50|tpot-mean)$"
V40_REPO, V40_COMMIT = "mlcommons/inference_results_v4.0", "8121a811542bfc693e201dc55d63f580a17124e0"
V40_PATH = "closed/NVIDIA/configs/llama2-70b/Server/__init__.py"
# system folder of the v4.0 result -> (gpu_batch_size, line, class registered for the run, class stating it)
V40 = {"DGX-H100_H100-SXM-80GBx8": (1024, 57, "H100_SXM_80GB_TP2x4_HighAccuracy", "H100_SXM_80GB_TP2x1"),
       "DGX-H100_H100-SXM-80GBx2": (1024, 57, "H100_SXM_80GB_TP2x1_HighAccuracy", "H100_SXM_80GB_TP2x1"),
       "H100-NVL-94GBx8": (640, 100, "H100_NVL_94GB_TP2x4_HighAccuracy", "H100_NVL_94GB_TP2x1")}
# TensorRT-LLM's in-flight batcher admits getMaxBatchSize() x mNumMicroBatches sequences (its CapacityScheduler), with
# mNumMicroBatches = the pipeline parallelism when pp > 1, and each micro-batch holds at most max_batch_size
# (MicroBatchScheduler's maxBatchSizeRuntime)
PP_CAP = ("NVIDIA/TensorRT-LLM cpp/tensorrt_llm/batch_manager/trtGptModelInflightBatching.cpp, the "
          "TrtGptModelInflightBatching constructor: mNumMicroBatches = getPipelineParallelism(), CapacityScheduler("
          "getMaxBatchSize() * mNumMicroBatches, ...)")
FIELDS = ["name", "column", "value", "repository", "commit", "path", "line", "why"]


def git(mirror: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(mirror), *args], capture_output=True, text=True,
                          check=True).stdout


def rows(catalog: Path) -> pl.DataFrame:
    """The Server rows in scope under a request rate that state no batch, with their round, submitter, system folder,
    benchmark and scenario folder."""
    return (pl.read_parquet(catalog)
            .filter(pl.col("name").str.starts_with("mlperf-inf-") & (pl.col("framework") == "TensorRT-LLM")
                    & (pl.col("scenario") == "server") & pl.col("request_rate").is_not_null()
                    & pl.col("batch").is_null() & SCOPE)
            .with_columns(pl.col("name").str.extract(r"^mlperf-inf-(v\d\.\d)-", 1).alias("round"),
                          pl.col("source_url").str.extract(r"closed/([^/]+)/results/", 1).alias("sub"),
                          pl.col("source_url").str.extract(r"/results/([^/]+)/", 1).alias("sysdir"),
                          pl.col("source_url").str.extract(r"/results/[^/]+/([^/]+)/", 1).alias("bench"),
                          pl.col("source_url").str.extract(r"/results/[^/]+/[^/]+/([^/]+)/", 1).fill_null("Server")
                          .alias("scen"))
            .sort("name"))


def class_batch(mirror: Path, cls: str, base: str, model: str) -> tuple[int, str, int] | None:
    """``gpu_batch_size`` of class ``cls`` of a class-style config (``base``: closed/<sub>/configs/<benchmark>/Server)
    by its MRO: (value, file, line); a dict is read at the benchmark's key."""
    tree = set(git(mirror, "ls-tree", "-r", "--name-only", "HEAD", base.rsplit("/", 1)[0]).splitlines())
    paths = [p for p in (f"{base}/custom.py", f"{base}/__init__.py", f"{base.rsplit('/', 1)[0]}/__init__.py")
             if p in tree]
    scopes = [classes(git(mirror, "show", f"HEAD:{p}"), p) for p in paths]
    start = next((i for i, s in enumerate(scopes) if cls in s), None)
    if start is None:
        return None
    found = lookup(cls, "gpu_batch_size", scopes[start:])
    if found is None or found[0] is ...:
        return None
    value, owner = found
    if isinstance(value, dict):
        key = KEYS[model]
        return (int(value[key]), owner.path, owner.keys["gpu_batch_size"][key]) if key in value else None
    return int(value), owner.path, owner.attrs["gpu_batch_size"][1]


def resolved_classes(csv_name: str) -> dict[str, str]:
    """row name -> the class r-cfgs resolved for it."""
    with open(RESEARCH / "r-cfgs" / csv_name) as f:
        return {r["name"]: r["class"] for r in csv.DictReader(f)}


def v51_batch(mirror: Path, r: dict, tree: set[str]) -> tuple[tuple[int, str, int] | None, str]:
    bench = V51_BENCH.get(r["bench"] or "")
    paths = [f"closed/{r['sub']}/configs/{s}/{r['scen']}/{bench}.py"
             for s in (r["sysdir"] or "", (r["sysdir"] or "").removesuffix("_TRT"))]
    path = next((p for p in paths if p in tree), None)
    if bench is None or path is None:
        return None, f"no config {paths[-1]}"
    text = git(mirror, "show", f"HEAD:{path}")
    harness = "Triton" if "_Triton" in r["sysdir"] else "Custom"
    setting = next((s for key, s in exports(text).items()
                    if str(key[1]).endswith(f".{harness}") and key[2][1] == 0.99 and str(key[3]).endswith(".MaxP")),
                   None)
    if setting is None:
        return None, f"no {harness}/99/MaxP setting in {path}"
    value = next((v for k, v in setting.items() if str(k).split(".")[-1] == "gpu_batch_size"), None)
    if not isinstance(value, dict) or bench not in value:
        return None, f"no gpu_batch_size for {bench} in {path}"
    lines = [i for i, line in enumerate(text.splitlines(), start=1)
             if re.search(rf"['\"]{re.escape(bench)}['\"]\s*:\s*{int(value[bench])}\b", line)]
    return (int(value[bench]), path, lines[0]), f"{harness}/99/MaxP setting, gpu_batch_size['{bench}']"


def main(v41: Path, v51: Path, catalog: Path) -> None:
    commits = {m: git(m, "rev-parse", "HEAD").strip() for m in (v41, v51)}
    tree51 = set(git(v51, "ls-tree", "-r", "--name-only", "HEAD", "closed").splitlines())
    c41, c50 = resolved_classes("v41_cells.csv"), resolved_classes("v50_cells.csv")
    cells, unresolved = [], []
    for r in rows(catalog).iter_rows(named=True):
        got, why, repo, commit = None, "", "", ""
        if r["round"] == "v4.0":
            hit = V40.get((r["sysdir"] or "").removesuffix("_TRT"))
            if hit and r["model"] == "Llama 2 70B":
                got = (hit[0], V40_PATH, hit[1])
                why = f"class {hit[2]} registered for the run; gpu_batch_size on {hit[3]}"
                repo, commit = V40_REPO, V40_COMMIT
            else:
                why = "no v4.0 config of this system in the store"
        elif r["round"] in ("v4.1", "v5.0"):
            mirror, table = (v41, c41) if r["round"] == "v4.1" else (v51, c50)
            cls = table.get(r["name"])
            sub = r["sub"] if r["round"] == "v4.1" else "Cisco"
            folder = CONFIG_DIRS.get(r["model"])
            if cls and folder:
                got = class_batch(mirror, cls, f"closed/{sub}/configs/{folder}/Server", r["model"])
                why = f"class {cls} (r-cfgs); gpu_batch_size by its MRO"
                repo, commit = f"mlcommons/inference_results_{'v4.1' if mirror == v41 else 'v5.1'}", commits[mirror]
            else:
                why = "no class resolved by r-cfgs (r-cfgs/v41_unresolved.csv, v50_unresolved.csv)"
        else:
            got, why = v51_batch(v51, r, tree51)
            repo, commit = "mlcommons/inference_results_v5.1", commits[v51]
        if got is None:
            unresolved.append({"name": r["name"], "why": why})
            continue
        value, path, line = got
        pp = r["pp"] or 1
        if pp > 1:  # the replica holds max_batch_size sequences per micro-batch, pp micro-batches (PP_CAP)
            why += f"; x pp {pp} micro-batches ({PP_CAP})"
        cells.append({"name": r["name"], "column": "batch", "value": value * pp, "repository": repo,
                      "commit": commit, "path": path, "line": line,
                      "why": f"{r['scen']} gpu_batch_size {value}: {why}"})
    with open(HERE / "cells.csv", "w", newline="") as f:
        w = csv.DictWriter(f, FIELDS)
        w.writeheader()
        w.writerows(cells)
    with open(HERE / "unresolved.csv", "w", newline="") as f:
        w = csv.DictWriter(f, ["name", "why"])
        w.writeheader()
        w.writerows(unresolved)
    print(f"{len(cells)} cells; {len(unresolved)} rows unresolved")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3
         else REGISTRY / "measurements.parquet")
