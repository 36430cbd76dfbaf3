"""Issue 13 item 1, third pass: A10G, H20 and H800 SXM5 from registry_data/research/r-accel3/new_rows.py.

Each row evaluates, its ridge point is its dense peak over its bandwidth as the copies quoted in the row's notes
state them (hand values below), memory is as built (binary GiB, like the A10/H100 rows), and every row is
flagged secondary (no NVIDIA datasheet was read for any of the three)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs

GIB = 1024 ** 3

# name, dtype, dense peak (FLOP/s), bandwidth (B/s), memory as built (B): hand values from each row's copies
NEW = [
    ("A10G", "bf16", 140e12 / 2, 600e9, 24 * GIB),             # A10G datasheet via copies: 70 dense (140 with sparsity)
    ("H20", "fp16", 148e12, 4.0e12, 96 * GIB),                 # 'FP16稠密算力为148TFLOPS', 4.0 TB/s, 96 GB HBM3
    ("H20", "fp8", 296e12, 4.0e12, 96 * GIB),                  # 'FP8達到296TFLOPS'
    ("H800 SXM5 80GB", "bf16", 1979e12 / 2, 3.35e12, 80 * GIB),  # datasheet copy 1979 sparse; DeepSeek: 990, 3.35 TB/s
    ("H800 SXM5 80GB", "fp8", 3958e12 / 2, 3.35e12, 80 * GIB),   # datasheet copy 3958 sparse
]


def test_rows_carry_memory_as_built_links_per_direction_and_secondary_quality():
    hw = load_catalogs().table("hardware")
    names = sorted({n for n, *_ in NEW})
    by = {r["name"]: r for r in hw.filter(pl.col("name").is_in(names)).iter_rows(named=True)}
    assert sorted(by) == names
    for name, _, _, bandwidth, memory in NEW:
        r = by[name]
        assert r["memory_capacity_bytes"] == memory and r["memory_bandwidth_bytes_per_s"] == bandwidth
        assert r["source_quality"] == "secondary", name
        assert r["last_verified"].isoformat() == "2026-12-03"
        known = [v for v in (r[f"peak_{p}_flop_per_s"] for p in ("fp8", "bf16", "tf32", "fp32")) if v is not None]
        assert known == sorted(known, reverse=True), name
    # NVLink per direction = half the quoted bidirectional figure: H20 900 GB/s, H800 400 GB/s (vs the H100's 900)
    assert by["H20"]["scaleup_link_bandwidth_bytes_per_s"] == 900e9 / 2 and by["H20"]["scaleup_domain_size"] == 8
    assert by["H800 SXM5 80GB"]["scaleup_link_bandwidth_bytes_per_s"] == 400e9 / 2
    assert by["A10G"]["scaleup_domain_size"] == 1 and by["A10G"]["scaleup_link_bandwidth_bytes_per_s"] is None
    # copies disagree on the H20's and H800's power (400 vs 500 W; 700 vs 550 W): left empty, not guessed
    assert by["H20"]["tdp_w"] is None and by["H800 SXM5 80GB"]["tdp_w"] is None
    assert by["A10G"]["tdp_w"] == 300.0  # nvidia-smi power cap on G5 as users report it


def test_a10g_is_not_given_the_a10s_tensor_rate():
    hw = load_catalogs().table("hardware").filter(pl.col("name").is_in(["A10", "A10G"]))
    peaks = dict(zip(hw["name"], hw["peak_bf16_flop_per_s"]))
    assert peaks["A10"] == 125e12 and peaks["A10G"] == 70e12  # A10 datasheet 125 dense; A10G datasheet 70 dense


def test_new_rows_get_a_profile_eta_kernel_row_per_precision_they_have():
    ke = load_catalogs().table("kernel_efficiency")
    got = ke.filter(pl.col("hardware").is_in(["A10G", "H20", "H800 SXM5 80GB"]))
    # int8 is a kernel-catalog precision since issue 12's int8 GEMM rows; A10G's int8 peak is null
    assert set(zip(got["hardware"], got["precision"])) == {
        ("A10G", "bf16"), ("A10G", "fp16"), ("H20", "bf16"), ("H20", "fp16"), ("H20", "fp8"), ("H20", "int8"),
        ("H800 SXM5 80GB", "bf16"), ("H800 SXM5 80GB", "fp16"), ("H800 SXM5 80GB", "fp8"),
        ("H800 SXM5 80GB", "int8")}
    assert set(got["efficiency_basis"]) == {"profile η"}
