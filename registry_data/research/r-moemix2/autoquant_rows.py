"""The NVIDIA Mixtral 8x7B MLPerf rows' weight formats as NVIDIA's configs state them (a what-if, not a catalog change).

NVIDIA's Mixtral checkpoints are ModelOpt AutoQuantize mixes, not one format: `mtq.auto_quantize(..., constraints=
{"effective_bits": b}, quantization_formats=[NVFP4, FP8, None])` on Blackwell, `[FP8, None]` on Hopper (None: the
layer stays FP16), per layer (closed/NVIDIA/code/mixtral-8x7b/modelopt/quantize.py, mlcommons/inference_results_v5.1
@965182b0); the configs set b = 7.25 on Blackwell (closed/NVIDIA/configs/B200-SXM-180GBx8/Offline/
mixtral-8x7b.py; v5.0: NVIDIA's `BlackwellOfflineGPUBaseConfig` in Quanta's copy, ntuhpc/mlperf_inference_results_v5.0
@cf354115 closed/Quanta_Cloud_Technology/configs/mixtral-8x7b/Offline/__init__.py) and 8.75 on Hopper (the same file's
`HopperOfflineGPUBaseConfig`; the modelopt README's H200 example 8.5). The catalog states the v5.0 B200 rows as fp4
(NVIDIA's calibration.md: "FP8 or FP4 if the NVIDIA accelerator supports that feature").

What b fixes: with parameter shares a (4-bit), f (8-bit), h (16-bit), 4a + 8f + 16h = b and a + f + h = 1, so
a = (8 - b)/4 + 2h: at b = 7.25 between 18.75 % (no FP16 layer) and 73 % FP4. If a GEMM's time is proportional to its
format's bits (Blackwell's dense FP4 : FP8 : FP16 tensor rates 2 : 1 : 1/2, and the weight bytes alike), the mix runs
at b / 8 of the all-FP8 time whatever the split: 0.906 on B200 at 7.25, 1.094 on Hopper at 8.75.

Writes, for `mlsys validate --measured` (a what-if: no catalog changes):
- b200_fp4.csv / b200_fp8.csv: the v5.0 B200 Mixtral rows as the catalog states them (fp4) and restated at fp8;
- mix.csv + registry/: the rows whose config states b (v5.0 NVIDIA B200 and H200, v5.1 ASUSTeK H200; not v4.1, whose
  checkpoint is plain `quantize.py --qformat=fp8`) at fp8, and a copy of the catalogs whose FP8 peak is scaled by
  8 / b (B200 x 8/7.25, H200 x 8/8.75): every FP8 FLOP of those rows then takes b/8 of its time. It also scales the
  rows' attention and other FP8 work, and leaves the weight bytes at 1 B/param: a bound for the compute-bound rows.
Run from the repository root:
    .venv/bin/python registry_data/research/r-moemix2/autoquant_rows.py OUT_DIR
    .venv/bin/mlsys validate --measured OUT_DIR/b200_fp4.csv --out OUT_DIR/val-fp4   (and b200_fp8.csv)
    .venv/bin/mlsys validate --measured OUT_DIR/mix.csv --out OUT_DIR/val-before
    .venv/bin/mlsys validate --measured OUT_DIR/mix.csv --registry OUT_DIR/registry --out OUT_DIR/val-mix
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

REGISTRY = Path(__file__).parents[2]
ROWS = r"^mlperf-inf-v5\.0-nvidia-b200-.*mixtral"
# The rows whose submitter's config states AutoQuantize's effective bits, by hardware (the files named above; ASUSTeK
# v5.1: closed/ASUSTeK/configs/ESC_N8_H200-SXM-141GBx8/Offline/mixtral-8x7b.py and Server/, 'effective_bits': 8.75)
MIX_ROWS = r"^mlperf-inf-v5\.0-nvidia-(b200|h200)-.*mixtral|^mlperf-inf-v5\.1-asustek-esc-n8-h200.*mixtral"
EFFECTIVE_BITS = {"B200 (HGX B200)": 7.25, "H200 SXM 141GB": 8.75}


def split(bits: float, fp16_share: float) -> tuple[float, float, float]:
    """(4-bit, 8-bit, 16-bit) parameter shares of an AutoQuantize mix at ``bits`` effective bits with ``fp16_share``
    left unquantized: 4a + 8f + 16h = bits, a + f + h = 1."""
    a = (8 - bits) / 4 + 2 * fp16_share
    return a, 1 - a - fp16_share, fp16_share


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rows = read_catalog("measurements", REGISTRY).filter(pl.col("name").str.contains(ROWS))
    if rows.is_empty():
        raise SystemExit(f"measurements.parquet: no row matches {ROWS!r}")
    rows.write_csv(out / "b200_fp4.csv")
    rows.with_columns(compute_dtype=pl.lit("fp8"), weight_dtype=pl.lit("fp8")).write_csv(out / "b200_fp8.csv")
    mix = read_catalog("measurements", REGISTRY).filter(pl.col("name").str.contains(MIX_ROWS))
    mix.with_columns(compute_dtype=pl.lit("fp8"), weight_dtype=pl.lit("fp8")).write_csv(out / "mix.csv")
    (out / "registry").mkdir(exist_ok=True)
    for f in REGISTRY.glob("*.*"):
        if f.is_file():
            shutil.copy(f, out / "registry" / f.name)
    hardware = read_catalog("hardware", REGISTRY)
    scale = pl.col("name").replace_strict({h: 8.0 / b for h, b in EFFECTIVE_BITS.items()}, default=1.0)
    write_catalog(hardware.with_columns(peak_fp8_flop_per_s=pl.col("peak_fp8_flop_per_s") * scale), "hardware",
                  out / "registry")
    print(f"{mix.height} rows -> {out / 'mix.csv'}; FP8 peak x 8/b in {out / 'registry'}")
    for h in (0.0, 0.1, 0.27):
        a, f, h = split(7.25, h)
        print(f"b = 7.25, FP16 share {h:.2f}: FP4 {a:.4f}, FP8 {f:.4f}; time / all-FP8 "
              f"{0.5 * a + f + 2 * h:.4f}")
    print(f"{rows.height} rows -> {out / 'b200_fp4.csv'}, {out / 'b200_fp8.csv'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/moemix2"))
