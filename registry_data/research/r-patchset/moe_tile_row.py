"""r-moetile's efficiency-profile row on today's catalog (moe_tile.patch's parquet hunk no longer applies): the
"Inference SGLang H200 FP8 MoE tile" row, framework behaviour only, inserted before the NVIDIA MLPerf harness row
(its place in moe_tile.patch, which r-accwire2's test needs). Its values are r-moetile's row as written
(moe_tile.patch, blob c48e82b4): BLOCK_SIZE_M 16 up to 768 tokens, from SGLang's shipped H200 JSON (lines 3-99, key
1024 states 64, line 107). Idempotent. From the repository root:

    .venv/bin/python registry_data/research/r-patchset/moe_tile_row.py [REGISTRY]
"""

from __future__ import annotations

import datetime as dt
import sys

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

JSON = ("https://github.com/sgl-project/sglang/blob/a30914814bdd6a1c4f7e854b41eb3b8451bf8bab/python/sglang/srt/layers/"
        "moe/fused_moe_triton/configs/triton_3_3_1/E%3D257%2CN%3D256%2Cdevice_name%3DNVIDIA_H200%2Cdtype%3Dfp8_w8a8"
        "%2Cblock_shape%3D%5B128%2C%20128%5D.json")
NAME = "Inference SGLang H200 FP8 MoE tile"
BEFORE = "Inference TensorRT (NVIDIA MLPerf harness)"
ROW = {"source_url": JSON, "last_verified": dt.date(2026, 12, 7), "source_quality": "primary", "profile": NAME,
       "workload": "inference", "precision": "fp8", "framework": "SGLang", "hardware_family": "nvidia-hopper",
       "source": "SGLang fused_moe_triton shipped config (H200, fp8_w8a8, block [128, 128])",
       "moe_tile_m": 16.0, "moe_tile_max_tokens": 768.0, "moe_tile_source_url": JSON,
       "notes": "Framework behaviour only (every eta and other term: a less specific SGLang row's). moe_tile_m 16: "
                "BLOCK_SIZE_M of every key 1-512 of SGLang's H200 JSON for E=257, N=256 (DeepSeek-V3/R1 TP8 with "
                "the shared expert fused), lines 3-99; key 1024 states 64 (line 107); the kernel takes the key "
                "nearest the call's tokens (fused_moe_triton_config.py try_get_optimal_moe_config @c050f40d), so 16 "
                "up to 768 tokens. Only this shape is stated: SGLang's default rule for fp8 (get_default_config) is "
                "64 rows (128 above E tokens), the kernel model's floor. registry_data/research/r-moetile."}


def with_row(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ROW before BEFORE (replacing a row of the same name), every other column null."""
    rest = frame.filter(pl.col("profile") != NAME)
    row = pl.DataFrame([{c: ROW.get(c) for c in frame.columns}], schema=frame.schema)
    at = rest["profile"].to_list().index(BEFORE)
    return pl.concat([rest.head(at), row, rest.slice(at)])


def main(registry: str | None) -> None:
    print(write_catalog(with_row(read_catalog("efficiency_profiles", registry)), "efficiency_profiles", registry))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
