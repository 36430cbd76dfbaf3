"""Read MLPerf Inference v5.1 closed submissions into v51_log_lines.csv, v51_runs.csv and v51_left_out.csv.

Reads a local mirror of mlcommons/inference_results_v5.1 (`fetch github:mlcommons/inference_results_v5.1`) at the
commit the catalog's v5.1 rows cite, 965182b0. For every performance log (`closed/<submitter>/results/<system>/
<benchmark>/<scenario>/performance/run_1/mlperf_log_summary.txt`) of a benchmark whose model the registry has, it
keeps the summary lines add_rows.py reads, the system JSON's accelerator and counts, and the precision the
submission's own file states (`closed/<submitter>/measurements/<system>/<benchmark>/<scenario>/*.json`,
`weight_data_types`), the layout its TensorRT-LLM config states (`closed/<submitter>/configs/<system>/<scenario>/
<benchmark>.py`) and the vLLM scheduler steps of the harness yaml its measurements README starts. A run is left
out, with the reason, by the rule in README.md. add_rows.py does the rest.

    .venv/bin/python registry_data/research/r-v50b/collect.py /work/.mirror/mlcommons+inference_results_v5.1/repo
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

COMMIT = "965182b03376a00fcae415c54e560e1c83937932"
HERE = Path(__file__).parent
# MLPerf benchmark folder -> (catalog model, benchmark as runs.csv names it)
BENCHMARKS = {"resnet50": "ResNet-50", "retinanet": "RetinaNet", "llama2-70b-99": "Llama 2 70B",
              "llama2-70b-99.9": "Llama 2 70B", "mixtral-8x7b": "Mixtral 8x7B", "llama3.1-405b": "Llama 3.1 405B",
              "llama3_1-405b": "Llama 3.1 405B", "llama3.1-8b": "Llama 3.1 8B", "llama3_1-8b": "Llama 3.1 8B",
              "deepseek-r1": "DeepSeek-R1"}
SCENARIOS = {"offline": "Offline", "server": "Server", "interactive": "Interactive"}
# the system JSON's accelerator_model_name (exactly) -> catalog hardware
ACCELERATORS = {"NVIDIA B200-SXM-180GB": "B200 (HGX B200)", "NVIDIA GB200": "GB200 NVL72 GPU",
                "NVIDIA GB300": "GB300 NVL72 GPU", "NVIDIA H200-SXM-141GB": "H200 SXM 141GB",
                "NVIDIA H200-NVL-141GB": "H200 NVL 141GB", "NVIDIA H100-SXM-80GB": "H100 SXM5 80GB",
                "NVIDIA L40S": "L40S", "NVIDIA L4-PCIe-24GB": "L4",
                "NVIDIA RTX PRO 6000 Blackwell Server Edition": "RTX PRO 6000 Blackwell Server Edition",
                "AMD Instinct MI300X 192GB HBM3": "MI300X", "AMD Instinct MI325X 256GB HBM3e": "MI325X"}
# the measurements JSON's weight_data_types (lower case) -> catalog dtype; anything else is not a stated precision
DTYPES = {"int8": "int8", "fp8": "fp8", "fp4": "fp4", "nvfp4": "fp4", "fp16": "fp16", "bf16": "bf16"}
# summary keys add_rows.py reads (figures, the scheduled rate, the latency bounds)
KEYS = ("Samples per second", "Completed samples per second", "Tokens per second", "Completed tokens per second",
        "Scheduled samples per second", "50.00 percentile first token latency (ns)",
        "Mean Time to Output Token (ns)", "target_latency (ns)", "ttft_latency (ns)", "tpot_latency (ns)")
RUN_COLUMNS = ["submitter", "system", "benchmark", "scenario", "log", "model", "hardware", "devices", "description",
               "dtype", "dtype_source", "framework", "framework_source", "scheduler_steps", "scheduler_steps_source",
               "tp", "pp", "layout_source"]
# AMD's vLLM harness as a run's measurements README starts it (r-ttft reads the same yaml key for AMD's own runs)
CONFIG_PATH = re.compile(r"--config-path\s+\S*?/code/([^/\s]+)/harness_llm/models/([^/\s]+)/?\s")
CONFIG_NAME = re.compile(r"--config-name\s+(\S+)")
STEPS = re.compile(r"^\s*num_scheduler_steps:\s*(\d+)")
# NVIDIA's harness as a partner ships it: closed/<sub>/configs/<system>/<Scenario>/<benchmark>.py, EXPORTS entries
LAYOUT = {"tp": re.compile(r"llm_fields\.tensor_parallelism:\s*(\d+)"),
          "pp": re.compile(r"llm_fields\.pipeline_parallelism:\s*(\d+)")}
CONFIG_FILE = {"llama2-70b-99": "llama2-70b", "llama2-70b-99.9": "llama2-70b", "llama3.1-405b": "llama3_1-405b",
               "llama3_1-405b": "llama3_1-405b", "llama3.1-8b": "llama3_1-8b", "llama3_1-8b": "llama3_1-8b",
               "mixtral-8x7b": "mixtral-8x7b", "deepseek-r1": "deepseek-r1"}


def git(repo: str, *args: str) -> str:
    return subprocess.check_output(["git", "-C", repo, *args], text=True, errors="replace")


def show(repo: str, path: str) -> str | None:
    try:
        return git(repo, "show", f"{COMMIT}:{path}")
    except subprocess.CalledProcessError:
        return None


def stated_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of the summary lines add_rows.py reads; none unless the log says 'Result is : VALID'."""
    lines = text.splitlines()
    if not any(line.replace(" ", "") == "Resultis:VALID" for line in lines):
        return []
    return [(n, line.strip()) for n, line in enumerate(lines, 1)
            if line.partition(":")[0].strip() in KEYS and line.partition(":")[2].strip()]


