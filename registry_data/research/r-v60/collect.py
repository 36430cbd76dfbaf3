"""Read MLPerf Inference v6.0 closed submissions into v60_log_lines.csv, v60_runs.csv and v60_left_out.csv.

Reads the stored upload of mlcommons/inference_results_v6.0 (gbeezybez/inference_results_v6.0 @232fbf9, a bare git
directory). For every performance log (``closed/<submitter>/results/<system>/<benchmark>/<scenario>/performance/
run_1/mlperf_log_summary.txt``; not the compliance tests' ``TEST0x/`` copies) of a benchmark whose model the registry
has, it keeps the summary lines add_rows.py reads, the system JSON's accelerator and counts, the precision the run's
own ``measurements.json`` states (v6.0 keeps it beside the results: ``results/<system>/<benchmark>/<scenario>/
measurements.json``, ``weight_data_types``), and what the run's own config states: a TensorRT-LLM dict config
(``closed/<submitter>/configs/<system>/<Scenario>/<benchmark>.py``, read by configs.py without running it) or the vLLM
harness yaml the run's README starts (``--config-name``). A run is left out, with the reason, by the rule in
README.md. add_rows.py does the rest.

    .venv/bin/python registry_data/research/r-v60/collect.py /work/.mirror/gbeezybez+inference_results_v6.0/repo
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import configs  # noqa: E402  (this folder's reader; nothing runs on import)

COMMIT = "232fbf9"  # resolved to the full hash by main()
HERE = Path(__file__).parent
# MLPerf benchmark folder -> catalog model
BENCHMARKS = {"resnet50": "ResNet-50", "retinanet": "RetinaNet", "llama2-70b-99": "Llama 2 70B",
              "llama2-70b-99.9": "Llama 2 70B", "mixtral-8x7b": "Mixtral 8x7B", "llama3.1-405b": "Llama 3.1 405B",
              "llama3_1-405b": "Llama 3.1 405B", "llama3.1-8b": "Llama 3.1 8B", "llama3_1-8b": "Llama 3.1 8B",
              "deepseek-r1": "DeepSeek-R1", "gpt-oss-120b": "GPT-OSS 120B"}
SCENARIOS = {"offline": "Offline", "server": "Server", "interactive": "Interactive"}
# the system JSON's accelerator_model_name (exactly) -> catalog hardware
ACCELERATORS = {"NVIDIA B200-SXM-180GB": "B200 (HGX B200)", "NVIDIA B300-SXM-270GB": "B300 (HGX B300)",
                "NVIDIA GB200": "GB200 NVL72 GPU", "NVIDIA GB300": "GB300 NVL72 GPU",
                "NVIDIA H200-SXM-141GB": "H200 SXM 141GB", "NVIDIA H200-NVL-141GB": "H200 NVL 141GB",
                "NVIDIA H100-SXM-80GB": "H100 SXM5 80GB", "NVIDIA L40S": "L40S", "NVIDIA L4-PCIe-24GB": "L4",
                "NVIDIA RTX PRO 6000 Blackwell Server Edition": "RTX PRO 6000 Blackwell Server Edition",
                "AMD Instinct MI300X 192GB HBM3": "MI300X", "AMD Instinct MI325X 256GB HBM3e": "MI325X",
                "AMD Instinct MI350X 288GB HBM3e": "MI350X", "AMD Instinct MI355X 288GB HBM3e": "MI355X"}
# the measurements JSON's weight_data_types (lower case) -> catalog dtype; anything else is not one stated precision
DTYPES = {"int8": "int8", "fp8": "fp8", "fp4": "fp4", "nvfp4": "fp4", "mxfp4": "fp4", "fp16": "fp16",
          "bf16": "bf16"}
# summary keys add_rows.py reads (figures, the scheduled rate, the latency bounds); v6.0's loadgen writes the TPOT
# mean "Mean Time per Output Token", v5.1's "Mean Time to Output Token"
KEYS = ("Samples per second", "Completed samples per second", "Tokens per second", "Completed tokens per second",
        "Scheduled samples per second", "50.00 percentile first token latency (ns)",
        "Mean Time to Output Token (ns)", "Mean Time per Output Token (ns)", "target_latency (ns)",
        "ttft_latency (ns)", "tpot_latency (ns)")
STATED = ("tp", "pp", "ep", "max_num_tokens", "kv_dtype", "weight_effective_bits", "scheduler_steps", "batch",
          "adp_balancing_timeout_iters")
RUN_COLUMNS = ["submitter", "system", "benchmark", "scenario", "log", "model", "hardware", "devices", "description",
               "dtype", "dtype_source", "framework", "framework_source", *STATED, "config_source", "config_note"]
CONFIG_FILE = {"llama2-70b-99": "llama2-70b", "llama2-70b-99.9": "llama2-70b", "llama3.1-405b": "llama3_1-405b",
               "llama3_1-405b": "llama3_1-405b", "llama3.1-8b": "llama3_1-8b", "llama3_1-8b": "llama3_1-8b",
               "mixtral-8x7b": "mixtral-8x7b", "deepseek-r1": "deepseek-r1", "gpt-oss-120b": "gpt-oss-120b"}
KV = {"fp8": "fp8", "fp16": "fp16", "bf16": "bf16", "auto": "", "int8": "int8", "fp4": "fp4", "nvfp4": "fp4"}
CONFIG_NAME = re.compile(r"--config-path\s+(\S+?)/?\s.*?--config-name\s+(\S+)", re.S)


def git(repo: str, *args: str) -> str:
    return subprocess.check_output(["git", "-C", repo, *args], text=True, errors="replace")


def show(repo: str, path: str) -> str | None:
    try:
        return subprocess.check_output(["git", "-C", repo, "show", f"{COMMIT}:{path}"], text=True, errors="replace",
                                       stderr=subprocess.DEVNULL)
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
    found = [f for f in (f"closed/{sub}/results/{system}/{bench}/{scenario}/measurements.json",
                         f"closed/{sub}/measurements/{system}/{bench}/{scenario}/{system}.json") if f in files]
    if not found:
        return "", f"no measurements JSON beside closed/{sub}/results/{system}/{bench}/{scenario}/"
    text = show(repo, found[0]) or ""
    line = next(((n, t.strip()) for n, t in enumerate(text.splitlines(), 1) if '"weight_data_types"' in t), None)
    if line is None:
        return "", f"{found[0]} states no weight_data_types"
    value = json.loads("{" + line[1].rstrip(",") + "}")["weight_data_types"].strip().lower()
    if value not in DTYPES:
        return "", f"{found[0]} line {line[0]}: {line[1]} (not one precision)"
    return DTYPES[value], f"{found[0]} line {line[0]}: {line[1]}"


def framework(described: dict, model: str) -> tuple[str, str]:
    """(catalog framework, the field that names it): the system JSON's ``framework``, else its
    ``other_software_stack`` where that names one (AMD's v6.0 JSONs: 'PyTorch ..., ROCm' / 'vllm-11b6af52')."""
    for key in ("framework", "other_software_stack"):
        low = str(described.get(key, "")).lower()
        names = {"vLLM"} if "vllm" in low else set()
        names |= {"TensorRT" if model in ("ResNet-50", "RetinaNet") else "TensorRT-LLM"} if "tensorrt" in low else set()
        if len(names) == 1:
            return names.pop(), f"'{key}': {described[key]!r}"
        if len(names) > 1:  # NVIDIA's v6.0 JSONs name TensorRT-LLM, Dynamo and vLLM (for qwen3-vl): the run's config
            return "several", f"'{key}': {described[key]!r}"
    return "", ""


REPRODUCE = "closed/NVIDIA/scaleout/REPRODUCE.md"
SECTIONS = {"deepseek-r1": "deepseek-r1", "llama3.1-405b": "llama3.1-405b", "llama2-70b": "llama2-70b",
            "gpt-oss-120b": "gpt-oss-120b"}


def launches(text: str) -> dict[tuple[str, str, str], dict]:
    """NVIDIA's scale-out reproduction commands (closed/NVIDIA/scaleout/REPRODUCE.md): (benchmark, system heading such
    as 'GB200x72', scenario) -> {'line', 'comment', 'disaggregated', 'atomic' system, 'dp' multiplicity}."""
    out: dict[tuple[str, str, str], dict] = {}
    bench = heading = current = None
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            bench, heading = SECTIONS.get(line[3:].strip().lower()), None
        elif line.startswith("### "):
            heading = line[4:].strip()
        elif bench and heading and (m := re.match(r"#\s*(Offline|Server|Interactive)\b(.*)$", line.strip())):
            current = out.setdefault((bench, heading, m.group(1).lower()), {
                "line": n, "comment": line.strip(), "disaggregated": "disaggregated" in m.group(2), "atomic": None,
                "dp": None})
        elif current is not None and (m := re.search(r"--atomic-system\s+(\S+)", line)):
            current["atomic"] = m.group(1)
        if current is not None and (m := re.search(r"--dp-multiplicity\s+(\d+)", line)):
            current["dp"] = int(m.group(1))
    return out


def launch(plan: dict, sub: str, system: str, bench: str, scenario: str) -> dict | None:
    """The REPRODUCE.md entry of an NVIDIA run: system 'GB200-NVL72_GB200-186GB_aarch64x72_TRT' -> 'GB200x72'."""
    name = system.removesuffix("_TRT")
    heading = name.split("-")[0] + "x" + name.rsplit("x", 1)[-1]
    key = (bench.removesuffix("-99.9").removesuffix("-99").replace("_", "."), heading, scenario.lower())
    return plan.get(key) if sub == "NVIDIA" else None


def trtllm(repo: str, files: set[str], sub: str, system: str, bench: str, scenario: str,
           rate: float | None = None, plan: dict | None = None) -> dict[str, str]:
    """What the run's own TensorRT-LLM config states: the Custom (Triton for a _Triton system) / the log's accuracy
    target / MaxP setting of closed/<sub>/configs/<system>/<Scenario>/<benchmark>.py (folder with or without _TRT).
    Where the file's ATOMIC_EXPORTS holds a disaggregated variant (``dynamo_cluster``) whose server_target_qps is
    within 1 % of the log's scheduled rate, that variant is the run's ({'disaggregated': why})."""
    run = launch(plan or {}, sub, system, bench, scenario)
    if run and run["disaggregated"]:
        return {"disaggregated": f"{REPRODUCE} line {run['line']}: '{run['comment']}'"}
    folders = (system, system.removesuffix("_TRT"))
    if run and run["atomic"]:  # the instance NVIDIA launched dp-multiplicity times: its config is the run's
        folders = (run["atomic"], *folders)
    path = next((p for p in (f"closed/{sub}/configs/{name}/{scenario}/{CONFIG_FILE.get(bench, '?')}.py"
                             for name in folders) if p in files), None)
    if path is None:
        return {"config_note": f"no config closed/{sub}/configs/{system.removesuffix('_TRT')}/{scenario}/"
                               f"{CONFIG_FILE.get(bench, bench)}.py"}
    harness = "Triton" if "_Triton" in system else "Custom"
    accuracy = 0.999 if bench.endswith("-99.9") else 0.99
    text = show(repo, path) or ""
    variants = [] if run else [(abs(qps / rate - 1), variant, qps, qps_line, inner)
                for variant, inner in (configs.setting(text, harness, accuracy, name="ATOMIC_EXPORTS") or {}).items()
                if isinstance(inner, dict) and rate
                for qps, qps_line in [configs.field(inner, "server_target_qps")] if isinstance(qps, (int, float))]
    nearest = [v for v in variants if v[0] == min(v[0] for v in variants) and v[0] <= 0.02]
    clusters = [configs.field(v[4], "dynamo_cluster")[0] is not None for v in nearest]
    if any(clusters) and not all(clusters):  # variants of one target rate, one disaggregated: the layout is unknown
        return {"disaggregated": f"{path} ATOMIC_EXPORTS variants {[v[1] for v in nearest]} share the target rate "
                                 f"nearest the log's scheduled {rate}, and only some are disaggregated "
                                 "(dynamo_cluster)"}
    if nearest:  # the variant whose target rate is nearest the log's scheduled rate (Poisson: within 2 %)
        off, variant, qps, qps_line, inner = nearest[0]
        cluster, line = configs.field(inner, "dynamo_cluster")
        if cluster is not None:
            workers = {k: cluster.get(k) for k in ("num_prefill_workers", "num_decode_workers")}
            return {"disaggregated": f"{path} ATOMIC_EXPORTS variant {variant!r}, line {line}: llm_fields."
                                     f"dynamo_cluster {workers}; its server_target_qps {qps} (line {qps_line}) is the "
                                     f"variants' nearest to the log's scheduled {rate} (Dynamo disaggregated prefill "
                                     "/ decode workers)"}
    fields = configs.setting(text, harness, accuracy)
    if fields is None:
        return {"config_note": f"{path}: no {harness}/{accuracy}/MaxP setting"}
    cluster, line = configs.field(fields, "dynamo_cluster")
    if cluster is not None:  # prefill and decode on separate workers: a layout no catalog row states
        workers = {k: cluster.get(k) for k in ("num_prefill_workers", "num_decode_workers")}
        return {"disaggregated": f"{path} line {line}: llm_fields.dynamo_cluster {workers} (Dynamo disaggregated "
                                 "prefill / decode workers)"}
    out, cited = {}, []

    def state(column, value, line, what):
        out[column] = str(value)
        cited.append(f"{column} {value} (line {line}: {what})")
    tp, tp_line = configs.field(fields, "tensor_parallelism")
    adp, adp_line = configs.flag(fields, "trtllm_build_flags", "enable_attention_dp")
    if tp is not None and adp is True:  # attention DP: one attention rank per GPU (the catalog's tp 1, r-dsr1c)
        state("tp", 1, adp_line, f"enable_attention_dp True; tensor_parallelism {tp} on line {tp_line}")
    elif tp is not None:
        state("tp", int(tp), tp_line, "llm_fields.tensor_parallelism")
    for column, name in (("pp", "pipeline_parallelism"), ("ep", "moe_expert_parallelism")):
        v, line = configs.field(fields, name)
        if v is not None and not (column == "ep" and int(v) <= 1):
            state(column, int(v), line, f"llm_fields.{name}")
    for group in ("trtllm_runtime_flags", "trtllm_build_flags"):  # the runtime budget, else the engine's (r-chunkctx)
        v, line = configs.flag(fields, group, "max_num_tokens")
        if isinstance(v, int):
            chunked, _ = configs.flag(fields, "trtllm_runtime_flags", "enable_chunked_context")
            state("max_num_tokens", v, line, f"{group} max_num_tokens; enable_chunked_context {chunked}")
            break
    kv, line = configs.flag(fields, "trtllm_checkpoint_flags", "kv_cache_dtype")
    if isinstance(kv, str) and KV.get(kv.lower()):
        state("kv_dtype", KV[kv.lower()], line, f"trtllm_checkpoint_flags kv_cache_dtype {kv!r}")
    bits, line = configs.flag(fields, "trtllm_checkpoint_flags", "effective_bits")
    if isinstance(bits, (int, float)):
        state("weight_effective_bits", bits, line, "trtllm_checkpoint_flags effective_bits (ModelOpt AutoQuantize)")
    if tp is not None and adp is True:  # r-dsr1c: gpu_batch_size is per attention rank, under max_concurrency
        sizes, line = configs.field(fields, "gpu_batch_size")
        per_rank = next(iter(sizes.values())) if isinstance(sizes, dict) and len(sizes) == 1 else None
        cap, cap_line = configs.flag(fields, "trtllm_runtime_flags", "max_concurrency")
        if isinstance(per_rank, int):
            batch = min(per_rank * int(tp), cap) if isinstance(cap, int) else per_rank * int(tp)
            state("batch", batch, line, f"gpu_batch_size {per_rank} per attention-DP rank x {tp} ranks"
                  + (f", max_concurrency {cap} (line {cap_line})" if isinstance(cap, int) else ""))
        on, on_line = configs.flag(fields, "trtllm_runtime_flags", "adp_balancing_enable")
        wait, wait_line = configs.flag(fields, "trtllm_runtime_flags", "adp_balancing_timeout_iters")
        if on is True and isinstance(wait, int) and scenario.lower() != "offline":  # r-adpwait: Server rows
            state("adp_balancing_timeout_iters", wait, wait_line, f"attention-DP balancing on (line {on_line})")
    spec, line = configs.flag(fields, "trtllm_runtime_flags", "speculative_decoding")
    note = f"speculative decoding {dict(spec)} (line {line}) not stated on the row" if spec else ""
    if run and run["atomic"] and path.split("/")[3] == run["atomic"]:
        cited.insert(0, f"the instance {REPRODUCE} line {run['line']} launches x {run['dp']} ('{run['comment']}', "
                        f"--atomic-system {run['atomic']})")
    return out | {"config_source": f"{path} ({harness}/{accuracy}/MaxP): " + "; ".join(cited), "config_note": note}


def vllm(repo: str, files: set[str], sub: str, system: str, bench: str, scenario: str) -> dict[str, str]:
    """What the vLLM harness yaml the run's README starts states (``--config-path .../<folder>/ --config-name
    <name>``): the one file ``.../<folder>/<name>.yaml`` under closed/<sub>/ whose last two path parts match."""
    readme = show(repo, f"closed/{sub}/results/{system}/{bench}/{scenario}/README.md") or ""
    m = CONFIG_NAME.search(readme)
    if not m:
        return {"config_note": "the run's README names no --config-path / --config-name"}
    parts, found, tail = m.group(1).strip("/").split("/"), [], ""
    for k in range(1, len(parts) + 1):  # the shortest tail of the README's path that names one file
        tail = "/" + "/".join(parts[-k:]) + f"/{m.group(2)}.yaml"
        found = [f for f in files if f.startswith(f"closed/{sub}/") and f.endswith(tail)]
        if len(found) <= 1:
            break
    if len(found) != 1:
        return {"config_note": f"README --config-name {m.group(2)}: {len(found)} files end in {tail}"}
    out, cited = {}, []
    for n, line in enumerate((show(repo, found[0]) or "").splitlines(), 1):
        key, _, v = line.split("#")[0].strip().partition(":")
        v = v.strip()
        column = {"tensor_parallel_size": "tp", "pipeline_parallel_size": "pp", "max_num_batched_tokens":
                  "max_num_tokens", "kv_cache_dtype": "kv_dtype", "num_scheduler_steps": "scheduler_steps"}.get(key)
        if column is None or column in out or not v:
            continue
        v = KV.get(v.lower(), "") if column == "kv_dtype" else v if v.isdigit() else ""
        if column == "scheduler_steps" and v == "1":  # vLLM's default, left unstated (r-v50b rule 5)
            v = ""
        if v:
            out[column] = v
            cited.append(f"{column} {v} (line {n}: '{line.strip()}')")
    return out | {"config_source": (f"{found[0]} (the yaml closed/{sub}/results/{system}/{bench}/{scenario}/"
                                    f"README.md starts: --config-name {m.group(2)}): " + "; ".join(cited))}


def collect(repo: str) -> tuple[list[dict], list[dict], list[dict]]:
    files = set(git(repo, "ls-tree", "-r", "--name-only", COMMIT, "closed/").splitlines())
    logs = sorted(f for f in files if f.endswith("/performance/run_1/mlperf_log_summary.txt")
                  and len(f.split("/")) == 9 and f.split("/")[2] == "results" and f.split("/")[4] in BENCHMARKS
                  and f.split("/")[5].lower() in SCENARIOS)
    systems: dict[str, dict] = {}
    plan = launches(show(repo, REPRODUCE) or "")
    lines, runs, left = [], [], []
    for log in logs:
        _, sub, _, system, bench, scenario, *_ = log.split("/")
        model = BENCHMARKS[bench]
        key = {"submitter": sub, "system": system, "benchmark": bench, "scenario": scenario, "log": log}
        path = f"closed/{sub}/systems/{system}.json"
        if path not in systems:
            systems[path] = json.loads(show(repo, path) or "{}")
        described = systems[path]
        hardware = ACCELERATORS.get(described.get("accelerator_model_name", ""))
        reason = ("system JSON absent" if not described
                  else f"system_type {described.get('system_type')!r}" if described.get("system_type") != "datacenter"
                  else f"status {described.get('status')!r}" if described.get("status") != "available"
                  else f"accelerator {described.get('accelerator_model_name')!r} not in the hardware catalog's name map"
                  if hardware is None else "")
        dtype, dtype_source = precision(repo, files, sub, system, bench, scenario) if not reason else ("", "")
        reason = reason or ("" if dtype else f"precision not stated: {dtype_source}")
        fw, fw_field = framework(described, model)
        rate = next((float(t.partition(":")[2]) for _, t in stated_lines(show(repo, log) or "")
                     if t.startswith("Scheduled samples per second")), None) if not reason else None
        if fw == "several":  # the run's own TensorRT-LLM config decides (a Custom/Triton setting of trtllm fields)
            decided = (trtllm(repo, files, sub, system, bench, scenario, rate, plan)
                       if model not in ("ResNet-50", "RetinaNet") else {})
            fw, fw_field = (("TensorRT-LLM", fw_field + " (several named; the run's TensorRT-LLM config: "
                             + (decided.get("config_source") or decided.get("disaggregated", "")).partition(" ")[0]
                             + ")") if {"config_source", "disaggregated"} & set(decided)
                            else ("", fw_field + " (several named, and no TensorRT-LLM config of the run: "
                                  + decided.get("config_note", "not an LLM") + ")"))
        reason = reason or ("" if fw else f"framework {described.get('framework')!r} / other_software_stack "
                                          f"{described.get('other_software_stack')!r} name no catalog framework"
                                          if not fw_field else f"framework not decided: {fw_field}")
        stated = stated_lines(show(repo, log) or "") if not reason else []
        reason = reason or ("" if stated else "the log is not 'Result is : VALID'")
        if reason:
            left.append(key | {"reason": reason})
            continue
        lines += [{"log": log, "line": n, "text": t} for n, t in stated]
        devices = int(described["accelerators_per_node"]) * int(described["number_of_nodes"])
        run = key | {"model": model, "hardware": hardware, "devices": devices,
                     "description": f"{described['system_name']} ({described['accelerator_model_name']} x "
                                    f"{described['accelerators_per_node']} per node x "
                                    f"{described['number_of_nodes']} node(s))",
                     "dtype": dtype, "dtype_source": dtype_source, "framework": fw,
                     "framework_source": f"{path} {fw_field}"}
        reader = trtllm if fw == "TensorRT-LLM" else vllm if fw == "vLLM" else None
        stated_config = ((trtllm(repo, files, sub, system, bench, scenario, rate, plan) if reader is trtllm
                          else reader(repo, files, sub, system, bench, scenario)) if reader else {})
        if "disaggregated" in stated_config:
            left.append(key | {"reason": f"disaggregated serving: {stated_config['disaggregated']}"})
            lines = [line for line in lines if line["log"] != log]
            continue
        runs.append(run | stated_config)
    return lines, runs, left


def write(name: str, rows: list[dict], columns: list[str]) -> None:
    with open(HERE / name, "w", newline="") as f:
        out = csv.DictWriter(f, columns, lineterminator="\n", restval="")
        out.writeheader()
        out.writerows(rows)


def main(repo: str) -> None:
    global COMMIT
    COMMIT = git(repo, "rev-parse", COMMIT).strip()
    lines, runs, left = collect(repo)
    write("v60_log_lines.csv", lines, ["log", "line", "text"])
    write("v60_runs.csv", runs, RUN_COLUMNS)
    write("v60_left_out.csv", left, ["submitter", "system", "benchmark", "scenario", "log", "reason"])
    print(f"{COMMIT}: {len(runs)} runs kept ({len(lines)} log lines), {len(left)} left out")


if __name__ == "__main__":
    main(sys.argv[1])
