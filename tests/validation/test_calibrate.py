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
                          (pl.col("multiplier") - 1).abs() > 0.05)
    assert moved.height > 0
    names = bundled.join(moved.select("framework", "family", "compute_dtype"), on=["framework", "family",
                                                                                    "compute_dtype"])
    names = names.filter(pl.col("study") == "serving").group_by("framework").head(2)["name"]
    rows = read_measurements(None, catalogs).rows.filter(pl.col("name").is_in(names.implode()))
    again = predict(rows, load_catalogs(registry), etas=[]).join(cv, on="name")
    assert again.height == names.len() >= 2
    assert ((again["predicted"] / again["fit_predicted"] - 1).abs() < 1e-6).all()
