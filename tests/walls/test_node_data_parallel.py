"""The node study's data-parallel training step (walls/node_data_parallel), against values by hand from the
collectives catalog's fits (registry_data/collective_fits.csv), the clusters catalog and the hardware catalog."""

from __future__ import annotations

import math

import polars as pl
import pytest

import pipeline
from pipeline import formulas
from pipeline.errors import UnknownNameError
from pipeline.units import unit

EAGLE = "Microsoft Azure Eagle (ND H100 v5, 14,400 H100)"
GB200_POD = "NVIDIA DGX SuperPOD DGX GB200 NVL72 (1 SU, 8 racks)"
DGX_POD = "NVIDIA DGX SuperPOD DGX H100 (1 SU, 31 nodes)"
BERT_PARAMS, RESNET_PARAMS = 334_090_240, 25_557_032  # the models catalog's layer-by-layer / published counts
# collective_fits.csv, nvlink4_nvswitch (H100 SXM): regime r3 (8 MiB - 128 MiB) and r4 (above), alpha s, beta B/s
R3 = (3.535022176112192e-6, 415529371582.3616)
R4 = (7.764224605666137e-6, 474604388539.68054)
H100_BANDWIDTH = 3.35e12


def _train(model: str, devices: int, batch: int, cluster: str | None = None, sharded: bool = False,
           hardware: str = "H100 SXM5 80GB") -> dict:
    data = {"devices": devices, "optimizer_sharded": sharded} | ({"cluster": cluster} if cluster else {})
    frame = pipeline.sweep({"axes": {"model": [model], "hardware": [hardware], "batch": [batch], "seq_len": [512],
                                     "compute_dtype": ["bf16"], "workload": ["training"]}, "data": data})
    return frame.row(0, named=True)


def test_within_one_domain_the_gradient_is_a_ring_all_reduce_at_the_fitted_regime():
    """BERT-Large on 8 H100 SXM (one NVLink domain): the 16-bit gradient, 2 x 334,090,240 = 668,180,480 B (r4),
    ring all-reduce 2 x 7 x 7.764 us + 2 x 7/8 x 668,180,480 B / 474.6 GB/s = 108.7 + 2,463.7 us = 2.5725 ms, all
    exposed (dp_overlap_fraction 0). The LAMB state sharded over the node's 8 GPUs: 24 B x 334,090,240 / 8 =
    1,002,270,720 B per rank, at 3.35 TB/s beside the GEMMs; one device updates all of it."""
    one, eight = _train("BERT-Large", 1, 12), _train("BERT-Large", 8, 12, sharded=True)
    message = 2 * BERT_PARAMS
    ring = 2 * 7 * R4[0] + 2 * 7 / 8 * message / R4[1]
    assert ring == pytest.approx(2.5725e-3, rel=1e-4)
    assert eight["gradient_allreduce_bytes"] == pytest.approx(message, rel=1e-12)
    assert eight["gradient_allreduce_time_s"] == pytest.approx(ring, rel=1e-9)
    assert eight["gradient_exposed_time_s"] == pytest.approx(ring, rel=1e-9)
    assert eight["optimizer_shard_ranks"] == 8 and one["optimizer_shard_ranks"] == 1
    assert eight["optimizer_traffic_bytes"] == pytest.approx(1_002_270_720, rel=1e-12)
    assert one["optimizer_traffic_bytes"] == pytest.approx(8 * 1_002_270_720, rel=1e-12)
    assert one["gradient_allreduce_bytes"] == 0 and one["gradient_exposed_time_s"] == 0
    saved = 7 * 1_002_270_720 / H100_BANDWIDTH  # the update's bytes the other seven ranks hold
    assert eight["latency_s"] - one["latency_s"] == pytest.approx(ring - saved, rel=1e-6)


