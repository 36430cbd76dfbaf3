"""Parse MLPerf Training v5.1 result logs into parsed.csv (one row per submitted system x benchmark).

Reads a local mirror of mlcommons/training_results_v5.1 (`fetch github:mlcommons/training_results_v5.1`) at the
commit the file index holds, 4da2d1cd. The figure is derived as r-mlperf/scripts/mlperf_training.py derived the
v5.0 rows: the median of the `tracked_stats` `train_step_time` values of result_0.txt (step_time_s), or of its
`throughput` values where that is what the implementation logs (samples_per_s); `global_batch_size` and
`max_sequence_length` as logged; time to train (run_stop - run_start) of every result_*.txt in the notes. The
selection rule is in README.md.

    .venv/bin/python registry_data/research/r-t51/collect.py /work/.mirror/mlcommons+training_results_v5.1/repo
"""

from __future__ import annotations

import csv
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

COMMIT = "4da2d1cd71eb30c855dad12712480ae5ac90dd89"
HERE = Path(__file__).parent
# MLPerf benchmark -> (catalog model, dataset, task), as r-mlperf/scripts/mlperf_training.py names them
BENCHMARKS = {"llama2_70b_lora": ("Llama 2 70B", "GovReport / SCROLLS (MLPerf LoRA fine-tuning)", "LoRA fine-tuning"),
              "llama31_405b": ("Llama 3.1 405B", "C4 (MLPerf llama3.1-405b pretraining)", "pretraining"),
              "llama31_8b": ("Llama 3.1 8B", "C4 (MLPerf llama3.1-8b pretraining)", "pretraining")}
# the system JSON's accelerator_model_name -> catalog hardware (first match wins; NVL/PCIe parts are other entries)
ACCELERATORS = [("GB300", "GB300 NVL72 GPU"), ("B300", "B300 (HGX B300)"), ("GB200", "GB200 NVL72 GPU"),
                ("B200", "B200 (HGX B200)"), ("H200 NVL", None), ("H200", "H200 SXM 141GB"),
                ("H100-SXM", "H100 SXM5 80GB"), ("MI355X", "MI355X"), ("MI350X", "MI350X"), ("MI325X", "MI325X"),
                ("MI300X", "MI300X")]
# config token naming the accelerator in NVIDIA-style config file names
CONFIG_TOKEN = {"GB300 NVL72 GPU": "GB300", "GB200 NVL72 GPU": "GB200", "B200 (HGX B200)": "B200",
                "B300 (HGX B300)": "B300", "H200 SXM 141GB": "H200", "H100 SXM5 80GB": "H100",
                "MI355X": "MI355X", "MI350X": "MI350X", "MI325X": "MI325X", "MI300X": "MI300X"}
VENDORS = ("NVIDIA", "AMD")
LAYOUT = {"tp": ("TENSOR_MODEL_PARALLEL", "TP"), "pp": ("PIPELINE_MODEL_PARALLEL", "PP"),
          "cp": ("CONTEXT_PARALLEL", "CP"), "virtual_stages": ("INTERLEAVED_PIPELINE", "VP"),
          "microbatch": ("MICRO_BATCH_SIZE", "MBS", "MINIBS"), "sequence_parallel": ("SEQ_PARALLEL", "SP"),
          "fp8": ("FP8",), "fp4": ("FP4",)}
EXPORT = re.compile(r"^\s*export\s+(\w+)=\"?(?:\$\{\w+:=)?([^}\s#\"]*)")
SOURCE = re.compile(r"^\s*(?:source|\.)\s+.*/(config_[\w.]+\.sh)")


def git(repo: str, *args: str) -> str:
    return subprocess.check_output(["git", "-C", repo, *args], text=True, errors="replace")


def hardware(accelerator: str) -> str | None:
    return next((name for token, name in ACCELERATORS if token in accelerator), None)


