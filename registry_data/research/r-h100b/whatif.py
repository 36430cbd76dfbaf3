"""What-ifs on copies of the catalogs for the MLPerf Llama 2 70B Offline rows on H100 SXM / H200 SXM (nothing fitted,
the project's catalogs do not change). Each variant is a registry directory for ``mlsys validate --registry``:

- base: the catalogs as they are;
- fp8x1.1 / bwx1.1: the FP8 peak / the HBM bandwidth of every accelerator x 1.1, for the elasticity
  ln(pred_variant / pred_base) / ln(1.1) of each row (the share of its predicted time that input scales);
- share8: H100 SXM's FP8 ``sustained_fraction`` = H200 SXM's sustained share of its own MAMF (MSMF 1337 / MAMF
  1453.4 = 0.9199) instead of H200's MSMF in TFLOP/s (1337 / 1978.9 / 0.7088 = 0.9532; gemm_fit.SUSTAINED_AS);
- share: the same for bf16 / fp16 too (H200 MSMF / MAMF of the same runs, 755.5 / 852.1 = 0.8866, msmf.csv);
- mem: H100 SXM without its streaming-bandwidth fraction (0.936, one read-only reduction kernel), i.e. the
  efficiency profile's eta_memory that H200 SXM (no streaming benchmark in r-kernels) already takes.

    .venv/bin/python registry_data/research/r-h100b/whatif.py OUT_DIR
    .venv/bin/mlsys validate --measured OUT_DIR/rows.csv --registry OUT_DIR/VARIANT --out OUT_DIR/val-VARIANT
    .venv/bin/mlsys validate --registry OUT_DIR/VARIANT --out OUT_DIR/val-VARIANT-all        (whole catalog)
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

REGISTRY = Path(__file__).parents[2]
ROWS = pl.col("name").str.starts_with("mlperf-") & pl.col("model").eq("Llama 2 70B") & pl.col("hardware").is_in(
    ["H100 SXM5 80GB", "H200 SXM 141GB"])
H100 = pl.col("hardware") == "H100 SXM5 80GB"
# stas00/ml-engineering: H200 SXM FP8 MSMF "about 1337" (benchmarks/README.md, r-srv2/msmf.csv), FP8 MAMF 1453.4
# (compute/accelerator/README.md @744d01e line 374, r-kernels/gemm.csv); BF16 MSMF / MAMF 755.5 / 852.1 (msmf.csv)
SHARE = {"fp8": 1337 / 1453.4, "bf16": 755.5 / 852.1, "fp16": 755.5 / 852.1}
HARDWARE = {"fp8x1.1": {"peak_fp8_flop_per_s": 1.1}, "bwx1.1": {"memory_bandwidth_bytes_per_s": 1.1}}


def kernels(name: str, k: pl.DataFrame) -> pl.DataFrame:
    if name in ("share8", "share"):
        share = {p: s for p, s in SHARE.items() if name == "share" or p == "fp8"}
        return k.with_columns(sustained_fraction=pl.when(H100 & pl.col("precision").is_in(list(share))).then(
            pl.col("precision").replace_strict(share, default=None)).otherwise(pl.col("sustained_fraction")))
    if name == "mem":
        return k.with_columns(memory_fraction=pl.when(H100).then(None).otherwise(pl.col("memory_fraction")))
    return k


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rows = read_catalog("measurements", REGISTRY).filter(ROWS)
    rows.write_csv(out / "rows.csv")
    hardware, kernel = read_catalog("hardware", REGISTRY), read_catalog("kernel_efficiency", REGISTRY)
    for name in ("base", *HARDWARE, "share8", "share", "mem"):
        reg = out / name
        reg.mkdir(exist_ok=True)
        for f in REGISTRY.glob("*.*"):
            if f.is_file():
                shutil.copy(f, reg / f.name)
        scale = HARDWARE.get(name, {})
        write_catalog(hardware.with_columns(*(pl.col(c) * s for c, s in scale.items())), "hardware", reg)
        write_catalog(kernels(name, kernel), "kernel_efficiency", reg)
    print(f"{rows.height} rows -> {out / 'rows.csv'}; registries in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
