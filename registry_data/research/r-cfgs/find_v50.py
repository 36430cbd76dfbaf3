"""The engine token budget and layout of v5.0 NVIDIA TensorRT-LLM Server rows whose scheduled rate names one class
of NVIDIA's v5.0 class-style config as Cisco reused it in v5.1 (``closed/Cisco/configs/<benchmark>/Server/``;
NVIDIA's own v5.0 configs are not in the stored index, r-v50), as r-chunkctx stated the two 405B Server runs; one
line per null cell into ``v50_cells.csv``, the rows no class matches into ``v50_unresolved.csv``.

A class matches when it is registered for the run's system (the member its system id names in Cisco's
``system_list.py``), harness (Triton for a ``_Triton`` system, else Custom), accuracy target and MaxP, under any
config version, and its ``server_target_qps`` (expressions evaluated) is within ``TOLERANCE`` of the row's scheduled
rate; a run is stated only when one class matches. The budget is the merged ``trtllm_runtime_flags``'
``max_num_tokens`` (else the build flags'), the layout the merged build flags' ``tensor_parallelism`` /
``pipeline_parallelism`` (each class's dict updates its bases', ``configs/configuration.py`` TrtllmFlagsInherit).

    .venv/bin/python registry_data/research/r-cfgs/find_v50.py V51_MIRROR_GIT_DIR [CATALOG]
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from classcfg import classes, merged, mro, number, system_members  # noqa: E402

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
REPO = "mlcommons/inference_results_v5.1"
# the relative gap between a Poisson run's scheduled rate and its target: 0.07-0.28 % on the runs matched
# (r-cfgs/README.md); a class 1.9 % off is another setting's
TOLERANCE = 0.005
BENCHMARKS = {"Llama 2 70B": "llama2-70b", "Llama 3.1 405B": "llama3_1-405b"}
SUFFIX = r"-(ttft-p50|tpot-mean)$"


def git(mirror: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(mirror), *args], capture_output=True, text=True,
                          check=True).stdout


def rows(catalog: Path) -> pl.DataFrame:
    m = pl.read_parquet(catalog).filter(pl.col("name").str.starts_with("mlperf-inf-v5.0-")
                                        & (pl.col("framework") == "TensorRT-LLM") & (pl.col("scenario") == "server"))
    m = m.with_columns(pl.col("name").str.replace(SUFFIX, "").alias("run"),
                       pl.col("source_url").str.extract(r"/results/([^/]+)/([^/]+)/", 1).alias("sysdir"),
                       pl.col("source_url").str.extract(r"/results/[^/]+/([^/]+)/", 1).alias("bench"))
    rate = m.filter(pl.col("metric") == "tokens_per_s").select("run", pl.col("request_rate").alias("rate"))
    return m.join(rate, on="run", how="left").sort("name")


def main(mirror: Path, catalog: Path) -> None:
    commit = git(mirror, "rev-parse", "HEAD").strip()
    base = "closed/Cisco"
    members = system_members(git(mirror, "show", f"HEAD:{base}/code/common/systems/system_list.py"), None)
    cells, unresolved = [], []
    for r in rows(catalog).iter_rows(named=True):
        bench = BENCHMARKS.get(r["model"])
        if bench is None or "interactive" in r["bench"]:
            unresolved.append({"name": r["name"], "why": f"no {r['bench']} Server config in {base}/configs"})
            continue
        paths = [f"{base}/configs/{bench}/Server/custom.py", f"{base}/configs/{bench}/Server/__init__.py",
                 f"{base}/configs/{bench}/__init__.py"]
        scopes = [classes(git(mirror, "show", f"HEAD:{p}"), p) for p in paths]
        ident = r["sysdir"].removesuffix("_TRT_Triton").removesuffix("_TRT")
        member = members.get(ident, ident.replace("-", "_"))
        harness = "Triton" if r["sysdir"].endswith("_Triton") else "Custom"
        accuracy = "k_99_9" if "99.9" in r["bench"] else "k_99"
        found = []
        for i, table in enumerate(scopes):
            for c in table.values():
                if c.system is None and c.setting is not None:  # a registered subclass keeps its base's system
                    system = next((b.system for b in mro(c.name, scopes[i:]) if b.system), None)
                else:
                    system = c.system
                if system == member and c.setting == (harness, accuracy, "MaxP"):
                    target = number(c.name, "server_target_qps", scopes[i:])
                    found.append((c, i, target))
        matched = [(c, i, t) for c, i, t in found if t and abs(r["rate"] / t - 1) <= TOLERANCE]
        if len(matched) != 1:
            seen = ", ".join(f"{c.name} {t}" for c, _, t in found) or "none"
            unresolved.append({"name": r["name"], "why": f"{len(matched)} classes of {member} {harness}/{accuracy}"
                                                         f"/MaxP within {TOLERANCE:.1%} of {r['rate']} (registered: "
                                                         f"{seen})"})
            continue
        c, i, target = matched[0]
        runtime, build = (merged(c.name, k, scopes[i:]) for k in ("trtllm_runtime_flags", "trtllm_build_flags"))
        stated = {"max_num_tokens": ("trtllm_runtime_flags", runtime.get("max_num_tokens"))
                  if "max_num_tokens" in runtime else ("trtllm_build_flags", build.get("max_num_tokens")),
                  "tp": ("trtllm_build_flags", build.get("tensor_parallelism")),
                  "pp": ("trtllm_build_flags", build.get("pipeline_parallelism"))}
        for column, (group, got) in stated.items():
            if got is None or r[column] is not None:
                continue
            value, owner = got
            key = {"tp": "tensor_parallelism", "pp": "pipeline_parallelism"}.get(column, column)
            cells.append({"name": r["name"], "column": column, "value": value, "repository": REPO, "commit": commit,
                          "path": owner.path, "line": owner.keys[group][key], "class": c.name,
                          "defined_in": owner.name, "current": None,
                          "note": f"{group}; NVIDIA's class reused by Cisco: server_target_qps {target:g}, the v5.0 "
                                  f"log's scheduled {r['rate']:g}"})
    fields = ["name", "column", "value", "repository", "commit", "path", "line", "class", "defined_in", "current",
              "note"]
    with open(HERE / "v50_cells.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fields)
        w.writeheader()
        w.writerows(cells)
    with open(HERE / "v50_unresolved.csv", "w", newline="") as f:
        w = csv.DictWriter(f, ["name", "why"])
        w.writeheader()
        w.writerows(unresolved)
    print(f"{len(cells)} cells of {len({c['name'] for c in cells})} rows; {len(unresolved)} rows unresolved")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else REGISTRY / "measurements.parquet")
