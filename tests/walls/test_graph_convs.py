"""Form G5 of a graphed CNN step (pipeline.walls.graph_convs, r-accrest §4) against hand values and r-accrest's
resnet_layers_priced.py."""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipeline import api
from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.units import col
from pipeline.walls.graph_convs import TILE_FIXED_CYCLES, conv_time_s
from pipeline.walls.graph_latency import graph_compute_time_s

A100 = {"units": 108.0, "tm": 128.0, "tn": 128.0, "ceiling": 0.968567, "best": 0.869231, "peak": 624e12,
        "clock": 624e12 / (108 * 4096), "bw": 2.039e12, "bpe": 1.0}
L4 = {"units": 58.0, "tm": 128.0, "tn": 128.0, "ceiling": 0.908845, "best": 0.745178, "peak": 242.5e12,
      "clock": 2041520743.5344827, "bw": 300e9, "bpe": 1.0}


def conv(m: float, n: float, k: float, c: float, count: float | None, part: dict, batch: float = 1.0,
         w: float | None = None) -> float:
    """``count`` convs of one shape reading ``c`` and writing ``w`` (default: all ``n``) channels a position."""
    frame = pl.DataFrame({"m": [m], "n": [n], "k": [k], "c": [c], "w": [n if w is None else w], "count": [count],
                          "batch": [batch]} | part, schema_overrides={"count": pl.Float64, "w": pl.Float64})
    units = {"peak": "FLOP/s", "clock": "Hz", "bw": "B/s", "bpe": "B/elem"}
    out = conv_time_s(*(col(c, "") for c in ("m", "n", "k", "c", "w", "count", "batch")),
                      *(col(c, units.get(c, "")) for c in part))
    return frame.select(out.to("s").expr).item()


def test_the_tile_fixed_time_is_the_a100_int8_fits_k_half_in_its_cycles():
    """t_fix = k_half x 2 x 128 x 128 x 108 / 624e12 s, at 624e12 / (108 x 4,096) Hz = k_half x 8: 1,029.366 x 8 =
    8,234.93 cycles (r-accrest README §8 item 2: 'the A100 fit's 8,235 cycles')."""
    fit = read_catalog("kernel_efficiency").filter((pl.col("hardware") == "A100 SXM4 80GB")
                                                   & (pl.col("precision") == "int8")).row(0, named=True)
    assert TILE_FIXED_CYCLES == pytest.approx(8 * fit["k_half"], rel=1e-9)
    assert TILE_FIXED_CYCLES == pytest.approx(8234.93, abs=0.01)


def test_a_one_wave_conv_is_its_gemm_at_k_half_zero():
    """A100, ResNet-50's stage-2 3 x 3 conv (M 784, N 128, K 1,152, C 128), 4 of them: 7 x 1 tiles, split
    min(floor(108 / 7), ceil(1,152 / 256)) = 5, 35 pieces, one wave (wave 35 / 108 = 0.324074), tile 784 x 128 /
    (7 x 128 x 128) = 0.875: eta 0.968567 x 0.324074 x 0.875 = 0.274655; 2 x 784 x 128 x 1,152 = 231.211 MFLOP in
    1.34908 us, above its bytes (128 x 1,152 + 784 x 256 = 348,160 B / 2.039 TB/s = 0.17075 us): 4 x 1.34908 =
    5.3963 us, whatever the tile's fixed time (alpha carries it on the first wave)."""
    assert conv(784, 128, 1152, 128, 4, A100) == pytest.approx(5.3963e-6, rel=1e-4)


def test_a_two_wave_conv_pays_the_tiles_fixed_time_on_its_second_wave():
    """L4 (58 SMs, 2.0415 GHz, 242.5 T int8), ResNet-50's stem (M 12,544, N 64, K 147, C 3): 98 x 1 tiles, split 1,
    2 waves (98 / 116 = 0.844828), tile 12,544 x 64 / (98 x 128 x 128) = 0.5: eta0 0.908845 x 0.844828 x 0.5 =
    0.383909. k_half = 8,234.93 / 2.0415e9 s x 242.5e12 / (2 x 128 x 128 x 58) x 1 B / 2 B = 257.34, K efficiency
    147 / 404.34 = 0.363554. 236.028 MFLOP: t0 = 2.53527 us, t = 6.97356 us; bytes 64 x 147 + 12,544 x 67 =
    849,856 B / 300 GB/s = 2.83285 us binds t0: G5 = 6.97356 - (6.97356 - 2.83285) / 2 = 4.90321 us."""
    k_half = 8234.93 / 2041520743.5344827 * 242.5e12 / (2 * 128 * 128 * 58) / 2
    assert k_half == pytest.approx(257.34, abs=0.01)
    t0 = 2 * 12544 * 64 * 147 / (242.5e12 * 0.908845 * (98 / 116) * 0.5)
    t = t0 * (147 + k_half) / 147
    memory = (64 * 147 + 12544 * 67) / 300e9
    assert (t0, t, memory) == pytest.approx((2.53527e-6, 6.97356e-6, 2.83285e-6), rel=1e-5)
    assert conv(12544, 64, 147, 3, 1, L4) == pytest.approx(t - (t - memory) / 2, rel=1e-5)
    assert conv(12544, 64, 147, 3, 1, L4) == pytest.approx(4.90321e-6, rel=1e-5)


def test_an_empty_slot_adds_nothing():
    assert conv(None, None, None, None, None, A100) == 0.0


