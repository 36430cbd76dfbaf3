"""The engine token budget (``max_num_tokens``) and layout (``tensor_parallelism`` / ``pipeline_parallelism``) of
each v4.1 TensorRT-LLM MLPerf Inference row, from the class its run registered (``classcfg``), one line per cell
into ``v41_cells.csv``; the runs no class states into ``v41_unresolved.csv`` with why.

The class: registered for the run's benchmark and scenario (the files of ``closed/<submitter>/configs/<benchmark>/
<Scenario>/``), its system (``system = KnownSystem.<member>``, the member the run's system id names), harness
Custom (Triton for a ``_Triton`` system), the run's accuracy target (99.9 when the row names it, else 99) and MaxP.
The registry raises on a second registration of the same key (``configs/configuration.py``), so there is one.

    .venv/bin/python registry_data/research/r-cfgs/find_v41.py MIRROR_GIT_DIR [CATALOG]

CATALOG: the measurements parquet the cells are found on, the catalog before apply.py replayed them (a cell is
written only where that catalog leaves it null): git show e7eaeb46:registry_data/measurements.parquet > BEFORE
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from classcfg import classes, lookup, system_members  # noqa: E402

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
REPO = "mlcommons/inference_results_v4.1"
BENCHMARKS = {"Llama 2 70B": "llama2-70b", "Mixtral 8x7B": "mixtral-8x7b", "GPT-J 6B": "gptj"}
SCENARIOS = {"offline": "Offline", "server": "Server", "single-stream": "SingleStream"}
KEYS = {"max_num_tokens": "max_num_tokens", "tp": "tensor_parallelism", "pp": "pipeline_parallelism"}
SUFFIX = r"-(ttft-p50|tpot-mean|singlestream-p90)$"


def git(mirror: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(mirror), *args], capture_output=True, text=True,
                          check=True).stdout


def rows(catalog: Path) -> pl.DataFrame:
    m = pl.read_parquet(catalog)
    return (m.filter(pl.col("name").str.starts_with("mlperf-inf-v4.1-") & (pl.col("framework") == "TensorRT-LLM"))
            .with_columns(pl.col("name").str.replace(SUFFIX, "").alias("run"),
                          pl.col("source_url").str.extract(r"closed/([^/]+)/results/", 1).alias("sub"),
                          pl.col("source_url").str.extract(r"/results/([^/]+)/", 1).alias("sysdir"))
            .sort("name"))


def same_log(url: str, tree: set[str], mirror: Path) -> bool:
    """Whether a -99 row's performance log is the same git blob as the -99.9 run's."""
    path = re.search(r"(closed/.*/performance/run_1/mlperf_log_summary.txt)", url or "")
    if path is None or "-99/" not in path.group(1):
        return False
    other = path.group(1).replace("-99/", "-99.9/")
    if other not in tree:
        return False
    blobs = git(mirror, "ls-tree", "HEAD", path.group(1), other).split()
    return len(blobs) == 8 and blobs[2] == blobs[6]


def main(mirror: Path, catalog: Path) -> None:
    commit = git(mirror, "rev-parse", "HEAD").strip()
    tree = set(git(mirror, "ls-tree", "-r", "--name-only", "HEAD", "closed").splitlines())

    def text(path: str) -> str | None:
        return git(mirror, "show", f"HEAD:{path}") if path in tree else None

    cells, unresolved = [], []
    for r in rows(catalog).iter_rows(named=True):
        sub, sysdir = r["sub"], r["sysdir"]
        bench, scen = BENCHMARKS.get(r["model"]), SCENARIOS.get(r["scenario"])
        base = f"closed/{sub}/configs/{bench}"
        scope_paths = [f"{base}/{scen}/custom.py", f"{base}/{scen}/__init__.py", f"{base}/__init__.py"]
        scopes = [(p, classes(t, p)) for p in scope_paths if (t := text(p)) is not None]
        members = system_members(text(f"closed/{sub}/code/common/systems/system_list.py") or "",
                                 text(f"closed/{sub}/code/common/systems/custom_list.py"))
        ident = sysdir.removesuffix("_TRT_Triton").removesuffix("_TRT_MaxQ").removesuffix("_TRT")
        member = members.get(ident, ident.replace("-", "_"))
        harness = "Triton" if sysdir.endswith("_Triton") else "Custom"
        accuracy = "k_99_9" if "99.9" in (r["name"] + (r["source_location"] or "")) else "k_99"
        power = "MaxQ" if sysdir.endswith("_MaxQ") else "MaxP"
        hits = [(i, c) for i, (_, table) in enumerate(scopes) for c in table.values()
                if c.system == member and c.setting == (harness, accuracy, power)]
        note = ""
        if not hits and accuracy == "k_99" and same_log(r["source_url"], tree, mirror):
            # the -99 result is the 99.9 run's own log (the same blob), as the rules allow: its class is the 99.9 one
            hits = [(i, c) for i, (_, table) in enumerate(scopes) for c in table.values()
                    if c.system == member and c.setting == (harness, "k_99_9", power)]
            note = "registered for 99.9 only; the -99 log is the -99.9 run's (same git blob)"
        if len(hits) != 1:
            registered = sorted({c.setting[1] for _, (_, t) in enumerate(scopes) for c in t.values()
                                 if c.system == member and c.setting})
            unresolved.append({"name": r["name"], "system_id": ident, "member": member,
                               "why": f"{len(hits)} classes registered for {member} {harness}/{accuracy}/{power} "
                                      f"in {', '.join(p for p, _ in scopes) or 'no config file'}"
                                      + (f" (registered for {registered})" if registered else "")})
            continue
        i, cls = hits[0]
        tables = [t for _, t in scopes[i:]]
        for column, key in KEYS.items():
            found = lookup(cls.name, key, tables)
            if found is None or found[0] is ...:
                continue
            value, owner = found
            cells.append({"name": r["name"], "column": column, "value": value, "repository": REPO,
                          "commit": commit, "path": owner.path, "line": owner.attrs[key][1],
                          "class": cls.name, "defined_in": owner.name, "current": r[column], "note": note})
    fields = ["name", "column", "value", "repository", "commit", "path", "line", "class", "defined_in", "current",
              "note"]
    with open(HERE / "v41_cells.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fields)
        w.writeheader()
        w.writerows(cells)
    with open(HERE / "v41_unresolved.csv", "w", newline="") as f:
        w = csv.DictWriter(f, ["name", "system_id", "member", "why"])
        w.writeheader()
        w.writerows(unresolved)
    print(f"{len(cells)} cells of {len({c['name'] for c in cells})} rows; {len(unresolved)} rows unresolved")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else REGISTRY / "measurements.parquet")
