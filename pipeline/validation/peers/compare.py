"""Peers and ours on the same rows: predictions, timings, the summary per tool (and metric), and
the command that writes them (``python -m pipeline.validation.peers``)."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import polars as pl

from pipeline.catalogs.load import Catalogs, load_catalogs
from pipeline.report.format import cell, quantity
from pipeline.validation.measurements import read_measurements
from pipeline.validation.peers.adapters import TOOLS, jobs
from pipeline.validation.peers.answers import PEERS_PYTHON, answer, check_python, run_requests
from pipeline.validation.predict import predict

DISPLAY = {"mlsysim": "MLSys·im", "llm-analysis": "llm-analysis", "ours": "ours (mlsys-pipeline)"}
SCHEMA = {"name": pl.String, "tool": pl.String, "predicted": pl.Float64, "seconds": pl.Float64, "note": pl.String}
DESCRIPTION = "Side by side with MLSys·im 0.3.0 and llm-analysis 0.2.2 on our measurement rows."


def _run_peers(rows: pl.DataFrame, catalogs: Catalogs, python: str = PEERS_PYTHON, *,
               efficiency: dict[str, float] | None = None, tp_as_one_device: bool = False,
               timeout: float = 1800.0) -> tuple[pl.DataFrame, dict]:
    check_python(python)
    todo = jobs(rows, catalogs, efficiency, tp_as_one_device)
    answers, meta = run_requests([j.request for j in todo if j.request is not None], python, timeout)
    out = []
    for i, job in enumerate(todo):
        if job.request is None:
            out.append({"name": job.name, "tool": job.tool, "predicted": None, "seconds": None,
                        "note": f"cannot express {job.reason}"})
            continue
        value, note = answer(job, answers.get(i))
        seconds = (answers.get(i) or {}).get("seconds")
        out.append({"name": job.name, "tool": job.tool, "predicted": value, "seconds": seconds, "note": note})
    return pl.DataFrame(out, schema=SCHEMA), meta


def run_peers(rows: pl.DataFrame, catalogs: Catalogs, python: str = PEERS_PYTHON, *,
              efficiency: dict[str, float] | None = None, tp_as_one_device: bool = False) -> pl.DataFrame:
    """Each measurement row (as ``validation.read_measurements(...).rows``) predicted by each peer
    tool: columns name, tool, predicted (in the metric's canonical unit, null when the tool cannot
    express the row: ``note`` says why), seconds (wall time of the tool's prediction, the batch
    grid included, importing the tool not) and note (what was mapped). ``efficiency``: η per row
    name for both tools (default: each tool's own); ``tp_as_one_device``: give MLSys·im a
    tensor/pipeline-parallel serving group as one device with the group's peak, bandwidth and
    memory (it has no parallel serving)."""
    return _run_peers(rows, catalogs, python, efficiency=efficiency, tp_as_one_device=tp_as_one_device)[0]


# -- ours, timed the same way, and the summary ---------------------------------------------------

def run_ours(rows: pl.DataFrame, catalogs: Catalogs) -> tuple[pl.DataFrame, dict[str, float], dict[str, float]]:
    """Our prediction of each row, timed one row at a time (after one untimed warm-up row, as the
    peers' import time is left out); our profile's η per row; and the seconds of the same
    prediction without the calibration grid of η (``etas=[]``: the profile's η and band only)."""
    if rows.height:
        predict(rows.head(1), catalogs)  # imports and first-call costs
    out, etas, lean = [], {}, {}
    for i in range(rows.height):
        row = rows.slice(i, 1)
        start = time.perf_counter()
        p = predict(row, catalogs).row(0, named=True)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        predict(row, catalogs, etas=[])
        lean[p["name"]] = time.perf_counter() - start
        etas[p["name"]] = p["eta_compute"]
        ok = p["predicted"] is not None
        out.append({"name": p["name"], "tool": "ours", "predicted": p["predicted"], "seconds": seconds,
                    "note": f"eta {cell(p['eta_compute'])}, batch {p['batch_used']:.0f}" if ok
                    else f"not predicted: {p['reason']}"})
    return pl.DataFrame(out, schema=SCHEMA), etas, lean


def summary(table: pl.DataFrame, rows: pl.DataFrame, by_metric: bool = False) -> pl.DataFrame:
    """Per peer tool: rows it expressed, its median absolute error % and seconds per prediction,
    and ours on the same rows (those both predicted, for the errors)."""
    measured = rows.select("name", "metric", "measured")
    t = table.join(measured, on="name").with_columns(
        abs_error_pct=((pl.col("predicted") / pl.col("measured") - 1).abs() * 100))
    ours = t.filter(pl.col("tool") == "ours").select("name", ours_predicted="predicted",
                                                     ours_error="abs_error_pct", ours_seconds="seconds")
    keys = ["tool", "metric"] if by_metric else ["tool"]
    peers = t.filter((pl.col("tool") != "ours") & pl.col("predicted").is_not_null()).join(ours, on="name", how="left")
    both = pl.col("ours_predicted").is_not_null()
    agg = peers.group_by(keys).agg(
        rows=pl.len(), median_abs_error_pct=pl.col("abs_error_pct").median(),
        s_per_prediction=pl.col("seconds").median(),
        both_predicted=both.sum(),
        tool_error_on_both=pl.col("abs_error_pct").filter(both).median(),
        ours_error_on_both=pl.col("ours_error").filter(both).median(),
        ours_s_per_prediction=pl.col("ours_seconds").median())
    own = t.filter((pl.col("tool") == "ours") & pl.col("predicted").is_not_null()).group_by(keys).agg(
        rows=pl.len(), median_abs_error_pct=pl.col("abs_error_pct").median(),
        s_per_prediction=pl.col("seconds").median())
    out = pl.concat([agg, own], how="diagonal_relaxed")
    # every tool on every metric of the rows, those it expressed none of too
    grid = pl.DataFrame({"tool": [*TOOLS, "ours"]}).with_row_index("_order")
    if by_metric:
        grid = grid.join(measured.group_by("metric").agg(of=pl.len()), how="cross")
    out = grid.join(out, on=keys, how="left").with_columns(pl.col("rows").fill_null(0))
    return out.sort(["_order", *keys[1:]]).drop("_order")


def _md(frame: pl.DataFrame, n_rows: int, meta: dict) -> str:
    def f(x, digits=3):
        return "–" if x is None else (f"{x:.{digits}g}" if isinstance(x, float) else str(x))

    versions = meta.get("versions", {})
    lines = ["| tool | rows expressed | median abs error % | s / prediction | ours on those rows: median abs error % "
             "(rows both predicted; tool's error on them) | ours: s / prediction |", "|---|---|---|---|---|---|"]
    for r in frame.iter_rows(named=True):
        name = DISPLAY.get(r["tool"], r["tool"]) + (f" {versions[r['tool']]}" if r["tool"] in versions else "")
        if r["tool"] == "ours":
            lines.append(f"| {name} | {r['rows']} of {n_rows} | {f(r['median_abs_error_pct'])} | "
                         f"{f(r['s_per_prediction'])} | – | – |")
        else:
            lines.append(f"| {name} | {r['rows']} of {n_rows} | {f(r['median_abs_error_pct'])} | "
                         f"{f(r['s_per_prediction'])} | {f(r['ours_error_on_both'])} ({r['both_predicted']}; "
                         f"{f(r['tool_error_on_both'])}) | {f(r['ours_s_per_prediction'])} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.validation.peers", description=DESCRIPTION)
    parser.add_argument("--measured", help="measurements CSV (default: the measurements catalog)")
    parser.add_argument("--python", default=os.environ.get("MLSYS_PEERS_PYTHON", PEERS_PYTHON),
                        help="the peers' interpreter (default: $MLSYS_PEERS_PYTHON or %(default)s)")
    parser.add_argument("--eta", choices=["tools", "ours"], default="tools",
                        help="efficiency given to the peers: each tool's default, or our profile's per row")
    parser.add_argument("--tp-as-one-device", action="store_true",
                        help="give MLSys·im a tp x pp serving group as one device of the group's peak, "
                             "bandwidth and memory (it has no parallel serving)")
    parser.add_argument("--out", required=True, help="folder for peers.parquet and summary.md")
    args = parser.parse_args(argv)

    catalogs = load_catalogs()
    measured = read_measurements(args.measured, catalogs)
    rows = measured.rows
    ours, etas, lean = run_ours(rows, catalogs)
    peers, meta = _run_peers(rows, catalogs, args.python, efficiency=etas if args.eta == "ours" else None,
                             tp_as_one_device=args.tp_as_one_device)
    table = pl.concat([peers, ours])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.write_parquet(out / "peers.parquet")
    overall, per_metric = summary(table, rows), summary(table, rows, by_metric=True)
    text = [f"# Peers on {rows.height} measurement rows ({args.measured or 'measurements catalog'})", "",
            f"Efficiency given to the peers: {'ours, per row' if args.eta == 'ours' else 'each tool default'}. "
            "Error = |predicted / measured - 1| (% of the value, MFU/HFU too). Seconds: wall time of one row's "
            "prediction (the batch grid included); importing a tool is left out: "
            + ", ".join(f"{DISPLAY[k]} {v:.2f} s" for k, v in meta.get("import_seconds", {}).items()) + ".",
            "", _md(overall, rows.height, meta),
            "Ours without the calibration grid of η (`predict(..., etas=[])`: the profile's η and its band only): "
            f"median {quantity(_median(list(lean.values())), 's')} / prediction. A peer prediction flagged by the "
            "tool as not fitting in memory still counts as expressed (its note says so).", "", "## Per metric", "",
            "| tool | metric | rows | of | median abs error % | ours on those rows % (rows both predicted) | "
            "time / prediction | ours, time / prediction |",
            "|---|---|---|---|---|---|---|---|"]
    for r in per_metric.iter_rows(named=True):
        both = f" ({r['both_predicted']})" if r.get("both_predicted") is not None else ""
        text.append(f"| {DISPLAY.get(r['tool'], r['tool'])} | {r['metric']} | {r['rows']} | {r['of']} | "
                    f"{cell(r['median_abs_error_pct'])} | {cell(r.get('ours_error_on_both'))}{both} | "
                    f"{quantity(r['s_per_prediction'], 's')} | {quantity(r.get('ours_s_per_prediction'), 's')} |")
    (out / "summary.md").write_text("\n".join(text) + "\n")
    print("\n".join(text))
    print(f"\nwrote {out / 'peers.parquet'} and {out / 'summary.md'}")
    return 0


def _median(xs: list[float]) -> float | None:
    return float(pl.Series(xs, dtype=pl.Float64).median()) if xs else None

