"""The parts of a CNN step's conv-by-conv time (``graph_convs``: R5 / G5) that scale as 1 / peak FLOP/s and as
1 / the SM clock, so that wall 21 differentiates the latency a conv-priced row reports (``pipeline.walls.sensitivity``).

A conv's time is max(compute, memory) at two k_half (its tile's fixed part, and none) mixed by its waves
(``graph_convs.slot_sum``), each a sum of terms that scale as one input each: compute at k_half = 0 and uncapped is
FLOPs / (peak x eta_0); its K loop's fixed part, FLOPs x k_half / (peak x eta_0 x K) with k_half = cycles / clock x
peak / (2 tile_m tile_n SMs) (``tile_k_half``), scales as 1 / the clock alone; capped at the best fraction, FLOPs /
(peak x best), as 1 / peak; memory as 1 / bandwidth. So each of d time / d log peak, / d log clock is minus its part
(exact away from a conv's compute = memory kink and the cap), and the bandwidth's part is the rest of the time.
"""

from __future__ import annotations

from functools import partial

from pipeline.formulas import define
from pipeline.units import UExpr, lit, minimum, where
from pipeline.walls.gemm import gemm_efficiency
from pipeline.walls.graph_convs import (CONV_FIELDS, CONV_SLOTS, HARDWARE_INPUTS, conv_shape, convs_time_s, slot,
                                        slot_sum)

PARTS = ("peak", "clock")  # columns conv_<part>_time_s (the convs' sum), graph_conv<j>_<part>_time_s (a slot)


def conv_part_s(part: str, m: UExpr, n: UExpr, k: UExpr, c: UExpr, w: UExpr, count: UExpr, batch: UExpr,
                units: UExpr, tile_m: UExpr, tile_n: UExpr, ceiling: UExpr, best_fraction: UExpr,
                peak_flop_per_s: UExpr, sm_clock_hz: UExpr, memory_bandwidth_bytes_per_s: UExpr,
                bytes_per_element: UExpr) -> UExpr:
    """The ``part`` ("peak" or "clock") of ``graph_convs.conv_time_s``'s slot: its compute where compute binds,
    split as the module says; 0 s where the memory binds."""
    rows, tiles, split, waves, flop, memory, k_half = conv_shape(m, n, k, c, w, batch, units, tile_m, tile_n,
                                                                 peak_flop_per_s, sm_clock_hz,
                                                                 memory_bandwidth_bytes_per_s, bytes_per_element)

    def at(k_half: UExpr) -> UExpr:
        eta = gemm_efficiency(rows, n, k, units, tile_m, tile_n, ceiling, k_half, tiles, split)
        time = (flop / (peak_flop_per_s * minimum(eta, best_fraction))).to("s")  # conv_time_s's compute
        free = gemm_efficiency(rows, n, k, units, tile_m, tile_n, ceiling, lit(0.0), tiles, split)
        peak = where(eta >= best_fraction, time, (flop / (peak_flop_per_s * free)).to("s"))
        return where(time >= memory, peak if part == "peak" else time - peak, lit(0.0, "s"))

    return slot_sum(k_half, best_fraction, count, waves, at(k_half * w / n), at(lit(0.0)))


for _part in PARTS:
    for _j in range(CONV_SLOTS):
        define(f"graph_conv{_j}_{_part}_time_s", [*(slot(_j, f) for f in CONV_FIELDS), "batch", *HARDWARE_INPUTS],
               partial(conv_part_s, _part))
    define(f"conv_{_part}_time_s", [slot(0, "count"), *(f"graph_conv{j}_{_part}_time_s" for j in range(CONV_SLOTS))],
           convs_time_s)
