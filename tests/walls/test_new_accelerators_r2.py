"""Issue 13 item 1, second pass: the accelerators and clusters added from
registry_data/research/r-accel2/new_rows.py.

Each new row evaluates, and its ridge point is its dense peak over its bandwidth as the sources in the
row's notes state them (hand values below, with the arithmetic the notes give)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs

GIB = 1024 ** 3

# name, dtype, dense peak (FLOP/s), bandwidth (B/s), memory as built (B): hand values from each row's source
NEW = [
    ("RTX 5090", "bf16", 209.5e12, 1792e9, 32 * GIB),                  # RTX Blackwell WP Table 3: 209.5 / 419 sparse
    ("RTX 5090", "fp4", 3352e12 / 2, 1792e9, 32 * GIB),                # Table 3 FP4 1,676 / 3,352 sparse
    ("RTX 3090", "bf16", 142.4e12 / 2, 936e9, 24 * GIB),               # Table 3 RTX 3090 BF16 71.2 / 142.4
    ("RTX A6000", "bf16", 309.6e12 / 2, 768e9, 48 * GIB),              # GA102 WP Table 3: 154.8 / 309.6
    ("RTX 6000 Ada", "bf16", 728e12 / 2, 960e9, 48 * GIB),             # RTX PRO Blackwell WP Table 4: 364 / 728
    ("RTX PRO 6000 Blackwell Server Edition", "fp32", 120e12, 1597e9, 96 * GIB),  # Dec 2025 datasheet p. 3
    ("A40", "bf16", 299.4e12 / 2, 696e9, 48 * GIB),                    # A40 datasheet 149.7 | 299.4*
    ("A30", "fp16", 330e12 / 2, 933e9, 24 * GIB),                      # A30 datasheet 165 | 330*
    ("V100 PCIe 16GB", "fp16", 112e12, 900e9, 16 * GIB),               # V100 datasheet PCIe: 112 TFLOPS tensor (dense)
    ("MI210", "fp16", 181.0e12, 1.6e12, 64 * GIB),                     # AMD MI210 datasheet 181.0 TF (no sparsity)
    ("Jetson AGX Thor (T5000)", "fp4", 2070e12 / 2, 273e9, 128 * GIB),  # '2070 TFLOPS (FP4—Sparse)' / 2
    ("Jetson Orin Nano Super 8GB", "int8", 67e12 / 2, 102e9, 8 * GIB),  # 67 sparse INT8 TOPS / 2
]


def test_new_rows_carry_their_cited_memory_and_a_consistent_precision_ladder():
    hw = load_catalogs().table("hardware")
    names = sorted({n for n, *_ in NEW})
    new = hw.filter(pl.col("name").is_in(names))
    assert new.height == len(names)
    by = {r["name"]: r for r in new.iter_rows(named=True)}
    for name, _, _, bandwidth, memory in NEW:
        r = by[name]
        assert r["memory_capacity_bytes"] == memory and r["memory_bandwidth_bytes_per_s"] == bandwidth
        assert r["source_url"].startswith("https://") and r["last_verified"].isoformat() == "2026-12-03"
        ladder = [r[f"peak_{p}_flop_per_s"] for p in ("fp4", "fp8", "fp16", "tf32", "fp32")]
        known = [v for v in ladder if v is not None]
        assert known == sorted(known, reverse=True), name  # narrower formats are never slower
        if r["peak_fp16_flop_per_s"] and r["peak_bf16_flop_per_s"]:
            assert r["peak_fp16_flop_per_s"] == r["peak_bf16_flop_per_s"], name


def test_rtx_pro_6000_workstation_bf16_is_table_4_dense():
    hw = load_catalogs().table("hardware").filter(pl.col("name") == "RTX PRO 6000 Blackwell")
    assert hw["peak_bf16_flop_per_s"].item() == pytest.approx(503.8e12)  # Table 4: 503.8 dense BF16 (FP32 acc)
    assert hw["peak_fp16_flop_per_s"].item() is None                    # not read: stays null


# cluster, accelerators the source states in total (per_node x nodes must give it), scale-up domain
CLUSTERS = [
    ("Google Cloud TPU7x Ironwood pod (9216 chips)", 9216, 9216),        # 'a 9,216-chip footprint per Pod'
    ("AWS Trn3 Gen2 UltraServer (144 Trainium3)", 144, 144),            # '36 servers with 4 Trainium3 devices'
    ("AWS Trn2 UltraServer (64 Trainium2)", 64, 64),                    # '4 x trn2u.48xlarge = 64 Trainium2'
    ("AMD Instinct MI355X reference cluster (MI3XX 1K GPU tree design)", 1024, 8),  # 128 nodes x 8 GPUs
]


@pytest.mark.parametrize("name, total, domain", CLUSTERS)
def test_new_cluster_rows_match_their_sources_and_name_catalog_accelerators(name, total, domain):
    catalogs = load_catalogs()
    row = catalogs.table("clusters").filter(pl.col("name") == name).row(0, named=True)
    assert row["accelerators_per_node"] * row["nodes"] == total
    assert row["scaleup_domain_size"] == domain
    assert catalogs.table("hardware").filter(pl.col("name") == row["accelerator"]).height == 1


def test_trn3_ultraserver_nic_is_the_pages_efa_total_per_server():
    row = load_catalogs().table("clusters").filter(pl.col("name").str.starts_with("AWS Trn3 Gen2")).row(0, named=True)
    assert row["nic_bandwidth_bits_per_s"] * row["nics_per_node"] * row["nodes"] == pytest.approx(28_800e9)