def exported(repo: str, files: set[str], path: str) -> dict[str, tuple[str, str, int]]:
    """variable -> (value, file, line) after the config and the config_*.sh files it sources (later wins)."""
    out: dict[str, tuple[str, str, int]] = {}
    for n, line in enumerate(git(repo, "show", f"{COMMIT}:{path}").splitlines(), 1):
        sourced = SOURCE.match(line)
        if sourced and (inner := path.rsplit("/", 1)[0] + "/" + sourced.group(1)) in files and inner != path:
            out.update(exported(repo, files, inner))
        if m := EXPORT.match(line):
            out[m.group(1)] = (m.group(2), path, n)
    return out


def config_of(files: set[str], org: str, system: str, bm: str, hw: str, nodes: int, per_node: int) -> list[str]:
    """The submitter's config_*.sh for this system: its own implementation folder when one is named for it, and
    among several the one whose NVIDIA-style name states this accelerator and <nodes>x<gpus per node>."""
    prefix = f"{org}/benchmarks/{bm}/implementations/"
    found = [f for f in files if f.startswith(prefix) and re.search(r"/config_[^/]*\.sh$", f)
             and not re.search(r"/config_(common|mounts)", f)]
    found = [f for f in found if f"/{system}/" in f] or [f for f in found if f"/{system}_" in f] or found
    if len(found) > 1:  # a folder shared by benchmarks: the 8B configs are named *_8b*
        found = [f for f in found if ("_8b" in f.rsplit("/", 1)[1]) == (bm == "llama31_8b")]
    if len(found) > 1:
        token = CONFIG_TOKEN.get(hw, "")
        named = [f for f in found if re.search(rf"/config_(DGX)?{token}_{nodes}x{per_node}x", f)]
        found = named
    return sorted(found)


def fp8_storage(repo: str, files: set[str], config: str, cfg: dict) -> dict[str, tuple[bool, str]]:
    """LoRA's FP8 storage keys as the NeMo Hydra config resolves them (r-feas/make_patches.py's reading):
    ``key: ${oc.decode:${oc.env:VAR,default}}`` in the implementation's megatron_gpt_peft_tuning_config.yaml,
    VAR from the system's config_*.sh when it exports it -> column -> (value, citation)."""
    here = config.rsplit("/", 1)[0]
    near = [f for f in files if f.endswith("conf/megatron_gpt_peft_tuning_config.yaml")]
    yaml = ([f for f in near if f.startswith(here + "/") and f.count("/") - here.count("/") <= 3]
            or [f for f in near if f.rsplit("/", 2)[0] == here.rsplit("/", 1)[0]])  # a sibling conf/ folder
    if len(yaml) != 1:
        return {}
    out = {}
    for n, line in enumerate(git(repo, "show", f"{COMMIT}:{yaml[0]}").splitlines(), 1):
        m = re.match(r"\s*(fp8_params|fp8_dot_product_attention|activation_func_fp8_input_store):"
                     r"\s*\$\{oc\.decode:\$\{oc\.env:(\w+),(\w+)\}\}", line)
        if m:
            key, var, default = m.groups()
            value, where = (cfg[var][0], f"{cfg[var][1]} line {cfg[var][2]} via {yaml[0]} line {n}") if var in cfg \
                else (default, f"{yaml[0]} line {n} (default; {var} not exported)")
            out[key] = (value.lower() in ("1", "true"), where)
    if "activation_func_fp8_input_store" not in out and "FP8_ACTIVATION" in cfg:
        # AMD's yaml has no such key; its config's FP8_ACTIVATION is read as r-evid2/apply.py read AMD's v5.0 one
        value, path, n = cfg["FP8_ACTIVATION"]
        out["activation_func_fp8_input_store"] = (value.lower() in ("1", "true"), f"{path} line {n} (FP8_ACTIVATION)")
    return out


