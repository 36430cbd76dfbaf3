"""Rows from TensorRT-LLM docs/source/performance/perf-overview.md (v1.0 page, commit 00f37686): 'Total Output Throughput
(tokens/sec)' of trtllm-bench throughput (max load, PyTorch backend), fixed ISL/OSL synthetic requests (stdev 0).
Tables transcribed verbatim below; only models in our catalog (Llama 3.3 70B -> 'Llama 3.1 70B', Llama 3.1 405B, Llama 3.1 8B)."""
import csv, sys
URL = "https://github.com/NVIDIA/TensorRT-LLM/blob/00f37686aa854010d68bcbd0f4ab000221541ca6/docs/source/performance/perf-overview.md"
HW = {"B200": "B200 (HGX B200)", "GB200": "GB200 NVL72 GPU", "H200": "H200 SXM 141GB", "H100": "H100 SXM5 80GB"}
T = {
 ("Llama 3.3 70B", "Llama 3.1 70B"): (["B200 TP1 FP4", "GB200 TP1 FP4", "H200 TP1 FP8", "H100 TP2 FP8"], """
128/128 | 11,147 | 12,189 | 3,803 | 6,378
128/2048 | 9,922 | 11,309 | 4,336 | 6,651
128/4096 | 6,831 | 7,849 | 2,872 | 4,199
500/2000 | 7,762 | 9,028 | 3,666 | 5,222
1000/1000 | 7,007 | 7,326 | 2,909 | 4,205
1000/2000 | 6,271 | 6,513 | 2,994 | 4,146
2048/128 | 1,339 | 1,450 | 442 | 762
2048/2048 | 4,783 | 5,646 | 2,003 | 3,082
5000/500 | 1,459 | 1,602 | 566 | 898
20000/2000 | 665 | 755 | 283 | 437"""),
 ("Llama 3.1 405B", "Llama 3.1 405B"): (["B200 TP4 FP4", "GB200 TP4 FP4", "H200 TP8 FP8", "H100 TP8 FP8"], """
128/128 | 6,281 | 6,740 | 3,814 | 3,627
128/2048 | 8,020 | 8,151 | 5,348 | 4,340
128/4096 | 6,345 | 6,608 | 4,741 | 3,116
500/2000 | 6,244 | 6,540 | 4,724 | 3,994
1000/1000 | 5,209 | 5,389 | 3,330 | 2,919
1000/2000 | 4,933 | 5,135 | 3,722 | 2,895
2048/128 | 749 | 797 | 456 | 453
2048/2048 | 4,212 | 4,407 | 2,948 | 2,296
5000/500 | 1,048 | 1,112 | 650 | 610
20000/2000 | 672 | 739 | 505 | 345"""),
 ("Llama 3.1 8B", "Llama 3.1 8B"): (["H200 TP1 FP8", "H100 TP1 FP8"], """
128/128 | 27,911 | 28,312
128/2048 | 26,221 | 22,714
128/4096 | 18,027 | 14,325
500/2000 | 20,770 | 17,660
1000/1000 | 17,744 | 15,220
1000/2000 | 16,828 | 13,899
2048/128 | 3,538 | 3,450
2048/2048 | 12,194 | 9,305
5000/500 | 3,902 | 3,459
20000/2000 | 1,804 | 1,351"""),
}
NREQ = {"128/128": 30000, "128/2048": 3000, "128/4096": 1500, "1000/2000": 1500, "2048/128": 3000, "2048/2048": 1500,
        "5000/500": 1500, "1000/1000": 3000, "500/2000": 3000, "20000/2000": 1000}
COLS = "source_url,name,metric,value,value_low,value_high,unit,model,hardware,cluster,devices,compute_dtype,weight_dtype,framework,scenario,batch,seq_len,prompt_len,output_len,tp,pp,dp,microbatch,recompute,source_location,trust,cp,zero_stage,virtual_stages,sequence_parallel,dataset,qps,concurrency,ttft_constraint_s,missing_in_catalog,notes".split(",")
rows = []
for (page_model, model), (cols, text) in T.items():
    for line in text.strip().splitlines():
        cells = [c.strip() for c in line.split("|")]
        isl, osl = cells[0].split("/")
        for col, cell in zip(cols, cells[1:]):
            if not cell: continue
            gpu, tp, prec = col.split()
            tpn = int(tp[2:]); dt = prec.lower()
            name = f"trtllm-1.0-perf-overview-{gpu.lower()}-{dt}-{model.lower().replace(' ', '-')}-tp{tpn}-in{isl}-out{osl}-throughput"
            ckpt = {"Llama 3.1 70B": "Llama-3.3-70B-Instruct", "Llama 3.1 405B": "Llama-3.1-405B-Instruct", "Llama 3.1 8B": "Llama-3.1-8B-Instruct"}[model]
            notes = (f"TensorRT-LLM perf overview (v1.0 page, PyTorch backend): trtllm-bench throughput, requests fed at an infinite rate, synthetic "
                     f"ISL {isl}/OSL {osl} with stdev 0, {NREQ[cells[0]]} requests (page table 'Input Length | Output Length | $seq_len | $num_requests'). "
                     f"Checkpoint nvidia/{ckpt}-{prec} (ModelOpt-quantized; KV cache dtype not stated). Page: 'The reported metric is Total Output Throughput (tokens/sec)' = generated tokens/s of the {tpn} GPU(s). "
                     f"kv_cache_free_gpu_mem_fraction 0.95 'in many cases', 0.90 or lower on OOM (page); CUDA graphs with padding, batch sizes up to 8192 (llm_options.yml).")
            if page_model != model:
                notes += f" Page model is {page_model}; same architecture as Llama 3.1 70B (catalog name used, as for the NIM llama3.3 rows)."
            rows.append(dict(source_url=URL, name=name, metric="tokens_per_s", value=int(cell.replace(",", "")), unit="tok/s",
                             model=model, hardware=HW[gpu], devices=tpn, compute_dtype=dt, weight_dtype=dt, framework="TensorRT-LLM",
                             scenario="offline", prompt_len=int(isl), output_len=int(osl), tp=tpn, pp=1,
                             source_location=f"TensorRT-LLM docs/source/performance/perf-overview.md, 'Throughput Measurements' > '{page_model}' table, row '{cells[0]}', column '{gpu} {tp} ({prec})' = {cell}",
                             trust="B", dataset=f"synthetic fixed ISL {isl}/OSL {osl} (prepare_dataset.py token-norm-dist, stdev 0)", notes=notes))
with open(sys.argv[1], "w", newline="") as f:
    w = csv.DictWriter(f, COLS); w.writeheader(); [w.writerow({c: r.get(c, "") for c in COLS}) for r in rows]
print(len(rows), "rows")
