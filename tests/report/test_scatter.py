"""The validation scatter written as a dict (``pipeline.report.scatter``) is a Vega-Lite layer chart the installed
Altair reads and validates, and the validation run draws it without importing Altair."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl

from pipeline.report import charts, renderer, scatter
from tests.report.test_charts import marks


def rows() -> pl.DataFrame:
    return pl.DataFrame({"name": ["a", "b", "c", "d"], "metric": ["ttft_s", "ttft_s", "mfu", "mfu"],
                         "study": ["serving", "serving", "training", "training"],
                         "measured": [1.0, 100.0, 0.4, 0.5], "predicted": [2.0, 50.0, 0.4, None],
                         "error_pct": [100.0, -50.0, 0.0, None]})


def test_the_dict_is_a_vega_lite_chart_altair_validates():
    """Altair's ``from_dict`` checks the dict against its Vega-Lite schema (a wrong key or type raises)."""
    import altair as alt

    points = scatter.scatter_points(rows())
    chart = alt.LayerChart.from_dict(scatter.validation_scatter(points))
    assert charts.points_of(chart) == points.to_dicts()
    assert json.loads(chart.to_json())["layer"][1]["mark"] == {"size": 25, "type": "circle"}


def test_a_string_error_column_is_nominal_in_the_tooltip():
    points = scatter.scatter_points(rows()).with_columns(pl.col("error_pct").cast(pl.String))
    tips = {t["field"]: t["type"] for t in scatter.validation_scatter(points)["layer"][1]["encoding"]["tooltip"]}
    assert tips == {"name": "nominal", "metric": "nominal", "measured": "quantitative",
                    "predicted": "quantitative", "error_pct": "nominal"}


def test_the_render_draws_one_circle_per_predicted_row():
    svg, png = scatter.render(scatter.validation_scatter(scatter.scatter_points(rows())))
    assert marks(svg, "circle") == 3  # d has no prediction
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_validation_run_imports_no_altair():
    code = ("import sys, pipeline.validation.directory, pipeline.report.scatter; "
            "print('altair' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "False"


def test_the_child_renderer_draws_what_render_draws():
    """``Renderer`` (vl-convert in a child process) gives the same SVG text and PNG bytes as ``render``."""
    spec = scatter.validation_scatter(scatter.scatter_points(rows()))
    assert renderer.Renderer().render(spec) == scatter.render(spec)


def test_a_failed_child_leaves_the_render_to_this_process(monkeypatch):
    monkeypatch.setattr(renderer, "CHILD", "raise SystemExit(3)")
    child, spec = renderer.Renderer(), scatter.validation_scatter(scatter.scatter_points(rows()))
    assert child.render(spec) == scatter.render(spec)
    assert child.child.returncode == 3


def test_a_stopped_child_ends_without_output():
    child = renderer.Renderer()
    child.stop()
    assert child.child.returncode == 0  # ended, not killed: the empty stdin told it no chart comes


def test_the_renderer_imports_neither_polars_nor_the_pipeline():
    """The CLI starts it before its imports (``pipeline.cli.validate``)."""
    code = ("import sys, pipeline.report.renderer; "
            "print(sorted(m for m in sys.modules if m.startswith(('polars', 'pipeline.'))))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "['pipeline.report', 'pipeline.report.renderer']"
