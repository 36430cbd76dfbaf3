"""A CNN's inference step conv by conv (form G5, registry_data/research/r-accrest §4 and §8 items 1-3; r-acccnn): each
convolution an implicit GEMM (M = batch x output positions, N = output channels, K = input channels per group x
kernel area; the conv_layers catalog) on the GEMM model a graphing framework's rows carry (``GRAPH_FIT``), with F4's
accounting of the fixed costs carried to kernels of several waves: alpha once a kernel (``graph_latency``) and the
tile's fixed time on every wave after the first. A conv's time is max(compute, memory) with its K loop's fixed part
(k_half) in cycles, less one wave's share of that fixed part (alpha carries the first wave's): on a one-wave kernel
the K loop at k_half = 0, r-accf4's F4 exactly. The same sum prices a graphed batch-1 step (``graph_compute_time_s``)
and an inference step at any batch (``conv_compute_time_s``; R5 at the harness's offline batch is within 0-17 % of
TensorRT >= 9's per-sample times on the HBM parts and the L40S, r-accrest §3). The model side holds a CNN's shapes
as one key, ``CONV_KEY`` (``pipeline.studies.node_graphs.with_graph_engine``), read into ``CONV_SLOTS`` slots of
columns ``graph_conv<j>_<field>`` (``SLOT_COLUMNS``) once per distinct key (``node_graphs.with_slots``: the node
study's per-key table, not its rows); a slot without a shape adds nothing, a model without any has a null time (the
step's FLOPs at one η or at the ceiling then).
"""

from __future__ import annotations

from pipeline.formulas import column, define
from pipeline.units import Plain, UExpr, lit, maximum, only_where, total, where
from pipeline.walls.gemm import (gemm_capped_efficiency, gemm_k_half_at_output, gemm_rows, gemm_split_k,
                                 gemm_tiles)
from pipeline.walls.kernel_calls import ELEMENT, gemm_flop

CONV_SLOTS = 35  # distinct conv rows a model may list (ResNet-50 at 224 px: 22, RetinaNet at 800 px: 35)
# each slot's fields, from the conv_layers catalog's columns (pipeline/catalogs/conv_layer_schema.py)
CONV_FIELDS = {"m": "positions", "n": "out_channels", "k": "reduction", "c": "read_channels", "w": "written_channels",
               "count": "count"}
CONV_KERNELS = "graph_conv_kernels"  # a CNN's convs (the sum of its shapes' counts): its graphed kernels
# a CNN's shapes as text, one "m,n,k,c,w,count" a shape (``CONV_FIELDS``' order) joined by ";": one categorical code a
# model-side row (the 300 M-row node sweep's 1.2 M rows held 121 Float32 slot columns, peak RSS 1,171 -> 1,754 MB)
CONV_KEY = "graph_conv_shapes"
# A tile's fixed time in SM cycles (r-accnode tile_fixed_time.py, r-accrest `fit`): the A100 SXM int8 kernel fit's
# k_half at 16-bit C, 1,029.366 K steps, as time, k_half x 2 tile_m tile_n x SMs / peak (5.84 us at 624 TOPS), in
# cycles of the clock that peak is quoted at, 624e12 / (108 SMs x 4,096 int8 ops a clock): k_half x 2 x 128 x 128 /
# 4,096 = 8 x k_half = 8,234.9 cycles. At another part's clock and peak it is k_half = cycles / clock x peak / (2
# tile_m tile_n SMs) K steps (the "cycle law", r-accnode §4), not the ridge law of the fit's coefficient.
TILE_FIXED_CYCLES = 1029.3660875298044 * 2 * 128 * 128 / 4096


def slot(j: int, field: str) -> str:
    """The model-side column of slot ``j``'s ``field``."""
    return f"graph_conv{j}_{field}"


def shapes_key(shapes: list[tuple[float, ...]]) -> str:
    """``CONV_KEY``'s text of a model's shapes (each a tuple of ``CONV_FIELDS``' values)."""
    return ";".join(",".join(repr(float(v)) for v in shape) for shape in shapes)


def tile_k_half(sm_clock_hz: UExpr, peak_flop_per_s: UExpr, units: UExpr, tile_m: UExpr, tile_n: UExpr,
                bytes_per_element: UExpr) -> UExpr:
    """k_half in K steps of a tile whose fixed time is ``TILE_FIXED_CYCLES`` at the part's clock, at the row's output
    element size (``gemm_k_half_at_output``: TensorRT int8 writes 1-byte C, half the fit's 16-bit C)."""
    seconds = (lit(TILE_FIXED_CYCLES) / sm_clock_hz).to("s")
    k_half = (seconds * peak_flop_per_s / (2.0 * tile_m * tile_n * units * lit(1.0, "FLOP"))).to("")
    return gemm_k_half_at_output(k_half, bytes_per_element)


