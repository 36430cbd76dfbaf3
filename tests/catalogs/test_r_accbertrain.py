"""registry_data/research/r-accbertrain/standin_clusters.py: node-study training rows (samples_per_s) without a
cluster get the stand-in cluster every other MLPerf training row has (the smallest catalogued cluster of their
accelerator holding their devices, with the same note); applied to the bundled measurements catalog."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-accbertrain"
H200 = "NVIDIA HGX AI Factory H200, Spectrum-X (128 nodes)"  # 128 x 8 H200: the only H200 cluster catalogued


@pytest.fixture(scope="module")
def standin():
    return script(HERE / "standin_clusters.py", "r_accbertrain_standin_clusters")


def test_a_row_gets_the_smallest_cluster_of_its_accelerator_that_holds_its_devices(standin):
    clusters = pl.DataFrame({"name": ["small", "big", "other"], "accelerator": ["X", "X", "Y"],
                             "nodes": [2, 16, 64], "accelerators_per_node": [8, 8, 8]})
    rows = pl.DataFrame({"name": ["a", "b", "c", "d", "e"], "scenario": ["training"] * 4 + ["offline"],
                         "metric": ["samples_per_s"] * 5, "hardware": ["X", "X", "Y", "X", "X"],
                         "devices": [16, 64, 8, 1, 16], "cluster": [None] * 5, "notes": ["n"] * 5},
                        schema_overrides={"cluster": pl.String})
    out, changed = standin.with_standins(rows, clusters)
    assert changed == [("a", "small"), ("b", "big"), ("c", "other")]
    assert out["cluster"].to_list() == ["small", "big", "other", None, None]  # 1 device, not training: none
    assert out["notes"][1] == "n" + standin.NOTE.format(devices=64)
    again, none = standin.with_standins(out, clusters)
    assert none == [] and again.equals(out)


def test_the_bundled_h200_node_training_rows_name_the_h200_cluster_and_no_such_row_is_left(standin):
    measurements = read_catalog("measurements")
    h200 = measurements.filter(pl.col("hardware") == "H200 SXM 141GB", pl.col("metric") == "samples_per_s",
                               pl.col("scenario") == "training", pl.col("model").is_in(["BERT-Large", "ResNet-50"]))
    assert h200.height == 6 and set(h200["cluster"]) == {H200}
    _, changed = standin.with_standins(measurements, read_catalog("clusters"))
    assert changed == []  # replaying changes nothing; H100 PCIe has no catalogued cluster and keeps none