def stats(text: str) -> dict:
    steps, thr, gbs, seq = [], [], None, None
    for line in text.splitlines():
        if ":::MLLOG" not in line:
            continue
        try:
            ev = json.loads(line.split(":::MLLOG", 1)[1])
        except json.JSONDecodeError:
            continue
        key, value = ev.get("key"), ev.get("value")
        if key == "global_batch_size":
            gbs = value
        if key == "max_sequence_length":
            seq = value
        if key == "tracked_stats" and isinstance(value, dict):
            if "train_step_time" in value:
                steps.append(value["train_step_time"])
            elif "throughput" in value:
                thr.append(value["throughput"])
    return {"steps": steps, "thr": thr, "gbs": gbs, "seq": seq}


def time_to_train(repo: str, logs: list[str]) -> str:
    out = []
    for f in logs:
        try:
            t = git(repo, "show", f"{COMMIT}:{f}")
        except subprocess.CalledProcessError:
            continue
        a = re.search(r'"time_ms": (\d+), "event_type": "INTERVAL_START", "key": "run_start"', t)
        b = re.search(r'"time_ms": (\d+), "event_type": "INTERVAL_END", "key": "run_stop".*?"status": "(\w+)"', t)
        if a and b:
            out.append(f"{f.rsplit('/', 1)[1]} {(int(b.group(1)) - int(a.group(1))) / 60000:.2f} min ({b.group(2)})")
    return "; ".join(out)


def row_of(repo: str, files: set[str], org: str, system: str, bm: str, logs: list[str]) -> dict | str:
    """One parsed row, or the reason the run is left out."""
    try:
        sj = json.loads(git(repo, "show", f"{COMMIT}:{org}/systems/{system}.json"))
    except subprocess.CalledProcessError:
        return "no systems/<system>.json"
    if sj.get("division") != "closed":
        return f"division {sj.get('division')}"
    if not str(sj.get("status", "")).lower().startswith("available"):
        return f"status {sj.get('status')}"
    hw = hardware(sj.get("accelerator_model_name", ""))
    if hw is None:
        return f"accelerator {sj.get('accelerator_model_name')} not in the hardware catalog"
    per_node, nodes = int(sj["accelerators_per_node"]), int(sj["number_of_nodes"])
    try:
        s = stats(git(repo, "show", f"{COMMIT}:{logs[0]}"))
    except subprocess.CalledProcessError:
        return "result_0.txt absent from the mirror (the snapshot lists it without its blob)"
    if not (s["steps"] or s["thr"]):
        return "result_0.txt logs neither train_step_time nor throughput"
    model, dataset, task = BENCHMARKS[bm]
    configs = config_of(files, org, system, bm, hw, nodes, per_node)
    cfg = exported(repo, files, configs[0]) if len(configs) == 1 else {}
    cite = {}
    for col, keys in LAYOUT.items():
        hit = next((k for k in keys if k in cfg and re.fullmatch(r"\d+|True|False|true|false", cfg[k][0])), None)
        if hit:
            cite[col] = (*cfg[hit], hit)
    flag = {c: cite[c][0].lower() in ("1", "true") for c in ("fp8", "fp4", "sequence_parallel") if c in cite}
    dtype = "fp4" if flag.get("fp4") else "fp8" if flag.get("fp8") else None
    dtype_at = cite["fp4" if dtype == "fp4" else "fp8"][1:3] if dtype else None
    storage = fp8_storage(repo, files, configs[0], cfg) if cfg and bm == "llama2_70b_lora" else {}
    values, metric = (s["steps"], "step_time_s") if s["steps"] else (s["thr"], "samples_per_s")
    value = statistics.median(values)
    what = "train_step_time" if metric == "step_time_s" else "throughput"
    unit = "s" if metric == "step_time_s" else "1/s"
    layout = ", ".join(f"{k}={v} ({f} line {n})" for v, f, n, k in cite.values())
    notes = (f"MLPerf Training v5.1 closed, {org} {str(sj.get('system_name', '')).strip()} ({per_node * nodes}x "
             f"{sj.get('accelerator_model_name')}), {sj.get('framework', '')}; {task}. Time to train (run_stop - "
             f"run_start of each log): {time_to_train(repo, logs)}. Config: "
             f"{configs[0] if len(configs) == 1 else 'not identified (' + str(len(configs)) + ' candidates)'}"
             f"{': ' + layout if layout else ''}.")
    if storage:
        notes += " FP8 storage: " + ", ".join(f"{k} = {v} ({w})" for k, (v, w) in storage.items()) + "."
    if dtype == "fp4" and "HEALING_ITER" in cfg:
        v, f, n = cfg["HEALING_ITER"]
        notes += (f" NVFP4 training with FP8 'healing' after iteration {v} ({f} line {n}): the median step mixes "
                  f"FP4 and FP8 steps.")
    return {"org": org, "system": system, "benchmark": bm, "vendor": org in VENDORS,
            "source_url": f"https://github.com/mlcommons/training_results_v5.1/blob/{COMMIT}/{logs[0]}",
            "name": re.sub(r"[^a-z0-9.\-]+", "-", f"mlperf-train-v5.1-{org.lower()}-{system.lower()}-{bm}")
            + ("-step" if metric == "step_time_s" else "-throughput"),
            "metric": metric, "value": round(value, 4 if metric == "step_time_s" else 2), "unit": unit,
            "model": model, "hardware": hw, "devices": per_node * nodes, "compute_dtype": dtype,
            "dtype_source": f"{dtype_at[0]} line {dtype_at[1]}" if dtype_at else None,
            "framework": "Megatron-LM" if "nemo" in (system + str(sj.get("framework", ""))).lower() else "default",
            "batch": s["gbs"], "seq_len": s["seq"] or (8192 if bm == "llama2_70b_lora" else None),
            # microbatch for pre-training only, as r-mlperf did: the LoRA configs' MINIBS is not Megatron's
            # micro batch (NVIDIA GB200 x8: MINIBS 2 with gradient_accumulation_steps 2 logged at batch 8)
            **{c: int(cite[c][0]) for c in ("tp", "pp", "cp", "virtual_stages", "microbatch")
               if c in cite and (c != "microbatch" or bm != "llama2_70b_lora")},
            "sequence_parallel": flag.get("sequence_parallel"),
            **{k: v for k, (v, _) in storage.items()},
            "trained": "lora" if bm == "llama2_70b_lora" else None, "dataset": dataset,
            "source_location": f"{logs[0]}: median of {len(values)} 'tracked_stats' {what} values "
                               f"(min {min(values):.3f}, max {max(values):.3f} {unit})",
            "notes": notes}


