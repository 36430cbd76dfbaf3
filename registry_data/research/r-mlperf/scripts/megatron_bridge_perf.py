"""Rows from NVIDIA-NeMo/Megatron-Bridge docs/performance-summary-archive.md (commit 0a25f911): pre-training throughput
tables of the 26.02 and 25.11 NeMo containers. Only catalog models/systems: LLAMA3_8B, LLAMA3_70B, LLAMA3.1_405B, DeepSeekV3 on
DGX-GB200, DGX-B200, DGX-H100. Rows transcribed verbatim below: system|gpus|precision|GBS|MBS|seq|FSDP|TP|PP|CP|VP|EP|tok/s/GPU|TFLOP/s/GPU."""
import csv, sys
URL = "https://github.com/NVIDIA-NeMo/Megatron-Bridge/blob/0a25f911b2ed6c6905a539504fdb8e5b40e3438b/docs/performance-summary-archive.md"
T = {
("26.02", "LLAMA3_70B"): """DGX-GB200 | 64 | NVFP4 | 256 | 1 | 8192 | 0 | 2 | 4 | 1 | 5 | n/a | 4458 | 2004
DGX-GB200 | 64 | MXFP8 | 256 | 1 | 8192 | 0 | 2 | 4 | 1 | 5 | n/a | 3613 | 1623
DGX-GB200 | 64 | FP8 | 256 | 2 | 8192 | 64 | 1 | 1 | 1 | n/a | n/a | 4040 | 1815
DGX-H100 | 64 | FP8 | 256 | 1 | 8192 | 0 | 4 | 8 | 1 | 5 | n/a | 1621 | 728""",
("26.02", "LLAMA3.1_405B"): """DGX-GB200 | 256 | NVFP4 | 1536 | 1 | 8192 | 0 | 4 | 16 | 1 | 8 | n/a | 1076 | 2716
DGX-GB200 | 256 | MXFP8 | 1536 | 1 | 8192 | 0 | 4 | 16 | 1 | 8 | n/a | 786 | 1983
DGX-GB200 | 256 | FP8 | 1536 | 1 | 8192 | 0 | 4 | 16 | 1 | 4 | n/a | 793 | 2004
DGX-H100 | 1024 | FP8 | 1536 | 1 | 8192 | 0 | 8 | 8 | 2 | 8 | n/a | 311 | 784""",
("26.02", "DeepSeekV3"): """DGX-GB200 | 256 | MXFP8 | 4096 | 1 | 4096 | 0 | 1 | 4 | 1 | 4 | 64 | 3955 | 1028
DGX-B200 | 256 | MXFP8 | 4096 | 1 | 4096 | 0 | 1 | 16 | 1 | n/a | 8 | 2689 | 699""",
("25.11", "DGX-GB200"): """LLAMA3_8B | 8 | FP8-CS | 128 | 2 | 8192 | 0 | 1 | 1 | 1 | n/a | 1 | 31508 | 1622
LLAMA3_70B | 64 | FP8-CS | 256 | 2 | 8192 | 64 | 1 | 1 | 1 | 1 | 1 | 4312 | 1937
LLAMA3.1_405B | 256 | FP8-CS | 1536 | 1 | 8192 | 0 | 4 | 16 | 1 | 4 | 1 | 813 | 2053
DeepSeekV3 (w/o MTP) | 256 | BF16 | 4096 | 1 | 4096 | 0 | 1 | 4 | 1 | 4 | 64 | 3139 | 782
DeepSeekV3 (w/o MTP) | 256 | FP8-MX | 4096 | 1 | 4096 | 0 | 1 | 8 | 1 | 4 | 32 | 4018 | 1003""",
("25.11", "DGX-B200"): """LLAMA3_8B | 8 | FP8-CS | 128 | 2 | 8192 | 0 | 1 | 1 | 1 | n/a | 1 | 30624 | 1576
LLAMA3.1_405B | 128 | FP8-CS | 64 | 1 | 8192 | 0 | 4 | 8 | 2 | 8 | 1 | 661 | 1667
DeepSeekV3 (w/ MTP) | 256 | FP8-MX | 2048 | 1 | 4096 | 0 | 1 | 16 | 1 | 1 | 8 | 2139 | 557""",
("25.11", "DGX-H100"): """LLAMA3_8B | 8 | FP8-CS | 128 | 1 | 8192 | 8 | 1 | 1 | 1 | n/a | 1 | 14451 | 744
LLAMA3_70B | 64 | FP8-CS | 128 | 1 | 8192 | 0 | 4 | 8 | 1 | 5 | 1 | 1602 | 719
LLAMA3.1_405B | 1024 | FP8-CS | 512 | 1 | 8192 | 0 | 8 | 8 | 2 | 8 | 1 | 292 | 737""",
}
HW = {"DGX-GB200": "GB200 NVL72 GPU", "DGX-B200": "B200 (HGX B200)", "DGX-H100": "H100 SXM5 80GB"}
MODEL = {"LLAMA3_8B": "Llama 3 8B", "LLAMA3_70B": "Llama 3.1 70B", "LLAMA3.1_405B": "Llama 3.1 405B", "DeepSeekV3": "DeepSeek-V3"}
DT = {"NVFP4": "fp4", "MXFP8": "fp8", "FP8": "fp8", "FP8-CS": "fp8", "FP8-MX": "fp8", "BF16": "bf16"}
COLS = "source_url,name,metric,value,value_low,value_high,unit,model,hardware,cluster,devices,compute_dtype,weight_dtype,framework,scenario,batch,seq_len,prompt_len,output_len,tp,pp,dp,microbatch,recompute,source_location,trust,cp,zero_stage,virtual_stages,sequence_parallel,dataset,qps,concurrency,ttft_constraint_s,missing_in_catalog,notes".split(",")
rows = []
for (ver, key), text in T.items():
    for line in text.splitlines():
        c = [x.strip() for x in line.split("|")]
        if ver == "26.02":
            system, mname = c[0], key
        else:
            system, mname = key, c[0]
        gpus, prec, gbs, mbs, seq, fsdp, tp, pp, cp, vp, ep, tpg, tfl = c[1:]
        base_model = mname.split(" (")[0]
        model, hw, n = MODEL[base_model], HW[system], int(gpus)
        tot = int(tpg) * n
        loc = (f"Megatron-Bridge docs/performance-summary-archive.md, '{ver} NeMo Container' > Pre-Training Performance > "
               f"{'Model: ' + key if ver == '26.02' else 'System: ' + key} table, row '{line}' (Tokens / sec / GPU = {tpg})")
        notes = (f"NeMo {ver} container, Megatron-Bridge performance recipe; {system}; precision {prec}; GBS {gbs}, MBS {mbs}, seq {seq}, FSDP {fsdp}, "
                 f"TP {tp}, PP {pp}, CP {cp}, VP {vp}, EP {ep}; Model TFLOP/sec/GPU {tfl}. Value = page's Tokens/sec/GPU {tpg} x {n} GPUs = {tot} tokens/s for the job "
                 f"(the catalog metric is system-wide). FSDP > 0: Megatron FSDP with sharding group size = #GPUs/(TP x PP) (page nomenclature).")
        if base_model == "LLAMA3_70B": notes += " Page model LLAMA3_70B (Llama 3 70B): same architecture as Llama 3.1 70B, catalog name used."
        if base_model == "DeepSeekV3": notes += f" MoE with expert parallelism EP {ep} (no EP column in this schema); page: 'we force-balance the token distribution among experts and all benchmarks are token-dropless'. Variant: {mname}."
        if prec in ("MXFP8", "FP8-MX"): notes += " MXFP8 (block-scaled FP8) recorded as fp8."
        if prec == "NVFP4": notes += " NVFP4 recorded as fp4."
        rows.append(dict(source_url=URL, name=f"mbridge-{ver}-{system.lower()}-{prec.lower()}-{base_model.lower().replace('.', '')}-{n}gpus{'-' + mname.split('(')[1].rstrip(')').replace(' ', '').replace('/', '').lower() if '(' in mname else ''}-tokens-per-s",
                         metric="training_tokens_per_s", value=tot, unit="tok/s", model=model, hardware=hw, devices=n,
                         compute_dtype=DT[prec], weight_dtype="", framework="Megatron-LM", scenario="training", batch=int(gbs), seq_len=int(seq),
                         tp=int(tp), pp=int(pp), microbatch=int(mbs), source_location=loc, trust="B", cp=int(cp),
                         zero_stage="3" if int(fsdp) > 0 else "", virtual_stages="" if vp == "n/a" else int(vp),
                         dataset="synthetic/mock pre-training data (performance recipe)", notes=notes))
with open(sys.argv[1], "w", newline="") as f:
    w = csv.DictWriter(f, COLS); w.writeheader(); [w.writerow({k: r.get(k, "") for k in COLS}) for r in rows]
print(len(rows), "rows")
