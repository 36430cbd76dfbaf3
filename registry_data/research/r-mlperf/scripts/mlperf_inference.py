"""Extract closed-division MLPerf Inference rows from a local mirror of mlcommons/inference_results_vX.
Reads summary_results.json for system metadata and the run_1 mlperf_log_summary.txt for every number."""
import json, re, subprocess, sys, csv

REPO, VER, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
COMMIT = subprocess.check_output(["git", "-C", REPO, "rev-parse", "HEAD"], text=True).strip()
def toint(x, d):
    try: return int(x)
    except (TypeError, ValueError): return d

def tree_rows():
    """Repos without summary_results.json (v4.1): build the same records from systems/*.json, measurements/*.json
    and accuracy/accuracy.txt."""
    files = subprocess.check_output(["git", "-C", REPO, "ls-tree", "-r", "HEAD", "--name-only"], text=True).split("\n")
    show = lambda p: subprocess.check_output(["git", "-C", REPO, "show", f"HEAD:{p}"], text=True, errors="replace")
    fs = set(files); out = []
    for f in files:
        m = re.match(r"closed/([^/]+)/results/([^/]+)/([^/]+)/([^/]+)/performance/run_1/mlperf_log_summary.txt$", f)
        if not m or m.group(3) not in MODELS: continue
        org, sysn, bm, sc = m.groups()
        try: sj = json.loads(show(f"closed/{org}/systems/{sysn}.json"))
        except Exception: continue
        wdt = ""
        mp = f"closed/{org}/measurements/{sysn}/{bm}/{sc}/{sysn}_{sc}.json"
        if mp in fs:
            try: wdt = json.loads(show(mp)).get("weight_data_types", "")
            except Exception: pass
        acc = ""
        ap = f"closed/{org}/results/{sysn}/{bm}/{sc}/accuracy/accuracy.txt"
        if ap in fs:
            mm = re.search(r"'tokens_per_sample': ([0-9.]+)", show(ap))
            if mm: acc = f"TOKENS_PER_SAMPLE: {mm.group(1)}"
        out.append({"ID": "id not in the repository", "Submitter": org, "Category": "closed", "System": (sj.get("system_name") or "").strip(),
                    "Platform": sysn, "Model": bm, "Scenario": sc, "Accuracy": acc, "Nodes": toint(sj.get("number_of_nodes"), 1),
                    "Accelerator": sj.get("accelerator_model_name", ""), "a#": toint(sj.get("accelerators_per_node"), 0),
                    "Location": f"closed/{org}/results/{sysn}/{bm}/{sc}", "Software": sj.get("framework", ""),
                    "weight_data_types": wdt})
    return out


ACC = [("H100-SXM-80GB", "H100 SXM5 80GB"), ("H200-SXM-141GB", "H200 SXM 141GB"), ("B200-SXM-180GB", "B200 (HGX B200)"),
       ("GB200", "GB200 NVL72 GPU"), ("MI300X", "MI300X"), ("MI325X", "MI325X"), ("L40S", "L40S"), ("L4-PCIe", "L4"),
       ("H100-NVL-94GB", "H100 NVL 94GB"), ("H200-NVL-141GB", "H200 NVL 141GB*"), ("GB300", "GB300*"), ("MI355X", "MI355X*")]
MODELS = {"llama2-70b-99": ("Llama 2 70B", "OpenOrca (MLPerf llama2-70b subset, 24576 samples)"),
          "llama3.1-405b": ("Llama 3.1 405B", "MLPerf llama3.1-405b mix (LongBench, LongDataCollections, RULER, GovReport)"),
          "llama3.1-8b": ("Llama 3.1 8B", "CNN-DailyMail (MLPerf llama3.1-8b)"),
          "mixtral-8x7b": ("Mixtral 8x7B", "MLPerf mixtral-8x7b mix (OpenOrca, GSM8K, MBXP)"),
          "resnet": ("ResNet-50", "ImageNet 2012 validation (224x224)"),
          "resnet50": ("ResNet-50", "ImageNet 2012 validation (224x224)"),
          "stable-diffusion-xl": ("Stable Diffusion XL*", "COCO 2014 captions (MLPerf SDXL subset)"),
          "deepseek-r1": ("DeepSeek-R1*", "MLPerf deepseek-r1 mix (AIME, MATH500, GPQA, MMLU-Pro, LiveCodeBench)"),
          "gptj-99": ("GPT-J 6B", "CNN-DailyMail (MLPerf gptj, 13368 samples)"),
          "bert-99": ("BERT-Large", "SQuAD v1.1 (max 384 tokens)")}
