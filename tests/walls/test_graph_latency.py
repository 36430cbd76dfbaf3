"""Form F4 of a graphed batch-1 step (pipeline.walls.graph_latency) against r-accf4's and r-accf5's hand values."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.units import col
from pipeline.walls.graph_latency import graphed_step_s


def f4(kernels: float, clock_hz: float, compute_s: float, memory_s: float) -> float:
    frame = pl.DataFrame({"n": [kernels], "clock": [clock_hz], "c": [compute_s], "m": [memory_s]})
    out = graphed_step_s(col("n", ""), col("clock", "Hz"), col("c", "s"), col("m", "s"))
    return frame.select(out.to("s").expr).item()


def test_bert_on_an_a100_at_177_tokens_is_r_accf4s_hand_value():
    """r-accf4 §1: A100 SXM4 at 1.4106 GHz (624 T / (108 x 4,096)), 170 TensorRT kernels, compute_4 0.3660 ms (its
    GEMMs at k_half = 0 plus attention and norms), memory below it: 170 x 6.7738 + 366.0 + 2.5 + 0.17 us = 1.5202 ms."""
    assert f4(170, 624e12 / (108 * 4096), 0.3660e-3, 0.1e-3) == pytest.approx(1.5202e-3, abs=1e-7)


def test_the_memory_time_binds_when_it_exceeds_compute_and_alpha_scales_with_the_clock():
    """Half the A100's clock doubles every kernel's fixed part (6.7738 -> 13.5476 us); memory 0.5 ms over compute
    0.3 ms: 170 x 13.5476 + 500 + 2.5 + 0.17 us = 2.8058 ms."""
    assert f4(170, 624e12 / (108 * 4096) / 2, 0.3e-3, 0.5e-3) == pytest.approx(2.8058e-3, abs=1e-7)