def test_a_conv_at_batch_64_pays_the_tiles_fixed_time_on_three_of_its_four_waves():
    """A100 SXM int8 fit (108 SMs, 128 x 128, ceiling 0.968567, best 0.869231, 624 T, 1.41059 GHz, 2.039 TB/s), the
    form at every batch (r-acccnn): ResNet-50's stage-3 3 x 3 conv (M 784 a image, N 128, K 1,152, C 128), 4 of
    them, at batch 64. M = 50,176: 392 x 1 tiles, split min(max(floor(108 / 392), 1), ceil(1,152 / 256)) = 1,
    waves ceil(392 / 108) = 4 (wave 392 / 432 = 0.907407), tile 1.0. k_half = 8,234.93 cycles / 1.41059 GHz x
    624e12 / (2 x 128 x 128 x 108) / 2 (int8 C) = 514.683, K efficiency 1,152 / 1,666.683 = 0.691193: eta 0.968567
    x 0.907407 x 0.691193 = 0.607479; at k_half 0 0.878885, capped at 0.869231. FLOP 2 x 50,176 x 128 x 1,152 =
    14.7975 G: t = 39.0366 us, t0 = 27.2815 us; bytes 128 x 1,152 + 50,176 x 256 = 12,992,512 B / 2.039 TB/s =
    6.3720 us (compute binds). Each conv t - (t - t0) / 4 = 36.0979 us; 4 of them 144.391 us."""
    assert conv(784, 128, 1152, 128, 4, A100, batch=64) == pytest.approx(144.391e-6, rel=1e-5)


def test_a_conv_whose_output_stays_on_chip_pays_no_tiles_fixed_time_and_only_its_weights():
    """The same four convs inside a fused kernel (reading 0 and writing 0 channels a position, ResNet-50's res2 in
    NVIDIA's RES2_FULL_FUSION): the tile's fixed part is the epilogue's store of C, none here (k_half x 0 / N), so
    each conv is t0 = 27.2815 us (its bytes: the weights, 147,456 B, 0.0723 us): 4 x 27.2815 = 109.126 us."""
    assert conv(784, 128, 1152, 0, 4, A100, batch=64, w=0) == pytest.approx(109.126e-6, rel=1e-5)


def _latency(model: str, hardware: str, framework: str = "TensorRT", batch: int = 1, registry=None) -> dict:
    return api.evaluate(model, hardware, batch=batch, compute_dtype="int8", framework=framework,
                        registry=registry).row(0, named=True)


@pytest.fixture(scope="module")
def unfused(tmp_path_factory):
    """A registry whose conv_layers lists every conv as its own kernel (reading its input and writing its output, as
    r-accrest priced them), the other catalogs the bundled ones."""
    folder = tmp_path_factory.mktemp("unfused")
    convs = read_catalog("conv_layers").with_columns(pl.col("in_channels").alias("read_channels"),
                                                     pl.col("out_channels").alias("written_channels"))
    write_catalog(convs, "conv_layers", folder)
    return folder


@pytest.mark.parametrize(("hardware", "g5_s"), [("A100 SXM4 80GB", 0.4332172646518745e-3),
                                                ("L4", 0.42212594634321297e-3),
                                                ("H100 PCIe 80GB", 0.3566380754768967e-3)])
def test_resnet50_graphed_is_r_accrests_g5(hardware, g5_s, unfused):
    """r-accrest's resnet_layers_priced.py G5 (its ``priced(hw, reg)['G5']``, run 2026-12-06): the 53 convs + fc, one
    alpha each (54 kernels), one replay, every conv its own kernel (``unfused``); within 1e-5 (r-accrest counts the
    fc's 1,000 bias bytes, the catalog not)."""
    got = _latency("ResNet-50", hardware, registry=unfused)
    assert got["latency_s"] == pytest.approx(g5_s, rel=1e-5)
    alpha = 9555.03 / _hw(hardware)["sm_clock_hz"]
    assert got["latency_s"] - got["graph_compute_time_s"] == pytest.approx(54 * alpha + 2.5e-6 + 54e-9, rel=1e-5)


def _hw(name: str) -> dict:
    return read_catalog("hardware").filter(pl.col("name") == name).row(0, named=True)


def test_a_cnn_without_listed_convs_runs_its_flops_at_the_ceiling():
    """graph_compute_time_s's CNN branch without conv shapes (graph_conv_time_s null): FLOPs / (peak x ceiling),
    8.178 GFLOP / (624 T x 0.968567) = 13.531 us; with them, their time."""
    frame = pl.DataFrame({"conv": [None, 5e-5]}, schema={"conv": pl.Float64})
    one = {"graph_engine": pl.lit(True), "batch": 1.0, "tpl": 7.0, "no_k": 1.0, "flop": 8.178e9, "peak": 624e12,
           "ceiling": 0.968567}
    frame = frame.with_columns(**{k: (v if isinstance(v, pl.Expr) else pl.lit(v)) for k, v in one.items()})
    out = graph_compute_time_s(pl.col("graph_engine"), col("tpl", ""), col("batch", ""), pl.lit(False),
                               col("no_k", "s"), col("conv", "s"), col("flop", "FLOP"), col("peak", "FLOP/s"),
                               col("ceiling", ""))
    got = frame.select(out.to("s").expr).to_series().to_list()
    assert got[0] == pytest.approx(13.531e-6, rel=1e-4) and got[1] == 5e-5
    assert math.isclose(got[0], 8.178e9 / (624e12 * 0.968567))
