"""The decode attention kernel rows of registry_data/research/r-dattn (issue 12 item 2): each row's
traffic as the kernel study counts it equals the traffic its benchmark reports (nvbench's Read + Write
columns in onnxruntime PR #21414; GB/s x time in flash-attention issue #1572), so its error is one of
time per byte, not of the byte count."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline.catalogs.load import load_catalogs
from pipeline.validation.kernel_rows import predict_kernel_rows

MIB, KIB = 2.0**20, 2.0**10
# name -> bytes the benchmark reports, by hand from its table
REPORTED = {
    "kernel-attn-decode-ort21414-h100-fa2-gqa8-b64-kv256": 65 * MIB + 1 * MIB,  # Read 65.000 MiB, Write 1.000 MiB
    "kernel-attn-decode-ort21414-a100-fa2-mha-b64-kv512": 512.5 * MIB + 512 * KIB,  # 512.500 MiB, 512.000 KiB
    "kernel-attn-decode-fa1572-h100-fa3-mha-b16-kv2000": 1796e9 * 292.0e-6,  # 1796 GB/s x 292.0 us
}


@pytest.fixture(scope="module")
def rows():
    catalogs = load_catalogs()
    m = catalogs.measurements.filter(pl.col("name").str.starts_with("kernel-attn-decode-"))
    return m, catalogs


def test_decode_rows_are_one_query_per_sequence(rows):
    m, _ = rows
    assert m.height == 9
    assert m["kernel_op"].unique().to_list() == ["attention"]
    assert m["seq_len"].unique().to_list() == [1]
    assert m["metric"].unique().to_list() == ["attention_time_s"]


@pytest.mark.parametrize("name", sorted(REPORTED))
def test_kernel_study_counts_the_benchmarks_bytes(rows, name):
    """The study's bytes: b·d·(2·q·h + 2·kv·h_kv)·2 B (kernel_calls.attention_bytes); the A100 row:
    64·128·(2·32 + 2·512·32)·2 = 537,919,488 B = 512.5 MiB + 512 KiB, nvbench's Read + Write."""
    m, _ = rows
    r = m.filter(pl.col("name") == name).row(0, named=True)
    out = pipeline.evaluate_kernel("attention", r["hardware"], batch=r["batch"], heads=r["heads"],
                                   kv_heads=r["kv_heads"], head_dim=r["head_dim"], q_len=r["seq_len"],
                                   kv_len=r["kv_len"]).row(0, named=True)
    assert out["bytes"] == pytest.approx(REPORTED[name], rel=2e-3)


def test_rows_are_predicted_memory_bound(rows):
    m, catalogs = rows
    out = predict_kernel_rows(m.with_row_index("measurement").with_columns(study=pl.lit("kernel")), catalogs)
    assert out["reason"].null_count() == out.height
    assert out["bound"].unique().to_list() == ["memory"]
