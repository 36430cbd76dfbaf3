"""The fixed time of one memory-bound kernel (α of t = α + bytes / β), fitted to small-M GEMM
sweeps only (pipeline.validation.latency_fit), and its place in the catalog and the serving roofline."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.studies.kernels import kernel_table
from pipeline.units import col
from pipeline.validation.gemm_fit import OWN_CEILING_ONLY, shaped_rows
from pipeline.validation.latency_fit import latency_rows, memory_latencies, sweep_intercepts
from pipeline.walls.kernel_calls import latency_roofline_compute_bound, latency_roofline_time_s


@pytest.fixture(scope="module")
def rows() -> pl.DataFrame:
    return latency_rows(shaped_rows())


def test_alpha_of_one_row_by_hand(rows):
    """vLLM's H100 sweep (gemm.csv): cuBLAS bf16 M = 1, N = 12288, K = 5376 at 2.870333 TFLOP/s takes
    2·12288·5376 / 2.870333e12 = 46.03 µs; it moves (5376 + 5376·12288)·2 + 12288·2 = 132,155,904 B,
    which stream in 132,155,904 / (3.35e12 x 3134.3/3350) = 42.16 µs (H100 SXM5: 3.35 TB/s, streaming
    fraction 3134.3 of 3350 GB/s, memory_bandwidth.csv); α = 3.87 µs."""
    r = rows.filter((pl.col("hardware") == "H100 SXM5 80GB") & (pl.col("M") == 1.0)
                    & (pl.col("library").str.contains("bf16"))).row(0, named=True)
    measured = 2 * 12288 * 5376 / 2.870333e12
    nbytes = (5376 + 5376 * 12288) * 2 + 12288 * 2
    assert r["bytes"] == nbytes
    assert r["latency_s"] == pytest.approx(measured - nbytes / (3.35e12 * 3134.3 / 3350), rel=1e-3)
    assert r["latency_s"] == pytest.approx(3.87e-6, abs=0.01e-6)


def test_rows_are_memory_bound_single_kernels(rows):
    assert rows.height > 0
    assert (rows["M"] <= 128).all() and (rows["stream_s"] > rows["compute_s"]).all()
    assert not rows["dtype"].str.contains("incl. quant").any()  # those time a quantization kernel too


def test_family_takes_the_median_of_its_fitted_rows(rows):
    fitted = memory_latencies(shaped_rows()).filter(pl.col("hardware").is_in(["H100 SXM5 80GB", "H200 SXM 141GB"]))
    h100 = rows.filter(pl.col("hardware") == "H100 SXM5 80GB")["latency_s"].median()
    assert fitted["memory_latency_s"].to_list() == pytest.approx([h100, h100])  # H200: the same GH100 family
    assert 1e-6 < h100 < 10e-6  # a few µs: a launch and the first DRAM round trips, not a bandwidth effect


def _least_squares_intercept(xs: list[float], ys: list[float]) -> float:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return my - slope * mx


def test_a100_alpha_is_the_intercept_of_its_sweep_by_hand():
    """No A100 streaming fraction in the catalog: α is the intercept of the line through sgl-kernel's int8 sweep
    (gemm.csv, sglang PRs 2774 / 3093) at one M. At M = 1: N x K = 4096 x 8192 at 1.64 TFLOP/s, 6144 x 4096 at
    1.54, 4096 x 4096 at 1.41 take 2NK / rate = 40.92, 32.68, 23.80 µs and move K + NK + 2N bytes (int8 in, 16-bit
    out) = 33,570,816, 25,182,208, 16,789,504 B: slope 1.020e-12 s/B (0.98 TB/s), intercept 6.77 µs."""
    shapes = [(4096, 8192, 1.64e12), (6144, 4096, 1.54e12), (4096, 4096, 1.41e12)]
    xs = [k + n * k + 2.0 * n for n, k, _ in shapes]
    ys = [2.0 * n * k / rate for n, k, rate in shapes]
    assert xs == [33_570_816, 25_182_208, 16_789_504]
    by_hand = _least_squares_intercept(xs, ys)
    assert by_hand == pytest.approx(6.77e-6, abs=0.01e-6)
    sweeps = sweep_intercepts(shaped_rows())
    m1 = sweeps.filter((pl.col("hardware") == "A100 SXM4 80GB") & (pl.col("M") == 1.0)).row(0, named=True)
    assert m1["rows"] == 3 and m1["latency_s"] == pytest.approx(by_hand, rel=1e-9)
    assert 1.0 / m1["seconds_per_byte"] == pytest.approx(0.98e12, rel=0.01)  # its own stream, not the catalog's β
    assert set(sweeps["hardware"].to_list()) == {"A100 SXM4 80GB"}  # the only sweep without a streaming fraction


def test_a100_family_takes_the_median_intercept():
    """Five sweeps (M = 1, 16, 32, 64, 128) of three shapes: the median of their intercepts, for every Ampere part;
    H100 keeps its median of measured - stream (its family has a streaming fraction)."""
    sweeps = sweep_intercepts(shaped_rows()).sort("M")
    assert sweeps["M"].to_list() == [1.0, 16.0, 32.0, 64.0, 128.0]
    fitted = memory_latencies(shaped_rows())
    ampere = fitted.filter(pl.col("hardware").is_in(["A100 SXM4 80GB", "A100 PCIe 80GB"]))
    assert ampere["memory_latency_s"].to_list() == pytest.approx([sorted(sweeps["latency_s"].to_list())[2]] * 2)
    assert ampere["memory_latency_rows"].to_list() == [15.0, 15.0]
    assert "intercept" in ampere["memory_latency_source"][0] and "pull/3093" in ampere["memory_latency_source"][0]
    assert 4e-6 < ampere["memory_latency_s"][0] < 8e-6


def test_catalog_holds_the_fit():
    own = pl.col("precision").is_in(list(OWN_CEILING_ONLY))  # their own floor: test_gemm_fit_floor
    cat = load_catalogs().kernel_efficiency.filter(~own)
    fresh = memory_latencies(shaped_rows()).select("hardware", fresh="memory_latency_s")
    joined = cat.join(fresh, on="hardware", how="left")
    assert joined["memory_latency_s"].to_list() == pytest.approx(joined["fresh"].to_list(), nan_ok=True)


SIDE = pl.DataFrame({"name": ["H100 SXM5 80GB", "TPU v5p"], "compute_dtype": ["fp8", "bf16"]})


def test_only_a_kernel_fit_pays_the_fixed_time():
    cat = load_catalogs().kernel_efficiency
    h100 = cat.filter(pl.col("hardware") == "H100 SXM5 80GB")["memory_latency_s"][0]
    assert kernel_table(SIDE, cat, "kernel", None)["memory_latency_s"].to_list() == [h100, 0.0]
    for model, override in (("profile", None), ("kernel", 0.4)):  # a profile's or a chosen η is the whole operator
        assert kernel_table(SIDE, cat, model, override)["memory_latency_s"].to_list() == [0.0, 0.0]


def _roofline(flop, nbytes, kernels, latency):
    frame = pl.DataFrame({"f": [flop], "b": [nbytes], "p": [1e15], "e": [0.5], "w": [3e12], "m": [1.0],
                          "a": [latency]})
    args = (col("f", "FLOP"), col("b", "B"), col("p", "FLOP/s"), col("e", ""), col("w", "B/s"), col("m", ""))
    time = latency_roofline_time_s(*args, kernels, col("a", "s"))
    bound = latency_roofline_compute_bound(*args, kernels, col("a", "s"))
    return frame.select(t=time.expr, c=getattr(bound, "expr", bound)).row(0)  # a comparison is a plain Expr


def test_latency_roofline_by_hand():
    """30 MB at 3 TB/s = 10 µs, + 2 kernels x 4 µs = 18 µs, above 1 GFLOP at 0.5 PFLOP/s = 2 µs;
    with 20 GFLOP (40 µs) the compute side binds and α is hidden."""
    t, compute = _roofline(1e9, 30e6, 2.0, 4e-6)
    assert t == pytest.approx(18e-6) and not compute
    t, compute = _roofline(20e9, 30e6, 2.0, 4e-6)
    assert t == pytest.approx(40e-6) and compute


def test_decode_norms_pay_two_kernels_alpha():
    """Serving's norms operator (two RMSNorms with the residual adds fused in: 2 kernels,
    walls/operators.OPERATOR_KERNELS) at 8 decode tokens, d_model 4096, 2 B: 10 x 8 x 4096 x 2 B = 655,360 B
    at 3e12 x 0.9 B/s = 0.2427 µs, + 2 x 4 µs = 8.24 µs; memory-bound (10 x 8 x 4096 FLOP at 0.5 PFLOP/s
    is 0.66 ns)."""
    import pipeline.walls  # noqa: F401  (registers the serving formulas)
    from pipeline import formulas
    from pipeline.units import unit
    from pipeline.walls.registries import SERVING

    columns = {"decode_tokens": (8.0, "tok"), "d_model": (4096.0, ""), "bytes_per_element": (2.0, "B/elem"),
               "peak_flop_per_s": (1e15, "FLOP/s"), "eta_compute": (0.5, ""),
               "memory_bandwidth_bytes_per_s": (3e12, "B/s"), "eta_memory": (0.9, ""), "memory_latency_s": (4e-6, "s")}
    frame = pl.DataFrame({k: [v] for k, (v, _) in columns.items()})
    plan = formulas.plan(frame.lazy(), {k: unit(u) for k, (_, u) in columns.items()},
                         ["decode_norms_time_s", "decode_norms_is_compute_bound"], formulas.REGISTRY | SERVING)
    t, compute = plan.frame.collect().select("decode_norms_time_s", "decode_norms_is_compute_bound").row(0)
    assert t == pytest.approx(2 * 4e-6 + 10 * 8 * 4096 * 2 / (3e12 * 0.9), rel=1e-12)
    assert not compute
