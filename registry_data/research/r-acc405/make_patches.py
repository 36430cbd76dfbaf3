"""Write two patch files for r-feas's procedure, each value read from the MLPerf Training v5.0 submission (commit
0fdc28f0 of mlcommons/training_results_v5.0) or the Llama 3 paper and cited to its line.

patches.csv (replayed onto the catalog): what the NVIDIA Eos-dfw Llama 3.1 405B configs state that the five
``mlperf-train-v5.0-nvidia-eos-dfw-n*-ngc25.01-nemo-llama31-405b-step`` rows left null:

- embedding_and_loss_in_pipeline_split: the run's config_DGXH100_*.sh exports ASYM_PP_EMBED=True and
  ASYM_PP_LOSS=True, which conf/custom.yaml lines 78-79 pass to Megatron-Core's
  account_for_embedding_in_pipeline_split / account_for_loss_in_pipeline_split (pretrain.py lines 347-348);
- fp8_params: config_common.sh line 69 FP8_PARAMS=True (optim.fp8_params, fp8_param_gather: pretrain.py line 334);
- cross_entropy_loss_fusion: conf/custom.yaml line 90, default True (CROSS_ENTROPY_LOSS_FUSION is not set);

and on the Llama 3 paper's Table 4 rows (arXiv 2407.21783) embedding_and_loss_in_pipeline_split true: §3.3.2 "To
balance the pipeline, we reduce one Transformer layer each from the first and the last stages, respectively."

recompute/patches.csv (written, NOT replayed: README.md §3, it moves the GB200 rows 6 points further off): on every
v5.0 Llama 3.1 405B row whose notes name a NeMo implementation (five Eos, five IBM+CoreWeave+NVIDIA Carina, NVIDIA
Tyche, two Nebius), recompute "none" where the row left it null and the validation assumes "selective":
conf/custom.yaml's activations_checkpoint_granularity defaults to null (ACT_CKPT_GRANULARITY, set by no config or
script of the implementation) and pretrain.py never reads it: it builds NeMo's Llama31Config405B with seq_length,
num_layers and the FP8 settings only, so Megatron-Core's TransformerConfig keeps recompute_granularity None. Checked
per implementation: no file but custom.yaml names ACT_CKPT, and pretrain.py has no "recompute" or
"activations_checkpoint".

Needs the mirror (the fetch tool's github:mlcommons/training_results_v5.0). Run from the repository root:

    .venv/bin/python registry_data/research/r-acc405/make_patches.py [/work/.mirror]
    .venv/bin/python registry_data/research/r-feas/apply.py registry_data/research/r-acc405
    .venv/bin/python registry_data/research/r-feas/apply.py registry_data/research/r-acc405/recompute   # to try it
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
COMMIT = "0fdc28f013256aea84fa36fdaf1e0fa46094b18c"
BLOB = f"https://github.com/mlcommons/training_results_v5.0/blob/{COMMIT}/"
RUNS = {64: 288, 256: 72, 304: 64, 320: 56, 1024: 24}  # nodes: MINIBS of the run's config file


def line_of(repo: Path, path: str, text: str) -> int:
    """The 1-based line of ``path`` at COMMIT that holds ``text`` (exits when it is not there)."""
    body = subprocess.run(["git", "--git-dir", str(repo), "show", f"{COMMIT}:{path}"], capture_output=True,
                          text=True, check=True).stdout.splitlines()
    hits = [i + 1 for i, line in enumerate(body) if text in line]
    if len(hits) != 1:
        sys.exit(f"{path}: {text!r} found {len(hits)} times at {COMMIT[:8]}")
    return hits[0]


def show(repo: Path, path: str) -> str:
    return subprocess.run(["git", "--git-dir", str(repo), "show", f"{COMMIT}:{path}"], capture_output=True,
                          text=True, check=True).stdout


def no_recompute(repo: Path, measurements: Path) -> list[dict]:
    """recompute "none" on the v5.0 405B rows whose notes name their NeMo implementation (module docstring)."""
    rows = pl.read_parquet(measurements).filter(pl.col("name").str.contains("^mlperf-train-v5.0-.*llama31-405b"))
    out = []
    for name, notes, stated in rows.select("name", "notes", "recompute").iter_rows():
        if stated not in (None, "none"):
            sys.exit(f"{name}: states recompute {stated!r}")
        impl = re.search(r"Parallel layout from (\S+)/config_\S+\.sh", notes).group(1)
        files = subprocess.run(["git", "--git-dir", str(repo), "ls-tree", "-r", "--name-only", COMMIT, impl + "/"],
                               capture_output=True, text=True, check=True).stdout.split()
        naming = [f for f in files if "ACT_CKPT" in show(repo, f)]
        if naming != [f"{impl}/conf/custom.yaml"] or re.search("recompute|activations_checkpoint",
                                                               show(repo, f"{impl}/pretrain.py"), re.I):
            sys.exit(f"{impl}: recomputation may be set ({naming})")
        yaml = line_of(repo, f"{impl}/conf/custom.yaml", "${oc.env:ACT_CKPT_GRANULARITY,null}")
        model = line_of(repo, f"{impl}/pretrain.py", "base_llama_config = Llama31Config405B(")
        out.append({"table": "measurements", "name": name, "column": "recompute", "value": "none",
                    "source": f"{BLOB}{impl}/conf/custom.yaml#L{yaml} (activations_checkpoint_granularity default "
                              f"null, ACT_CKPT_GRANULARITY set nowhere in the implementation, never read: "
                              f"{BLOB}{impl}/pretrain.py#L{model} builds Llama31Config405B without recomputation)"})
    return out


LLAMA3 = ("llama3-table4-405b-8192gpus-cp1-seq8192-mfu", "llama3-table4-405b-16384gpus-cp1-seq8192-mfu",
          "llama3-table4-405b-16384gpus-cp16-seq131072-mfu")
LLAMA3_SPLIT = ("https://arxiv.org/abs/2407.21783 §3.3.2: 'To balance the pipeline, we reduce one Transformer layer "
                "each from the first and the last stages, respectively.'")


def patches(repo: Path) -> list[dict]:
    out = []
    for nodes, minibs in RUNS.items():
        impl = f"NVIDIA/benchmarks/llama31_405b/implementations/eos-dfw_n{nodes}_ngc25.01_nemo/"
        config = f"{impl}config_DGXH100_{nodes}x8x{minibs}xtp8pp8cp2.sh"
        embed, loss = line_of(repo, config, "ASYM_PP_EMBED=True"), line_of(repo, config, "ASYM_PP_LOSS=True")
        yaml = f"{impl}conf/custom.yaml"
        passes = (line_of(repo, yaml, "account_for_embedding_in_pipeline_split: ${oc.decode:${oc.env:ASYM_PP_EMBED"),
                  line_of(repo, yaml, "account_for_loss_in_pipeline_split: ${oc.decode:${oc.env:ASYM_PP_LOSS"))
        fp8 = line_of(repo, f"{impl}config_common.sh", "export FP8_PARAMS=True")
        fusion = line_of(repo, yaml, "cross_entropy_loss_fusion: ${oc.decode:${oc.env:CROSS_ENTROPY_LOSS_FUSION,True}}")
        name = f"mlperf-train-v5.0-nvidia-eos-dfw-n{nodes}-ngc25.01-nemo-llama31-405b-step"
        rows = [("embedding_and_loss_in_pipeline_split",
                 f"{BLOB}{config}#L{embed}-L{loss} (ASYM_PP_EMBED, ASYM_PP_LOSS True; passed on at {yaml} "
                 f"lines {passes[0]}-{passes[1]})"),
                ("fp8_params", f"{BLOB}{impl}config_common.sh#L{fp8}"),
                ("cross_entropy_loss_fusion", f"{BLOB}{yaml}#L{fusion} (default True, not overridden)")]
        out += [{"table": "measurements", "name": name, "column": c, "value": "true", "source": s} for c, s in rows]
    return out


def write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["table", "name", "column", "value", "source"])
        w.writeheader()
        w.writerows(rows)
    print(len(rows), "patches ->", path.relative_to(HERE))


def main() -> None:
    mirrors = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/.mirror")
    repo = mirrors / "mlcommons+training_results_v5.0" / "repo"
    write(HERE / "patches.csv", patches(repo) + [
        {"table": "measurements", "name": n, "column": "embedding_and_loss_in_pipeline_split", "value": "true",
         "source": LLAMA3_SPLIT} for n in LLAMA3])
    write(HERE / "recompute" / "patches.csv", no_recompute(repo, HERE.parent.parent / "measurements.parquet"))


if __name__ == "__main__":
    main()
