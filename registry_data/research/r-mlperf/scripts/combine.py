"""Combine the per-source CSVs into measurements_new.csv: drop rows already in the catalog, keep one row per
(version, model, hardware, devices, metric, scenario, batch) for MLPerf Training, fix v4.1 NVIDIA LLM precision from
the submitter's config, give missing hardware/models the vendor's exact name."""
import csv, re, sys
import polars as pl

D = "/work/wt/r-mlperf/registry_data/research/r-mlperf/"
cat = pl.read_parquet("/work/main/registry_data/measurements.parquet")
catvals = {(r["metric"], round(float(r["value"]), 1)) for r in cat.iter_rows(named=True)}
catnames = set(cat["name"].to_list())
V41_CFG = "https://github.com/mlcommons/inference_results_v4.1/blob/198fc467/closed/NVIDIA/configs/{m}/{s}/__init__.py"
HW_VENDOR = {"H200 NVL 141GB": "NVIDIA H200-NVL-141GB", "GB300": "NVIDIA GB300", "MI355X": "AMD Instinct MI355X"}
MODEL_VENDOR = {"Stable Diffusion XL": "stable-diffusion-xl (SDXL 1.0 base)", "DeepSeek-R1": "deepseek-r1",
                "Stable Diffusion v2": "stable_diffusion (Stable Diffusion v2, 512x512)"}

rows = []
for f in ["v51_inference.csv", "v41_inference.csv", "v50_training.csv", "v41_training.csv", "v40_training.csv", "v31_training.csv", "trtllm_perf_overview.csv", "trtllm_v017_v014.csv", "oci_mi300x.csv", "megatron_bridge.csv", "papers.csv"]:
    try:
        rows += [dict(r, _src=f) for r in csv.DictReader(open(D + f))]
    except FileNotFoundError:
        pass

out, seen_train, dropped = [], {}, []
seen_val = {}
for r in rows:
    vk = (r["metric"], r["value"], r["model"], r["hardware"], r["devices"])
    if r["scenario"] == "training" and vk in seen_val:
        dropped.append((r["name"], "same log value as " + seen_val[vk] + " (result republished in a later round)")); continue
    seen_val.setdefault(vk, r["name"])
    if r["_src"] == "v41_inference.csv" and (r["metric"], round(float(r["value"]), 1)) in catvals:
        dropped.append((r["name"], "already in catalog")); continue
    if r["_src"] == "v41_inference.csv" and r["framework"] == "TensorRT-LLM" and r["compute_dtype"] == "fp16":
        m = {"Llama 2 70B": "llama2-70b", "Mixtral 8x7B": "mixtral-8x7b", "GPT-J 6B": "gptj"}.get(r["model"])
        sc = {"offline": "Offline", "server": "Server", "single-stream": "SingleStream"}[r["scenario"]]
        if m and r["hardware"] in ("H100 SXM5 80GB", "H200 SXM 141GB", "H100 NVL 94GB", "L40S"):
            r["compute_dtype"] = r["weight_dtype"] = "fp8"
            r["notes"] += (f" Precision: the submission declares weight_data_types fp16 with 'quantization' as transformation;"
                           f" NVIDIA's TensorRT-LLM configs for this GPU set use_fp8 = True ({V41_CFG.format(m=m, s=sc)}), so fp8 is used here.")
        else:
            r["notes"] += " Precision: declared weight_data_types fp16 (with 'quantization' transformation); the executed precision may be lower (not stated in the files read)."
    if r["scenario"] == "training" and r["_src"].startswith("v"):
        ver = r["name"].split("-")[2]
        key = (ver, r["model"], r["hardware"], r["devices"], r["metric"], r["batch"])
        own = "-nvidia-" in r["name"] or "-amd-" in r["name"]
        if key in seen_train:
            prev = seen_train[key]
            if own and not prev[1]:
                out[prev[0]] = None; seen_train[key] = (len(out), own, r["name"]); out.append(r)
                dropped.append((prev[2], "same training configuration as " + r["name"]))
            else:
                dropped.append((r["name"], "same training configuration as " + out[prev[0]]["name"]))
            continue
        seen_train[key] = (len(out), own, r["name"]); out.append(r); continue
    out.append(r)
out = [r for r in out if r]
clusters = pl.read_parquet("/work/main/registry_data/clusters.parquet").with_columns(
    total=pl.col("accelerators_per_node") * pl.col("nodes")).sort("total")
BERT_SEQ = ("seq_len 512: NVIDIA's BERT implementation prepares phase-2 data with --max_seq_length=512 "
            "(training_results_v5.0 NVIDIA/benchmarks/bert/implementations/tyche_ngpu8_ngc25.04_pytorch/input_preprocessing/create_pretraining_data_wrapper.sh line 26); "
            "MLPerf BERT packs unpadded sequences, so the work per sample is below 512 tokens.")
LORA_SEQ = ("seq_len 8192: NeMo LoRA config encoder_seq_length 8192 (training_results_v5.0 NVIDIA/benchmarks/llama2_70b_lora/implementations/"
            "tyche_ngpu8_ngc25.04_nemo/conf/base/model_config.yaml line 7); adapters only are trained (LoRA), the frozen base model still runs forward and backward.")
for r in out:
    if r["scenario"] != "training": continue
    if r["_src"].startswith("v") and r["model"] == "BERT-Large" and not r["seq_len"]:
        r["seq_len"] = "512"; r["notes"] += " " + BERT_SEQ
    if r["_src"].startswith("v") and r["model"] == "Llama 2 70B" and not r["seq_len"]:
        r["seq_len"] = "8192"; r["notes"] += " " + LORA_SEQ
    if not r["cluster"]:
        c = clusters.filter((pl.col("accelerator") == r["hardware"]) & (pl.col("total") >= int(r["devices"])))
        if c.height:
            r["cluster"] = c["name"][0]
            r["notes"] += (f" Cluster is a stand-in: the smallest catalogued cluster of this accelerator that holds {r['devices']} devices;"
                           " the system that produced the number is not in the clusters catalog.")
for r in out:
    miss = [x for x in r["missing_in_catalog"].split(";") if x]
    new = []
    for x in miss:
        if r["hardware"] == x and x in HW_VENDOR: r["hardware"] = HW_VENDOR[x]; new.append(r["hardware"])
        elif r["model"] == x and x in MODEL_VENDOR: r["model"] = MODEL_VENDOR[x]; new.append(r["model"])
        else: new.append(x)
    r["missing_in_catalog"] = ";".join(new)
names = [r["name"] for r in out]
dups = {n for n in names if names.count(n) > 1} | (set(names) & catnames)
assert not dups, dups
COLS = "source_url,name,metric,value,value_low,value_high,unit,model,hardware,cluster,devices,compute_dtype,weight_dtype,framework,scenario,batch,seq_len,prompt_len,output_len,tp,pp,dp,microbatch,recompute,source_location,trust,cp,zero_stage,virtual_stages,sequence_parallel,dataset,qps,concurrency,ttft_constraint_s,missing_in_catalog,notes".split(",")
with open(D + "measurements_new.csv", "w", newline="") as f:
    w = csv.DictWriter(f, COLS); w.writeheader(); [w.writerow({c: r.get(c, "") for c in COLS}) for r in out]
with open(D + "dropped_rows.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["name", "reason"]); w.writerows(dropped)
print(len(out), "rows;", len(dropped), "dropped")