LLM = {"llama2-70b-99", "llama3.1-405b", "llama3.1-8b", "mixtral-8x7b", "deepseek-r1", "gptj-99"}

def acc_name(a):
    for k, v in ACC:
        if k in a and "Virtualized" not in a and "," not in a:
            return v
    return None

def num(text, label):
    m = re.search(re.escape(label) + r"\s*:\s*([0-9.eE+]+)", text)
    return float(m.group(1)) if m else None

try:
    rows = json.loads(subprocess.check_output(["git", "-C", REPO, "show", "HEAD:summary_results.json"], stderr=subprocess.DEVNULL))
except subprocess.CalledProcessError:
    rows = tree_rows()

chosen = {}
for r in rows:
    if r["Category"] != "closed" or r["Model"] not in MODELS:
        continue
    hw = acc_name(r["Accelerator"] or "")
    if not hw:
        continue
    if r["Scenario"] not in ("Offline", "Server", "Interactive", "SingleStream"):
        continue
    key = (hw, r["a#"], r["Nodes"], r["Model"], r["Scenario"])
    own = r["Submitter"] in ("NVIDIA", "AMD")
    if key not in chosen or (own and chosen[key]["Submitter"] not in ("NVIDIA", "AMD")):
        chosen[key] = r

out = []
for key, r in sorted(chosen.items(), key=lambda kv: str(kv[0])):
    hw, n, nodes, mk, sc = key
    n = int(n) * int(nodes or 1)
    path = f'{r["Location"]}/performance/run_1/mlperf_log_summary.txt'
    try:
        t = subprocess.check_output(["git", "-C", REPO, "show", f"HEAD:{path}"], text=True, stderr=subprocess.DEVNULL)
    except subprocess.CalledProcessError:
        print("missing", path); continue
    if "Result is : VALID" not in t:
        print("invalid", path); continue
    model, dataset = MODELS[mk]
    missing = [x for x in (hw, model) if x.endswith("*")]
    hw, model = hw.rstrip("*"), model.rstrip("*")
    url = f"https://github.com/mlcommons/inference_results_{VER}/blob/{COMMIT}/{path}"
    wdt = (r.get("weight_data_types") or "").lower().strip()
    sw = r["Software"] or ""
    fw = "default"
    if mk in LLM:
        fw = "TensorRT-LLM" if "TensorRT" in sw or "TRT" in r["Platform"] else ("vLLM" if "vllm" in sw.lower() else ("SGLang" if "sglang" in sw.lower() else "default"))
    cdt = {"fp8": "fp8", "int8": "int8", "fp4": "fp4", "nvfp4": "fp4", "mxfp4": "fp4", "fp16": "fp16", "bf16": "bf16"}.get(wdt.split(",")[0].strip(), None)
    if cdt is None and mk in ("resnet", "resnet50"): cdt = "int8"
    if cdt is None and mk == "stable-diffusion-xl": cdt = "fp8"
    tps = re.search(r"TOKENS_PER_SAMPLE:\s*([0-9.]+)", r["Accuracy"] or "")
    outlen = round(float(tps.group(1))) if tps else None
    sysdesc = f'{r["Submitter"]} {r["System"]} ({n}x {r["Accelerator"]} = {r["a#"]} per node x {nodes} node(s), {r["Software"]}); result {r["ID"]}'
    base = dict(source_url=url, model=model, hardware=hw, cluster="", devices=n, compute_dtype=cdt or "", weight_dtype=cdt or "",
                framework=fw, batch="", seq_len=384 if mk == "bert-99" else "", prompt_len="", output_len=outlen if mk in LLM else "",
                tp="", pp="", dp="", microbatch="", recompute="", value_low="", value_high="", trust="A", cp="", zero_stage="",
                virtual_stages="", sequence_parallel="", dataset=dataset, qps="", concurrency="", ttft_constraint_s="",
                missing_in_catalog=";".join(x.rstrip("*") for x in missing))
    slug = f'mlperf-inf-{VER}-{r["Submitter"].lower().replace(" ","")}-{r["Platform"].lower()}-{mk}-{sc.lower()}'
    slug = re.sub(r"[^a-z0-9.\-]+", "-", slug)
    prec = f'weight_data_types={r.get("weight_data_types")} (summary_results.json)'
    common_notes = f"{sysdesc}. {prec}. Software: {sw}."
    loc = f"MLPerf Inference {VER} closed, {path}"
    def add(name, metric, value, unit, scen, loc_line, notes, **kw):
        if value is None:
            print("no value", name); return
        row = dict(base); row.update(name=name, metric=metric, value=value, unit=unit, scenario=scen,
                                     source_location=f"{loc}: '{loc_line}'", notes=notes); row.update(kw); out.append(row)
    if sc == "Offline":
        if mk in LLM:
            v = num(t, "Tokens per second"); s = num(t, "Samples per second")
            add(slug, "tokens_per_s", v, "tok/s", "offline", f"Tokens per second: {v}",
                common_notes + f" Samples per second {s} (same log). output_len = TOKENS_PER_SAMPLE of the accuracy run (mean generated tokens).")
        else:
            v = num(t, "Samples per second")
            add(slug, "samples_per_s", v, "1/s", "offline", f"Samples per second: {v}", common_notes)
    elif sc in ("Server", "Interactive"):
        q = num(t, "Scheduled samples per second")
        ttc = num(t, "ttft_latency (ns)"); tpc = num(t, "tpot_latency (ns)")
        extra = dict(qps=q if q else "", ttft_constraint_s=ttc / 1e9 if ttc else "")
        tag = "MLPerf Interactive scenario (Server with tighter TTFT/TPOT limits)" if sc == "Interactive" else "MLPerf Server scenario (Poisson arrivals)"
        if mk in LLM:
            v = num(t, "Completed tokens per second")
            add(slug, "tokens_per_s", v, "tok/s", "server", f"Completed tokens per second: {v}",
                common_notes + f" {tag}; scheduled {q} samples/s; constraints TTFT {ttc/1e6 if ttc else None} ms, TPOT {tpc/1e6 if tpc else None} ms (Test Parameters Used).", **extra)
            p50 = num(t, "50.00 percentile first token latency (ns)"); p99 = num(t, "99.00 percentile first token latency (ns)"); mean = num(t, "Mean First Token latency (ns)")
            if p50:
                add(slug + "-ttft-p50", "ttft_s", round(p50 / 1e6, 3), "ms", "server", f"50.00 percentile first token latency (ns) : {p50:.0f}",
                    common_notes + f" {tag} at {q:g} samples/s. Median TTFT under load; same log: mean {mean/1e6:.1f} ms, P99 {p99/1e6:.1f} ms.", **extra)
            tm = num(t, "Mean Time to Output Token (ns)"); t50 = num(t, "50.00 percentile time to output token (ns)"); t99 = num(t, "99.00 percentile time to output token (ns)")
            if tm:
                add(slug + "-tpot-mean", "itl_s", round(tm / 1e6, 3), "ms", "server", f"Mean Time to Output Token (ns) : {tm:.0f}",
                    common_notes + f" {tag} at {q:g} samples/s. Mean TPOT under load; same log: P50 {t50/1e6:.2f} ms, P99 {t99/1e6:.2f} ms.", **extra)
        else:
            v = num(t, "Completed samples per second") or num(t, "Scheduled samples per second")
            add(slug, "samples_per_s", v, "1/s", "server", f"Completed samples per second : {v}", common_notes + f" {tag}.", **extra)
    elif sc == "SingleStream":
        p90 = num(t, "90th percentile latency (ns)")
        if p90 is None: continue
        add(slug + "-p90", "latency_s", round(p90 / 1e6, 6), "ms", "single-stream", f"90th percentile latency (ns) : {p90:.0f}",
            common_notes + " SingleStream: one sample per query; 90th-percentile latency.", batch=1)

COLS = "source_url,name,metric,value,value_low,value_high,unit,model,hardware,cluster,devices,compute_dtype,weight_dtype,framework,scenario,batch,seq_len,prompt_len,output_len,tp,pp,dp,microbatch,recompute,source_location,trust,cp,zero_stage,virtual_stages,sequence_parallel,dataset,qps,concurrency,ttft_constraint_s,missing_in_catalog,notes".split(",")
with open(OUT, "w", newline="") as f:
    w = csv.DictWriter(f, COLS); w.writeheader(); [w.writerow({c: x.get(c, "") for c in COLS}) for x in out]
print(len(out), "rows")
