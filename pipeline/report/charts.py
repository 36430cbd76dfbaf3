"""Charts of a run's query results, as Vega-Lite specifications (Altair).

One function per chart; each takes the frame of the named query it shows and returns an
``alt.Chart`` whose data are exactly that frame's rows (one mark per row, so a test can
compare the two), with axis titles in units. ``render`` turns a chart into SVG and PNG
offline (vl-convert bundles Vega: no browser, no network, no CDN).

Why Altair: a chart is a declarative spec holding its data, which is what "the chart carries
the data of its query" means; vl-convert renders it without a JavaScript runtime to install.
"""

from __future__ import annotations

import math

import altair as alt
import polars as pl


WIDTH, HEIGHT = 320, 240
LOG = alt.Scale(type="log")
SI = alt.Axis(format="~s")  # 2e+15 reads as 2P
MANY = alt.Scale(scheme="category20")  # up to 20 accelerators or clusters apart
WIDE = alt.Legend(labelLimit=400, symbolLimit=60)  # full cluster names
POINTS = "points"  # the name of the dataset a chart's marks are drawn from (tests read it)


def _data(frame: pl.DataFrame) -> alt.Data:
    """The frame as inline named data, one record per row (nulls kept as null)."""
    return alt.InlineData(values=frame.to_dicts(), name=POINTS)


def roofline(points: pl.DataFrame) -> alt.FacetChart:
    """``roofline.sql``: achieved FLOP/s against arithmetic intensity, one panel per accelerator,
    under each precision's roof min(peak, bandwidth x intensity) (Williams et al. 2009, Fig. 1).
    The roofs are drawn from rows added to the same data with ``layer`` = "roof" (a faceted
    chart holds one dataset); the query's rows have ``layer`` = "configuration"."""
    lo = max(float(points["arithmetic_intensity_flop_per_byte"].min() or 1.0) / 2, 1e-3)
    hi = float(points["arithmetic_intensity_flop_per_byte"].max() or 1.0) * 2
    roofs = (points.select("hardware", "compute_dtype", "peak_flop_per_s", "memory_bandwidth_bytes_per_s").unique()
             .join(pl.DataFrame({"arithmetic_intensity_flop_per_byte": _grid(lo, hi)}), how="cross")
             .with_columns(achieved_flop_per_s=pl.min_horizontal(
                 pl.col("peak_flop_per_s"), pl.col("memory_bandwidth_bytes_per_s")
                 * pl.col("arithmetic_intensity_flop_per_byte")), layer=pl.lit("roof")))
    data = pl.concat([points.with_columns(layer=pl.lit("configuration")), roofs], how="diagonal_relaxed")
    x = alt.X("arithmetic_intensity_flop_per_byte:Q", title="arithmetic intensity (FLOP/B)", scale=LOG, axis=SI)
    y = alt.Y("achieved_flop_per_s:Q", title="achieved FLOP/s (roof: attainable)", scale=LOG, axis=SI)
    color = alt.Color("compute_dtype:N", title="precision")
    dots = alt.Chart().transform_filter(alt.datum.layer == "configuration").mark_point(
        size=12, filled=True, opacity=0.5).encode(
        x=x, y=y, color=color, tooltip=_tips(points, "model", "step", "batch", "seq_len", "compute_dtype", "bound"))
    roof = alt.Chart().transform_filter(alt.datum.layer == "roof").mark_line(strokeDash=[4, 2]).encode(
        x=x, y=y, color=color, order="arithmetic_intensity_flop_per_byte:Q")
    return (alt.layer(roof, dots, data=_data(data)).properties(width=WIDTH, height=HEIGHT)
            .facet(facet=alt.Facet("hardware:N", title=None), columns=2))


def _tips(frame: pl.DataFrame, *columns: str) -> list[str]:
    """Tooltip fields typed by their dtype in ``frame`` (inline data carry no types): numbers
    quantitative, everything else nominal."""
    return [f"{c}:{'Q' if c in frame.columns and frame[c].dtype.is_numeric() else 'N'}" for c in columns]


def _grid(lo: float, hi: float, n: int = 40) -> list[float]:
    """``n`` intensities spaced evenly in log between ``lo`` and ``hi`` (the roof is a polyline)."""
    a, b = math.log10(lo), math.log10(hi)
    return [10 ** (a + (b - a) * i / (n - 1)) for i in range(n)]


