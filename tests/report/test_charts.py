"""Charts carry exactly their query's rows (one mark per row), and the roofs are the roofline's."""

from __future__ import annotations

import math
import re

import altair as alt
import polars as pl
import pytest

from pipeline.report import charts, scatter


def marks(svg: str, kind: str) -> int:
    """Marks of one kind (circle, rect, ...) that Vega drew into the SVG."""
    return len(re.findall(rf'role="graphics-symbol" aria-roledescription="{kind}"', svg))  # "rect mark", "bar"


@pytest.fixture
def validation_rows() -> pl.DataFrame:
    return pl.DataFrame({"name": ["a", "b", "c", "d"], "metric": ["ttft_s", "ttft_s", "mfu", "mfu"],
                         "study": ["serving", "serving", "training", "training"],
                         "measured": [1.0, 100.0, 0.4, 0.5], "predicted": [2.0, 50.0, 0.4, None],
                         "error_pct": [100.0, -50.0, 0.0, None]})


def test_validation_scatter_one_circle_per_predicted_row(validation_rows):
    points = scatter.scatter_points(validation_rows)
    # d has no prediction: 3 rows. ttft_s: median log10 measured = (0 + 2) / 2 = 1, so row a sits at
    # (0 - 1, log10 2 - 1) and row b at (2 - 1, log10 50 - 1); mfu: c alone, at its own center (0, 0).
    assert points["name"].to_list() == ["a", "b", "c"]
    a, b, c = points.to_dicts()
    assert (a["measured_scaled"], a["predicted_scaled"]) == pytest.approx((-1.0, math.log10(2) - 1))
    assert (b["measured_scaled"], b["predicted_scaled"]) == pytest.approx((1.0, math.log10(50) - 1))
    assert (c["measured_scaled"], c["predicted_scaled"]) == pytest.approx((0.0, 0.0))
    spec = scatter.validation_scatter(points)
    assert charts.points_of(alt.LayerChart.from_dict(spec)) == points.to_dicts()  # a valid Vega-Lite layer
    svg, png = scatter.render(spec)
    assert marks(svg, "circle") == 3
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def roofline_rows() -> pl.DataFrame:
    return pl.DataFrame({
        "hardware": ["X", "X", "Y"], "compute_dtype": ["bf16", "bf16", "fp8"], "model": ["m", "m", "n"],
        "workload": ["inference"] * 3, "step": ["decode", "prefill", "decode"], "batch": [1, 1, 8],
        "seq_len": [512, 512, 512], "arithmetic_intensity_flop_per_byte": [1.0, 400.0, 8.0],
        "achieved_flop_per_s": [2e12, 5e14, 1e13], "peak_flop_per_s": [1e15, 1e15, 2e15],
        "memory_bandwidth_bytes_per_s": [3e12, 3e12, 4e12], "bound": ["memory", "compute", "memory"]})


def test_roofline_points_and_roofs():
    rows = roofline_rows()
    chart = charts.roofline(rows)
    assert charts.points_of(chart) == rows.to_dicts()
    data = pl.DataFrame(charts.data_of(chart))
    roofs = data.filter(pl.col("layer") == "roof")
    # X bf16: ridge at 1e15 / 3e12 = 333 FLOP/B; the roof is bandwidth x intensity below it, the peak above
    x = roofs.filter(pl.col("hardware") == "X")
    below = x.filter(pl.col("arithmetic_intensity_flop_per_byte") < 1e15 / 3e12)
    above = x.filter(pl.col("arithmetic_intensity_flop_per_byte") > 1e15 / 3e12)
    assert below.height and above.height
    for r in below.to_dicts():
        assert r["achieved_flop_per_s"] == pytest.approx(3e12 * r["arithmetic_intensity_flop_per_byte"])
    assert above["achieved_flop_per_s"].to_list() == [1e15] * above.height
    assert set(roofs["hardware"]) == {"X", "Y"}  # one roof per accelerator and precision
    svg, _ = charts.render(chart)
    assert marks(svg, "point") == rows.height


def test_model_accelerator_map_greys_what_fits_nowhere():
    cells = pl.DataFrame({"model": ["m", "m", "n"], "workload": ["inference"] * 3, "step": ["decode"] * 3,
                          "hardware": ["X", "Y", "X"], "seq_len": [512, 512, 512],
                          "latency_s": [0.01, None, 0.2], "compute_dtype": ["fp8", None, "bf16"],
                          "bound": ["memory", None, "memory"],
                          "infeasible_reason": [None, "weights exceed memory", None]})
    chart = charts.model_accelerator_map(cells)
    assert charts.points_of(chart) == cells.to_dicts()
    svg, _ = charts.render(chart)
    assert marks(svg, "rect mark") == 3 + 2  # a grey cell under every row, a colored one over the 2 that fit


def test_frontier_scaling_and_region_charts_hold_their_rows():
    frontier = pl.DataFrame({"model": ["m", "m"], "hardware": ["X", "X"], "tp": [1, 2], "pp": [1, 1],
                             "compute_dtype": ["fp8"] * 2, "batch": [1, 64], "prompt_len": [512] * 2,
                             "output_len": [128] * 2, "itl_s": [0.005, 0.02], "ttft_s": [0.03, 0.2],
                             "tokens_per_s_per_device": [200.0, 3000.0]})
    curve = pl.DataFrame({"model": ["m"] * 3, "cluster": ["C"] * 3, "compute_dtype": ["bf16"] * 3,
                          "seq_len": [4096] * 3, "global_batch": [512] * 3, "gpus": [8, 64, 512],
                          "dp": [1, 8, 64], "tp": [8] * 3, "pp": [1] * 3, "step_time_s": [8.0, 1.1, 0.16],
                          "mfu": [0.4, 0.38, 0.33], "scaling_efficiency": [1.0, 0.95, 0.83],
                          "tokens_per_s_per_gpu": [4000.0, 3800.0, 3300.0]})
    regions = pl.DataFrame({"model": ["m", "m"], "region": ["France", "Poland"], "co2e_per_run_t": [200.0, 3000.0]})
    for chart, rows in ((charts.serving_frontier(frontier), frontier), (charts.scaling_curve(curve), curve),
                        (charts.region_bars(regions, "co2e_per_run_t", "CO2e (t)", "region"), regions)):
        assert charts.points_of(chart) == rows.to_dicts()
    svg, _ = charts.render(charts.region_bars(regions, "co2e_per_run_t", "CO2e (t)", "region"))
    assert marks(svg, "bar") == 2
