"""Extract MLPerf Training rows from a local mirror of mlcommons/training_results_vX.
Per (submitter, system, benchmark): median of the per-step 'train_step_time' (or 'throughput') that result_0.txt
logs in its tracked_stats events, the global batch and sequence length logged in the same file, the parallel
layout from the submitter's config_*.sh, and time-to-train (run_stop - run_start) of every result_*.txt in notes."""
import json, re, subprocess, sys, csv, statistics

REPO, VER, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
COMMIT = subprocess.check_output(["git", "-C", REPO, "rev-parse", "HEAD"], text=True).strip()
files = subprocess.check_output(["git", "-C", REPO, "ls-tree", "-r", "HEAD", "--name-only"], text=True).split("\n")
show = lambda p: subprocess.check_output(["git", "-C", REPO, "show", f"HEAD:{p}"], text=True, errors="replace")

BM = {"llama31_405b": ("Llama 3.1 405B", "C4 (MLPerf llama3.1-405b pretraining)", "pretraining"),
      "llama2_70b_lora": ("Llama 2 70B", "GovReport / SCROLLS (MLPerf LoRA fine-tuning)", "LoRA fine-tuning"),
      "gpt3": ("GPT-3 175B", "C4 (MLPerf gpt3)", "pretraining (from checkpoint)"),
      "bert": ("BERT-Large", "Wikipedia 2020/01/01 (MLPerf BERT phase-2)", "pretraining"),
      "resnet": ("ResNet-50", "ImageNet 2012", "training"),
      "stable_diffusion": ("Stable Diffusion v2*", "LAION-400M subset (MLPerf SD)", "training"),
      "llama31_8b": ("Llama 3.1 8B", "C4", "pretraining")}
ACC = [("H100", "H100 SXM5 80GB"), ("H200", "H200 SXM 141GB"), ("B200", "B200 (HGX B200)"), ("GB200", "GB200 NVL72 GPU"),
       ("MI300X", "MI300X"), ("MI325X", "MI325X"), ("Gaudi2", "Gaudi 2"), ("Gaudi 2", "Gaudi 2"), ("TPU v5p", "TPU v5p"), ("TPU-v5p", "TPU v5p"), ("Trillium", "TPU v6e"), ("TPU v5e", "TPU v5e"), ("TPU-v5e", "TPU v5e")]

def hwname(s):
    if "H200" in s and "NVL" in s.upper(): return "H200 NVL 141GB*"
    if "H100" in s and "PCIE" in s.upper(): return "H100 PCIe 80GB"
    if "GB200" in s: return "GB200 NVL72 GPU"
    if "B200" in s: return "B200 (HGX B200)"
    for k, v in ACC:
        if k.lower() in s.lower(): return v
    return None

res = {}
for f in files:
    m = re.match(r"([^/]+)/results/([^/]+)/([^/]+)/result_(\d+)\.txt$", f)
    if m and m.group(3) in BM:
        res.setdefault(m.groups()[:3], []).append(f)

def cfgvars(org, system, bm, nodes_hint=None):
    pref = f"{org}/benchmarks/{bm}/implementations/"
    cands = [f for f in files if f.startswith(pref) and re.search(r"/config_[^/]*\.sh$", f) and "common" not in f and "mounts" not in f]
    own = [f for f in cands if f"/{system}/" in f]
    cands = own or cands
    if len(cands) > 1 and nodes_hint:
        bynode = [f for f in cands if re.search(rf"_{nodes_hint}x", f.rsplit("/", 1)[1])]
        if len(bynode) == 1: cands = bynode
    return cands

