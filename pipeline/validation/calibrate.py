"""Calibration: η per (workload, framework, hardware family, precision), fitted to measurements by least
squares in log space, cross-validated by leaving out a whole source at a time.

Each predicted measurement carries its prediction at every η of ``validation.ETA_GRID``
(one vectorized evaluation). For a group, the fitted η minimises
sum_i (log p_i(η) - log m_i)^2 + PRIOR_WEIGHT (log η - log η_prior)^2 over the grid, where
η_prior is the profile's η (the seed's ranges): with few rows the prior holds η near the
seed's value, with many the data decide. Leave-one-source-out refits without every row of a
row's source (one paper, one log directory, one benchmark page) and predicts the row, so the
reported CV error is out of sample and a source cannot vouch for itself (issue 12 item 8).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import polars as pl

from pipeline.validation.predict import ETA_GRID

PRIOR_WEIGHT = 0.05  # one row's squared log error of 0.05 (~25 %) weighs as much as leaving the prior by e^1


def _loss(rows: list[dict], prior: float, skip_source: str | None = None) -> list[float]:
    losses = []
    for k, eta in enumerate(ETA_GRID):
        total = PRIOR_WEIGHT * math.log(eta / prior) ** 2
        for r in rows:
            p = r["grid"][k]
            if r["source_url"] == skip_source:
                continue
            total += math.inf if p is None or p <= 0 else math.log(p / r["measured"]) ** 2
        losses.append(total)
    return losses


def _argmin(losses: list[float]) -> float:
    return ETA_GRID[min(range(len(losses)), key=losses.__getitem__)]


def fit(table: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fitted η per group, and per row the in-sample and leave-one-source-out predictions and errors."""
    rows = table.filter(pl.col("predicted").is_not_null() & pl.col("grid").is_not_null()).with_columns(
        workload=pl.when(pl.col("study") == "training").then(pl.lit("training")).otherwise(pl.lit("inference")))
    groups, per_row = [], []
    keys = ("workload", "framework", "family", "compute_dtype")
    for (workload, framework, family, dtype), g in rows.group_by(*keys, maintain_order=True):
        members = g.to_dicts()
        prior = float(g["eta_compute"].median())
        eta = _argmin(_loss(members, prior))
        cv_etas = []
        for r in members:  # without the row's own source; a group of one source falls back to the prior
            eta_i = _argmin(_loss(members, prior, skip_source=r["source_url"]))
            cv_etas.append(eta_i)
            fit_p, cv_p = r["grid"][ETA_GRID.index(eta)], r["grid"][_nearest(eta_i)]
            per_row.append({"name": r["name"], "eta_fitted": eta, "eta_cv": eta_i, "fit_predicted": fit_p,
                            "cv_predicted": cv_p})
        groups.append({"workload": workload, "framework": framework, "family": family, "compute_dtype": dtype,
                       "rows": len(members),
                       "eta_prior": prior, "eta_fitted": eta, "eta_cv_low": min(cv_etas), "eta_cv_high": max(cv_etas),
                       "sources": "; ".join(sorted({r["source_url"] for r in members}))})
    fitted = pl.DataFrame(groups, schema={
        "workload": pl.String, "framework": pl.String, "family": pl.String, "compute_dtype": pl.String,
        "rows": pl.Int64, "eta_prior": pl.Float64, "eta_fitted": pl.Float64, "eta_cv_low": pl.Float64,
        "eta_cv_high": pl.Float64, "sources": pl.String})
    cv = pl.DataFrame(per_row, schema={"name": pl.String, "eta_fitted": pl.Float64, "eta_cv": pl.Float64,
                                       "fit_predicted": pl.Float64, "cv_predicted": pl.Float64})
    m = table.select("name", "measured")
    cv = cv.join(m, on="name").with_columns(
        fit_error_pct=(pl.col("fit_predicted") / pl.col("measured") - 1) * 100,
        cv_error_pct=(pl.col("cv_predicted") / pl.col("measured") - 1) * 100,
    ).with_columns(fit_abs_error_pct=pl.col("fit_error_pct").abs(),
                   cv_abs_error_pct=pl.col("cv_error_pct").abs()).drop("measured")
    return fitted, cv


def _nearest(eta: float) -> int:
    return min(range(len(ETA_GRID)), key=lambda k: abs(ETA_GRID[k] - eta))


def profiles_csv(fitted: pl.DataFrame, path: Path) -> None:
    """The fitted η as efficiency-profile rows (``mlsys catalog import`` can merge them): the range
    is the spread of the leave-one-source-out fits."""
    today = dt.date.today().isoformat()
    rows = [{"source_url": f["sources"].split("; ")[0], "last_verified": today,
             "notes": f"mlsys calibrate: {f['rows']} measurements, prior eta {f['eta_prior']:.3g}; sources: "
                      f"{f['sources']}",
             "profile": f"Calibrated {f['workload']} ({f['compute_dtype']}) {f['framework']} {f['family']}",
             "workload": f["workload"], "precision": f["compute_dtype"], "framework": f["framework"],
             "hardware_family": f["family"],
             "eta_compute_low []": min(f["eta_cv_low"], f["eta_fitted"]),
             "eta_compute_high []": max(f["eta_cv_high"], f["eta_fitted"]),
             "eta_memory_low []": None, "eta_memory_high []": None, "eta_link_low []": None,
             "eta_link_high []": None, "source": f"fitted by mlsys calibrate to {f['rows']} measurements"}
            for f in fitted.iter_rows(named=True)]
    pl.DataFrame(rows).write_csv(path)
