"""Write patches.csv: ``scheduler_steps`` of the MLPerf Inference v6.0 Llama 2 70B Interactive runs on AMD's vLLM
harness (MI355X / MI350X), from each run's harness yaml (README.md of this folder, "The AMD v6.0 admission hold").

AMD's v6.0 vLLM patch (closed/AMD/setup/llama2-70b-99/patches/llama2-70b_vllm_gfx950.patch L459-L496, vllm/v1/core/
sched/scheduler.py) admits waiting requests only on a scheduler step whose ``current_step`` is 0, and counts
``current_step`` 0, 1, ..., S (S = ``VLLM_SUBSEQUENT_DECODE_STEPS``) before it resets: a block of S + 1 steps, one
admission per block, as vLLM V0's multi-step scheduling with N = S + 1 (walls/multi_step.py). The hold applies while
``len(running) >= VLLM_MIN_REQUEST_DECODE_STEP`` (default 0: always); a yaml that sets that threshold is skipped
(the model has no conditional hold). Read from a mirror of the results repository:

    .venv/bin/python registry_data/research/r-ttftmap/make_patches.py MIRROR_GIT_DIR

MIRROR_GIT_DIR: the search tool's ``fetch github:gbeezybez/inference_results_v6.0`` (232fbf9, an upload of
mlcommons/inference_results_v6.0, as r-v60 reads it)."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BLOB = "https://github.com/mlcommons/inference_results_v6.0/blob/main/"
MIRROR = " (read at gbeezybez/inference_results_v6.0@232fbf9)"
# run name stem -> (submitter, results system folder)
RUNS = {
    "mlperf-inf-v6.0-amd-8xmi355x-2xepyc-9575f-llama2-70b-99-interactive": ("AMD", "8xMI355X_2xEPYC_9575F"),
    "mlperf-inf-v6.0-cisco-cisco-ucs-8xmi350x-llama2-70b-99-interactive": ("Cisco", "Cisco_UCS_8xMI350x"),
    "mlperf-inf-v6.0-cisco-cisco-ucs-16xmi350x-llama2-70b-99-interactive": ("Cisco", "Cisco_UCS_16xMI350x"),
    "mlperf-inf-v6.0-dell-8xmi355x-2xepyc-9655-llama2-70b-99-interactive": ("Dell", "8xMI355X_2xEPYC_9655"),
    "mlperf-inf-v6.0-hpe-hpe-proliant-xd685-mi355x-288gbx8-llama2-70b-99-interactive": (
        "HPE", "HPE_ProLiant_XD685_MI355X_288GBx8"),
    "mlperf-inf-v6.0-mitac-8xmi350x-2xepyc-9755-llama2-70b-99-interactive": ("MiTAC", "8xMI350X_2xEPYC-9755"),
}
SUFFIXES = ("", "-ttft-p50", "-tpot-mean")


def show(git_dir: str, path: str) -> str:
    return subprocess.run(["git", "--git-dir", git_dir, "show", f"HEAD:{path}"], capture_output=True, text=True,
                          check=True).stdout


def config_name(readme: str) -> tuple[str, int]:
    """The yaml the run's README starts for Interactive: ``--config-name NAME`` or ``--scenario Interactive
    --model-conf .../NAME.yaml``, and its line."""
    for i, line in enumerate(readme.splitlines(), 1):
        if m := re.search(r"--config-name (\S+)", line):
            return m.group(1), i
        if "--scenario Interactive" in line and (m := re.search(r"--model-conf \S*/(\w+)\.yaml", line)):
            return m.group(1), i
    raise ValueError("no config named")


def steps(yaml: str) -> tuple[int, int]:
    """S + 1 and the line of VLLM_SUBSEQUENT_DECODE_STEPS; refuses a yaml with a VLLM_MIN_REQUEST_DECODE_STEP."""
    if "VLLM_MIN_REQUEST_DECODE_STEP" in yaml:
        raise ValueError("conditional hold (VLLM_MIN_REQUEST_DECODE_STEP)")
    for i, line in enumerate(yaml.splitlines(), 1):
        if m := re.match(r"\s+VLLM_SUBSEQUENT_DECODE_STEPS:\s*(\d+)", line):
            return int(m.group(1)) + 1, i
    raise ValueError("no VLLM_SUBSEQUENT_DECODE_STEPS")


def main(git_dir: str) -> None:
    rows = []
    for stem, (sub, system) in RUNS.items():
        readme_path = f"closed/{sub}/results/{system}/llama2-70b-99/Interactive/README.md"
        name, at = config_name(show(git_dir, readme_path))
        yaml_path = f"closed/{sub}/src/llama2-70b-99/{name}.yaml"
        value, line = steps(show(git_dir, yaml_path))
        source = (f"{BLOB}{yaml_path}#L{line} VLLM_SUBSEQUENT_DECODE_STEPS {value - 1} (the yaml {BLOB}{readme_path}"
                  f"#L{at} starts; one admission per {value} scheduler steps: AMD's vLLM patch "
                  f"closed/AMD/setup/llama2-70b-99/patches/llama2-70b_vllm_gfx950.patch#L480-L496){MIRROR}")
        rows += [{"table": "measurements", "name": stem + s, "column": "scheduler_steps", "value": value,
                  "source": source} for s in SUFFIXES]
        print(stem, value, yaml_path, line)
    with open(HERE / "patches.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, ["table", "name", "column", "value", "source"])
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1])
