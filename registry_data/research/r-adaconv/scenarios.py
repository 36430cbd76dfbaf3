"""Per-image time of one accelerator in the SingleStream, MultiStream and Offline runs of the same MLPerf Inference
system (ResNet-50, RetinaNet), read from the results repositories' own files in the bare mirrors ``fetch`` makes
(mlcommons/inference_results_v3.0, v4.1, v5.1 at their HEAD):
closed/<submitter>/results/<system>/<model>/<scenario>/performance/run_1/mlperf_log_summary.txt and
closed/<submitter>/systems/<system>.json (accelerators_per_node).

- SingleStream: "Mean latency (ns)" of one query of 1 sample (one GPU: the harness runs it on one device).
- MultiStream: "Mean latency (ns)" of one query of 8 samples / 8 (NVIDIA's harness runs the query as one batch of 8
  on one device: closed/NVIDIA/configs/*/MultiStream, gpu_batch_size 8).
- Offline: accelerators / "Samples per second".

Usage: python scenarios.py /work/.mirror  (prints a markdown table; nothing is written).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROUNDS = ("v3.0", "v4.1", "v5.1")
MODELS = ("resnet50", "retinanet")
SCENARIOS = ("SingleStream", "MultiStream", "Offline")
SUMMARY = "closed/{sub}/results/{sys}/{model}/{scen}/performance/run_1/mlperf_log_summary.txt"
MS_SAMPLES = 8  # MLPerf Inference rules: a MultiStream query holds 8 samples


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True, text=True, check=False).stdout


def field(text: str, name: str) -> float | None:
    hit = re.search(rf"^{re.escape(name)}\s*:\s*([0-9.]+)", text, re.M)
    return float(hit.group(1)) if hit else None


def systems(repo: Path) -> dict[tuple[str, str], set[str]]:
    """(submitter, system) -> the scenarios it has summaries for, for either model."""
    found: dict[tuple[str, str], set[str]] = {}
    pattern = re.compile(r"^closed/([^/]+)/results/([^/]+)/(resnet50|retinanet)/(\w+)/performance/run_1/"
                         r"mlperf_log_summary\.txt$")
    for line in git(repo, "ls-tree", "-r", "--name-only", "HEAD", "closed").splitlines():
        hit = pattern.match(line)
        if hit:
            found.setdefault((hit.group(1), hit.group(2)), set()).add(hit.group(4))
    return {k: v for k, v in found.items() if {"SingleStream", "Offline"} <= v}


def rows(mirror: Path):
    for rnd in ROUNDS:
        repo = mirror / f"mlcommons+inference_results_{rnd}" / "repo"
        if not repo.exists():
            continue
        for (sub, system), _ in sorted(systems(repo).items()):
            spec = git(repo, "show", f"HEAD:closed/{sub}/systems/{system}.json")
            try:
                info = json.loads(spec)
            except json.JSONDecodeError:
                continue
            gpus = int(info.get("accelerators_per_node") or 1)
            for model in MODELS:
                ms = {}
                for scen in SCENARIOS:
                    text = git(repo, "show", "HEAD:" + SUMMARY.format(sub=sub, sys=system, model=model, scen=scen))
                    if not text:
                        continue
                    if scen == "Offline":
                        rate = field(text, "Samples per second")
                        ms[scen] = gpus / rate * 1e3 if rate else None
                    else:
                        mean = field(text, "Mean latency (ns)")
                        ms[scen] = mean / 1e6 / (MS_SAMPLES if scen == "MultiStream" else 1) if mean else None
                if ms.get("SingleStream") and ms.get("Offline"):
                    yield rnd, sub, system, info.get("accelerator_model_name", ""), gpus, model, ms


def main(mirror: str) -> None:
    print("| round | system | accelerator | GPUs | model | SS ms | MS ms / image | Offline ms / image / GPU | "
          "SS / Offline |")
    print("|---|---|---|---|---|---|---|---|---|")
    for rnd, sub, system, acc, gpus, model, ms in rows(Path(mirror)):
        multi = f"{ms['MultiStream']:.4f}" if ms.get("MultiStream") else ""
        print(f"| {rnd} | {sub}/{system} | {acc} | {gpus} | {model} | {ms['SingleStream']:.4f} | {multi} | "
              f"{ms['Offline']:.4f} | {ms['SingleStream'] / ms['Offline']:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror")
