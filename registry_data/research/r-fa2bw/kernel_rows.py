"""Add (or replace) the kernel_efficiency "attention fit" rows of FlashAttention-2 on B200 and GB200: the flash-attn 2
package that every Blackwell MLPerf BERT run calls (r-bertbw), which has no SM100 kernels.

The ceiling is the attention fit's own (``pipeline.validation.attention_fit.ceilings``: the median of achieved /
(peak x the shape factor) over the kernel's forward rows) on r-kernels/attention.csv's six FlashAttention-2 B200 rows
(flash_attn 2.7.4.post1, head dim 64, s 512-16384, github.com/Dao-AILab/flash-attention/issues/1589), at the s_half
and d_half the catalog's rows already hold (the shared fit), so a replay after a refit of the shared law keeps them
consistent. GB200 NVL72's GPU is the B200 die (the same 148 SMs and tensor cores; gemm_fit.TRANSFER gives it B200's
unit count): no GB200 FlashAttention-2 benchmark was found, so its rows carry B200's ceiling, said in the notes.
fp16 takes bf16's (as attention_fit does). Idempotent: the FlashAttention-2 rows are dropped and rebuilt each run.

    .venv/bin/python registry_data/research/r-fa2bw/kernel_rows.py [REGISTRY]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.studies.kernels import ATTENTION_FIT
from pipeline.validation.attention_fit import attention_rows, ceilings, predict_time

REGISTRY = Path(__file__).parent.parent.parent
KERNEL = "FlashAttention-2"
MEASURED_ON = "B200 (HGX B200)"
SAME_SILICON = ("B200 (HGX B200)", "GB200 NVL72 GPU")
URL = "https://github.com/Dao-AILab/flash-attention/issues/1589"
# null on an attention-fit row (the default row's GEMM fit prices the GEMMs); the per-hardware memory fraction and
# fixed times stay the default row's, so a reader of one value per hardware finds one
GEMM = ("units", "tile_m", "tile_n", "ceiling", "best_fraction", "ceiling_source", "sustained_fraction",
        "sustained_source", "k_half")


def fa2_rows(registry: Path) -> pl.DataFrame:
    """attention_fit's forward rows of FlashAttention-2 on B200 (the kernel column names the package version)."""
    return attention_rows(registry).filter(pl.col("hardware") == MEASURED_ON,
                                           pl.col("kernel").str.starts_with(KERNEL + " "))


def build(catalog: pl.DataFrame, registry: Path) -> pl.DataFrame:
    """``catalog`` without any FlashAttention-2 attention-fit row, plus the rebuilt ones."""
    base = catalog.filter(~((pl.col("efficiency_basis") == ATTENTION_FIT) & (pl.col("attention_kernel") == KERNEL)))
    defaults = base.filter(pl.col("efficiency_basis") != ATTENTION_FIT)
    template = defaults.filter(pl.col("hardware") == MEASURED_ON, pl.col("precision") == "bf16")
    s_half, d_half = template["attention_s_half"].item(), template["attention_d_half"].item()
    rows = fa2_rows(registry)
    ceil = ceilings(rows, s_half, d_half)
    in_sample = predict_time(rows, ceil, s_half, d_half)["error"].abs().median()
    note = (f"FlashAttention-2 (flash_attn 2.7.4.post1) alone: the ceiling is attention_fit's median of achieved / "
            f"(peak x shape) over its {rows.height} forward B200 rows ({URL}), at the shared s_half and d_half; "
            "GEMM columns: the (hardware, precision) kernel-fit row. Added by registry_data/research/r-fa2bw/"
            "kernel_rows.py; runs that call flash-attn 2 (MLPerf BERT on Blackwell, USE_FLASH_ATTENTION=1) name it.")
    added = defaults.filter(pl.col("hardware").is_in(SAME_SILICON), pl.col("precision").is_in(["bf16", "fp16"]))
    added = added.with_columns(
        pl.col(c).fill_null(template[c].item()) for c in ("attention_s_half", "attention_d_half")).with_columns(
        pl.lit(None).cast(catalog.schema[c]).alias(c) for c in GEMM).with_columns(
        source_url=pl.lit(URL), efficiency_basis=pl.lit(ATTENTION_FIT), attention_kernel=pl.lit(KERNEL),
        attention_ceiling=pl.lit(ceil["ceiling"].item()), attention_fit_rows=pl.lit(rows.height),
        attention_fit_sources=pl.lit(rows["source"].n_unique()),
        attention_in_sample_median_abs_error=pl.lit(float(in_sample)),
        notes=pl.when(pl.col("hardware") == MEASURED_ON).then(pl.lit(note)).otherwise(pl.lit(
            note + " GB200 NVL72's GPU is the B200 die (148 SMs, the same tensor cores): no GB200 FlashAttention-2 "
            "benchmark was found, so B200's ceiling.")))
    return pl.concat([base, added.select(catalog.columns).cast(catalog.schema)])


def main(registry: Path = REGISTRY) -> None:
    path = registry / "kernel_efficiency.parquet"
    new = build(pl.read_parquet(path), registry)
    print(new.filter(pl.col("attention_kernel") == KERNEL).select("hardware", "precision", "efficiency_basis",
                                                                  "attention_ceiling", "attention_s_half"))
    print(write_catalog(new, "kernel_efficiency", registry, source=f"{path} after r-fa2bw/kernel_rows.py"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY)
