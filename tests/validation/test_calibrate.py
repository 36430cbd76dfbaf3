"""Calibration: η fitted per group, in and out of sample."""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipeline.validation import ETA_GRID
from pipeline.validation.calibrate import fit


def test_calibration_recovers_a_known_eta_out_of_sample(profile_table):
    """Measurements made by the model itself at eta 0.37, from three sources: the fit finds 0.37 in
    sample, and out of sample each row is predicted from the other two sources."""
    hfu = profile_table.filter(pl.col("name") == "gpt3-384").row(0, named=True)
    at = ETA_GRID.index(0.37)
    rows = [hfu | {"name": f"copy-{i}", "measured": hfu["grid"][at], "source_url": f"https://example.org/{i}"}
            for i in range(3)]
    fitted, cv = fit(pl.DataFrame(rows, schema=profile_table.schema))
    assert fitted["eta_fitted"].to_list() == [pytest.approx(0.37)]
    assert cv["cv_abs_error_pct"].max() < 1.0


def test_rows_of_one_source_do_not_vouch_for_each_other(profile_table):
    """Three rows of one source: leaving the source out leaves nothing, so each row's cross-validated
    eta is the prior (the profile's eta), not the 0.37 its siblings would give."""
    hfu = profile_table.filter(pl.col("name") == "gpt3-384").row(0, named=True)
    at = ETA_GRID.index(0.37)
    rows = [hfu | {"name": f"copy-{i}", "measured": hfu["grid"][at]} for i in range(3)]
    fitted, cv = fit(pl.DataFrame(rows, schema=profile_table.schema))
    assert fitted["eta_fitted"].to_list() == [pytest.approx(0.37)]
    prior_on_grid = min(ETA_GRID, key=lambda eta: abs(math.log(eta / hfu["eta_compute"])))
    assert cv["eta_cv"].to_list() == [pytest.approx(prior_on_grid)] * 3


def test_fitted_profiles_import_as_they_are(bundled, catalogs, registry, tmp_path):
    """issue 12 item 8: fitted_profiles.csv is the efficiency_profiles table with the fitted rows, and
    `mlsys catalog import` takes it unedited; a fitted row keeps the figures of the profile it refines."""
    from pipeline.catalogs.imports import import_csv
    from pipeline.catalogs.io import read_catalog
    from pipeline.validation.calibrate import profiles_csv

    fitted, _ = fit(bundled)
    csv = tmp_path / "fitted_profiles.csv"
    profiles_csv(fitted, catalogs.efficiency_profiles, csv)
    import_csv(csv, "efficiency_profiles", registry)
    imported = read_catalog("efficiency_profiles", registry)
    calibrated = imported.filter(pl.col("profile").str.starts_with("Calibrated "))
    assert calibrated.height == fitted.height > 0
    vllm = calibrated.filter(pl.col("framework") == "vLLM")
    if vllm.height:  # vLLM's documented memory fraction survives calibration
        assert vllm["memory_fraction"].to_list() == [0.9] * vllm.height
    assert (calibrated["eta_compute_low"] <= calibrated["eta_compute_high"]).all()
    # a sweep takes the range's midpoint: the fitted η; the fitted multiplier rides along (issue 12 item 2)
    got = calibrated.join(fitted.rename({"compute_dtype": "precision", "family": "hardware_family"}),
                          on=["workload", "precision", "framework", "hardware_family"])
    assert got.height == fitted.height
    assert ((got["eta_compute_low"] + got["eta_compute_high"]) / 2 - got["eta_fitted"]).abs().max() < 1e-9
    assert (got["framework_eta_multiplier"] - got["multiplier"]).abs().max() < 1e-9


def test_imported_profiles_predict_as_the_fit_did(bundled, registry, tmp_path):
    """Importing fitted_profiles.csv and predicting again gives, at the catalog's η, the in-sample
    calibrated prediction: the sweep applies the multiplier as the fit's grid did (eta_grid). Rows of
    one vLLM and one TensorRT-LLM group (kernel fits, multiplier != 1)."""
    from pipeline.catalogs.imports import import_csv
    from pipeline.catalogs.load import load_catalogs
    from pipeline.validation import predict
    from pipeline.validation.calibrate import profiles_csv
    from pipeline.validation.measurements import read_measurements

    fitted, cv = fit(bundled)
    catalogs = load_catalogs()
    csv = tmp_path / "fitted_profiles.csv"
    profiles_csv(fitted, catalogs.efficiency_profiles, csv)
    import_csv(csv, "efficiency_profiles", registry)
    moved = fitted.filter(pl.col("framework").is_in(["vLLM", "TensorRT-LLM"]), pl.col("rows") >= 8,
                          (pl.col("multiplier") - 1).abs() > 0.02)  # r-cfgs' stated layouts: 0.975, 1.033
    assert moved.height > 0
    names = bundled.join(moved.select("framework", "family", "compute_dtype"), on=["framework", "family",
                                                                                    "compute_dtype"])
    names = names.filter(pl.col("study") == "serving").group_by("framework").head(2)["name"]
    rows = read_measurements(None, catalogs).rows.filter(pl.col("name").is_in(names.implode()))
    again = predict(rows, load_catalogs(registry), etas=[]).join(cv, on="name")
    assert again.height == names.len() >= 2
    assert ((again["predicted"] / again["fit_predicted"] - 1).abs() < 1e-6).all()