out = []
for (org, system, bm), fl in sorted(res.items()):
    fl = sorted(fl, key=lambda x: int(re.search(r"result_(\d+)", x).group(1)))
    try:
        sj = json.loads(show(f"{org}/systems/{system}.json"))
    except Exception:
        print("no system json", org, system); continue
    hw = hwname(sj.get("accelerator_model_name", ""))
    if not hw: continue
    hwmiss = hw.endswith("*"); hw = hw.rstrip("*")
    n = int(sj.get("accelerators_per_node") or 0) * int(sj.get("number_of_nodes") or 0)
    try:
        t0 = show(fl[0])
    except subprocess.CalledProcessError:
        print("absent in snapshot", fl[0]); continue
    if sj.get("division", "closed") != "closed": continue
    steps, thr, blocks = [], [], []
    bstart = None
    gbs = seq = None
    for line in t0.splitlines():
        if ":::MLLOG" not in line: continue
        try: ev = json.loads(line.split(":::MLLOG", 1)[1])
        except Exception: continue
        k, v = ev.get("key"), ev.get("value")
        if k == "global_batch_size": gbs = v
        if k == "max_sequence_length": seq = v
        if k == "block_start": bstart = ev["time_ms"]; bcount = ev.get("metadata", {}).get("epoch_count")
        if k == "block_stop" and bstart is not None:
            blocks.append((ev["metadata"].get("epoch_count") or bcount, (ev["time_ms"] - bstart) / 1000)); bstart = None
        if k == "tracked_stats" and isinstance(v, dict):
            if "train_step_time" in v: steps.append(v["train_step_time"])
            elif "throughput" in v: thr.append(v["throughput"])
    ttts = []
    for f in fl:
        try: t = show(f)
        except subprocess.CalledProcessError: continue
        a = re.search(r'"time_ms": (\d+), "event_type": "INTERVAL_START", "key": "run_start"', t)
        b = re.search(r'"time_ms": (\d+), "event_type": "INTERVAL_END", "key": "run_stop".*?"status": "(\w+)"', t)
        if a and b: ttts.append((f.rsplit("/", 1)[1], (int(b.group(1)) - int(a.group(1))) / 60000, b.group(2)))
    model, dataset, task = BM[bm]
    missing = model.endswith("*"); model = model.rstrip("*")
    cfgs = cfgvars(org, system, bm, sj.get("number_of_nodes"))
    cv = {}
    cfgtxt = ""
    if len(cfgs) == 1:
        cfgtxt = show(cfgs[0])
        for line in cfgtxt.splitlines():
            mm = re.match(r"\s*export\s+(\w+)=\"?(?:\$\{\w+:=)?([^}\s#\"]*)", line)
            if mm: cv[mm.group(1)] = mm.group(2)
            ms = re.match(r"\s*source\s+.*/(config_fp8\.sh)", line)
            if ms:
                fp8f = cfgs[0].rsplit("/", 1)[0] + "/" + ms.group(1)
                if fp8f in files: cfgtxt += "\n" + show(fp8f)
    g = lambda *ks: next((cv[k] for k in ks if k in cv and re.fullmatch(r"\d+", cv[k] or "")), "")
    tp, pp, cp, vp = g("TENSOR_MODEL_PARALLEL", "TP"), g("PIPELINE_MODEL_PARALLEL", "PP"), g("CONTEXT_PARALLEL", "CP"), g("INTERLEAVED_PIPELINE", "VP")
    mbs = g("MICRO_BATCH_SIZE", "MBS", "BATCHSIZE")
    sp = cv.get("SEQ_PARALLEL", cv.get("SP", ""))
    fw = "Megatron-LM" if "nemo" in (sj.get("framework", "") + system).lower() or "megatron" in sj.get("framework", "").lower() else "default"
    commons = [f for f in files if f.startswith(f"{org}/benchmarks/{bm}/implementations/") and f.endswith("/config_common.sh")]
    own_common = [f for f in commons if f"/{system}/" in f] or ([c.rsplit("/", 1)[0] + "/config_common.sh" for c in cfgs[:1]] if len(cfgs) == 1 else commons)
    own_common = [f for f in own_common if f in commons]
    isfp8 = lambda txt: bool(re.search(r"^\s*export\s+FP8=\"?(True|1|true)", txt, re.M))
    fp8 = isfp8(cfgtxt) or (bool(own_common) and all(isfp8(show(f)) for f in own_common))
    dtype = "fp8" if fp8 else ("bf16" if bm in ("llama31_405b", "gpt3", "llama2_70b_lora", "llama31_8b", "bert", "stable_diffusion") else "fp16")
    url = f"https://github.com/mlcommons/training_results_{VER}/blob/{COMMIT}/{fl[0]}"
    ttt = "; ".join(f"{a} {b:.2f} min ({c})" for a, b, c in ttts)
    notes = (f"MLPerf Training {VER} closed, {org} {sj.get('system_name','').strip()} ({n}x {sj.get('accelerator_model_name')}), "
             f"{sj.get('framework','')}; {task}. Time to train (run_stop - run_start of each log): {ttt}. "
             f"Parallel layout from {cfgs[0] if len(cfgs)==1 else 'config not identified'}: TP {tp or '?'} PP {pp or '?'} CP {cp or '?'} VP {vp or '?'} MBS {mbs or '?'}; "
             f"precision {'FP8 (FP8=True in ' + ', '.join([cfgs[0]] if len(cfgs)==1 and isfp8(cfgtxt) else own_common) + ')' if fp8 else 'no FP8=True found in the config files: bf16/AMP assumed'}.")
    if org == "Google" and bm == "gpt3":
        size = re.search(r"(v5p-\d+|v5e-\d+|trillium-\d+)", system.lower())
        scripts = [f for f in files if f.startswith(f"{org}/benchmarks/{bm}/implementations/") and "maxtext_fork" not in f
                   and f.endswith(".sh") and size and size.group(1) in f.lower()]
        if len(scripts) == 1:
            st = show(scripts[0])
            q = re.search(r"quantization=(\w+)", st)
            par = " ".join(sorted(set(re.findall(r"((?:ici|dcn)_\w+_parallelism=\d+)", st))))
            if q and q.group(1) == "int8":
                dtype = "int8"
            notes += f" Run script {scripts[0]}: quantization={q.group(1) if q else 'not set'} ({'int8 AQT training' if q and q.group(1)=='int8' else 'bf16'}); {par}."
        else:
            notes += " Quantization of the run script not identified: bf16 assumed (Google's MaxText MLPerf scripts may set quantization=int8)."
    base = dict(source_url=url, value_low="", value_high="", model=model, hardware=hw, cluster="", devices=n, compute_dtype=dtype,
                weight_dtype="", framework=fw, scenario="training", batch=gbs or "", seq_len=seq or "", prompt_len="", output_len="",
                tp=tp, pp=pp, dp="", microbatch=mbs if bm in ("llama31_405b", "gpt3", "llama31_8b") else "", recompute="",
                trust="A", cp=cp, zero_stage="", virtual_stages=vp, sequence_parallel=sp, dataset=dataset, qps="", concurrency="",
                ttft_constraint_s="", missing_in_catalog=";".join(x for x, f in ((hw, hwmiss), (model, missing)) if f))
    slug = re.sub(r"[^a-z0-9.\-]+", "-", f"mlperf-train-{VER}-{org.lower()}-{system.lower()}-{bm}")
    if steps:
        v = statistics.median(steps)
        out.append(dict(base, name=slug + "-step", metric="step_time_s", value=round(v, 4), unit="s",
                        source_location=f"{fl[0]}: median of {len(steps)} 'tracked_stats' train_step_time values (min {min(steps):.3f}, max {max(steps):.3f} s)",
                        notes=notes))
    elif thr and bm == "gpt3":
        v = statistics.median(thr)
        out.append(dict(base, name=slug + "-train-tokens-per-s", metric="training_tokens_per_s", value=round(v, 0), unit="tok/s",
                        source_location=f"{fl[0]}: median of {len(thr)} 'tracked_stats' throughput values (min {min(thr):.0f}, max {max(thr):.0f})",
                        notes=notes + " The GPT-3 benchmark counts its samples in tokens (block epoch_count and train_samples are token counts), so the logged throughput is tokens/s."))
    elif thr:
        v = statistics.median(thr)
        out.append(dict(base, name=slug + "-throughput", metric="samples_per_s", value=round(v, 2), unit="1/s",
                        source_location=f"{fl[0]}: median of {len(thr)} 'tracked_stats' throughput values (samples/s; min {min(thr):.1f}, max {max(thr):.1f})",
                        notes=notes))
    elif bm == "gpt3" and len(blocks) >= 3 and all(c for c, _ in blocks):
        rates = [c / d for c, d in blocks]
        v = statistics.median(rates)
        out.append(dict(base, name=slug + "-train-tokens-per-s", metric="training_tokens_per_s", value=round(v, 0), unit="tok/s",
                        source_location=f"{fl[0]}: median over {len(blocks)} training blocks of block_stop 'epoch_count' (tokens, {blocks[0][0]} per block) / (block_stop - block_start time_ms); block durations {min(d for _, d in blocks):.1f}-{max(d for _, d in blocks):.1f} s",
                        notes=notes + " Computed from the log's own timestamps (tokens counted by MLPerf's epoch_count); evaluation intervals excluded."))
    else:
        print("no stats", org, system, bm, len(ttts))

COLS = "source_url,name,metric,value,value_low,value_high,unit,model,hardware,cluster,devices,compute_dtype,weight_dtype,framework,scenario,batch,seq_len,prompt_len,output_len,tp,pp,dp,microbatch,recompute,source_location,trust,cp,zero_stage,virtual_stages,sequence_parallel,dataset,qps,concurrency,ttft_constraint_s,missing_in_catalog,notes".split(",")
with open(OUT, "w", newline="") as f:
    w = csv.DictWriter(f, COLS); w.writeheader(); [w.writerow({c: x.get(c, "") for c in COLS}) for x in out]
print(len(out), "rows")
