"""Issue 13 item 5 (registry_data/research/r-reg13e): the AWS Trn2 UltraServer cluster row traces every figure to
AWS's Neuron documentation source (aws-neuron/aws-neuron-sdk, read at a commit); its values equal the figures quoted
in registry_data/research/r-reg13e/quotes.md, and the hardware rows searched in this pass say what was tried."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog

QUOTES = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-reg13e" / "quotes.md"
GIB = 2**30
TRN2 = "AWS Trn2 UltraServer (64 Trainium2)"
# registry_data/research/r-quality/apply.py READ_THROUGH: a note sentence that reads a figure through a copy
READ_THROUGH = r"(?i)\bread (via|through)\b|transcri(ption|bed)|\bnot opened\b|re-host"


def _quotes() -> list[str]:
    return re.findall(r'quote: "(.*)"', QUOTES.read_text())


def _table_row(label: str) -> list[float | None]:
    """The two columns (trn2 instance, Trn2 UltraServer) of a quoted 'label | a | b' table row, as numbers."""
    [line] = [q for q in _quotes() if q.startswith(label + " |")]
    cells = [c.strip().replace(",", "") for c in line.split("|")[1:]]
    return [None if c == "Not applicable" else float(c) for c in cells]


def _row(frame: pl.DataFrame, name: str) -> dict:
    return frame.filter(pl.col("name") == name).row(0, named=True)


@pytest.fixture(scope="module")
def trn2() -> dict:
    return _row(read_catalog("clusters"), TRN2)


def test_trn2_ultraserver_is_primary_at_the_neuron_docs_commit(trn2):
    assert trn2["source_quality"] == "primary" and str(trn2["last_verified"]) == "2026-12-04"
    assert trn2["source_url"].startswith("https://github.com/aws-neuron/aws-neuron-sdk/blob/81ce03ae")
    assert trn2["notes"].startswith("2026-12-04 (r-reg13e): every figure traced to AWS's Neuron documentation source")
    assert not pl.Series([trn2["notes"]]).str.contains(READ_THROUGH).item()
    assert " | " not in trn2["notes"]  # one segment: the quotes do not split on the notes separator


def test_trn2_ultraserver_values_equal_the_quoted_table(trn2):
    chips_instance, chips_server = _table_row("# of Trainium2 chips")
    assert trn2["accelerators_per_node"] == chips_instance == 16
    assert trn2["scaleup_domain_size"] == chips_server == 64
    assert trn2["nodes"] == chips_server / chips_instance == 4  # 'comprises four trn2u.48xlarge instances'
    assert any("comprises four trn2u.48xlarge instances" in q for q in _quotes())
    efa_instance, _ = _table_row("EFAv3 bandwidth (Gbps)")
    assert trn2["nic_bandwidth_bits_per_s"] == efa_instance * 1e9 == 3.2e12 and trn2["nics_per_node"] == 1
    intra, _ = _table_row("Intra-instance NeuronLink-v3 bandwidth (GB/sec/chip)")
    _, inter = _table_row("Inter-instance NeuronLink-v3 bandwidth (GB/sec/chip)")
    assert (intra, inter) == (1024, 256)
    for column in ("scaleout_latency_s", "oversubscription_ratio", "checkpoint_storage_bandwidth_bytes_per_s",
                   "node_mtbf_s"):
        assert trn2[column] is None, column


def test_trainium2_row_times_16_is_the_quoted_instance_column():
    """Cross-check: the primary Trainium2 hardware row (667 BF16, 1,299 FP8 TFLOPS, 96 GiB, 2.9 TB/s per chip)
    times the instance's 16 chips gives the trn2.48xlarge column at its printed precision."""
    chip = _row(read_catalog("hardware"), "Trainium2")
    assert any(q == "1,299 FP8 TFLOPS" for q in _quotes()) and chip["peak_fp8_flop_per_s"] == 1299e12
    assert chip["peak_bf16_flop_per_s"] == 667e12 and chip["memory_bandwidth_bytes_per_s"] == 2.9e12
    assert round(16 * chip["peak_fp8_flop_per_s"] / 1e15, 1) == _table_row("FP8 PFLOPS")[0]
    assert round(16 * chip["peak_bf16_flop_per_s"] / 1e15, 1) == _table_row("FP16/BF16/TF32 PFLOPS")[0]
    assert 16 * chip["memory_capacity_bytes"] / GIB == _table_row("Device Memory (GiB)")[0]
    assert round(16 * chip["memory_bandwidth_bytes_per_s"] / 1e12, 1) == _table_row("Device Memory Bandwidth (TB/sec)")[0]


def test_searched_hardware_rows_stay_secondary_and_say_what_was_tried():
    hardware = read_catalog("hardware")
    secondary = hardware.filter((pl.col("source_quality") == "secondary")  # less r-v51fill's row
                                & ~pl.col("notes").str.contains("(r-v51fill)", literal=True))
    assert secondary.height == 32  # no hardware row traced in r-reg13e
    tried = secondary.filter(pl.col("notes").str.contains("2026-12-04 (r-reg13e):", literal=True))
    assert tried.height == 29  # every secondary row but the Apple and Xeon rows, not searched in this pass
    assert set(secondary["name"]) - set(tried["name"]) == {"M4 Max", "A17 Pro", "Xeon Platinum 8480+"}
    assert tried.filter(pl.col("last_verified") >= pl.date(2026, 12, 4)).height == 0  # last_verified not moved
