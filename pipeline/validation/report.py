"""The validation report: Markdown (aggregates from sql/validation_report.sql, calibration,
every row) and a predicted-against-measured scatter (``pipeline.report.scatter.validation_scatter``)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from pipeline.report.format import cell, quantity
from pipeline.runs.database import run_query
from pipeline.validation.accuracy import (
    ELASTICITY_BOUND,
    MIN_BATCH_RATIO,
    bound_agreement,
    catalog_eta_summary,
    cv_summary,
    not_predicted,
)

# The seed's own predictions for its five validation rows (the spec's "Where MLSys·im is Most
# Accurate" table), in seconds, beside ours in the report.
SEED_PREDICTED = {"seed-resnet50-bs1-a100-latency": 0.42e-3, "seed-resnet50-bs64-a100-latency": 8.1e-3,
                  "seed-bert-large-bs1-h100-latency": 2.1e-3, "seed-llama2-70b-ttft-8xh100": 45e-3,
                  "seed-llama2-70b-itl-8xh100": 4.2e-3}


def report_markdown(run_dir: Path, left_out: list[str] | None = None) -> str:
    """The validation report: aggregates (sql/validation_report.sql), calibration, every row."""
    table = pl.read_parquet(run_dir / "validation.parquet")
    groups = run_query("validation_report", run_dir)
    fitted = pl.read_parquet(run_dir / "calibration.parquet")
    if left_out is None:
        left_out = json.loads((run_dir / "manifest.json").read_text()).get("left_out", [])
    lines = ["# Validation report", "",
             f"{table.height} measurements, {table['predicted'].is_not_null().sum()} predicted. Error = predicted / "
             "measured - 1 (a range's midpoint); range error is 0 inside a published range. CV = cross-validated error "
             "after calibrating a framework multiplier on every kernel's speed (eta / prior eta) per (workload, "
             "framework, hardware family, precision), leaving out a whole source (paper, log directory, benchmark "
             "page) at a time.", ""]
    lines += ["## At the catalog's eta (what a sweep uses, nothing calibrated)", "",
              "| metric | rows | predicted | median abs error | within 30 % |", "|---|---|---|---|---|"]
    for c in catalog_eta_summary(table).iter_rows(named=True):
        unit_ = " points" if c["metric"] in ("mfu", "hfu") else " %"
        share = "–" if c["share_within_30pct"] is None else f"{c['share_within_30pct']:.0%}"
        error = "–" if c["median_abs_error"] is None else cell(c["median_abs_error"]) + unit_
        lines.append(f"| {c['metric']} | {c['rows']} | {c['predicted']} | {error} | {share} |")
    missing = not_predicted(table)
    if missing.height:
        lines += ["", "Rows not predicted, by reason:", "", "| reason | rows | names |", "|---|---|---|"]
        lines += [f"| {m['reason']} | {m['rows']} | {', '.join(m['names'])} |" for m in missing.iter_rows(named=True)]
    lines += ["", "![predicted vs measured](scatter.svg)", "", "## By group", "",
             "| grouping | group | rows | median abs error % | p90 abs error % | median signed % | within 15 % | "
             "within 30 % |", "|---|---|---|---|---|---|---|---|"]
    for g in groups.iter_rows(named=True):
        lines.append(f"| {g['grouping']} | {g['group_value']} | {g['rows']} | {cell(g['median_abs_error_pct'])} | "
                     f"{cell(g['p90_abs_error_pct'])} | {cell(g['median_signed_error_pct'])} | "
                     f"{g['share_within_15pct']:.0%} | {g['share_within_30pct']:.0%} |")
    seed = table.filter(pl.col("name").is_in(list(SEED_PREDICTED))).with_columns(
        seed_predicted=pl.col("name").replace_strict(SEED_PREDICTED, return_dtype=pl.Float64))
    if seed.height:
        lines += ["", "## The seed's rows", "",
                  "| row | measured | seed predicted (error %) | ours (error %) | "
                  "ours calibrated, leave-source-out (error %) | our bound |", "|---|---|---|---|---|---|"]
        for r in seed.sort("name").iter_rows(named=True):
            measured = (f"{quantity(r['measured_low'], 's')}–{quantity(r['measured_high'], 's')}"
                        if r["measured_low"] is not None else quantity(r["measured"], "s"))
            lines.append(f"| {r['name']} | {measured} | {quantity(r['seed_predicted'], 's')} "
                         f"({(r['seed_predicted'] / r['measured'] - 1) * 100:+.0f}) | {quantity(r['predicted'], 's')} "
                         f"({cell(r['error_pct'])}) | {quantity(r['cv_predicted'], 's')} ({cell(r['cv_error_pct'])}) | "
                         f"{r['bound'] or '–'} |")
    cv = cv_summary(table)
    lines += ["", "## Calibration (median absolute error, per metric; % of the measured value, or points of peak "
              "for MFU/HFU)", "",
              "| metric | rows | profile eta | fitted, in sample | fitted, leave-one-source-out | target | met |",
              "|---|---|---|---|---|---|---|"]
    lines += [f"| {c['metric']} | {c['rows']} | {cell(c['before'])} | {cell(c['in_sample'])} | {cell(c['cv'])} | "
              f"{c['target']} | {'yes' if c['met'] else '**no**'} |" for c in cv.iter_rows(named=True)]
    lines += ["", "| workload | framework | family | precision | rows | multiplier | fitted eta | leave-source-out "
              "eta range | prior eta | every row predicted from eta (rows lost one step below) | fit of the rows "
              "predicted at every eta |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {f['workload']} | {f['framework']} | {f['family']} | {f['compute_dtype']} | {f['rows']} | "
              f"{cell(f['multiplier'])} | {cell(f['eta_fitted'])} | "
              f"{cell(f['eta_cv_low'])}–{cell(f['eta_cv_high'])} | {cell(f['eta_prior'])} | "
              f"{cell(f['eta_floor'])} ({f['floor_rows']}) | {cell(f['eta_unpinned'])} |"
              for f in fitted.iter_rows(named=True)]
    agree = bound_agreement(table)
    lines += ["", "## Binding term: does batching pay, predicted against measured", "",
              f"{agree.height} pairs of measurements of one configuration at two batches at least "
              f"{MIN_BATCH_RATIO:g}x apart. A step bound by what its batch grows (compute, activation or K/V bytes) "
              "gains nothing from batching; one bound by what a batch shares (weights, per-kernel fixed costs, "
              f"launches) gains: throughput elasticity d log T / d log b >= {ELASTICITY_BOUND} reads \"gains\", "
              "else \"flat\". "
              + (f"Our predictions give the measured response on {agree['agrees'].mean():.0%} of them."
                 if agree.height else ""), "",
              "| smaller batch | larger batch | batches | measured elasticity | measured | predicted elasticity | "
              "predicted | our bound at the smaller | agrees |",
              "|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {a['name']} | {a['name_2']} | {a['batch']} → {a['batch_2']} | {cell(a['elasticity'])} | "
              f"{a['measured_response']} | {cell(a['predicted_elasticity'])} | {a['predicted_response']} | "
              f"{a['our_bound']} | {'yes' if a['agrees'] else 'no'} |"
              for a in agree.iter_rows(named=True)]
    lines += ["", "## Every measurement", "",
              "| name | metric | measured | predicted (band) | error % | CV error % | bound | batch | eta | "
              "source |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in table.sort("metric", "name").iter_rows(named=True):
        unit = r["metric_unit"]
        band = (f"{quantity(r['predicted'], unit)} ({quantity(r['predicted_low'], unit)}–"
                f"{quantity(r['predicted_high'], unit)})" if r["predicted"] is not None
                else f"not predicted: {r['reason']}")
        lines.append(f"| {r['name']} | {r['metric']} ({unit or 'fraction'}) | {quantity(r['measured'], unit)} | "
                     f"{band} | {cell(r['error_pct'])} | {cell(r['cv_error_pct'])} | {r['bound'] or '–'} | "
                     f"{cell(r['batch_used'])} | {cell(r['eta_compute'])} | [{r['source_location']}]"
                     f"({r['source_url']}) |")
    if left_out:
        lines += ["", "## Rows left out (bad input)", "", *[f"- {p}" for p in left_out]]
    return "\n".join(lines) + "\n"
