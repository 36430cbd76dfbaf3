"""Measurement CSVs for the validation tests: the measurements catalog's columns, a few good rows
(one per study) and bad ones."""

from __future__ import annotations

from pathlib import Path

SELENE = "NVIDIA Selene subset, Megatron-LM (Narayanan et al. SC21, 3072 A100)"
HEADER = ("source_url,name,metric,value,value_low,value_high,unit,model,hardware,cluster,devices,compute_dtype,"
          "weight_dtype,framework,scenario,batch,seq_len,prompt_len,output_len,tp,pp,dp,microbatch,"
          "recompute,source_location")
URL = "https://example.org/paper"
ROWS = [
    f"{URL},resnet-b1,latency_s,0.38,,,ms,ResNet-50,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,T1",
    f"{URL},resnet-offline,samples_per_s,30000,,,1/s,ResNet-50,A100 SXM4 80GB,,8,int8,,default,offline,,"
    ",,,,,,,,T2",
    f"{URL},llama-ttft,ttft_s,45,40,50,ms,Llama 2 70B,H100 SXM5 80GB,,8,fp16,,default,offline,1,,2048,128,"
    "8,1,,,,T3",
    f'{URL},gpt3-384,hfu,49,,,%,GPT-3 175B,A100 SXM4 80GB,"{SELENE}",384,bf16,,Megatron-LM,training,1536,'
    "2048,,,8,12,4,1,full,T4",
]
BAD = [
    f"{URL},bad-model,latency_s,1,,,ms,ResNet-51,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,x",
    f"{URL},bad-value,latency_s,-1,,,ms,ResNet-50,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,x",
    f"{URL},no-unit,latency_s,1,,,,ResNet-50,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,x",
    f"{URL},wrong-unit,latency_s,1,,,tok/s,ResNet-50,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,x",
]


def write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "measured.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path