def precision(repo: str, files: set[str], sub: str, system: str, bench: str, scenario: str) -> tuple[str, str]:
    """(catalog dtype or '', 'file line N: text' or the reason none is stated)."""
    folder = f"closed/{sub}/measurements/{system}/{bench}/{scenario}/"
    found = sorted(f for f in files if f.startswith(folder) and f.endswith(".json") and "/" not in f[len(folder):])
    if not found:
        return "", f"no measurements JSON under {folder}"
    text = show(repo, found[0]) or ""
    line = next(((n, t.strip()) for n, t in enumerate(text.splitlines(), 1) if '"weight_data_types"' in t), None)
    if line is None:
        return "", f"{found[0]} states no weight_data_types"
    value = json.loads("{" + line[1].rstrip(",") + "}")["weight_data_types"].strip().lower()
    if value not in DTYPES:
        return "", f"{found[0]} line {line[0]}: {line[1]} (not one precision)"
    return DTYPES[value], f"{found[0]} line {line[0]}: {line[1]}"


def scheduler_steps(repo: str, files: set[str], sub: str, system: str, bench: str, scenario: str) -> tuple[str, str]:
    """vLLM's num_scheduler_steps in the harness yaml the run's measurements README starts (--config-path,
    --config-name under closed/<sub>/code/), or ('', '') where the README names none or the yaml sets none."""
    readme = show(repo, f"closed/{sub}/measurements/{system}/{bench}/{scenario}/README.md") or ""
    folder, name = CONFIG_PATH.search(readme), CONFIG_NAME.search(readme)
    if not (folder and name):
        return "", ""
    stem = f"closed/{sub}/code/{folder.group(1)}/harness_llm/models/{folder.group(2)}/"
    found = [f for f in files if f.lower() == f"{stem}{name.group(1)}.yaml".lower()]  # one README says server_MI325X
    for n, line in enumerate((show(repo, found[0]) or "").splitlines() if found else [], 1):
        if m := STEPS.match(line):
            return m.group(1), (f"{found[0]} line {n}: '{line.strip()}' (the yaml closed/{sub}/measurements/{system}/"
                                f"{bench}/{scenario}/README.md starts: --config-name {name.group(1)})")
    return "", ""


def layout(repo: str, files: set[str], sub: str, system: str, bench: str, scenario: str) -> dict[str, str]:
    """tp and pp where the run's own TensorRT-LLM config (its system folder with or without the _TRT suffix) states
    them, every entry of the file alike; '' where it states none or its entries differ."""
    found = [f"closed/{sub}/configs/{name}/{scenario}/{CONFIG_FILE[bench]}.py"
             for name in (system.removesuffix("_TRT"), system)]
    found = [f for f in found if f in files]
    if bench not in CONFIG_FILE or not found:
        return {"tp": "", "pp": "", "layout_source": ""}
    lines = list(enumerate((show(repo, found[0]) or "").splitlines(), 1))
    out, cited = {}, []
    for key, pattern in LAYOUT.items():
        stated = [(n, m.group(1), t.strip()) for n, t in lines if (m := pattern.search(t))]
        values = {v for _, v, _ in stated}
        out[key] = values.pop() if len(values) == 1 else ""
        cited += [f"line {stated[0][0]} '{stated[0][2]}' ({len(stated)} entries, all alike)"] if out[key] else []
    return out | {"layout_source": f"{found[0]} " + ", ".join(cited) if cited else ""}


