"""Add the GB200 NVL72 / GB300 NVL72 GPU rows that the kernel fits need to registry_data/research/r-kernels/:

- sm_count.csv: each GPU's enabled SM count (152 for both; sources and reasoning in each row and in README.md);
- attention.csv: NVIDIA cudnn-frontend's SDPA benchmark tables for GB200 and GB300
  (benchmark/sdpa_benchmark_training/artifacts/ at commit b372d39, copied unchanged into cudnn_sdpa_b372d39/ here):
  cuDNN's FP8 and BF16 SDPA and PyTorch SDPA's flash backend (FlashAttention-2), forward and backward, batch 1,
  128 query / 8 KV heads, head dim 128, causal (top-left), sequence 512 ... 131072 (Llama 3.1 405B's layer).

Only lines whose notes name this script are touched: they are dropped and rebuilt on each run, every other line is kept
byte for byte, so a second run changes nothing.

    .venv/bin/python registry_data/research/r-gbsm/add_rows.py [REGISTRY]
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
MARK = "added by r-gbsm/add_rows.py"
COMMIT = "b372d39879d44c91a8d5b342022e74802b6a8da2"
ARTIFACTS = f"https://github.com/NVIDIA/cudnn-frontend/blob/{COMMIT}/benchmark/sdpa_benchmark_training/artifacts/"
RAW = HERE / "cudnn_sdpa_b372d39"
TIME = {"fwd": "forward_time", "bwd": "backward_time"}
CATALOG = {"GB200": "GB200 NVL72 GPU", "GB300": "GB300 NVL72 GPU"}
# the GPUs whose rows enter r-kernels: GB300's; GB200's (same sources, rows and script) stay out, the decision rule
# (README.md, "GB200: kept as gb200.patch"): its SM count moves the GB200 Llama 2 70B server rows across the TTFT
# median through the serving load model's step, not through the kernels (`git apply gb200.patch` adds "GB200")
APPLIED = ("GB300",)
# each table's own (precision column or backend) -> (kernel name of attention.csv, dtype of attention.csv); the fp8
# table's bf16 lines repeat the bf16 table's cudnn_fe lines (same run layout), and the bf16 table's cudnn_fe_fp8 the
# fp8 table's: each measurement is taken once, from the table named for its precision
KERNELS = {("fp8", "fp8"): ("cuDNN (FP8)", "fp8"), ("bf16", "cudnn_fe"): ("cuDNN", "bf16"),
           ("bf16", "pyt_flash_attention"): ("FlashAttention-2 (PyTorch SDPA flash backend)", "bf16")}
VERSIONS = ("cuDNN 9.17.0 (backend_version 91700), cudnn-frontend 1.16.0, CUDA 13.0, torch 2.10.0a0 nv25.11, "
            "flash_attn 2.8.3 installed (sample_{gpu}_{table}_run.txt beside the csv, device name 'NVIDIA {name}')")
FLOPS = ("TFLOP/s as the benchmark counts them (benchmark_single_sdpa.py `flops`: 2 x b x h x non-masked elements x "
         "(d_qk + d_vo) forward, x (3 d_qk + 2 d_vo) backward; the causal count s(s+1)/2 is the FlashAttention "
         "convention's s^2/2 to 1/s: 64.518 ms at 65536 gives 2181 fwd, checked)")

SM_ROWS = [
    {"hardware": "GB200 NVL72 GPU", "vendor_hardware_name": "NVIDIA GB200", "missing_in_catalog": "", "units": "152",
     "unit_type": "SM", "boost_clock_mhz": "", "clock_kind": "",
     "source_url": "https://github.com/NVIDIA/gpu-operator/pull/1303",
     "source_location": ("PR description, `nvidia-smi mig -lgip` on a GB200 by NVIDIA: MIG 1g.47gb 32 SMs, 2g.47gb 38 "
                         "SMs, against B200's 30 and 36 (https://github.com/NVIDIA/gpu-operator/pull/1242, the same "
                         "command on a B200, 148 SMs enabled): the GB200's GPU enables more SMs than the HGX B200's"),
     "trust": "C",
     "notes": ("152 = the device-reported count (torch.cuda.get_device_properties().multi_processor_count on "
               "'NVIDIA GB200', compute capability 10.0) printed in several public repositories' logs and generated "
               "code (e.g. TorchInductor 'DeviceProperties(... multi_processor_count=152, cc=100 ...)'); NVIDIA's "
               "datasheets state no enabled count for B200 / GB200 (the die holds 160: 2 x 80, Chips and Cheese "
               "'Nvidia's B200', 74 enabled per die on the HGX B200); the clock is the other GB200 row's (2062 MHz); "
               "the datasheet's 2.5 PFLOP/s bf16 stays the catalog peak (8192 FLOP/clock/SM x 152 x 2.006 GHz, or "
               "x 148 x 2.062 GHz: the datasheet does not say which); " + MARK)},
    {"hardware": "GB300 NVL72 GPU", "vendor_hardware_name": "NVIDIA GB300", "missing_in_catalog": "", "units": "152",
     "unit_type": "SM", "boost_clock_mhz": "", "clock_kind": "",
     "source_url": ("https://github.com/stas00/ml-engineering/blob/744d01e18b79512572f64a6bbd8b5f4a725203a7/"
                    "training/performance/README.md"),
     "source_location": ("line 625: 'B300 ships in at least two SKUs, with 148 and 152 SMs'; line 646: NVIDIA gives "
                         "160 SMs for 'the full GPU implementation' with 'available SM count and HBM capacity varies "
                         "by SKU' (https://developer.nvidia.com/blog/inside-nvidia-blackwell-ultra-the-chip-powering-"
                         "the-ai-factory-era/, 'Streaming multiprocessors: compute engines for the AI Factory')"),
     "trust": "C",
     "notes": ("152 of the full die's 160 (NVIDIA, Blackwell Ultra architecture blog): the device-reported count on "
               "'NVIDIA GB300' (compute capability 10.3) in public kernel code measured there ('B300 / GB300 (152 "
               "SMs ...)', 'Measured on GB300 (152 SMs ...)'); which SKU reads 148 is not stated (the catalog's HGX "
               "B300 row keeps B200's 148 through gemm_fit.TRANSFER); " + MARK)},
]


def attention_rows() -> list[dict]:
    """The rows of the four cudnn-frontend tables in attention.csv's columns, forward and backward."""
    out = []
    for gpu, hardware in CATALOG.items():
        if gpu not in APPLIED:
            continue
        for table in ("fp8", "bf16"):
            name = f"sdpa_{table}_benchmark_results_NVIDIA_{gpu}.csv"
            with open(RAW / name, newline="") as f:
                rows = list(csv.DictReader(f))
            for r in rows:
                key = (table, r.get("precision") or r.get("backend"))
                if key not in KERNELS:
                    continue
                kernel, dtype = KERNELS[key]
                for p in ("fwd", "bwd"):
                    out.append({
                        "hardware": hardware, "vendor_hardware_name": f"NVIDIA {gpu}", "missing_in_catalog": "",
                        "kernel": kernel, "pass": p, "dtype": dtype, "head_dim": r["head_dim"],
                        "seq_len": r["q_seqlen"], "batch": r["batch_size"], "n_heads": r["num_q_heads"],
                        "causal": r["is_causal"], "achieved_tflops": r[f"{p}_tflops_per_sec"],
                        "source_url": ARTIFACTS + name,
                        "source_location": (f"row q_seqlen=kv_seqlen={r['q_seqlen']}, "
                                            f"{'precision' if table == 'fp8' else 'backend'} {key[1]}, column "
                                            f"{p}_tflops_per_sec ({TIME[p]} {r[TIME[p]]} ms)"),
                        "trust": "A",
                        "notes": (VERSIONS.format(gpu=gpu.lower(), name=gpu, table=table)
                                  + f"; {r['num_q_heads']} query / {r['num_kv_heads']} KV heads (GQA, Llama 3.1 "
                                  "405B's layer), causal top-left; "
                                  + FLOPS + "; " + MARK)})
    return out


def rewrite(path: Path, rows: list[dict], mark: str = MARK) -> int:
    """``path`` without the lines whose notes carry ``mark`` (this script's, or another r-kernels adder's: r-rtxfp4),
    plus ``rows`` (in the file's own columns); returns rows added."""
    with open(path, newline="") as f:  # keep each line's own ending (attention.csv's are CRLF)
        lines = f.read().splitlines(keepends=True)
    end = "\r\n" if lines[0].endswith("\r\n") else "\n"
    header = next(csv.reader([lines[0]]))
    kept = [line for line in lines if mark not in line]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator=end)
    for r in rows:
        writer.writerow({c: r.get(c, "") for c in header})
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += end
    with open(path, "w", newline="") as f:
        f.write("".join(kept) + buf.getvalue())
    return len(rows)


def main(registry: Path = REGISTRY) -> None:
    kernels = registry / "research" / "r-kernels"
    sm_rows = [r for r in SM_ROWS if r["vendor_hardware_name"].removeprefix("NVIDIA ") in APPLIED]
    print("sm_count.csv rows:", rewrite(kernels / "sm_count.csv", sm_rows))
    print("attention.csv rows:", rewrite(kernels / "attention.csv", attention_rows()))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY)
