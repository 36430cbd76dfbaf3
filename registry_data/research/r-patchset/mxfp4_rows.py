"""What-if (F2 in README.md): the GPT-OSS rows of a registry copy's measurements catalog name ``weight_dtype mxfp4``
instead of ``fp4``, as fp4scale.patch's design asks of MXFP4 checkpoints (r-fp4scale README §2; GPT-OSS ships its
routed experts in MXFP4, r-gptoss README "Checkpoint precision"). Only on a copy: the bundled rows are written by
r-gptoss / r-v60 / r-gptisl scripts whose replay tests compare bytes, so the port belongs in those scripts.

    PYTHONPATH=. .venv/bin/python registry_data/research/r-patchset/mxfp4_rows.py REGISTRY_COPY
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

GPT_OSS_FP4 = pl.col("model").str.starts_with("GPT-OSS") & (pl.col("weight_dtype") == "fp4")


def renamed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(weight_dtype=pl.when(GPT_OSS_FP4).then(pl.lit("mxfp4")).otherwise(pl.col("weight_dtype")))


def main(registry: str) -> None:
    frame = read_catalog("measurements", registry)
    print(frame.filter(GPT_OSS_FP4).height, "rows ->", write_catalog(renamed(frame), "measurements", registry))


if __name__ == "__main__":
    main(sys.argv[1])
