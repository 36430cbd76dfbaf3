"""Rows from TensorRT-LLM docs/source/performance/perf-overview.md at commit 258c7540 (v0.17 page):
(1) 'Throughput Measurements' table (v0.17, trtllm-bench throughput, max load), (2) 'Online Serving Measurements'
table (v0.14.0, Triton TensorRT-LLM backend, 500 requests, BF16). The table rows are copied verbatim in sources/*.md."""
import csv, sys, os
D = os.path.dirname(os.path.abspath(__file__)) + "/../"
URL = "https://github.com/NVIDIA/TensorRT-LLM/blob/258c7540c03517def55d9a5aadfa9288af474e1b/docs/source/performance/perf-overview.md"
COLS = "source_url,name,metric,value,value_low,value_high,unit,model,hardware,cluster,devices,compute_dtype,weight_dtype,framework,scenario,batch,seq_len,prompt_len,output_len,tp,pp,dp,microbatch,recompute,source_location,trust,cp,zero_stage,virtual_stages,sequence_parallel,dataset,qps,concurrency,ttft_constraint_s,missing_in_catalog,notes".split(",")
MODEL = {"LLaMA v3.1 8B": "Llama 3.1 8B", "LLaMA v3.1 70B": "Llama 3.1 70B", "LLaMA v3.1 405B": "Llama 3.1 405B",
         "Mistral 7B": "Mistral 7B v0.1", "Mixtral 8x7B": "Mixtral 8x7B", "Mixtral 8x22B": "Mixtral 8x22B",
         "LLaMA 3.1 8B": "Llama 3.1 8B", "LLaMA 3.1 70B": "Llama 3.1 70B"}
GPUS = [("H200 141GB HBM3", "H200 SXM 141GB", "fp8", ""), ("H100 80GB HBM3", "H100 SXM5 80GB", "fp8", ""),
        ("GH200 480GB", "NVIDIA GH200 480GB", "fp8", "NVIDIA GH200 480GB"), ("L40S", "L40S", "fp8", ""),
        ("A100-SXM4-80GB", "A100 SXM4 80GB", "fp16", "")]
NREQ = {(128, 128): 30000, (128, 2048): 3000, (128, 4096): 1500, (2048, 128): 3000, (2048, 2048): 1500, (5000, 500): 1500,
        (1000, 1000): 3000, (500, 2000): 3000, (20000, 2000): 1000}
rows = []
model = tp = None
for line in open(D + "sources/trtllm_v0.17_throughput_table.md"):
    raw = line.rstrip("\n")
    c = [x.strip() for x in raw.strip().strip("|").split("|")]
    if c[0]: model = c[0]
    if c[1]: tp = int(c[1])
    isl, osl = (int(x) for x in c[2].split(","))
    for (col, hw, dt, miss), cell in zip(GPUS, c[3:]):
        if not cell: continue
        m = MODEL[model]
        notes = (f"TensorRT-LLM v0.17 perf overview: trtllm-bench throughput (in-flight batching, requests at an infinite rate, max load), engine built with "
                 f"'trtllm-bench build --quantization FP8' (FP8 KV cache, page note) except the A100 column (FP16, no quantization); synthetic ISL {isl}/OSL {osl}, stdev 0, "
                 f"{NREQ[(isl, osl)]} requests (page table). Metric: token throughput (tokens/sec) of the TP group; the page's example output labels it "
                 f"'Token Throughput (tokens/sec)' and its value equals generated tokens/s (request throughput x output length). kv_cache_free_gpu_mem_fraction 0.95 in most cases, 0.90 on OOM (page).")
        if model == "Mistral 7B": notes += " Page says 'Mistral 7B' without version: catalog 'Mistral 7B v0.1' used."
        if miss: notes += " GH200 was measured with gptManagerBenchmark (page: 'For release v0.17, on GH200 systems')."
        rows.append(dict(source_url=URL, name=f"trtllm-0.17-{hw.split()[0].lower()}-{dt}-{m.lower().replace(' ', '-')}-tp{tp}-in{isl}-out{osl}-throughput",
                         metric="tokens_per_s", value=float(cell), unit="tok/s", model=m, hardware=hw, devices=tp, compute_dtype=dt, weight_dtype=dt,
                         framework="TensorRT-LLM", scenario="offline", prompt_len=isl, output_len=osl, tp=tp, pp=1,
                         source_location=f"TensorRT-LLM docs/source/performance/perf-overview.md (v0.17), 'Throughput Measurements' table, row '{model} | TP {tp} | {isl}, {osl}', column '{col}' = {cell}",
                         trust="B", dataset=f"synthetic fixed ISL {isl}/OSL {osl} (stdev 0)", missing_in_catalog=miss, notes=notes))
n_thr = len(rows)
model = gpu = tp = isl = osl = None
for line in open(D + "sources/trtllm_v0.14_serving_table.md"):
    c = [x.strip() for x in line.strip().split("|")[1:]]
    c += [""] * (12 - len(c))
    if c[0]: model = c[0]
    if c[1]: gpu = c[1]
    if c[2]: tp = int(c[2])
    if c[3]: isl, osl = int(c[3]), int(c[4])
    qps, rps, ttft, itl, tot, outp = c[5:11]
    hw = "H100 SXM5 80GB" if gpu.startswith("H100") else "H200 SXM 141GB"
    m = MODEL[model]
    base = (f"TensorRT-LLM v0.14.0 online serving via the Triton TensorRT-LLM backend, 500 requests, BF16 (page: 'All data in the table below was generated "
            f"using version 0.14.0, with 500 requests and BF16 precision'). Fixed ISL {isl}/OSL {osl}; offered rate QPS {qps}"
            f"{' (infinite: all requests at once)' if qps == 'INF' else ''}; achieved {rps} req/s; same row: mean TTFT {ttft} ms, mean ITL {itl} ms, "
            f"total token throughput {tot} tok/s, output throughput {outp} tok/s.")
    if "131GB" in gpu: base += " The page labels the GPU 'H200 131GB HBM3' (H200 SXM has 141 GB)."
    slug = f"trtllm-0.14-serving-{hw.split()[0].lower()}-bf16-{m.lower().replace(' ', '-')}-tp{tp}-in{isl}-out{osl}-qps{qps.lower()}"
    loc = f"TensorRT-LLM docs/source/performance/perf-overview.md (v0.17 page), 'Online Serving Measurements' table, row '{model} | {gpu} | TP {tp} | {isl} | {osl} | QPS {qps}'"
    for metric, val, unit, col in (("ttft_s", ttft, "ms", "Mean TTFT(ms)"), ("itl_s", itl, "ms", "Mean ITL(ms)"), ("tokens_per_s", outp, "tok/s", "Output Tput (tok/s)")):
        rows.append(dict(source_url=URL, name=f"{slug}-{metric.split('_')[0]}", metric=metric, value=float(val), unit=unit, model=m, hardware=hw,
                         devices=tp, compute_dtype="bf16", weight_dtype="bf16", framework="TensorRT-LLM", scenario="server",
                         prompt_len=isl, output_len=osl, tp=tp, pp=1, source_location=f"{loc}, column '{col}' = {val}", trust="B",
                         dataset=f"synthetic fixed ISL {isl}/OSL {osl}", qps="" if qps == "INF" else qps, notes=base))
with open(sys.argv[1], "w", newline="") as f:
    w = csv.DictWriter(f, COLS); w.writeheader(); [w.writerow({k: r.get(k, "") for k in COLS}) for r in rows]
print(n_thr, "throughput rows,", len(rows) - n_thr, "serving rows")
