"""Rows from the OCI blog 'Serving Llama 3.1 405B model with AMD Instinct MI300X Accelerators' (2024-10-10):
vLLM benchmark_latency.py (input 128, output 128) per batch size, and benchmark_throughput.py. 8x MI300X (BM.GPU.MI300X.8),
Llama 3.1 405B FP8, one model instance on all eight GPUs. Tables transcribed verbatim below."""
import csv, sys
URL = "https://blogs.oracle.com/cloud-infrastructure/post/serving-llama-31-405b-model-with-amd-mi300x-gpus"
LAT = """1 36 3.530
2 71 3.583
4 137 3.734
8 258 3.974
16 468 4.375
32 798 5.130
64 1184 6.919
128 1585 10.340
256 1846 17.750"""
THR = [("Typical chatbot online scenario", 128, 128, 1993), ("Generation heavy use case", 128, 2048, 2794)]
COLS = "source_url,name,metric,value,value_low,value_high,unit,model,hardware,cluster,devices,compute_dtype,weight_dtype,framework,scenario,batch,seq_len,prompt_len,output_len,tp,pp,dp,microbatch,recompute,source_location,trust,cp,zero_stage,virtual_stages,sequence_parallel,dataset,qps,concurrency,ttft_constraint_s,missing_in_catalog,notes".split(",")
common = dict(source_url=URL, model="Llama 3.1 405B", hardware="MI300X", devices=8, compute_dtype="fp8", weight_dtype="fp8", framework="vLLM",
              tp=8, pp=1, trust="C", missing_in_catalog="")
NOTE = ("OCI BM.GPU.MI300X.8 (8x MI300X 192 GB); 'We tested the performance of a single instance of the Llama 3.1 405B FP8 model ... All eight GPUs were assigned' (blog); "
        "TP 8 inferred from one instance on eight GPUs (not stated as a flag). vLLM version and KV-cache dtype not stated.")
rows = []
for line in LAT.splitlines():
    b, tps, lat = line.split()
    b = int(b)
    loc = f"OCI blog, 'Latency measurements' table (vLLM scripts/benchmark_latency.py, input 128, output 128), row 'Batch Size {b}'"
    sc = "single-stream" if b == 1 else "offline"
    rows.append(dict(common, name=f"oci-blog-mi300x-vllm-llama-3.1-405b-fp8-tp8-b{b}-in128-out128-latency", metric="latency_s",
                     value=round(float(lat) * 1000, 3), unit="ms", scenario=sc, batch=b, prompt_len=128, output_len=128,
                     source_location=f"{loc}, 'Average latency in seconds' = {lat} (recorded in ms)",
                     dataset="synthetic fixed ISL 128/OSL 128", notes=NOTE + " End-to-end latency of one batch (prefill of 128 tokens + 128 decode steps)."))
    rows.append(dict(common, name=f"oci-blog-mi300x-vllm-llama-3.1-405b-fp8-tp8-b{b}-in128-out128-throughput", metric="tokens_per_s",
                     value=int(tps), unit="tok/s", scenario=sc, batch=b, prompt_len=128, output_len=128,
                     source_location=f"{loc}, 'Output throughput in token per second (TPS)' = {tps}",
                     dataset="synthetic fixed ISL 128/OSL 128", notes=NOTE))
for scen, i, o, v in THR:
    rows.append(dict(common, name=f"oci-blog-mi300x-vllm-llama-3.1-405b-fp8-tp8-in{i}-out{o}-throughput", metric="tokens_per_s", value=v, unit="tok/s",
                     scenario="offline", prompt_len=i, output_len=o,
                     source_location=f"OCI blog, 'Throughput measurements' table (vLLM benchmark_throughput.py), row '{scen} | {i} | {o} | {v}' (Output throughput in TPS)",
                     dataset=f"synthetic fixed ISL {i}/OSL {o}", notes=NOTE + " Batch chosen by vLLM (benchmark_throughput.py submits all requests)."))
with open(sys.argv[1], "w", newline="") as f:
    w = csv.DictWriter(f, COLS); w.writeheader(); [w.writerow({c: r.get(c, "") for c in COLS}) for r in rows]
print(len(rows), "rows")
