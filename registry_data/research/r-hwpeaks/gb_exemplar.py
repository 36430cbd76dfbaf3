"""NOT APPLIED (r-hwpeaks README): the GB200 / GB300 NVL72 GPU rows at NVIDIA's exemplar-performance peak table
instead of the NVL72 rack datasheets / 72, for the lead to weigh. Run from the repository root, then regenerate the
kernel catalog (gemm_fit, r-rtxfp4/apply.py, r-trattn/ratios.py):

    .venv/bin/python registry_data/research/r-hwpeaks/gb_exemplar.py [registry_dir]

NVIDIA exemplar-performance README @e249aa3c, 'Peak Theoretical Throughput' (non-sparse TFLOPS per GPU): GB300 BF16
2450, FP8 4900, NVFP4 14700; GB200 BF16 2450, FP8 4900, NVFP4 9800. FP16 is set with BF16 (one rate on Blackwell, as
the rows have it); TF32, INT8 and FP32 are not in the table and are left as they are.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.paths import bundled_registry

TAG = "2026-12-07 (r-hwpeaks gb_exemplar)"
PEAKS = {  # name: (bf16 = fp16, fp8, fp4) FLOP/s
    "GB200 NVL72 GPU": (2450e12, 4900e12, 9800e12),
    "GB300 NVL72 GPU": (2450e12, 4900e12, 14700e12),
}
NOTE = (f"{TAG}: bf16 / fp16, fp8 and fp4 peaks set to NVIDIA's exemplar-performance 'Peak Theoretical Throughput' "
        "(non-sparse, per GPU), 2 % below the NVL72 datasheet / 72 they replace.")


def with_exemplar(hardware: pl.DataFrame) -> pl.DataFrame:
    table = pl.DataFrame({"name": list(PEAKS), "bf16": [v[0] for v in PEAKS.values()],
                          "fp8": [v[1] for v in PEAKS.values()], "fp4": [v[2] for v in PEAKS.values()]})
    out = hardware.join(table, on="name", how="left")
    new = pl.col("bf16").is_not_null() & ~pl.col("notes").str.contains(TAG, literal=True)
    return out.with_columns(
        pl.coalesce("bf16", "peak_bf16_flop_per_s").alias("peak_bf16_flop_per_s"),
        pl.coalesce("bf16", "peak_fp16_flop_per_s").alias("peak_fp16_flop_per_s"),
        pl.coalesce("fp8", "peak_fp8_flop_per_s").alias("peak_fp8_flop_per_s"),
        pl.coalesce("fp4", "peak_fp4_flop_per_s").alias("peak_fp4_flop_per_s"),
        pl.when(new).then(pl.concat_str(pl.col("notes"), pl.lit(" | " + NOTE))).otherwise(pl.col("notes"))
        .alias("notes")).select(hardware.columns)


def main(registry: Path) -> None:
    before = read_catalog("hardware", registry)
    after = with_exemplar(before)
    if not after.equals(before):
        print(write_catalog(after, "hardware", registry, source=f"{registry}/hardware.parquet (gb_exemplar)"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