def framework(stated: str, model: str) -> str:
    """The catalog framework a system JSON's ``framework`` names ('' when it names none the catalog uses)."""
    low = stated.lower()
    if "vllm" in low:
        return "vLLM"
    if "tensorrt" in low:
        return "TensorRT" if model in ("ResNet-50", "RetinaNet") else "TensorRT-LLM"
    return ""


def collect(repo: str) -> tuple[list[dict], list[dict], list[dict]]:
    files = set(git(repo, "ls-tree", "-r", "--name-only", COMMIT, "closed/").splitlines())
    logs = sorted(f for f in files if f.endswith("/performance/run_1/mlperf_log_summary.txt")  # not compliance/
                  and f.split("/")[2] == "results" and f.split("/")[4] in BENCHMARKS
                  and f.split("/")[5].lower() in SCENARIOS)
    lines, runs, left = [], [], []
    for log in logs:
        _, sub, _, system, bench, scenario, *_ = log.split("/")
        model = BENCHMARKS[bench]
        key = {"submitter": sub, "system": system, "benchmark": bench, "scenario": scenario, "log": log}
        described = json.loads(show(repo, f"closed/{sub}/systems/{system}.json") or "{}")
        hardware = ACCELERATORS.get(described.get("accelerator_model_name", ""))
        reason = ("system JSON absent" if not described
                  else f"system_type {described.get('system_type')!r}" if described.get("system_type") != "datacenter"
                  else f"status {described.get('status')!r}" if described.get("status") != "available"
                  else f"accelerator {described.get('accelerator_model_name')!r} not in the hardware catalog"
                  if hardware is None else "")
        dtype, dtype_source = precision(repo, files, sub, system, bench, scenario) if not reason else ("", "")
        reason = reason or ("" if dtype else f"precision not stated: {dtype_source}")
        fw = framework(described.get("framework", ""), model)
        reason = reason or ("" if fw else f"framework {described.get('framework')!r} names no catalog framework")
        stated = stated_lines(show(repo, log) or "") if not reason else []
        reason = reason or ("" if stated else "the log is not 'Result is : VALID'")
        if reason:
            left.append(key | {"reason": reason})
            continue
        lines += [{"log": log, "line": n, "text": t} for n, t in stated]
        devices = int(described["accelerators_per_node"]) * int(described["number_of_nodes"])
        runs.append(key | {"model": model, "hardware": hardware, "devices": devices,
                           "description": f"{described['system_name']} ({described['accelerator_model_name']} x "
                                          f"{described['accelerators_per_node']} per node x "
                                          f"{described['number_of_nodes']} node(s))",
                           "dtype": dtype, "dtype_source": dtype_source, "framework": fw,
                           "framework_source": f"closed/{sub}/systems/{system}.json 'framework': "
                                               f"{described['framework']!r}"})
        if fw == "TensorRT-LLM":
            runs[-1].update(layout(repo, files, sub, system, bench, scenario))
        if fw == "vLLM" and scenario.lower() != "offline":  # as r-ttft states it: Server / Interactive rows
            runs[-1]["scheduler_steps"], runs[-1]["scheduler_steps_source"] = scheduler_steps(
                repo, files, sub, system, bench, scenario)
    return lines, runs, left


def write(name: str, rows: list[dict], columns: list[str]) -> None:
    with open(HERE / name, "w", newline="") as f:
        out = csv.DictWriter(f, columns, lineterminator="\n")
        out.writeheader()
        out.writerows(rows)


def main(repo: str) -> None:
    lines, runs, left = collect(repo)
    write("v51_log_lines.csv", lines, ["log", "line", "text"])
    write("v51_runs.csv", runs, RUN_COLUMNS)
    write("v51_left_out.csv", left, ["submitter", "system", "benchmark", "scenario", "log", "reason"])
    print(f"{len(runs)} runs kept ({len(lines)} log lines), {len(left)} left out")


if __name__ == "__main__":
    main(sys.argv[1])
