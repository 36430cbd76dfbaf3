"""Price a 4-bit element with its block scales in a registry's precisions catalog (r-fp4scale README): ``fp4``
becomes NVFP4 at 0.5 + 1/16 B (E2M1 + one E4M3 scale per 16 elements) and a storage-only ``mxfp4`` row is added at
0.5 + 1/32 B (E2M1 + one E8M0 scale per 32). Idempotent: a second run writes the same table. From the repository
root:

    .venv/bin/python registry_data/research/r-fp4scale/apply.py [REGISTRY]
"""

from __future__ import annotations

import datetime as dt
import sys

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

VERIFIED = dt.date(2026, 12, 7)
MODELOPT = ("https://github.com/NVIDIA/TensorRT-Model-Optimizer/blob/103b1bb137caefcff0724e9b74f99896b700c48c/"
            "modelopt/torch/quantization/config.py")
OCP_MX = "https://www.opencompute.org/documents/ocp-microscaling-formats-mx-v1-0-spec-final-pdf"

ROWS = {
    "fp4": {"bytes_per_element": 0.5 + 1.0 / 16.0, "peak_column": "peak_fp4_flop_per_s", "source_url": MODELOPT,
            "notes": "NVFP4 (every fp4 row of the catalog: NVIDIA ModelOpt NVFP4_DEFAULT_CFG checkpoints): E2M1 "
                     "element, 4 bits, + one E4M3 block scale per 16 elements (block_sizes {-1: 16}, scale_bits "
                     "(4, 3)) = 4.5 bits; the one FP32 scale per tensor is not counted. MXFP4 checkpoints: mxfp4"},
    "mxfp4": {"bytes_per_element": 0.5 + 1.0 / 32.0, "peak_column": None, "source_url": OCP_MX,
              "notes": "OCP MXFP4: E2M1 element, 4 bits, + one E8M0 block scale per 32 elements = 4.25 bits; "
                       "storage only: a row names its GEMMs' precision in compute_dtype (fp4 W4A4, fp8 W4A8)"},
}


def applied(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the ROWS set: an existing name's row replaced in its place, a new name appended."""
    names = frame["name"].to_list()
    template = frame.filter(pl.col("name") == "fp4").row(0, named=True)
    rows = [r | ({"last_verified": VERIFIED, "source_quality": "primary"} | ROWS[r["name"]] if r["name"] in ROWS
                 else {}) for r in frame.iter_rows(named=True)]
    rows += [template | {"name": n, "last_verified": VERIFIED, "source_quality": "primary"} | ROWS[n]
             for n in ROWS if n not in names]
    return pl.DataFrame(rows, schema=frame.schema)


def main(registry: str | None) -> None:
    frame = applied(read_catalog("precisions", registry))
    print(write_catalog(frame, "precisions", registry))
    print(frame.select("name", "bytes_per_element", "peak_column"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
