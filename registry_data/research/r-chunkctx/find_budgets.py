"""Write patches.csv: the runtime token budget (``max_num_tokens``) each TensorRT-LLM MLPerf Inference row's
submission config states, one line per measurements row, each citing the config line (r-chunkctx/README.md).

v5.1: the row's own ``closed/<submitter>/configs/<system>/<Scenario>/<benchmark>.py`` (``configs.budget``: the
workload setting of the row's harness (Triton for a ``_Triton`` system, else Custom), accuracy 99 % and MaxP; the
runtime flag, else the engine's build flag). v5.0: NVIDIA's own v5.0 configs are not published in the stored index
(r-v50); the two Llama 3.1 405B Server runs whose rate matches a class of NVIDIA's config that Cisco reused in v5.1
(``V50``, r-srvpart §2) take its budget. Every other row is left null and listed by ``--unfilled``.

    git clone / fetch mlcommons/inference_results_v5.1 (a bare git directory, e.g. the search tool's mirror), then
    .venv/bin/python registry_data/research/r-chunkctx/find_budgets.py MIRROR_GIT_DIR [--unfilled]
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import polars as pl

from configs import budget, exports, flag, line_of, show

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
COMMIT = "965182b03376a00fcae415c54e560e1c83937932"
BLOB = f"https://github.com/mlcommons/inference_results_v5.1/blob/{COMMIT}/"
BENCHMARKS = {"llama2-70b-99": "llama2-70b", "llama3.1-405b": "llama3_1-405b", "llama3_1-405b": "llama3_1-405b",
              "llama3.1-8b": "llama3_1-8b", "mixtral-8x7b": "mixtral-8x7b"}
CISCO_405B_SERVER = "closed/Cisco/configs/llama3_1-405b/Server/__init__.py"
# v5.0 run (measurements name stem) -> budget, the line of NVIDIA's class that states it (the x1 class the
# system's class inherits), and the rate evidence
V50 = {"mlperf-inf-v5.0-nvidia-b200-sxm-180gbx8_trt-llama3_1-405b-server":
       (1024, 136, "B200_SXM_180GB_TP2PP2x2 (inherits B200_SXM_180GB_TP2PP2x1): server_target_qps 0.65 x 2 = 1.30, "
                   "the v5.0 log's scheduled rate"),
       "mlperf-inf-v5.0-nvidia-gb200-nvl72_gb200-186gb_aarch64x72_trt_triton-llama3_1-405b-server":
       (1024, 156, "GB200_NVL_186GB_ARM_TP2PP2x18_Triton (inherits GB200_NVL_186GB_ARM_TP2PP2x1): "
                   "server_target_qps 0.75 x 18 = 13.5, the v5.0 log's 13.51")}
SUFFIX = r"-(ttft-p50|tpot-mean|singlestream-p90)$"


def rows() -> pl.DataFrame:
    """The TensorRT-LLM MLPerf Inference rows, with their run (name stem) and results path parts."""
    m = pl.read_parquet(REGISTRY / "measurements.parquet")
    parts = r"closed/(?<sub>[^/]+)/results/(?<sys>[^/]+)/(?<bench>[^/]+)/(?<scen>[^/]+)/"
    return (m.filter(pl.col("name").str.starts_with("mlperf-inf") & (pl.col("framework") == "TensorRT-LLM"))
            .with_columns(pl.col("name").str.replace(SUFFIX, "").alias("run"),
                          pl.col("source_url").str.extract_groups(parts).alias("g")).unnest("g").sort("name"))


def v51(mirror: Path, tree: set[str], r: dict) -> tuple[int, str, str] | None:
    """A v5.1 row's budget, its source line and a note, from its own config (None: no config states it)."""
    if r["sub"] is None or r["bench"] not in BENCHMARKS:
        return None
    system = r["sys"].removesuffix("_TRT")
    path = f"closed/{r['sub']}/configs/{system}/{r['scen']}/{BENCHMARKS[r['bench']]}.py"
    if path not in tree:
        return None
    text = show(mirror, path)
    harness = "Triton" if "_Triton" in r["sys"] else "Custom"
    for key, setting in exports(text).items():
        names = [str(k) for k in key[1:]]
        if names[0].endswith(f".{harness}") and key[2][1] == 0.99 and names[2].endswith(".MaxP"):
            value, group = budget(setting)
            if value is None:
                return None
            chunked = flag(setting, "trtllm_runtime_flags", "enable_chunked_context")
            note = f"{group} of the {harness}/99/MaxP setting; enable_chunked_context {chunked}"
            return value, f"{BLOB}{path}#L{line_of(text, group, value)}", note
    return None


def main(mirror: Path, unfilled: bool = False) -> None:
    tree = set(subprocess.run(["git", "--git-dir", str(mirror), "ls-tree", "-r", "--name-only", "HEAD", "closed"],
                              capture_output=True, text=True, check=True).stdout.splitlines())
    found, missing = [], []
    for r in rows().iter_rows(named=True):
        stated = None
        if r["name"].startswith("mlperf-inf-v5.1-"):
            stated = v51(mirror, tree, r)
        elif r["run"] in V50:
            value, line, why = V50[r["run"]]
            stated = value, f"{BLOB}{CISCO_405B_SERVER}#L{line}", f"NVIDIA's class reused by Cisco, {why}"
        if stated is None:
            missing.append(r["name"])
            continue
        found.append({"table": "measurements", "name": r["name"], "column": "max_num_tokens", "value": stated[0],
                      "source": f"{stated[1]} ({stated[2]})"})
    with open(HERE / "patches.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, ["table", "name", "column", "value", "source"])
        writer.writeheader()
        writer.writerows(found)
    print(f"{len(found)} rows stated, {len(missing)} left null")
    if unfilled:
        print("\n".join(missing))


if __name__ == "__main__":
    main(Path(sys.argv[1]), "--unfilled" in sys.argv)
