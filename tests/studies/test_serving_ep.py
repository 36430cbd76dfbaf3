"""Expert parallelism and multi-node serving in the serving study (pipeline.studies.serving_ep):
multi-node layouts that now run, the cluster each row names, the drop rules, memory per rank."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

import pipeline
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import serving
from pipeline.studies.serving_ep import reference_clusters

DSV3, H200, H100 = "DeepSeek-V3", "H200 SXM 141GB", "H100 SXM5 80GB"
H200_CLUSTER = "NVIDIA HGX AI Factory H200, Spectrum-X (128 nodes)"
H100_1SU, H100_4SU = "NVIDIA DGX SuperPOD DGX H100 (1 SU, 31 nodes)", "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"


def _spec(**axes) -> dict:
    return {"study": "serving", "axes": {"model": [DSV3], "hardware": [H200], "precision": ["fp8"], "batch": [256],
                                         "tp": [1], "pp": [1], "prompt_len": [1024], "output_len": [256]} | axes}


def test_deepseek_v3_fp8_on_two_and_four_h200_nodes_is_feasible():
    """tp 8 x pp 2 (16 GPUs: a stage per node, its boundary over the NICs), EP 16 with attention DP
    (tp 1, 16 groups) and EP 32 with tp 8 attention groups: one domain is 8 GPUs, so every one of
    these layouts was dropped before; on the H200's reference cluster they run."""
    frame = pipeline.sweep(_spec(tp=[1, 8], pp=[1, 2], ep=[1, 16, 32]))
    rows = {(r["tp"], r["pp"], r["ep"]): r for r in frame.iter_rows(named=True)}
    for layout, devices, crossings in [((8.0, 2.0, 1.0), 16, 1), ((1.0, 1.0, 16.0), 16, 0),
                                       ((8.0, 1.0, 32.0), 32, 0), ((1.0, 2.0, 16.0), 32, 1)]:
        r = rows[layout]
        assert r["is_feasible"] and r["cluster"] == H200_CLUSTER and r["cluster_override"] is None, layout
        assert r["devices_per_replica"] == devices and r["pp_crossing_boundaries"] == crossings, layout
        assert r["tokens_per_s_per_device"] == pytest.approx(r["tokens_per_s"] / devices)
    assert rows[(1.0, 1.0, 16.0)]["decode_alltoall_time_s"] > 0 and rows[(8.0, 2.0, 1.0)]["decode_alltoall_time_s"] == 0
    r = rows[(1.0, 1.0, 16.0)]
    assert r["decode_communication_time_s"] == pytest.approx(r["decode_alltoall_time_s"])  # tp 1, pp 1: only EP


def test_a_rank_holds_e_over_ep_experts_and_its_groups_kv():
    """tp 8, EP 16 against EP 8 (one attention group, the experts as many per rank as tp 8 shards):
    EP 16 holds 256/16 = 16 routed experts fewer of 58 MoE layers, 58 x 16 x 44,040,192 weights
    x 1 B (fp8) = 40,869,298,176 B less, and half the batch's KV (two groups of 128 sequences)."""
    frame = pipeline.sweep(_spec(tp=[8], ep=[8, 16]))
    ep8, ep16 = (frame.filter(pl.col("ep") == e).row(0, named=True) for e in (8.0, 16.0))
    assert ep8["weights_per_device_bytes"] - ep16["weights_per_device_bytes"] == pytest.approx(
        58 * 16 * 3 * 7168 * 2048)
    assert ep16["kv_cache_bytes_per_device"] == pytest.approx(ep8["kv_cache_bytes_per_device"] / 2)
    assert ep16["attention_dp"] == 2 and ep8["attention_dp"] == 1


def test_layouts_that_cannot_run_multi_node_are_dropped_with_their_reason():
    catalogs = load_catalogs()
    spec = _spec(ep=[1, 2, 3, 4], tp=[1, 8], model=[DSV3, "Llama 3 8B"])
    dropped = serving.build_space(catalogs, parse_spec(spec)).dropped
    assert dropped[serving.DROP_EP_NOT_MOE] == 6       # Llama 3 8B, ep {2, 3, 4} x tp {1, 8}
    assert dropped[serving.DROP_EP_EXPERTS] == 2       # DeepSeek-V3: 256 experts, ep 3 x tp {1, 8}
    assert dropped[serving.DROP_EP_TP] == 2            # tp 8 with ep 2, 4
    # no cluster in the catalog has the H20 (the H800 has DeepSeek's since r-redund): two nodes of tp 8 are
    # refused, one node is not
    dropped = serving.build_space(catalogs, parse_spec(_spec(hardware=["H20"], tp=[8], pp=[1, 2]))).dropped
    assert dropped == {serving.DROP_NO_CLUSTER: 1}
    # the H200 cluster without its published latency cannot carry a layout beyond one domain
    clusters = catalogs.clusters.with_columns(scaleout_latency_s=pl.lit(None, dtype=pl.Float64))
    space = serving.build_space(replace(catalogs, clusters=clusters), parse_spec(_spec(tp=[8], ep=[8, 16])))
    assert space.dropped == {serving.DROP_NO_SCALEOUT: 1}
    # 8 stages of EP 256 = 2,048 GPUs: more than the 128 x 8 of the reference cluster
    dropped = serving.build_space(catalogs, parse_spec(_spec(ep=[256], pp=[1, 8]))).dropped
    assert dropped == {serving.DROP_CLUSTER_SIZE: 1}


def test_the_reference_cluster_is_the_smallest_published_design_and_axes_cluster_overrides_it():
    reference = dict(reference_clusters(load_catalogs().clusters).iter_rows())
    assert reference[H200] == H200_CLUSTER and reference[H100] == H100_1SU
    frame = pipeline.sweep({"study": "serving", "axes": {
        "model": ["Llama 3 8B"], "hardware": [H100, H200], "precision": ["fp16"], "tp": [8], "pp": [2],
        "cluster": [H100_4SU]}})
    named = {r["hardware"]: (r["cluster"], r["cluster_override"]) for r in frame.iter_rows(named=True)}
    assert named == {H100: (H100_4SU, H100_4SU), H200: (H200_CLUSTER, None)}


def test_the_one_row_answer_and_the_sweep_agree_on_an_ep_row():
    """``evaluate_serving(ep=32)`` (the one-row path of pipeline.studies.single) gives the sweep's row."""
    one = pipeline.evaluate_serving(DSV3, H200, precision="fp8", batch=4096, ep=32, prompt_len=1024,
                                    breakdown=False).row(0, named=True)
    swept = pipeline.sweep(_spec(batch=[4096], ep=[32])).row(0, named=True)
    for c in ("itl_s", "ttft_s", "decode_alltoall_time_s", "weights_per_device_bytes", "max_batch_paged"):
        assert one[c] == pytest.approx(swept[c], rel=1e-9), c
    assert one["cluster"] == H200_CLUSTER and one["devices_per_replica"] == 32


@pytest.mark.parametrize(("kwargs", "key"), [(dict(cluster="no-such-cluster"), "axes.cluster"),
                                             (dict(ep=0), "axes.ep[0]"),
                                             (dict(cluster=H100_4SU), "axes.cluster"),  # not an H200 cluster
                                             (dict(ep=16, expert_imbalance=0.9), "serving.expert_imbalance")])
def test_bad_ep_input_names_its_key(kwargs, key):
    from pipeline.errors import InputError

    with pytest.raises(InputError) as caught:
        pipeline.evaluate_serving(DSV3, H200, precision="fp8", **kwargs)
    assert key in str(caught.value)