def conv_time_s(m: UExpr, n: UExpr, k: UExpr, c: UExpr, w: UExpr, count: UExpr, batch: UExpr, units: UExpr,
                tile_m: UExpr, tile_n: UExpr, ceiling: UExpr, best_fraction: UExpr, peak_flop_per_s: UExpr,
                sm_clock_hz: UExpr, memory_bandwidth_bytes_per_s: UExpr, bytes_per_element: UExpr) -> UExpr:
    """``count`` convs of one shape, G5 / R5: t - (t - t0) / waves, t = max(FLOP / (peak x η), bytes / bandwidth)
    with η the GEMM model at the tile's k_half in cycles (``tile_k_half``) x the share of the output written to
    memory (w / N: the fixed part is the epilogue's store of C, ``gemm_k_half_at_output``; none for a conv whose
    output stays on chip in a fused kernel), t0 the same at k_half = 0, waves = ceil(tiles x K pieces / SMs)
    (``pipeline.walls.gemm``); bytes: the weights (N x K) and, per image, the channels read at the output's positions
    (M x c) and those written (M x w), at the row's element size (int8: 1 B; r-accrest ``convs``). 0 s for an empty
    slot."""
    rows, tiles, split, waves, flop, memory, k_half = conv_shape(m, n, k, c, w, batch, units, tile_m, tile_n,
                                                                 peak_flop_per_s, sm_clock_hz,
                                                                 memory_bandwidth_bytes_per_s, bytes_per_element)

    def at(k_half: UExpr) -> UExpr:
        eta = gemm_capped_efficiency(rows, n, k, units, tile_m, tile_n, ceiling, k_half, best_fraction, tiles, split)
        return maximum((flop / (peak_flop_per_s * eta)).to("s"), memory)

    return slot_sum(k_half, best_fraction, count, waves, at(k_half * w / n), at(lit(0.0)))


def conv_shape(m: UExpr, n: UExpr, k: UExpr, c: UExpr, w: UExpr, batch: UExpr, units: UExpr, tile_m: UExpr,
               tile_n: UExpr, peak_flop_per_s: UExpr, sm_clock_hz: UExpr, memory_bandwidth_bytes_per_s: UExpr,
               bytes_per_element: UExpr) -> tuple[UExpr, ...]:
    """A conv's implicit GEMM (``conv_time_s``): rows, tiles, K pieces, waves, FLOPs, memory time, the tile's k_half."""
    rows = gemm_rows(batch * m)
    tiles = gemm_tiles(rows, n, tile_m, tile_n)
    split = gemm_split_k(tiles, k, units)
    waves = ((tiles * split) / units).ceil()
    flop = gemm_flop(rows, n, k)
    memory = ((n * k + rows * (c + w)) * ELEMENT * bytes_per_element / memory_bandwidth_bytes_per_s).to("s")
    return rows, tiles, split, waves, flop, memory, tile_k_half(sm_clock_hz, peak_flop_per_s, units, tile_m, tile_n,
                                                                bytes_per_element)


def slot_sum(k_half: UExpr, best_fraction: UExpr, count: UExpr, waves: UExpr, fixed: UExpr, free: UExpr) -> UExpr:
    """``count`` x (fixed - (fixed - free) / waves); 0 s for an empty slot, null without a GEMM model or a clock
    (gemm_capped_efficiency's minimum and maximum skip a null term)."""
    return only_where(k_half.is_not_null() & best_fraction.is_not_null(),
                      where(count.is_not_null(), count * (fixed - (fixed - free) / waves), lit(0.0, "s")))


def convs_time_s(first_count: UExpr, *slots: UExpr) -> UExpr:
    """The slots' sum; null for a model that lists no shape (its first slot empty)."""
    return only_where(first_count.is_not_null(), total(*slots))


# a graphed step's GEMM model (pipeline.studies.node_graphs.GRAPH_FIT): units, tile, ceiling, best fraction
GRAPH_FIT = ["graph_gemm_units", "graph_gemm_tile_m", "graph_gemm_tile_n", "graph_gemm_ceiling",
             "graph_gemm_best_fraction"]
HARDWARE_INPUTS = [*GRAPH_FIT, "peak_flop_per_s", "sm_clock_hz", "memory_bandwidth_bytes_per_s", "bytes_per_element"]
SLOT_COLUMNS = [slot(j, f) for j in range(CONV_SLOTS) for f in CONV_FIELDS]
for _j in range(CONV_SLOTS):
    define(f"graph_conv{_j}_time_s", [*(slot(_j, f) for f in CONV_FIELDS), "batch", *HARDWARE_INPUTS], conv_time_s)
define("graph_conv_time_s", [slot(0, "count"), *(f"graph_conv{j}_time_s" for j in range(CONV_SLOTS))], convs_time_s)


@column
def conv_compute_time_s(step: Plain, graph_conv_time_s: UExpr) -> UExpr:
    """An inference step's convs at the row's batch (``graph_conv_time_s``; null for a training step, whose backward
    convs are other shapes, and where no shapes or no GEMM model). Each conv's first wave's fixed part is left to
    alpha, once a kernel, at every batch: a kernel's fixed cost is device time (its launch to the first tile's start,
    r-accnode §3), which a graph does not remove and a host that enqueues ahead does not hide, so an eager engine
    pays it too (r-accrest §3: R5, alpha a conv for the whole batch, is within 0-17 % of TensorRT >= 9's offline
    per-sample times; §8 item 3). ``pipeline.walls.software.latency_s`` adds the alphas (``graph_latency``)."""
    return only_where(step != "train", graph_conv_time_s)