def model_accelerator_map(cells: pl.DataFrame) -> alt.VConcatChart:
    """``model_accelerator_map.sql``: fastest feasible latency per model x accelerator, one panel
    per step; grey cells fit nowhere (tooltip: the reason)."""
    x = alt.X("hardware:N", title="accelerator", sort="ascending")
    y = alt.Y("model:N", title=None, sort="ascending")
    tips = _tips(cells, "model", "hardware", "step", "latency_s", "compute_dtype", "bound", "infeasible_reason")
    nowhere = alt.Chart().mark_rect(color="#d9d9d9").encode(x=x, y=y, tooltip=tips)
    fastest = alt.Chart().transform_filter("isValid(datum.latency_s)").mark_rect().encode(
        x=x, y=y, tooltip=tips,
        color=alt.Color("latency_s:Q", title="latency (s)", scale=alt.Scale(type="log", scheme="viridis"),
                        legend=alt.Legend(format="~s")))
    panels = [alt.layer(nowhere, fastest).transform_filter(alt.datum.step == step)
              .properties(title=step, width=alt.Step(12), height=alt.Step(12))
              for step in sorted(cells["step"].unique().to_list())]
    return alt.vconcat(*panels, data=_data(cells)).resolve_scale(color="shared")


def serving_frontier(frontier: pl.DataFrame) -> alt.FacetChart:
    """``serving_frontier.sql`` (one model per panel): tokens/s per device against inter-token latency,
    the Pareto frontier of each accelerator."""
    return alt.Chart(_data(frontier)).mark_line(point=True).encode(
        x=alt.X("itl_s:Q", title="inter-token latency (s)", scale=LOG),
        y=alt.Y("tokens_per_s_per_device:Q", title="tokens/s per device", scale=LOG),
        color=alt.Color("hardware:N", title="accelerator", scale=MANY, legend=WIDE),
        order="itl_s:Q",
        tooltip=_tips(frontier, "hardware", "tp", "pp", "compute_dtype", "batch", "prompt_len", "output_len", "itl_s",
                      "ttft_s", "tokens_per_s_per_device"),
    ).properties(width=WIDTH, height=HEIGHT).facet(facet=alt.Facet("model:N", title=None), columns=2)


def scaling_curve(curve: pl.DataFrame) -> alt.FacetChart:
    """``scaling_curve.sql`` (one model per panel): tokens/s per GPU against GPU count, per cluster
    and precision (flat = linear scaling)."""
    return alt.Chart(_data(curve)).mark_line(point=True).encode(
        x=alt.X("gpus:Q", title="GPUs", scale=alt.Scale(type="log", base=2)),
        y=alt.Y("tokens_per_s_per_gpu:Q", title="training tokens/s per GPU"),
        color=alt.Color("cluster:N", scale=MANY, legend=WIDE),
        strokeDash=alt.StrokeDash("compute_dtype:N", title="precision"),
        detail="seq_len:N", order="gpus:Q",
        tooltip=_tips(curve, "cluster", "compute_dtype", "seq_len", "global_batch", "gpus", "dp", "tp", "pp",
                      "step_time_s", "mfu", "scaling_efficiency"),
    ).properties(width=WIDTH, height=HEIGHT).facet(facet=alt.Facet("model:N", title=None), columns=2).resolve_scale(
        y="independent")  # a 1B and a 400B model share no useful throughput scale


def region_bars(frame: pl.DataFrame, value: str, title: str, label: str) -> alt.FacetChart:
    """One bar per row of a region query (``carbon_per_token.sql``, ``region_comparison.sql``): ``value``
    by ``label`` (the region, or accelerator and region), one panel per model."""
    return alt.Chart(_data(frame)).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=title), y=alt.Y(f"{label}:N", title=None, sort="x"),
        tooltip=_tips(frame, *frame.columns),
    ).properties(width=WIDTH, height=alt.Step(14)).facet(row=alt.Row("model:N", title=None))


def points_of(chart: alt.TopLevelMixin) -> list[dict]:
    """The rows a chart's marks are drawn from (its ``points`` dataset)."""
    return [{k: v for k, v in r.items() if k != "layer"} for r in data_of(chart)
            if r.get("layer", "configuration") == "configuration"]


def data_of(chart: alt.TopLevelMixin) -> list[dict]:
    """Every row of a chart's ``points`` dataset (with a roofline's roof rows)."""
    rows = _find(chart.to_dict())
    if rows is None:
        raise ValueError(f"the chart holds no {POINTS!r} data")
    return rows


def _find(spec) -> list[dict] | None:
    """The ``values`` of the inline data named ``points``, wherever the spec nests it."""
    if isinstance(spec, dict):
        if spec.get("name") == POINTS and "values" in spec:
            return spec["values"]
        children = spec.values()
    elif isinstance(spec, list):
        children = spec
    else:
        return None
    return next((found for c in children if (found := _find(c)) is not None), None)


def render(chart: alt.TopLevelMixin) -> tuple[str, bytes]:
    """The chart as SVG text and PNG bytes, rendered offline by vl-convert: Vega draws the SVG once and
    the PNG is rasterized from it (what ``vegalite_to_png`` does inside, without running Vega twice).
    Altair's JSON-schema check of the spec is skipped (vl-convert parses the spec and raises on one it
    cannot draw)."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(chart.to_json(validate=False))
    return svg, vlc.svg_to_png(svg, scale=1.5)

