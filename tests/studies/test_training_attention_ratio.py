"""The kernel catalog's training attention time ratio (registry_data/research/r-trattn) on the training study's
cluster side (studies.training.attention_time_ratios)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies.training import cluster_side

GB300 = "NVIDIA GB300 NVL72 rack (Enterprise RA: 18 trays x 4 GPUs)"
GB200 = "NVIDIA DGX SuperPOD DGX GB200 NVL72 (1 SU, 8 racks)"


def test_cluster_side_carries_cudnns_measured_times_over_gb200_bf16():
    """cuDNN 9.22 SDPA, batch 2 x 64 heads (8 KV), d 128, s 8192, causal (NVIDIA/cudnn-frontend fb682ce
    results/llama3.1/{gb200,gb300}), fwd + fwd + bwd ms over GB200 bf16's 2 x 1.397 + 4.127 = 6.921 (equal bf16
    peaks, 2.5 PFLOP/s): GB200 fp8 2 x 1.074 + 3.781 = 5.929; GB300 bf16 2 x 1.185 + 3.832 = 6.202, fp8
    2 x 0.759 + 3.087 = 4.605. A GPU no table measures (H100 SXM5, the Hopper family's reference) reads 1."""
    spec = parse_spec({"study": "training", "axes": {"cluster": [GB300, GB200], "compute_dtype": ["fp8"],
                                                     "model": ["Llama 2 7B"]}})
    side = cluster_side(load_catalogs(), spec).frame
    by = {r["accelerator"]: (r["attention_time_ratio_bf16"], r["attention_time_ratio_fp8"]) for r in side.select(
        "accelerator", "attention_time_ratio_bf16", "attention_time_ratio_fp8").with_columns(
        pl.col("accelerator").cast(pl.String)).iter_rows(named=True)}
    assert by["GB200 NVL72 GPU"] == pytest.approx((1.0, 5.929 / 6.921), rel=1e-12)
    assert by["GB300 NVL72 GPU"] == pytest.approx((6.202 / 6.921, 4.605 / 6.921), rel=1e-12)


def test_an_unmeasured_gpu_reads_one():
    clusters = load_catalogs().clusters
    h100 = clusters.filter(pl.col("accelerator").cast(pl.String) == "H100 SXM5 80GB")["name"][0]
    spec = parse_spec({"study": "training", "axes": {"cluster": [h100], "compute_dtype": ["fp8"],
                                                     "model": ["Llama 2 7B"]}})
    side = cluster_side(load_catalogs(), spec).frame
    assert side["attention_time_ratio_bf16"].to_list() == [1.0] and side["attention_time_ratio_fp8"].to_list() == [1.0]
