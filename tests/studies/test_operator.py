"""The kernel study (issue 12 item 6): one GEMM, attention call or collective, checked against
predictions computed by hand in the tests from the catalogs' published figures (peaks, link
rates, the fitted GEMM and all-reduce parameters), and bad input."""

from __future__ import annotations

import math

import polars as pl
import pytest

import pipeline
from pipeline.catalogs.load import load_catalogs
from pipeline.catalogs.paths import bundled_registry
from pipeline.errors import InputError, UnknownNameError
from pipeline.studies.operator import predict_operators

H100 = "H100 SXM5 80GB"
POD = "NVIDIA DGX SuperPOD DGX H100 (1 SU, 31 nodes)"
GIB = 2.0**30


@pytest.fixture(scope="module")
def catalogs():
    return load_catalogs()


def hardware(catalogs, name: str) -> dict:
    return catalogs.hardware.filter(pl.col("name") == name).row(0, named=True)


def kernel_fit(catalogs, name: str, precision: str) -> dict:
    return catalogs.kernel_efficiency.filter((pl.col("hardware") == name)
                                             & (pl.col("precision") == precision)).row(0, named=True)


def test_square_bf16_gemm_on_h100_by_hand(catalogs):
    """8192^3 BF16 on H100: 64 x 64 = 4096 tiles of 128 x 128 on 132 SMs run in ceil(4096/132) = 32
    waves, the last part-empty: 4096 / (32 x 132) busy; no split-K (more tiles than SMs); K loop
    8192 / (8192 + k_half); compute-bound (403 MB moved in far less time)."""
    fit = kernel_fit(catalogs, H100, "bf16")
    assert (fit["units"], fit["tile_m"], fit["tile_n"]) == (132, 128, 128)
    eta = fit["ceiling"] * (4096 / (32 * 132)) * (8192 / (8192 + fit["k_half"]))
    flop = 2 * 8192.0**3
    expected = flop / (hardware(catalogs, H100)["peak_bf16_flop_per_s"] * eta)
    row = pipeline.evaluate_kernel("gemm", H100, m=8192, n=8192, k=8192).row(0, named=True)
    assert row["time_s"] == pytest.approx(expected, rel=1e-9)
    assert row["achieved_flop_per_s"] == pytest.approx(flop / expected, rel=1e-9)
    assert row["fraction_of_peak"] == pytest.approx(eta, rel=1e-9)
    assert (row["bound"], row["efficiency_basis"]) == ("compute", "kernel fit")


def alpha(catalogs, name: str) -> float:
    """The fixed time of one memory-bound kernel on ``name`` (kernel_efficiency.memory_latency_s)."""
    return catalogs.kernel_efficiency.filter(pl.col("hardware") == name)["memory_latency_s"][0]


def test_gemv_is_memory_bound_at_the_profiles_bandwidth_share(catalogs):
    """M = 1: A (K), B (K x N) and C (N) at 2 bytes move at bandwidth x eta_memory, after one
    kernel's fixed time α (Hockney's α–β, walls/kernel_calls.latency_roofline_time_s)."""
    row = pipeline.evaluate_kernel("gemm", H100, dtype="fp16", m=1, n=16384, k=16384).row(0, named=True)
    nbytes = (16384 + 16384 * 16384 + 16384) * 2.0
    expected = (nbytes / (hardware(catalogs, H100)["memory_bandwidth_bytes_per_s"] * row["eta_memory"])
                + alpha(catalogs, H100))
    assert row["bound"] == "memory"
    assert row["time_s"] == pytest.approx(expected, rel=1e-9)
    assert 0.5 < row["eta_memory"] <= 1.0


def test_gemm_without_kernel_data_keeps_the_profile_eta():
    row = pipeline.evaluate_kernel("gemm", "TPU v5e", m=8192, n=8192, k=8192).row(0, named=True)
    assert row["efficiency_basis"] == "profile η"
    assert row["fraction_of_peak"] == pytest.approx(row["eta_compute"], rel=1e-12)


def test_causal_attention_flops_and_profile_eta(catalogs):
    """FlashAttention's count: 4 b h d S^2 / 2 causal; long sequences are compute-bound at the profile η."""
    row = pipeline.evaluate_kernel("attention", H100, batch=2, heads=32, kv_heads=8, head_dim=128, q_len=8192,
                                   kv_len=8192, causal=True).row(0, named=True)
    flop = 4 * 2 * 32 * 128 * 8192**2 / 2
    assert row["flop"] == pytest.approx(flop, rel=1e-12)
    assert row["bytes"] == pytest.approx(2 * 128 * (2 * 8192 * 32 + 2 * 8192 * 8) * 2.0, rel=1e-12)
    assert row["bound"] == "compute"
    assert row["time_s"] == pytest.approx(flop / (hardware(catalogs, H100)["peak_bf16_flop_per_s"]
                                                  * row["eta_compute"]), rel=1e-9)
    assert row["efficiency_basis"] == "profile η"


