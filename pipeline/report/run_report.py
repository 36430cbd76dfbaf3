"""``mlsys report run``: one self-contained HTML file of a run's charts, plus SVG and PNG of each.

Each chart is drawn from one named query of ``sql/`` (the same query a user can run with
``mlsys query``), so what a chart shows is what SQL returns. The charts of a run are the ones its
study has: a node run gets the roofline and the model x accelerator map; a serving run the
latency-throughput frontier (and carbon per token when it has regions); a training run the
scaling curve (and the region comparison when it has regions). Charts are inline SVG: the page
opens offline and loads nothing (no script, no CDN).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import polars as pl

from pipeline.errors import InputError, Problem, UnknownNameError
from pipeline.report import charts
from pipeline.runs import database
from pipeline.runs.atomic import atomic_directory

MAX_PANELS = 4  # models or accelerators drawn when the caller names none


@dataclass
class Figure:
    """One chart of the report: the query it shows, with what parameters, and its data."""

    name: str
    title: str
    query: str
    params: list[dict[str, str]]
    data: pl.DataFrame
    chart: alt.TopLevelMixin | None = None
    skipped: str | None = None  # why the chart is not drawn


@dataclass
class Report:
    run: Path
    study: str
    figures: list[Figure] = field(default_factory=list)


def _per_model(name: str, run: Path, models: list[str], **params: str) -> tuple[pl.DataFrame, list[dict]]:
    """``name`` run once per model, the rows stacked with a ``model`` column in front."""
    given = [{"model": m, **params} for m in models]
    frames = [database.run_query(name, run, p).with_columns(model=pl.lit(p["model"])) for p in given]
    data = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    return (data.select("model", pl.exclude("model")) if data.height else data), given


def _chosen(run: Path, table: str, column: str, wanted: list[str] | None) -> list[str] | None:
    """``wanted`` (every name must be in the run's ``column``: else an unknown-name error listing the
    run's names), or None when the caller named none."""
    if not wanted:
        return None
    con = database.confined(run)
    try:
        present = [r[0] for r in con.sql(f"select distinct {column} from {table} order by 1").fetchall()]
    finally:
        con.close()
    unknown = [(None, w, present) for w in wanted if w not in present]
    if unknown:
        raise UnknownNameError(f"{column} (in run {run.name})", unknown)
    return wanted


def _models(run: Path, table: str, wanted: list[str] | None) -> list[str]:
    """The models to draw: ``wanted``, else a spread by size among those with a feasible row: the
    smallest, the largest and evenly spaced ones between (by parameter count), smallest first."""
    chosen = _chosen(run, table, "model", wanted)
    if chosen is not None:
        return chosen
    con = database.confined(run)
    try:
        ranked = [r[0] for r in con.sql(f"select model from {table} where is_feasible group by model "
                                        "order by max(params_computed), model").fetchall()]
    finally:
        con.close()
    if len(ranked) <= MAX_PANELS:
        return ranked
    return [ranked[round(i * (len(ranked) - 1) / (MAX_PANELS - 1))] for i in range(MAX_PANELS)]


def _has_region(run: Path, table: str) -> bool:
    con = database.confined(run)
    try:
        return bool(con.sql(f"select count(region) from {table}").fetchall()[0][0])
    finally:
        con.close()


def _node(run: Path, hardware: list[str] | None) -> list[Figure]:
    cells = database.run_query("model_accelerator_map", run)
    hardware = _chosen(run, "node", "hardware", hardware)
    if hardware is None:  # the accelerators that are fastest in the most cells of the map
        hardware = (cells.filter(pl.col("latency_s").is_not_null())
                    .sort("latency_s").group_by("model", "workload", "step", maintain_order=True).first()
                    .group_by("hardware").len().sort(["len", "hardware"], descending=[True, False])
                    ["hardware"].head(MAX_PANELS).to_list())
    points = pl.concat([database.run_query("roofline", run, {"hardware": h}) for h in hardware],
                       how="diagonal_relaxed") if hardware else pl.DataFrame()
    return [Figure("roofline", "Roofline per accelerator", "roofline", [{"hardware": h} for h in hardware], points),
            Figure("model_accelerator_map", "Fastest feasible configuration, model x accelerator (batch 1)",
                   "model_accelerator_map", [{}], cells)]


def _serving(run: Path, models: list[str] | None) -> list[Figure]:
    chosen = _models(run, "serving", models)
    frontier, given = _per_model("serving_frontier", run, chosen)
    out = [Figure("serving_frontier", "Latency-throughput Pareto frontier", "serving_frontier", given, frontier)]
    if _has_region(run, "serving"):
        carbon, given = _per_model("carbon_per_token", run, chosen)
        carbon = carbon.with_columns(where=pl.col("hardware") + " / " + pl.col("region")) if carbon.height else carbon
        out.append(Figure("carbon_per_token", "CO2e per million generated tokens by accelerator and region",
                          "carbon_per_token", given, carbon))
    return out


def _training(run: Path, models: list[str] | None) -> list[Figure]:
    chosen = _models(run, "training", models)
    curve, given = _per_model("scaling_curve", run, chosen)
    out = [Figure("scaling_curve", "Training scaling curve", "scaling_curve", given, curve)]
    if _has_region(run, "training"):
        regions, given = _per_model("region_comparison", run, chosen)
        out.append(Figure("region_comparison", "CO2e of one training run by region", "region_comparison", given,
                          regions))
    return out


DRAW = {
    "roofline": charts.roofline,
    "model_accelerator_map": charts.model_accelerator_map,
    "serving_frontier": charts.serving_frontier,
    "scaling_curve": charts.scaling_curve,
    "carbon_per_token": lambda f: charts.region_bars(f, "co2e_per_million_tokens_g",
                                                     "CO2e per million generated tokens (g)", "where"),
    "region_comparison": lambda f: charts.region_bars(f, "co2e_per_run_t", "CO2e of the run (t)", "region"),
}


def build(run: Path, models: list[str] | None = None, hardware: list[str] | None = None) -> Report:
    """The figures of ``run`` (a run directory), each with its query's rows and its chart."""
    study = database.run_study(run) or "?"
    wrong = [(flag, given, where) for flag, given, where in (("--model", models, ("serving", "training")),
                                                              ("--hardware", hardware, ("node",)))
             if given and study not in where]
    if wrong:
        raise InputError("report run", [Problem(None, flag, f"only for {' and '.join(where)} runs; {run.name} is a "
                                                            f"{study} run") for flag, _, where in wrong])
    figures = {"node": lambda: _node(run, hardware), "serving": lambda: _serving(run, models),
               "training": lambda: _training(run, models)}.get(study, list)()
    for f in figures:
        if f.data.height:
            f.chart = DRAW[f.name](f.data)
        else:
            f.skipped = "the query returned no rows (nothing feasible for these parameters)"
    return Report(run, study, figures)


def _params(given: list[dict[str, str]]) -> str:
    return "; ".join(", ".join(f"{k}={v}" for k, v in p.items()) for p in given if p) or "defaults"


def page(report: Report, rendered: dict[str, str]) -> str:
    """The HTML page: a header, then per figure its title, the query that feeds it and the inline SVG."""
    manifest = json.loads((report.run / "manifest.json").read_text())
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>mlsys report: {html.escape(report.run.name)}</title>",
             "<style>body{font-family:sans-serif;margin:2em;max-width:1400px}"
             "figure{margin:2em 0}figcaption{color:#555;font-size:90%}code{background:#f3f3f3}</style>",
             "</head><body>",
             f"<h1>Run {html.escape(report.run.name)}: {html.escape(report.study)} study</h1>",
             f"<p>Created {html.escape(str(manifest.get('created_utc', '?')))}; rows: "
             f"{html.escape(json.dumps(manifest.get('rows', {})))}. Report written "
             f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Each chart shows the rows of the named query "
             "(<code>mlsys query NAME --run RUN --param ...</code> returns them as a table).</p>"]
    for f in report.figures:
        parts.append(f'<figure id="{f.name}"><h2>{html.escape(f.title)}</h2>')
        caption = (f"query <code>{html.escape(f.query)}</code> ({html.escape(_params(f.params))}): "
                   f"{f.data.height} rows")
        if f.skipped:
            parts.append(f"<p>Not drawn: {html.escape(f.skipped)}.</p>")
        else:
            parts.append(rendered[f.name])
        parts.append(f"<figcaption>{caption}; files <code>{f.name}.svg</code>, <code>{f.name}.png</code>"
                     "</figcaption></figure>" if not f.skipped else f"<figcaption>{caption}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write(report: Report, out: Path | None = None) -> Path:
    """Render every chart and write ``report.html`` with ``<name>.svg``/``.png`` beside it, atomically,
    into ``out`` (default ``<run>/report``; an existing report is kept: the next free name is used)."""
    with atomic_directory(out or report.run / "report") as directory:
        rendered = {}
        for f in report.figures:
            if f.chart is None:
                continue
            svg, png = charts.render(f.chart)
            (directory.tmp / f"{f.name}.svg").write_text(svg)
            (directory.tmp / f"{f.name}.png").write_bytes(png)
            rendered[f.name] = svg
        (directory.tmp / "report.html").write_text(page(report, rendered))
    return directory.final
