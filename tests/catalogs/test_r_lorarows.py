"""registry_data/research/r-lorarows: the clusters of two MLPerf v5.1 llama2_70b_lora systems as their system
description JSONs state them, the cells of three rows replayed by apply.py (typed to their columns, cited in the
notes once), and a second run of either script changing nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.catalogs.research import bundled_row, script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-lorarows"
REGISTRY = HERE.parent.parent
DELL_B200 = "mlperf-train-v5.1-dell-1xxe9680lx8b200-sxm-180gb-llama2-70b-lora-step"
THEIA_ROW = "mlperf-train-v5.1-nvidia-theia-ngpu512-ngc25.09-nemo-llama2-70b-lora-step"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_lorarows_apply")


@pytest.fixture(scope="module")
def clusters():
    return script(HERE / "clusters.py", "r_lorarows_clusters")


def test_theia_holds_the_runs_512_gpus_in_nvl72_domains(clusters):
    """theia_ngpu512 JSON: number_of_nodes '128', accelerators_per_node '4', '4x ConnectX-8 IB XDR 800 Gb/s'."""
    row = bundled_row("clusters", clusters.THEIA)
    assert row["nodes"] * row["accelerators_per_node"] == 512 == bundled_row("measurements", THEIA_ROW)["devices"]
    assert row["scaleup_domain_size"] == 72 and row["nics_per_node"] == 4
    assert row["nic_bandwidth_bits_per_s"] == 800e9 and row["accelerator"] == "GB300 NVL72 GPU"
    assert row["source_url"].endswith("NVIDIA/systems/theia_ngpu512_ngc25.09_nemo.json")


def test_mi350x_node_is_one_xgmi_domain_of_eight(clusters):
    """MI350X JSON: number_of_nodes '1', accelerators_per_node '8', XGMI, '6 x 40Gbit/s' host NICs."""
    row = bundled_row("clusters", clusters.MI350X)
    assert (row["nodes"], row["accelerators_per_node"], row["scaleup_domain_size"]) == (1, 8, 8)
    assert (row["nics_per_node"], row["nic_bandwidth_bits_per_s"], row["scaleout_latency_s"]) == (6, 40e9, None)


def test_dell_b200_row_states_the_fp4_config_it_ran():
    """config_1xXE9680Lx8B200-SXM-180GB.sh: CP=2 and config_common_fp4.sh (FP4=True); the log's 2 accumulation steps
    at global batch 8 on 8 GPUs are dp 4 = 8 / cp 2 (tp = pp = microbatch = 1)."""
    row = bundled_row("measurements", DELL_B200)
    assert (row["compute_dtype"], row["cp"], row["activation_func_fp8_input_store"]) == ("fp4", 2, False)
    assert row["batch"] // (row["devices"] // (row["cp"] * (row["tp"] or 1) * (row["pp"] or 1))) == 2
    assert "config_1xXE9680Lx8B200-SXM-180GB.sh#L10" in row["notes"]
    # the earlier config sentence is replaced (notes.csv), r-t51's "Precision <dtype>: " convention kept
    assert "Precision fp4: " in row["notes"] and "Precision fp8" not in row["notes"]
    assert "config_DGXB200_1x8x1xtp1pp1cp1.sh line 9" not in row["notes"]
    assert str(row["last_verified"]) == "2026-12-06"  # dates the result log, which the cells leave


def test_replay_is_idempotent_and_touches_only_its_cells(apply, clusters, tmp_path):
    for table in ("measurements", "clusters"):
        shutil.copy(REGISTRY / f"{table}.parquet", tmp_path / f"{table}.parquet")
    clusters.apply(tmp_path)
    assert apply.apply(tmp_path) == 5
    once = pl.read_parquet(tmp_path / "measurements.parquet")
    clusters.apply(tmp_path)
    apply.apply(tmp_path)
    assert once.equals(pl.read_parquet(tmp_path / "measurements.parquet"))
    assert pl.read_parquet(tmp_path / "clusters.parquet").equals(pl.read_parquet(REGISTRY / "clusters.parquet"))
    assert once.equals(pl.read_parquet(REGISTRY / "measurements.parquet"))


def test_a_cell_naming_no_row_is_refused(apply):
    frame = pl.read_parquet(REGISTRY / "measurements.parquet")
    bad = apply.cells().with_columns(pl.lit("no-such-row").alias("name"))
    with pytest.raises(SystemExit, match="no single row named 'no-such-row'"):
        apply.replayed(frame, bad)


def test_values_take_their_columns_types(apply):
    assert apply.typed("false", pl.Boolean) is False
    assert apply.typed("2", pl.Int64) == 2
    assert apply.typed("fp4", pl.String) == "fp4"