def _floor_table() -> pl.DataFrame:
    """Three rows of one group, each from its own source, measured at 1.0: rows a and b are predicted 0.30 / η
    at every η of the grid (their error vanishes at η = 0.30); row c is 0.45 / η but over capacity (not
    predicted) below η = 0.40, as wall 7 leaves a server row whose rate its capacity cannot carry."""
    def grid(best, floor=0.0):
        return [None if eta < floor - 1e-9 else best / eta for eta in ETA_GRID]
    rows = [{"name": n, "measured": 1.0, "predicted": 1.0, "grid": grid(best, floor),
             "source_url": f"https://e.org/{n}", "study": "serving", "scenario": "server", "framework": "F",
             "family": "fam", "compute_dtype": "fp8", "eta_compute": 0.40}
            for n, best, floor in (("a", 0.30, 0.0), ("b", 0.30, 0.0), ("c", 0.45, 0.40))]
    return pl.DataFrame(rows)


def test_a_fit_held_by_rows_over_capacity_says_so():
    """Hand-computed, x = ln η: the loss 2 (ln 0.30 - x)^2 + (ln 0.45 - x)^2 + 0.05 (x - ln 0.40)^2 is least at
    x = (2 ln 0.30 + ln 0.45 + 0.05 ln 0.40) / 3.05 = -1.06632 (η 0.344), but row c has no prediction below 0.40,
    so the fit stops at the floor 0.40 (convex loss: the nearest feasible point). Without row c:
    x = (2 ln 0.30 + 0.05 ln 0.40) / 2.05 = -1.19696 (η 0.302), on the grid 0.30. One row (c) is not predicted
    at 0.39."""
    x_all = (2 * math.log(0.30) + math.log(0.45) + 0.05 * math.log(0.40)) / 3.05
    assert math.exp(x_all) == pytest.approx(0.3443, abs=1e-4)
    fitted, _ = fit(_floor_table())
    f = fitted.row(0, named=True)
    assert f["eta_fitted"] == pytest.approx(0.40)
    assert f["eta_floor"] == pytest.approx(0.40)
    assert f["floor_rows"] == 1
    assert f["eta_unpinned"] == pytest.approx(0.30)


def test_a_fit_with_every_row_predicted_has_no_floor():
    """Without row c every η of the grid predicts every row: the floor is the grid's first point, no row sets
    it, and the fit without floor rows is the fit: x = (2 ln 0.30 + 0.05 ln 0.40) / 2.05, η 0.30 on the grid."""
    fitted, _ = fit(_floor_table().filter(pl.col("name") != "c"))
    f = fitted.row(0, named=True)
    assert (f["eta_floor"], f["floor_rows"]) == (pytest.approx(ETA_GRID[0]), 0)
    assert f["eta_unpinned"] == f["eta_fitted"] == pytest.approx(0.30)


def test_without_floors_the_rows_over_capacity_weigh_nothing():
    """The what-if (tests/validation/floor_whatif.py): row c weighs nothing, so the fit is a and b's, η 0.30
    (x = (2 ln 0.30 + 0.05 ln 0.40) / 2.05 on the grid). Leaving c's source out fits 0.30 either way; c is
    over capacity there: with floors it has no cross-validated prediction, without them it is predicted at
    the lowest η that carries it, 0.40: 0.45 / 0.40 = 1.125 of the measured 1.0, +12.5 %."""
    fitted, cv = fit(_floor_table(), floors=False)
    assert fitted["eta_fitted"].to_list() == [pytest.approx(0.30)]
    c = cv.filter(pl.col("name") == "c").row(0, named=True)
    assert (c["eta_cv"], c["cv_predicted"], c["cv_error_pct"]) == (pytest.approx(0.30), pytest.approx(1.125),
                                                                   pytest.approx(12.5))
    held = fit(_floor_table())[1].filter(pl.col("name") == "c").row(0, named=True)
    assert (held["eta_cv"], held["cv_predicted"]) == (pytest.approx(0.30), None)
