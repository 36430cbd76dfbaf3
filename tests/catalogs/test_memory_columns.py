"""The hardware catalog's memory in the vendor's unit and the driver's usable total, and the
efficiency profiles' memory fractions (issue 12 item 1): values from the cited sources, and the
cross-column rules that keep them consistent."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.imports import import_csv
from pipeline.catalogs.io import export_csv, read_catalog, validate
from pipeline.errors import InputError

BUNDLED = Path(__file__).resolve().parents[2] / "registry_data"
GIB, MIB = 2**30, 2**20


@pytest.fixture(scope="module")
def hardware() -> pl.DataFrame:
    return read_catalog("hardware", BUNDLED)


@pytest.mark.parametrize("name, gib", [
    ("H100 SXM5 80GB", 80), ("A100 SXM4 40GB", 40), ("H200 SXM 141GB", 141), ("B200 (HGX B200)", 180),
    ("MI300X", 192), ("V100 SXM2 32GB", 32), ("L4", 24), ("TPU v5p", 95),
])
def test_capacity_is_the_vendors_binary_size(hardware, name, gib):
    """HBM and GDDR are built in powers of two: "80 GB" of HBM3 is 80 GiB (usable_memory.csv)."""
    assert hardware.filter(pl.col("name") == name)["memory_capacity_bytes"][0] == gib * GIB


@pytest.mark.parametrize("name, reported", [
    ("H100 SXM5 80GB", 81559 * MIB),  # nvidia-smi, NVIDIA/nccl#1264
    ("A100 SXM4 80GB", 81920 * MIB),  # nvidia-smi, modal-labs/modal-client#2797
    ("H200 SXM 141GB", 143771 * MIB),  # nvidia-smi, sgl-project/sglang#3196
    ("L4", 23034 * MIB),  # nvidia-smi, modal-labs/modal-client#2797 (GDDR6, ECC on)
    ("MI300X", 206_141_652_992),  # rocm-smi VRAM Total Memory (B)
    ("H100 PCIe 80GB", None), ("TPU v5p", None),  # no cited report / an unattributed one above the capacity
])
def test_usable_memory_is_the_cited_driver_total(hardware, name, reported):
    row = hardware.filter(pl.col("name") == name).row(0, named=True)
    assert row["usable_memory_bytes"] == reported
    assert (row["usable_memory_source_url"] is None) == (reported is None)


def test_no_driver_reports_more_than_is_built(hardware):
    with_report = hardware.filter(pl.col("usable_memory_bytes").is_not_null())
    assert with_report.height == 19  # 20 rows of usable_memory.csv, less TPU v5p's unattributed figure
    assert (with_report["usable_memory_bytes"] <= with_report["memory_capacity_bytes"]).all()


def test_a_usable_total_above_capacity_or_without_its_source_is_rejected(hardware):
    bad = hardware.with_columns(
        usable_memory_bytes=pl.when(pl.col("name") == "H100 SXM5 80GB").then(90e9)
        .otherwise(pl.col("usable_memory_bytes")),
        usable_memory_source_url=pl.when(pl.col("name") == "MI300X").then(None)
        .otherwise(pl.col("usable_memory_source_url")))
    with pytest.raises(InputError) as err:
        validate(bad, "hardware")
    text = str(err.value)
    assert "(H100 SXM5 80GB), column usable_memory_bytes: got 90000000000.0, expected <= memory_capacity_bytes" \
        in text
    assert "(MI300X), column usable_memory_source_url: got None, expected usable_memory_bytes and " \
        "usable_memory_source_url both set or both null" in text


def test_csv_round_trip_keeps_usable_memory(tmp_path):
    path = export_csv("hardware", tmp_path, BUNDLED)
    assert "usable_memory_bytes [B]" in path.read_text().splitlines()[0]
    import_csv(path, "hardware", tmp_path / "registry")
    assert read_catalog("hardware", tmp_path / "registry").equals(read_catalog("hardware", BUNDLED))


def test_memory_fractions_are_the_frameworks_documented_defaults():
    profiles = read_catalog("efficiency_profiles", BUNDLED).filter(pl.col("memory_fraction").is_not_null())
    got = {(r["framework"], r["memory_fraction"], r["memory_fraction_of"])
           for r in profiles.iter_rows(named=True)}
    # vLLM gpu_memory_utilization 0.9 of the total; TensorRT-LLM free_gpu_memory_fraction 0.9 of the free memory;
    # the Triton backend's kv_cache_free_gpu_mem_fraction 0.9 "of GPU memory (after loading the model)"
    assert got == {("vLLM", 0.9, "total"), ("TensorRT-LLM", 0.9, "free"), ("TensorRT-LLM Triton", 0.9, "free"),
                   ("default", 0.9, "total")}
    assert set(profiles["workload"]) == {"inference"}


def test_a_fraction_without_its_meaning_is_rejected():
    profiles = read_catalog("efficiency_profiles", BUNDLED)
    bad = profiles.with_columns(memory_fraction_of=pl.when(pl.col("framework") == "vLLM").then(None)
                                .otherwise(pl.col("memory_fraction_of")))
    with pytest.raises(InputError, match="memory_fraction_of: got None, expected memory_fraction, "
                                         "memory_fraction_of and memory_fraction_source_url all set or all null"):
        validate(bad, "efficiency_profiles")
