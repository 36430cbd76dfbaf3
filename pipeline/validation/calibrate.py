"""Calibration: a framework multiplier on kernel time per (workload, framework, hardware family,
precision), fitted to measurements by least squares in log space, cross-validated by leaving out a
whole source at a time.

Each predicted measurement carries its prediction at every η of ``validation.ETA_GRID``
(one vectorized evaluation; ``pipeline.validation.eta_grid``): a grid point η is the multiplier
c = η / η_prior on the speed of every kernel, the kernel catalog's GEMMs and memory-bound kernels as
well as the profile-η operators, so under the kernel compute model the fit moves only what the kernel
fits leave free. The grouping is the framework profile's key: one software stack on one hardware
family at one precision runs its kernels at one speed relative to the microbenchmarks. Splitting it
further by phase (prefill, decode, training) was tried and did worse out of sample (CHANGELOG.md
2026-12-03). For a group, the fitted η minimises
sum_i (log p_i(η) - log m_i)^2 + PRIOR_WEIGHT (log η - log η_prior)^2 over the grid, where
η_prior is the profile's η (the seed's ranges): with few rows the prior holds η near the
seed's value, with many the data decide. Leave-one-source-out refits without every row of a
row's source (one paper, one log directory, one benchmark page) and predicts the row, so the
reported CV error is out of sample and a source cannot vouch for itself (issue 12 item 8).
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from pathlib import Path

import polars as pl

from pipeline.validation.predict import ETA_GRID

PRIOR_WEIGHT = 0.05  # one row's squared log error of 0.05 (~25 %) weighs as much as leaving the prior by e^1


def _terms(rows: list[dict]) -> list[list[float]]:
    """Each row's squared log error at each η of the grid (inf where nothing fits), once per row: every fit of
    a group (in sample, and one per source left out) sums the same terms."""
    return [[math.inf if (p := r["grid"][k]) is None or p <= 0 else math.log(p / r["measured"]) ** 2
             for k in range(len(ETA_GRID))] for r in rows]


def _loss(rows: list[dict], prior: float, skip_source: str | None = None,
          terms: list[list[float]] | None = None) -> list[float]:
    """The objective at each η: the prior's term, then each row's in order (the same sums, term by term, as a
    loop over η then rows: the fitted η does not hang on the order of floating-point additions)."""
    losses = [PRIOR_WEIGHT * math.log(eta / prior) ** 2 for eta in ETA_GRID]
    for r, t in zip(rows, _terms(rows) if terms is None else terms, strict=True):
        if r["source_url"] != skip_source:
            losses = list(map(operator.add, losses, t))
    return losses


def _argmin(losses: list[float]) -> float:
    return ETA_GRID[min(range(len(losses)), key=losses.__getitem__)]


def _feasibility(rows: list[dict], prior: float, terms: list[list[float]]) -> dict:
    """Where the group's fit is held by rows that are not predicted at every η rather than by errors. A row
    over wall 7's capacity at an η has no prediction there (an infinite term), so the fit cannot go below
    the lowest η at which every row is predicted: ``eta_floor`` (null: no such η). ``floor_rows``: the rows
    not predicted at the grid point below it (0 when the floor is the grid's first point). ``eta_unpinned``:
    the fit of the rows predicted at every η of the grid (the prior kept), i.e. without the rows that set a
    floor; it equals ``eta_fitted`` unless the floor, not the errors, decides the fit."""
    whole = [all(math.isfinite(v) for v in t) for t in terms]
    every = [k for k in range(len(ETA_GRID)) if all(math.isfinite(t[k]) for t in terms)]
    floor = every[0] if every else None
    below = [] if not floor else [t for t in terms if not math.isfinite(t[floor - 1])]
    kept = [r for r, w in zip(rows, whole, strict=True) if w]
    unpinned = _argmin(_loss(kept, prior, terms=[t for t, w in zip(terms, whole, strict=True) if w]))
    return {"eta_floor": None if floor is None else ETA_GRID[floor], "floor_rows": len(below),
            "eta_unpinned": unpinned}


def fit(table: pl.DataFrame, floors: bool = True) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fitted η and multiplier (η / η_prior) per group, and per row the in-sample and leave-one-source-out
    predictions and errors. ``floors=False`` is a what-if, not the calibration (tests/validation/floor_whatif.py):
    rows not predicted at some η of the grid weigh nothing in any fit (no feasibility floor, ``_feasibility``),
    and a row left over capacity at its fitted η is predicted at the lowest η above it that predicts it."""
    rows = table.filter(pl.col("predicted").is_not_null() & pl.col("grid").is_not_null()).with_columns(
        # the profile's workload a sweep looks up: a node-study row of scenario "training" trains (predict)
        workload=pl.when((pl.col("study") == "training") | (pl.col("scenario") == "training"))
        .then(pl.lit("training")).otherwise(pl.lit("inference")))
    groups, per_row = [], []
    keys = ("workload", "framework", "family", "compute_dtype")
    for (workload, framework, family, dtype), g in rows.group_by(*keys, maintain_order=True):
        members = g.to_dicts()
        prior = float(g["eta_compute"].median())
        terms = _terms(members)
        weighed = terms if floors else [[0.0] * len(t) if any(map(math.isinf, t)) and not all(map(math.isinf, t))
                                        else t for t in terms]
        eta = _argmin(_loss(members, prior, terms=weighed))
        # one fit per source left out (its rows share it); a group of one source falls back to the prior
        without = {src: _argmin(_loss(members, prior, skip_source=src, terms=weighed))
                   for src in {r["source_url"] for r in members}}
        cv_etas = []
        for r in members:
            eta_i = without[r["source_url"]]
            cv_etas.append(eta_i)
            fit_p, cv_p = _at(r["grid"], ETA_GRID.index(eta), floors), _at(r["grid"], _nearest(eta_i), floors)
            per_row.append({"name": r["name"], "eta_fitted": eta, "eta_cv": eta_i, "fit_predicted": fit_p,
                            "cv_predicted": cv_p})
        groups.append({"workload": workload, "framework": framework, "family": family, "compute_dtype": dtype,
                       "rows": len(members), "multiplier": eta / prior,
                       "eta_prior": prior, "eta_fitted": eta, "eta_cv_low": min(cv_etas), "eta_cv_high": max(cv_etas),
                       "sources": "; ".join(sorted({r["source_url"] for r in members}))}
                      | _feasibility(members, prior, terms))
    fitted = pl.DataFrame(groups, schema={
        "workload": pl.String, "framework": pl.String, "family": pl.String, "compute_dtype": pl.String,
        "rows": pl.Int64, "multiplier": pl.Float64, "eta_prior": pl.Float64, "eta_fitted": pl.Float64,
        "eta_cv_low": pl.Float64,
        "eta_cv_high": pl.Float64, "sources": pl.String, "eta_floor": pl.Float64, "floor_rows": pl.Int64,
        "eta_unpinned": pl.Float64})
    cv = pl.DataFrame(per_row, schema={"name": pl.String, "eta_fitted": pl.Float64, "eta_cv": pl.Float64,
                                       "fit_predicted": pl.Float64, "cv_predicted": pl.Float64})
    m = table.select("name", "measured")
    cv = cv.join(m, on="name").with_columns(
        fit_error_pct=(pl.col("fit_predicted") / pl.col("measured") - 1) * 100,
        cv_error_pct=(pl.col("cv_predicted") / pl.col("measured") - 1) * 100,
    ).with_columns(fit_abs_error_pct=pl.col("fit_error_pct").abs(),
                   cv_abs_error_pct=pl.col("cv_error_pct").abs()).drop("measured")
    return fitted, cv


def _at(grid: list, k: int, floors: bool):
    """The prediction at grid point k; without floors, the first prediction at or above it."""
    return grid[k] if floors else next((p for p in grid[k:] if p is not None), None)


def _nearest(eta: float) -> int:
    return min(range(len(ETA_GRID)), key=lambda k: abs(ETA_GRID[k] - eta))


KEY = ["workload", "precision", "framework", "hardware_family"]


def profiles_csv(fitted: pl.DataFrame, profiles: pl.DataFrame, path: Path) -> None:
    """The efficiency_profiles table with the fitted η as its rows, written as a CSV export
    (units in the header) that ``mlsys catalog import --csv ... --table efficiency_profiles``
    takes as it is. A fitted row keeps every other figure (memory fraction, launch, graphs,
    chunk) of the profile it refines: the most specific row of its workload and framework for
    its family and precision. Its η range is centred on the fitted η (a sweep takes the midpoint)
    and spans the leave-one-source-out fits; its ``framework_eta_multiplier`` is the fitted one
    times the refined row's (a sweep applies it to the kernels as ``eta_grid`` did in the fit)."""
    from pipeline.catalogs.io import schema_units
    from pipeline.catalogs.quality import quality

    today = dt.date.today()
    urls = fitted["sources"].str.split("; ").list.first().unique()  # each group's first source, rated at once
    qualities = dict(zip(urls, pl.select(quality(pl.lit(urls, pl.String))).to_series(), strict=True))
    rows = []
    for f in fitted.iter_rows(named=True):
        base = _refined(profiles, f)
        if base is None:
            continue
        half = min(max(f["eta_fitted"] - f["eta_cv_low"], f["eta_cv_high"] - f["eta_fitted"], 0.0),
                   1.0 - f["eta_fitted"], f["eta_fitted"] - ETA_GRID[0])
        rows.append(base | {
            "source_url": f["sources"].split("; ")[0], "last_verified": today,
            "source_quality": qualities[f["sources"].split("; ")[0]],
            "notes": f"mlsys calibrate: {f['rows']} measurements, prior eta {f['eta_prior']:.3g}; sources: "
                     f"{f['sources']}",
            "profile": f"Calibrated {f['workload']} ({f['compute_dtype']}) {f['framework']} {f['family']}",
            "workload": f["workload"], "precision": f["compute_dtype"], "framework": f["framework"],
            "hardware_family": f["family"],
            "eta_compute_low": f["eta_fitted"] - half, "eta_compute_high": f["eta_fitted"] + half,
            "framework_eta_multiplier": (base.get("framework_eta_multiplier") or 1.0) * f["multiplier"],
            "source": f"fitted by mlsys calibrate to {f['rows']} measurements"})
    calibrated = pl.DataFrame(rows, schema=profiles.schema) if rows else profiles.head(0)
    table = pl.concat([profiles.join(calibrated.select(KEY), on=KEY, how="anti"), calibrated])
    units = schema_units("efficiency_profiles")
    table.rename({c: f"{c} [{units[c]}]" for c in table.columns if units.get(c) is not None}).write_csv(path)


def _refined(profiles: pl.DataFrame, f: dict) -> dict | None:
    """The profile row a fitted group refines: its own framework before 'any' before 'default', then
    its family before 'any', then its precision before 'any' (the order a sweep looks them up in)."""
    frameworks = [f["framework"], "any", "default"]
    candidates = profiles.filter(pl.col("workload") == f["workload"], pl.col("framework").is_in(frameworks),
                                 pl.col("hardware_family").is_in([f["family"], "any"]),
                                 pl.col("precision").is_in([f["compute_dtype"], "any"]))
    if candidates.height == 0:
        return None
    rank = pl.col("framework").replace_strict({fw: i for i, fw in enumerate(dict.fromkeys(frameworks))})
    ranked = candidates.sort(rank, pl.col("hardware_family") == "any", pl.col("precision") == "any")
    return ranked.row(0, named=True)
