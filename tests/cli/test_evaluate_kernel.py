"""``mlsys evaluate --study kernel``: the headline, JSON with units (the API's row), and bad input."""

from __future__ import annotations

import json

import pipeline

H100 = "H100 SXM5 80GB"


def test_gemm_headline_and_columns(mlsys):
    out = mlsys("evaluate", "--study", "kernel", "--op", "gemm", "--hardware", H100, "--shape", "m=8192,n=8192",
                "--shape", "k=8192")
    assert out.exit_code == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert first.startswith("gemm on H100 SXM5 80GB | time ") and "TFLOP/s" in first
    assert "bound: compute" in first and "efficiency basis: kernel fit" in first
    assert "achieved_flop_per_s" in out.stdout and "FLOP/s" in out.stdout


def test_op_implies_the_kernel_study_and_json_is_the_api_row(mlsys):
    out = mlsys("evaluate", "--op", "all_reduce", "--hardware", "MI300X", "--shape", "message_bytes=1e9,ranks=8",
                "--json")
    assert out.exit_code == 0, out.stderr
    got = json.loads(out.stdout)
    api = pipeline.evaluate_kernel("all_reduce", "MI300X", message_bytes=1e9, ranks=8).row(0, named=True)
    assert got["busbw_bytes_per_s"] == api["busbw_bytes_per_s"] and got["time_s"] == api["time_s"]
    assert got["units"]["busbw_bytes_per_s"] == "B/s" and got["units"]["time_s"] == "s"
    assert got["bound"] == "network"


def test_collective_over_a_cluster(mlsys):
    out = mlsys("evaluate", "--study", "kernel", "--op", "all_reduce", "--cluster",
                "NVIDIA DGX SuperPOD DGX H100 (1 SU, 31 nodes)", "--shape", "message_bytes=1073741824,ranks=64")
    assert out.exit_code == 0, out.stderr
    assert "bus bandwidth" in out.stdout.splitlines()[0] and "hierarchical" in out.stdout


def test_bad_kernel_input(mlsys):
    out = mlsys("evaluate", "--study", "kernel", "--hardware", H100, "--shape", "m=1")
    assert out.exit_code == 2 and "--op" in out.stderr
    out = mlsys("evaluate", "--op", "gemm", "--hardware", H100, "--shape", "m=-4,n=8,k=8")
    assert out.exit_code == 2 and "m must be positive, got -4" in out.stderr
    out = mlsys("evaluate", "--op", "gemm", "--hardware", H100, "--shape", "m=x,n", "--shape", "causal=maybe")
    assert out.exit_code == 2
    assert "m='x': expected a number" in out.stderr and "'n', expected field=value" in out.stderr
    assert "causal='maybe'" in out.stderr
    out = mlsys("evaluate", "--op", "gemm", "--hardware", "H100 SXM", "--shape", "m=8,n=8,k=8")
    assert out.exit_code == 2 and "did you mean 'H100 SXM5 80GB'" in out.stderr
    out = mlsys("evaluate", "--op", "all_reduce", "--hardware", H100, "--shape", "message_bytes=1e9,ranks=16")
    assert out.exit_code == 2 and "name a cluster" in out.stderr


def test_other_studies_still_need_a_model(mlsys):
    out = mlsys("evaluate", "--hardware", H100)
    assert out.exit_code == 2 and "--model" in out.stderr and "required by the node study" in out.stderr


def test_a_byte_count_with_a_unit_says_the_shape_takes_bytes(mlsys):
    """tryout: `--shape message_bytes=1GB,ranks=8` said only "expected a number"."""
    out = mlsys("evaluate", "--op", "all_reduce", "--hardware", H100, "--shape", "message_bytes=1GB,ranks=8")
    assert out.exit_code == 2
    assert "message_bytes='1GB': expected a number of bytes, without a unit (1e9, not 1GB)" in out.stderr