def test_across_domains_the_cluster_nics_carry_it_hierarchically():
    """ResNet-50 on 2,528 H100 of Azure Eagle (8 GPUs and 8 x 400 Gb/s NICs per node): 51,114,064 B (r3) in
    316 domains of 8. Within: 2 x 7 x 3.535 us = 49.49 us latency, 2 x 7/8 x M / 415.5 GB/s = 215.2 us; across:
    each GPU's NIC share 400e9 / 8 B/s x 0.95 = 47.5 GB/s, min(2, 2 x 2527/2528) x M / (8 x 47.5 GB/s) =
    268.9 us, 2 ceil(log2 316) = 18 tree hops at NCCL's Simple-protocol 28 us = 504 us. Total 49.49 + 504 +
    max(215.2, 268.9) = 822.4 us (the kernel study's 0.8 ms, registry_data/research/r-enc §4). MXNet's SGD
    updates every weight on every rank: 24 x 25,557,032 B."""
    row = _train("ResNet-50", 2528, 16, cluster=EAGLE)
    m = 2 * RESNET_PARAMS
    across = min(2.0, 2 * 2527 / 2528) * m / (8 * 400e9 / 8 * 0.95)
    expected = 2 * 7 * R3[0] + 2 * math.ceil(math.log2(316)) * 28e-6 + max(2 * 7 / 8 * m / R3[1], across)
    assert expected == pytest.approx(822.4e-6, rel=1e-3)
    assert row["gradient_allreduce_time_s"] == pytest.approx(expected, rel=1e-9)
    assert row["optimizer_traffic_bytes"] == pytest.approx(24 * RESNET_PARAMS, rel=1e-12)


def test_a_sharded_optimizer_splits_over_the_clusters_node_and_no_fabric_prices_nothing():
    """A GB200 NVL72 pod's nodes hold 4 GPUs (clusters catalog): the sharded state on 64 devices splits 4 ways.
    16 H200 (8 per NVLink domain) with no cluster named: no scale-out figure, no all-reduce counted."""
    gb200 = _train("BERT-Large", 64, 16, cluster=GB200_POD, sharded=True, hardware="GB200 NVL72 GPU")
    assert gb200["optimizer_shard_ranks"] == 4
    assert gb200["optimizer_traffic_bytes"] == pytest.approx(24 * BERT_PARAMS / 4, rel=1e-12)
    h200 = _train("BERT-Large", 16, 16, hardware="H200 SXM 141GB")
    assert h200["gradient_allreduce_bytes"] == pytest.approx(2 * BERT_PARAMS, rel=1e-12)
    assert h200["gradient_allreduce_time_s"] == 0


def test_beyond_the_nvlink_bridge_within_one_host_the_ring_runs_over_pcie():
    """H100 PCIe (hardware catalog: 2-GPU NVLink bridge domain, PCIe Gen5 x16 host link 64 GB/s) with no cluster:
    4 and 8 GPUs sit in one host ([data] accelerators_per_node 8), so NCCL's ring crosses PCIe and runs at the host
    link x eta_link (the default training profile's 0.82): 52.48 GB/s. BERT-Large's 668,180,480 B, Simple protocol
    (NCCL tuning.cc: 8.4 us once + 5.7 us a step, hwLat[PCI] = 1.0 us): 8 GPUs 88.2 us + 2 x 7/8 x M / 52.48 GB/s =
    0.0882 + 22.2812 = 22.3694 ms (LL: 20.6 us + 44.56 ms, not taken); 4 GPUs 42.6 us + 19.0981 ms = 19.1407 ms.
    16 GPUs span two hosts: with no cluster naming the NICs, nothing is counted, as before."""
    message, beta = 2 * BERT_PARAMS, 64e9 * 0.82
    eight = 88.2e-6 + 2 * 7 / 8 * message / beta
    four = (8.4 + 6 * 5.7) * 1e-6 + 2 * 3 / 4 * message / beta
    assert eight == pytest.approx(22.3694e-3, rel=1e-5) and four == pytest.approx(19.1407e-3, rel=1e-5)
    for devices, expected in ((8, eight), (4, four)):
        row = _train("BERT-Large", devices, 96, sharded=True, hardware="H100 PCIe 80GB")
        assert row["gradient_allreduce_time_s"] == pytest.approx(expected, rel=1e-9)
    assert _train("BERT-Large", 16, 96, sharded=True, hardware="H100 PCIe 80GB")["gradient_allreduce_time_s"] == 0


