"""registry_data/research/r-accwire2/tensorrt_apply.py: the SM clocks in the hardware catalog, the TensorRT harness
profile and the harness rows re-attributed to it, against hand-worked values and the bundled catalogs."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-accwire2"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "tensorrt_apply.py", "r_accwire2_apply")


def test_the_hardware_catalog_holds_each_datasheet_clock_and_null_elsewhere(apply):
    """A100: 624 T / (108 SMs x 4,096 int8 ops a clock) = 1.41059 GHz (the whitepaper's 1,410 MHz boost); H100 SXM:
    1,978.9 T / (132 x 8,192) = 1.83004 GHz; T4: 130 T / (40 x 2,048) = 1.58691 GHz; an AMD part: none. Each clock
    cites the datasheet of its peak (the row's source_url); the script changes nothing more (it is idempotent)."""
    hardware = read_catalog("hardware")
    got = {n: (c, u) for n, c, u in hardware.select("name", "sm_clock_hz", "sm_clock_source_url").iter_rows()}
    assert got["A100 SXM4 80GB"][0] == pytest.approx(1.41059e9, rel=1e-5)
    assert got["H100 SXM5 80GB"][0] == pytest.approx(1.83004e9, rel=1e-5)
    assert got["T4"][0] == pytest.approx(1.58691e9, rel=1e-5)
    assert got["MI300X"] == (None, None)
    own = hardware.filter(pl.col("name").is_in(list(apply.ck.ss.SM_OPS)))  # r-accdefault clocks further parts
    assert own["sm_clock_hz"].is_not_null().sum() == 9
    a100 = hardware.filter(pl.col("name") == "A100 SXM4 80GB").row(0, named=True)
    assert a100["sm_clock_source_url"] == a100["source_url"]
    assert apply.with_clocks(own).equals(own)


def test_the_tensorrt_profile_graphs_resnet_and_bert_with_170_kernels_and_states_no_eta(apply):
    """NVIDIA's harness: use_graphs for bert and resnet50, not retinanet; BERT int8 24 x 7 + 2 = 170 kernels."""
    profiles = read_catalog("efficiency_profiles")
    row = profiles.filter(pl.col("framework") == "TensorRT").row(0, named=True)
    assert row["graphed_models"] == "BERT-Large,ResNet-50" and "RetinaNet" not in row["graphed_models"]
    assert 24 * row["graph_kernels_per_transformer_layer"] + row["graph_kernels_per_step"] == 170
    assert row["eta_compute_low"] is None and row["hardware_family"] == "any"
    assert apply.with_profile(profiles).equals(profiles)



def test_the_harness_rows_are_the_mlperf_nvidia_rows_of_three_models_and_not_the_seed_rows(apply):
    """``--harness-rows`` (with wiring.patch): the 8 SingleStream latency_s rows and the 56 offline / server
    samples_per_s rows of ResNet-50, BERT and RetinaNet on NVIDIA GPUs move to TensorRT; the seed rows (no stack
    named) and every other row keep their framework; a catalog without the expected rows is refused."""
    measurements, hardware = read_catalog("measurements"), read_catalog("hardware")
    # the catalog the patch was written for: r-v40's v4.0 NVIDIA rows (TensorRT already) came later
    later = pl.col("name").str.starts_with("mlperf-inf-v4.0-nvidia-") | pl.col("notes").str.contains(
        "MLPerf Inference v5.1 closed datacenter (", literal=True)  # and r-v50b's v5.1 rows
    measurements = measurements.filter(~later)
    after = apply.reattributed(measurements, hardware)
    trt = after.filter(pl.col("framework") == "TensorRT")
    assert dict(trt.group_by("metric").len().iter_rows()) == {"latency_s": 8, "samples_per_s": 56}
    assert trt["name"].str.starts_with("mlperf-inf-").all()
    seed = after.filter(pl.col("name").str.starts_with("seed-") & (pl.col("metric") == "latency_s"))
    assert seed.height == 3 and (seed["framework"] == "default").all()
    moved = pl.col("framework") == "TensorRT"
    assert after.filter(~moved).equals(measurements.filter(~pl.col("name").is_in(trt["name"].to_list())))
    assert apply.reattributed(after, hardware).equals(after)
    with pytest.raises(ValueError, match="expected"):
        apply.reattributed(measurements.filter(~pl.col("name").str.contains("bert99-singlestream")), hardware)
