"""Issue 13 item 1: the accelerators added from registry_data/research/r-accel/new_rows.py.

Each new row evaluates, and its ridge point is its dense peak over its bandwidth as the notes state them
(figures from the vendor material cited in each row, computed here by hand)."""

from __future__ import annotations

import pytest

import pipeline
import polars as pl

from pipeline.catalogs.load import load_catalogs
from tests.walls.test_new_accelerators_r2 import NEW as NEW_R2
from tests.walls.test_new_accelerators_r3 import NEW as NEW_R3

GIB = 1024 ** 3

# name, dtype, dense peak (FLOP/s), bandwidth (B/s), memory as built (B): hand values from each row's source
NEW = [
    ("B300 (HGX B300)", "bf16", 36e15 / 8 / 2, 7.7e12, 270 * GIB),       # HGX B300 36 PF sparse / 8 GPUs / 2
    ("GB300 NVL72 GPU", "bf16", 180e15 / 72, 576e12 / 72, 278 * GIB),   # rack 180 PF, 576 TB/s, 20 TB / 72 = 277.8
    ("MI355X", "fp8", 8192 * 256 * 2.4e9, 8e12, 288 * GIB),             # ISSCC 8,192 FLOP/clk/CU x 256 CU x 2.4 GHz
    ("MI350X", "fp16", 8192 * 256 * 2.2e9 / 2, 8e12, 288 * GIB),        # same at 2.2 GHz, FP16 = FP8 / 2
    ("L40", "fp16", 181.05e12, 864e9, 48 * GIB),                       # L40 datasheet dense FP16
    ("H200 NVL 141GB", "fp8", 3341e12 / 2, 4.8e12, 141 * GIB),         # H200 NVL column 3,341 sparse / 2
    ("TPU v7 (Ironwood)", "fp8", 4614e12, 7.38e12, 192 * GIB),         # Google TPU7x table (7,380 GBps)
    ("TPU v3", "bf16", 123e12, 900e9, 32 * GIB),                       # Google TPU v3 table
    ("Trainium3", "bf16", 671e12, 4.9e12, 144 * GIB),                  # AWS Neuron Trainium3 page
    ("V100 SXM2 16GB", "fp16", 125e12, 900e9, 16 * GIB),               # V100 datasheet, SXM2 column
    ("MI300A", "fp16", 980.6e12, 5.3e12, 128 * GIB),                   # AMD MI300A data sheet
    ("DGX Spark (GB10)", "fp4", 1e15 / 2, 273e9, 128 * GIB),           # 1 PF FP4 with sparsity / 2
    ("RTX PRO 6000 Blackwell", "fp4", 4000e12 / 2, 1792e9, 96 * GIB),  # 4,000 AI TOPS (sparse FP4) / 2
]


# every round of new accelerators (this file, _r2, _r3): each evaluates at its cited dense peak
@pytest.mark.parametrize("name, dtype, peak, bandwidth, memory", NEW + NEW_R2 + NEW_R3)
def test_new_accelerator_evaluates_with_its_cited_peak(name, dtype, peak, bandwidth, memory):
    row = pipeline.evaluate(model="Llama 2 7B", hardware=name, batch=1, compute_dtype=dtype).row(0, named=True)
    assert row["ridge_point_flop_per_byte"] == pytest.approx(peak / bandwidth, rel=1e-3)
    assert row["latency_s"] > 0 and row["memory_time_s"] > 0


def test_new_rows_carry_their_cited_memory_and_a_consistent_precision_ladder():
    hw = load_catalogs().table("hardware")
    new = hw.filter(pl.col("name").is_in([n for n, *_ in NEW]))
    assert new.height == len(NEW)
    by = {r["name"]: r for r in new.iter_rows(named=True)}
    for name, _, _, bandwidth, memory in NEW:
        r = by[name]
        assert r["memory_capacity_bytes"] == memory and r["memory_bandwidth_bytes_per_s"] == bandwidth
        assert r["source_url"].startswith("https://") and r["notes"]
        # narrower formats are never slower; FP16 and BF16 run at one rate on every part added here
        ladder = [r[f"peak_{p}_flop_per_s"] for p in ("fp4", "fp8", "fp16", "tf32", "fp32")]
        known = [v for v in ladder if v is not None]
        assert known == sorted(known, reverse=True), name
        if r["peak_fp16_flop_per_s"] and r["peak_bf16_flop_per_s"]:
            assert r["peak_fp16_flop_per_s"] == r["peak_bf16_flop_per_s"], name
