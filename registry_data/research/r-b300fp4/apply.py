"""The HGX B300's dense FP4 Tensor Core peak per GPU in the hardware catalog (r-b300fp4 README). Re-runnable and
idempotent (a second run changes nothing); run from the repository root, then regenerate the kernel catalog:

    .venv/bin/python registry_data/research/r-b300fp4/apply.py [registry_dir]
    .venv/bin/python -m pipeline.validation.gemm_fit

``B300 (HGX B300)``: ``peak_fp4_flop_per_s`` [FLOP/s] = NVIDIA's HGX page (the row's source_url), HGX B300 column,
"FP4 Tensor Core 144 PFLOPS | 108 PFLOPS", footnote "Specification in Sparse | Dense": the dense board figure, 108 PF
over its 8 GPUs. ``notes`` get one dated sentence with what was read and how (the row's other peaks agree with the same
table). The row stays source_quality secondary and ``last_verified`` does not move (the rule of r-reg13's passes):
the page itself is not in the search corpora and was read through copies that quote it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.paths import bundled_registry

ROW = "B300 (HGX B300)"
TAG = "2026-12-06 (r-b300fp4)"
HGX_FP4_DENSE_FLOP_PER_S = 108e15  # the HGX B300 column's "144 PFLOPS | 108 PFLOPS" (sparse | dense), 8 GPUs
GPUS = 8
PEAK_FP4 = HGX_FP4_DENSE_FLOP_PER_S / GPUS  # 13.5 PFLOPS per GPU
NOTE = (
    f"{TAG}: peak_fp4_flop_per_s 1.35e16 from NVIDIA's HGX page (the source_url), HGX B300 column: 'FP4 Tensor "
    "Core 144 PFLOPS | 108 PFLOPS' with the footnote 'Specification in Sparse | Dense' -> dense 108 PF / 8 GPUs = "
    "13.5 PF per GPU. The same column's 'FP8/FP6 Tensor Core 72 PFLOPS', 'FP16/BF16 36 PFLOPS', 'TF32 18 PFLOPS' "
    "(sparse; footnote 'Dense is 1/2 sparse spec shown') and 'FP32 600 TFLOPS' give this row's 4.5 PF, 2.25 PF, "
    "1.125 PF and 75 TF per GPU: no mismatch. The page itself is not in the search corpora (searched again); its "
    "table was read through copies that quote it, in files of the search tool's GitHub index: id 58309018497 (an "
    "audit that lists nvidia.com/en-us/data-center/hgx/ and /dgx-b300/ as fetched: 'HGX B300: 144 PFLOPS | 108 "
    "PFLOPS, footnote Specification in Sparse | Dense', DGX B300 the same), id 60750970350 (the HGX page's "
    "footnotes 1 'Specification in Sparse | Dense' and 2 'Specification in Sparse. Dense is 1/2 sparse spec "
    "shown.'), id 57732648109 (HGX B300 FP8/FP6 '72 PFLOPS' and FP16/BF16 '36 PFLOPS', as HGX B200). Not used: a "
    "copy of the Blackwell Ultra datasheet's per-GPU HGX B300 row 'FP4 Tensor Core 18 PFLOPS | 14 PFLOPS' (id "
    "60241949303; 8 x 14 = 112, not the board's 108), verda.com's per-GPU table (14 PF), glennklockwood.com "
    "(13,125 TF). 13.5 PF is also the GB300 NVL72 GPU's 15 PF dense FP4 at the HGX B300's lower clock, the two rows' "
    "bf16 ratio 2.25 / 2.5 (15 x 0.9 = 13.5). The row stays source_quality secondary; last_verified does not move.")


def with_fp4_peak(hardware: pl.DataFrame) -> pl.DataFrame:
    """``hardware`` with the HGX B300's FP4 peak and its dated note (once)."""
    if hardware.filter(pl.col("name") == ROW).height != 1:
        raise ValueError(f"hardware: expected one row named {ROW!r} (column name)")
    row = pl.col("name") == ROW
    noted = pl.col("notes").fill_null("").str.contains(TAG, literal=True)
    return hardware.with_columns(
        pl.when(row).then(pl.lit(PEAK_FP4)).otherwise(pl.col("peak_fp4_flop_per_s")).alias("peak_fp4_flop_per_s"),
        pl.when(row & ~noted).then(pl.concat_str(pl.col("notes"), pl.lit(" | " + NOTE)))
        .otherwise(pl.col("notes")).alias("notes"))


def main(registry: Path) -> None:
    before = read_catalog("hardware", registry)
    after = with_fp4_peak(before)
    if not after.equals(before):
        print(write_catalog(after, "hardware", registry, source=f"{registry}/hardware.parquet (r-b300fp4)"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