def main(repo: str) -> None:
    files = set(git(repo, "ls-tree", "-r", COMMIT, "--name-only").splitlines())
    runs: dict[tuple[str, str, str], list[str]] = {}
    for f in sorted(files):
        m = re.match(r"([^/]+)/results/([^/]+)/([^/]+)/result_(\d+)\.txt$", f)
        if m and m.group(3) in BENCHMARKS:
            runs.setdefault(m.groups()[:3], []).append(f)
    rows, left = [], []
    for (org, system, bm), logs in sorted(runs.items()):
        logs.sort(key=lambda x: int(re.search(r"result_(\d+)", x).group(1)))
        got = row_of(repo, files, org, system, bm, logs)
        (rows.append(got) if isinstance(got, dict) else left.append((org, system, bm, got)))
    cols = ["org", "system", "benchmark", "vendor", "name", "metric", "value", "unit", "model", "hardware", "devices",
            "compute_dtype", "dtype_source", "framework", "batch", "seq_len", "tp", "pp", "cp", "virtual_stages",
            "microbatch", "sequence_parallel", "fp8_params", "fp8_dot_product_attention",
            "activation_func_fp8_input_store", "trained", "dataset", "source_url", "source_location", "notes"]
    with open(HERE / "parsed.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, cols)
        w.writeheader()
        w.writerows(rows)
    with open(HERE / "left_out.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["org", "system", "benchmark", "reason"])
        w.writerows(left)
    print(f"{len(rows)} runs parsed, {len(left)} left out")


if __name__ == "__main__":
    main(sys.argv[1])