def test_decode_attention_reads_the_kv_cache(catalogs):
    """One query token against 4096 cached: memory-bound on reading K and V, after the decode-attention call's
    own fixed time (kernel_efficiency.attention_latency_s: 14.70 µs on Hopper, the intercept of onnxruntime PR
    21414's H100 sweep, tests/validation/test_decode_attention_fit.py), not the GEMM fit's α."""
    row = pipeline.evaluate_kernel("attention", H100, batch=8, heads=32, kv_heads=8, head_dim=128, q_len=1,
                                   kv_len=4096).row(0, named=True)
    nbytes = 8 * 128 * (2 * 1 * 32 + 2 * 4096 * 8) * 2.0
    assert row["bound"] == "memory"
    assert row["time_s"] == pytest.approx(nbytes / (hardware(catalogs, H100)["memory_bandwidth_bytes_per_s"]
                                                    * row["eta_memory"]) + 14.70e-6, abs=0.01e-6)


def test_all_reduce_in_a_node_at_the_fitted_regime():
    """1 GiB over 8 H100s: regime r4 of the nvlink4 fit; ring 2(n-1) alpha + 2(n-1)/n M / beta,
    beta = link_fraction x 450 GB/s; busbw = M / t x 2(n-1)/n (nccl-tests)."""
    fits = pl.read_csv(bundled_registry() / "collective_fits.csv")
    r4 = fits.filter((pl.col("fabric_class") == "nvlink4_nvswitch") & (pl.col("regime") == "r4")).row(0, named=True)
    t = 2 * 7 * r4["alpha_s"] + 2 * 7 / 8 * GIB / (r4["link_fraction"] * 450e9)
    row = pipeline.evaluate_kernel("all_reduce", H100, message_bytes=GIB, ranks=8).row(0, named=True)
    assert row["time_s"] == pytest.approx(t, rel=1e-9)
    assert row["busbw_bytes_per_s"] == pytest.approx(GIB / t * 2 * 7 / 8, rel=1e-9)
    assert row["algbw_bytes_per_s"] == pytest.approx(GIB / t, rel=1e-9)
    assert row["bound"] == "network"
    assert row["efficiency_basis"].startswith("all-reduce fit nvlink4_nvswitch")


def test_all_gather_in_a_node_at_link_times_eta_link(catalogs):
    """Ring all-gather: (n-1) latency + (n-1)/n M / (link x eta_link); busbw x (n-1)/n."""
    row = pipeline.evaluate_kernel("all_gather", H100, message_bytes=GIB, ranks=8).row(0, named=True)
    hw = hardware(catalogs, H100)
    t = 7 * hw["scaleup_link_latency_s"] + 7 / 8 * GIB / (hw["scaleup_link_bandwidth_bytes_per_s"] * row["eta_link"])
    assert row["time_s"] == pytest.approx(t, rel=1e-9)
    assert row["busbw_bytes_per_s"] == pytest.approx(GIB / t * 7 / 8, rel=1e-9)
    assert row["efficiency_basis"] == "link x eta_link"


def test_h100_pcie_all_reduce_is_one_nvlink_bridge_pair(catalogs):
    """Two H100 PCIe joined by NVLink bridges: 600 GB/s bidirectional between the pair (H100 PCIe
    product brief PB-11133), so 300 GB/s per direction and a domain of 2 (no NVSwitch, no fit:
    link x eta_link); a 2-rank ring moves M per direction, busbw = algbw = M / t. Four ranks
    leave the pair (PCIe between pairs): not priced as NVLink, the row names the domain."""
    hw = hardware(catalogs, "H100 PCIe 80GB")
    assert (hw["scaleup_link_bandwidth_bytes_per_s"], hw["scaleup_domain_size"]) == (300e9, 2)
    row = pipeline.evaluate_kernel("all_reduce", "H100 PCIe 80GB", message_bytes=GIB, ranks=2).row(0, named=True)
    t = 2 * hw["scaleup_link_latency_s"] + GIB / (300e9 * row["eta_link"])
    assert row["time_s"] == pytest.approx(t, rel=1e-9)
    assert row["busbw_bytes_per_s"] == pytest.approx(GIB / t, rel=1e-9)
    assert row["efficiency_basis"] == "link x eta_link"
    with pytest.raises(InputError, match=r"exceed the scale-up domain \(2\)"):
        pipeline.evaluate_kernel("all_reduce", "H100 PCIe 80GB", message_bytes=GIB, ranks=4)


