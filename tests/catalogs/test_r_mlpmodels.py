"""Issue 12 (registry_data/research/r-mlpmodels): MLPerf's RetinaNet in the models catalog. Its figures are
derived from the reference's layer list (retinanet_layers.py); the same code reproduces torchvision's
published counts of the networks it is built from, NVIDIA's anchor count, and a head figure computed here
by hand; the catalog row holds what the derivation gives; the RetinaNet measurement rows cite the exact
MLPerf log they quote."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import script

HERE = Path(__file__).parents[2] / "registry_data" / "research" / "r-mlpmodels"


def _module(name: str):
    return script(HERE / f"{name}.py", f"r_mlpmodels_{name}")


@pytest.fixture(scope="module")
def layers():
    return _module("retinanet_layers")


def _classifier(layers, side: int, groups: int, width: int) -> tuple[int, int]:
    """(parameters incl. batch norm and the 1000-way fc, MACs) of the torchvision classifier."""
    convs, _, _ = layers.resnet_backbone(side, groups, width)
    params = sum(c.params + (2 * c.c_out if c.batch_norm else 0) for c in convs) + 2048 * 1000 + 1000
    return params, sum(c.macs for c in convs) + 2048 * 1000


def test_backbones_reproduce_torchvision_published_counts(layers):
    # pytorch.org/vision/stable/models: resnext50_32x4d num_params 25028904, GFLOPS (= GMACs) 4.23;
    # resnet50 25557032, 4.09
    params, macs = _classifier(layers, 224, 32, 4)
    assert params == 25_028_904 and round(macs / 1e9, 2) == 4.23
    params, macs = _classifier(layers, 224, 1, 64)
    assert params == 25_557_032 and round(macs / 1e9, 2) == 4.09


def test_fpn_and_head_reproduce_torchvision_retinanet_resnet50_fpn(layers):
    # pytorch/vision models/detection/retinanet.py RetinaNet_ResNet50_FPN_Weights.COCO_V1: num_params 34014999
    # (FrozenBatchNorm: no BN parameters), _ops 151.54 GMACs (images resized to 800 on the short side)
    convs, _ = layers.retinanet(800, 1, 64, 91)
    assert layers.unique_params(convs, 91) == 34_014_999
    assert round(sum(c.macs for c in convs) / 1e9, 2) == 151.54


def test_anchor_count_is_nvidia_s(layers):
    # mlcommons/inference_results_v4.1 closed/NVIDIA/code/retinanet/tensorrt/onnx_generator/anchor_generator.py:
    # "num_anchors = 120087" (P3..P7 at 100, 50, 25, 13, 7 for an 800x800 image, 9 anchors each)
    assert layers.anchor_count(800) == 120_087 == 9 * (100**2 + 50**2 + 25**2 + 13**2 + 7**2)


def test_mlperf_head_macs_by_hand(layers):
    # per position: 8 tower convs 3x3 256->256 (589,824 MACs each), cls 3x3 256->9*264, reg 3x3 256->36;
    # 13,343 positions over P3..P7
    per_position = 8 * 9 * 256 * 256 + 9 * 256 * 9 * 264 + 9 * 256 * 36
    assert per_position == 10_275_840
    convs, _ = layers.retinanet(800, 32, 4, 264)
    head = [c for c in convs if c.k == 3 and c.c_in == 256 and c.groups == 1][5:]  # after the 3 FPN outputs, P6, P7
    assert len(head) == 50 and sum(c.macs for c in head) == per_position * 13_343


def test_catalog_row_is_the_derivation(layers):
    derived = layers.mlperf_retinanet()
    row = read_catalog("models").filter(pl.col("name") == "RetinaNet").row(0, named=True)
    assert (row["model_type"], row["input_resolution_px"], row["n_layers"]) == ("cnn", 800, derived["convs"])
    assert row["params_published"] == derived["params"] == 37_060_652
    assert row["forward_flop_per_sample"] == 2 * derived["macs"]
    assert 4.0e11 < row["forward_flop_per_sample"] < 4.05e11  # 402.4 GFLOP
    assert row["activation_elements_per_sample"] == derived["activation_elements"]
    assert row["norm_type"] is None and "DERIVED" in row["notes"]


def test_measurement_rows_quote_their_mlperf_log():
    rows = read_catalog("measurements").filter(  # r-v40's and r-v50b's rows came later, with their own tests
        (pl.col("model") == "RetinaNet") & ~pl.col("name").str.starts_with("mlperf-inf-v4.0-nvidia-")
        & ~pl.col("notes").str.contains("MLPerf Inference v5.1 closed datacenter (", literal=True))
    assert rows.height == 13
    assert rows["source_url"].str.ends_with("/performance/run_1/mlperf_log_summary.txt").all()
    assert rows["source_url"].str.contains(r"/retinanet/(Offline|SingleStream)/").all()
    assert (rows["compute_dtype"] == "int8").all() and rows["notes"].str.contains("never fitted").all()
    offline = rows.filter(pl.col("scenario") == "offline")
    assert offline.height == 10 and (offline["metric"] == "samples_per_s").all()
    assert all(f"Samples per second: {v:g}" in s for v, s in zip(offline["value"], offline["source_location"],
                                                                 strict=True))
    single = rows.filter(pl.col("scenario") == "single-stream")
    assert (single["batch"] == 1).all() and (single["statistic"] == "p90").all() and (single["unit"] == "ms").all()
    assert all(f"latency (ns) : {round(v * 1e6)}" in s for v, s in zip(single["value"], single["source_location"],
                                                                      strict=True))


def test_apply_is_idempotent(tmp_path):
    import shutil

    for table in ("models", "measurements"):
        shutil.copy(HERE.parents[1] / f"{table}.parquet", tmp_path / f"{table}.parquet")
    _module("apply").apply(tmp_path)
    for table in ("models", "measurements"):  # same rows; apply appends its rows, so later scripts' rows move up
        assert read_catalog(table, tmp_path).sort("name").equals(read_catalog(table).sort("name"))


def test_unet3d_derivation_by_hand():
    # 3D-UNet stays out of the catalog (r-mlpmodels/README.md); its per-patch figures, layer by layer by hand:
    # 3x3x3 convs c_out*c_in*27 + InstanceNorm 2*c_out, transposed 2x2x2 convs c_out*c_in*8 + bias, output 1x1x1
    params = [32 * 1 * 27 + 64, 32 * 32 * 27 + 64,                                  # input block
              64 * 32 * 27 + 128, 64 * 64 * 27 + 128, 128 * 64 * 27 + 256, 128 * 128 * 27 + 256,
              256 * 128 * 27 + 512, 256 * 256 * 27 + 512, 320 * 256 * 27 + 640, 320 * 320 * 27 + 640,
              320 * 320 * 27 + 640, 320 * 320 * 27 + 640,                           # bottleneck
              320 * 320 * 8 + 320, 320 * 640 * 27 + 640, 320 * 320 * 27 + 640,
              256 * 320 * 8 + 256, 256 * 512 * 27 + 512, 256 * 256 * 27 + 512,
              128 * 256 * 8 + 128, 128 * 256 * 27 + 256, 128 * 128 * 27 + 256,
              64 * 128 * 8 + 64, 64 * 128 * 27 + 128, 64 * 64 * 27 + 128,
              32 * 64 * 8 + 32, 32 * 64 * 27 + 64, 32 * 32 * 27 + 64, 3 * 32 + 3]
    derived = _module("unet3d_layers").mlperf_unet3d()
    assert derived["params"] == sum(params) == 31_190_243 and derived["convs"] == len(params) == 28
    # the first conv: 128^3 voxels x 32 filters x 27 taps; the 640->320 conv of the first up block at 8^3
    layers = _module("unet3d_layers").layers()
    assert layers[0]["macs"] == 128**3 * 32 * 27 == 1_811_939_328
    assert layers[13]["macs"] == 8**3 * 320 * 640 * 27
