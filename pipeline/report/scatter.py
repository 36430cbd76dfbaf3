"""``mlsys validate``'s predicted-against-measured scatter as a Vega-Lite specification written as a dict, and
its render, without Altair: importing Altair alone costs a validation run ~0.4 CPU s (of ~10 on 250 rows).
vl-convert draws it as it draws ``mlsys report run``'s Altair charts; tests/report/test_scatter.py checks the
specification against the installed Altair's Vega-Lite schema."""

from __future__ import annotations

import json

import polars as pl

# The Vega-Lite schema and default view Altair 5/6 writes (``alt.Chart(...).to_json()``: keys sorted, indent 2)
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
CONFIG = {"view": {"continuousHeight": 300, "continuousWidth": 300}}
SIDE = 240 + 80  # charts.HEIGHT + 80
POINTS = "points"  # charts.POINTS: the dataset the marks are drawn from


def _field(name: str, frame: pl.DataFrame | None = None, **more) -> dict:
    """An encoding channel: quantitative where ``frame`` holds a number (or no frame: the diagonal), else nominal
    (``charts._tips``)."""
    numeric = frame is None or (name in frame.columns and frame[name].dtype.is_numeric())
    return {"field": name, "type": "quantitative" if numeric else "nominal"} | more


def validation_scatter(points: pl.DataFrame) -> dict:
    """Predicted against measured, each metric on its own scale (log10 of value over the metric's median measured
    value, so the diagonal is "exact" for every metric at once; ``points`` from ``scatter_points``), colored by
    study, with the diagonal."""
    span = max(1.0, float(max(points["measured_scaled"].abs().max() or 0, points["predicted_scaled"].abs().max() or 0))
               * 1.1)
    scale = {"domain": [-span, span]}
    dots = {"data": {"name": POINTS, "values": points.to_dicts()},
            "encoding": {"color": {"field": "study", "type": "nominal"},
                         "tooltip": [_field(c, points) for c in ("name", "metric", "measured", "predicted",
                                                                 "error_pct")],
                         "x": _field("measured_scaled", scale=scale, title="measured (log10, per metric)"),
                         "y": _field("predicted_scaled", scale=scale, title="predicted (log10, per metric)")},
            "mark": {"size": 25, "type": "circle"}}
    diagonal = {"data": {"name": "diagonal", "values": [{"v": -span}, {"v": span}]},
                "encoding": {"x": _field("v"), "y": _field("v")},
                "mark": {"color": "#999", "strokeDash": [4, 4], "type": "line"}}
    return {"$schema": SCHEMA, "config": CONFIG, "height": SIDE, "layer": [diagonal, dots], "width": SIDE}


def scatter_points(table: pl.DataFrame) -> pl.DataFrame:
    """The validation rows the scatter shows (predicted, both values positive), with their values on
    each metric's own log scale."""
    pts = table.filter(pl.col("predicted").is_not_null() & (pl.col("measured") > 0) & (pl.col("predicted") > 0))
    center = pl.col("measured").log10().median().over("metric")
    return pts.select("name", "metric", "study", "measured", "predicted", "error_pct",
                      measured_scaled=pl.col("measured").log10() - center,
                      predicted_scaled=pl.col("predicted").log10() - center)


def to_json(spec: dict) -> str:
    """The specification as Altair writes it (``to_json``: keys sorted, indent 2)."""
    return json.dumps(spec, indent=2, sort_keys=True)


def render(spec: dict) -> tuple[str, bytes]:
    """SVG text and PNG bytes, as ``charts.render`` draws them (Vega once, the PNG rasterized from the SVG)."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(to_json(spec))
    return svg, vlc.svg_to_png(svg, scale=1.5)