def test_the_exposed_part_is_the_training_studys_overlap():
    """A 2 ms all-reduce with a quarter hidden behind backward (training.dp_overlap_fraction 0.25): 1.5 ms exposed;
    a 0.7 ms parameter all-gather after the update is never hidden: 2.2 ms."""
    frame = pl.DataFrame({"gradient_allreduce_time_s": [2e-3, 2e-3], "dp_overlap_fraction": [0.25, 0.25],
                          "parameter_allgather_time_s": [0.0, 0.7e-3]})
    units = {"gradient_allreduce_time_s": unit("s"), "dp_overlap_fraction": unit(""),
             "parameter_allgather_time_s": unit("s")}
    plan = formulas.plan(frame.lazy(), units, ["gradient_exposed_time_s"])
    assert plan.frame.collect()["gradient_exposed_time_s"].to_list() == pytest.approx([1.5e-3, 2.2e-3], rel=1e-12)


def test_across_nodes_the_sharded_lamb_all_gathers_its_parameters_within_the_node():
    """apex DistributedFusedLAMB with full_ar (more ranks than one node's GPUs): after the whole-gradient all-reduce
    and the sharded update, the 16-bit parameters (2 x 334,090,240 = 668,180,480 B) are ring all-gathered over the
    node's shard group on the scale-up links (hardware catalog: 0.6 us, NVLink 900 GB/s on GB200, 450 GB/s on H100)
    x eta_link 0.82. 64 GB200 in a pod of 4-GPU nodes: 3 x 0.6 us + 3/4 x M / 738 GB/s = 0.68085 ms; 16 H100 in
    nodes of 8: 7 x 0.6 us + 7/8 x M / 369 GB/s = 1.58864 ms. One node (4 GB200, 8 H100) or an unsharded optimizer
    (ResNet-50's): none."""
    m = 2 * BERT_PARAMS

    def gather(row: dict) -> float:  # the node study writes the exposed sum beside the all-reduce
        return row["gradient_exposed_time_s"] - row["gradient_allreduce_time_s"]

    gb200 = _train("BERT-Large", 64, 16, cluster=GB200_POD, sharded=True, hardware="GB200 NVL72 GPU")
    h100 = _train("BERT-Large", 16, 16, cluster=DGX_POD, sharded=True)
    assert gather(gb200) == pytest.approx(3 * 0.6e-6 + 3 / 4 * m / (900e9 * 0.82), rel=1e-9)
    assert gather(gb200) == pytest.approx(0.68085e-3, rel=1e-4)
    assert gather(h100) == pytest.approx(7 * 0.6e-6 + 7 / 8 * m / (450e9 * 0.82), rel=1e-9)
    assert gather(h100) == pytest.approx(1.58864e-3, rel=1e-4)
    one_node = (_train("BERT-Large", 4, 16, cluster=GB200_POD, sharded=True, hardware="GB200 NVL72 GPU"),
                _train("BERT-Large", 8, 16, sharded=True), _train("ResNet-50", 16, 16, cluster=DGX_POD))
    assert [gather(r) for r in one_node] == [0, 0, 0]
    assert all(r["gradient_allreduce_time_s"] > 0 for r in one_node)


def test_an_unknown_cluster_is_named_in_the_error():
    with pytest.raises(UnknownNameError, match="data.cluster"):
        _train("ResNet-50", 16, 16, cluster="no such cluster")