def test_all_reduce_across_nodes_is_hierarchical(catalogs):
    """16 ranks on 8-GPU domains: the node's all-reduce at the collectives catalog's fit for a
    1 GiB message (regime r4: alpha ratio x link latency, link fraction x link), pipelined with
    the exchange of M per node between the 2 nodes over their 8 x 400 Gb/s NICs at 0.95 of line rate
    (NCCL's 46-49 GB/s per NDR NIC, nccl-tests #267/#290), after 2 tree hops of NCCL's Simple latency
    (28 / 2.7 x the cluster's ring LL latency)."""
    row = pipeline.evaluate_kernel("all_reduce", cluster=POD, message_bytes=GIB, ranks=16).row(0, named=True)
    hw = hardware(catalogs, H100)
    pod = catalogs.clusters.filter(pl.col("name") == POD).row(0, named=True)
    fit = pl.read_csv(bundled_registry() / "collective_fits.csv").filter(
        pl.col("fabric_class") == "nvlink4_nvswitch", pl.col("regime") == "r4").row(0, named=True)
    node_nics = pod["nic_bandwidth_bits_per_s"] * pod["nics_per_node"] / 8 * 0.95
    within = 1.75 * GIB / (fit["link_fraction"] * hw["scaleup_link_bandwidth_bytes_per_s"])
    across = GIB / node_nics
    latency = 14 * fit["alpha_s"] + 2 * 28e-6 * pod["scaleout_latency_s"] / 2.7e-6
    assert row["time_s"] == pytest.approx(latency + max(within, across), rel=1e-9)
    assert row["busbw_bytes_per_s"] == pytest.approx(GIB / row["time_s"] * 2 * 15 / 16, rel=1e-9)
    assert row["efficiency_basis"].startswith("hierarchical, pipelined: all-reduce fit nvlink4_nvswitch")


def test_rows_are_vectorized_and_keep_their_order_and_reasons(catalogs):
    rows = pl.DataFrame({"op": ["all_reduce", "gemm", "gemm", "all_reduce"], "hardware": [H100, H100, "H100 SXM", H100],
                         "m": [None, 64.0, 64.0, None], "n": [None, 4096.0, 4096.0, None],
                         "k": [None, 4096.0, 4096.0, None], "message_bytes": [GIB, None, None, GIB],
                         "ranks": [8.0, None, None, 16.0]})
    out = predict_operators(rows, catalogs)
    assert out["op"].to_list() == rows["op"].to_list()
    assert out["reason"][0] is None and out["reason"][1] is None
    assert "did you mean 'H100 SXM5 80GB'" in out["reason"][2]
    assert "exceed the scale-up domain (8)" in out["reason"][3] and "cluster" in out["reason"][3]
    assert out["time_s"][2] is None and out["time_s"][3] is None


@pytest.mark.parametrize(("op", "shape", "expected"), [
    ("gemm", {"m": -1, "n": 8, "k": 8}, "m must be positive, got -1"),
    ("gemm", {"m": 8, "n": 0, "k": 8}, "n must be positive, got 0"),
    ("gemm", {"m": 8, "n": 8}, "gemm needs k"),
    ("all_reduce", {"message_bytes": 1e6, "ranks": 1}, "at least 2 ranks"),
    ("all_reduce", {"message_bytes": -5, "ranks": 8}, "message_bytes must be positive"),
    ("attention", {"batch": 1, "heads": 32, "kv_heads": 5, "head_dim": 128, "q_len": 8, "kv_len": 8},
     "heads must be a multiple of kv_heads"),
    ("attention", {"batch": 1, "heads": 8, "kv_heads": 8, "head_dim": 128, "q_len": 8, "kv_len": 4, "causal": True},
     "kv_len >= q_len"),
    ("conv", {}, "op 'conv' is not one of gemm, attention"),
])
def test_bad_input_is_named(op, shape, expected):
    with pytest.raises(InputError) as info:
        pipeline.evaluate_kernel(op, H100, **shape)
    assert expected in str(info.value).replace("op conv", "op 'conv'")


def test_unknown_hardware_suggests_the_closest_names():
    with pytest.raises(UnknownNameError) as info:
        pipeline.evaluate_kernel("gemm", "H100 SXM", m=8, n=8, k=8)
    assert "'H100 SXM5 80GB'" in str(info.value)


def test_unknown_shape_field_and_missing_peak():
    with pytest.raises(InputError, match="not a kernel shape field"):
        pipeline.evaluate_kernel("gemm", H100, m=8, n=8, k=8, rows=3)
    with pytest.raises(InputError, match="has no fp4 peak|is not a compute precision"):
        pipeline.evaluate_kernel("gemm", "A100 SXM4 80GB", dtype="fp4", m=8, n=8, k=8)


def test_time_is_finite_and_positive_over_shapes(catalogs):
    shapes = pl.DataFrame({"op": "gemm", "hardware": ["MI300X", "A100 SXM4 80GB", H100, "B200 (HGX B200)"] * 3,
                           "dtype": "bf16", "m": [1.0] * 4 + [100.0] * 4 + [5000.0] * 4, "n": 7168.0, "k": 2048.0})
    out = predict_operators(shapes, catalogs)
    assert out["reason"].is_null().all()
    assert all(math.isfinite(t) and t > 0 for t in out["time_s"])
    assert (out["fraction_of_peak"] <= 1.0).all()
