"""Write kernel_efficiency's ``training_attention_time_ratio`` (and ``_source``) from NVIDIA's cuDNN SDPA tables.

Per (hardware, precision) measured: the fused attention time of one training layer (causal forward, the forward
again under selective recomputation, backward: fwd + fwd + bwd, r-gb300tr) of this device at this precision over
the family's reference device at bf16, at the same shape, times their bf16 peaks' ratio (so that the bf16 peak x
the training profile's eta stays the reference's attainment: walls.training_compute). Shape: the tables' Llama 2
70B attention (batch 2, 64 query / 8 KV heads, d 128), s 8,192, top-left causal, non-deterministic backward, cuDNN
9.22 (NVIDIA/cudnn-frontend fb682ce, bundled unchanged in cudnn_sdpa_fb682ce/). Every other row: null (read as 1).

Reference device per family: the one its training profile eta was measured on (efficiency_profiles notes):
nvidia-blackwell "Training (fp8) ... B200/GB200" -> GB200 (Nemotron4 340B / Megatron-Bridge on GB200; B200 rows
FP8-only). nvidia-hopper "Training (fp8) ... H100" -> H100 SXM5, which no table measures (only H200: cuDNN 9.19),
so the Hopper family stays null.

Idempotent: it overwrites its two columns only (a run after r-rtxfp4/apply.py's rebuild adds them back), on every
row of a (hardware, precision), its "attention fit" rows too (they copy the default row's: r-fa2bw).

    .venv/bin/python registry_data/research/r-trattn/ratios.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
TABLES = HERE / "cudnn_sdpa_fb682ce"
SOURCE = ("https://github.com/NVIDIA/cudnn-frontend/tree/fb682ce761a2705e40f9b5d528737a3e0eb33cec/benchmark/"
          "sdpa_benchmark_training/results/llama3.1")
FILES = {"GB200 NVL72 GPU": ("gb200/llama3.1_20260424_100750.csv", "NVIDIA GB200"),
         "GB300 NVL72 GPU": ("gb300/llama3.1_20260424_100757.csv", "NVIDIA GB300")}
REFERENCE = {"nvidia-blackwell": "GB200 NVL72 GPU"}  # the device each family's training profile eta was measured on
DTYPES = {"bf16": "bfloat16", "fp8": "fp8"}  # catalog precision -> the tables' data_type
SHAPE = {"batch_size": 2, "q_seqlen": 8192, "kv_seqlen": 8192, "num_q_heads": 64, "num_kv_heads": 8,
         "head_dim_qk": 128, "head_dim_vo": 128}
COLUMN, SOURCE_COLUMN = "training_attention_time_ratio", "training_attention_time_ratio_source"


def layer_ms(hardware: str, precision: str) -> float:
    """fwd + fwd + bwd milliseconds of the table's call at SHAPE (cuDNN backend, causal, non-deterministic)."""
    name, gpu = FILES[hardware]
    t = pl.read_csv(TABLES / Path(name).name).filter(
        pl.col("backend") == "cudnn", pl.col("data_type") == DTYPES[precision], pl.col("attn_mask") == "top_left",
        ~pl.col("deterministic_bwd"), pl.col("gpu_name") == gpu, *(pl.col(c) == v for c, v in SHAPE.items()))
    by = dict(zip(t["profile_pass"], t["time_ms"], strict=True))
    if set(by) != {"fwd", "bwd"} or len(t) != 2:
        raise SystemExit(f"{name}: expected one fwd and one bwd row at {SHAPE} {precision}, got {t.height}")
    return 2.0 * by["fwd"] + by["bwd"]


def ratios(hardware: pl.DataFrame) -> pl.DataFrame:
    """(hardware, precision, ratio, source) of every measured device of a family with a measured reference."""
    peak = dict(zip(hardware["name"], hardware["peak_bf16_flop_per_s"], strict=True))
    family = dict(zip(hardware["name"], hardware["family"], strict=True))
    rows = []
    for device in FILES:
        ref = REFERENCE.get(family[device])
        if ref is None:
            continue
        base = layer_ms(ref, "bf16")
        for precision in DTYPES:
            ms = layer_ms(device, precision)
            rows.append({"hardware": device, "precision": precision, COLUMN: ms / base * peak[device] / peak[ref],
                         SOURCE_COLUMN: f"{SOURCE}/{FILES[device][0]} over {FILES[ref][0]} (reference {ref} "
                                        f"bf16): fwd+fwd+bwd {ms:.3f} / {base:.3f} ms x bf16 peak "
                                        f"{peak[device]:.3g} / {peak[ref]:.3g}; r-trattn"})
    return pl.DataFrame(rows)


def apply(registry: Path = REGISTRY) -> pl.DataFrame:
    path = registry / "kernel_efficiency.parquet"
    kernels = pl.read_parquet(path).drop(COLUMN, SOURCE_COLUMN, strict=False)
    r = ratios(pl.read_parquet(registry / "hardware.parquet"))
    # every row of the (hardware, precision), its "attention fit" rows too: they copy the default row's per-hardware
    # columns (r-fa2bw/kernel_rows.py), so either script may run first; the study reads the default row
    out = kernels.with_row_index("_i").join(r, on=["hardware", "precision"], how="left").sort("_i").drop("_i")
    missing = r.join(kernels, on=["hardware", "precision"], how="anti")
    if not missing.is_empty():
        raise SystemExit(f"kernel_efficiency has no row for {missing.select('hardware', 'precision').rows()}")
    write_catalog(out, "kernel_efficiency", registry, source="r-trattn/ratios.py")
    return out.filter(pl.col(COLUMN).is_not_null()).select("hardware", "precision", "efficiency_basis", COLUMN)


if __name__ == "__main__":
    pl.Config.set_tbl_rows(50)
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY))
