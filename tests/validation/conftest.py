"""Shared fixtures: the bundled catalogs, and the good rows predicted once for every module."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements

from .measured_csv import ROWS, write


@pytest.fixture(scope="package")
def catalogs():
    return load_catalogs()


@pytest.fixture(scope="package")
def table(tmp_path_factory, catalogs) -> pl.DataFrame:
    measured = read_measurements(write(tmp_path_factory.mktemp("m"), ROWS), catalogs)
    assert measured.problems == []
    return errors(measured.rows, predict(measured.rows, catalogs))


@pytest.fixture(scope="package")
def profile_table(tmp_path_factory, catalogs) -> pl.DataFrame:
    """``table`` with every row at the profile η (efficiency.compute_model "profile"): calibration fits
    that η, which under the kernel model (the serving and training default) moves only the operators
    without a kernel fit."""
    measured = read_measurements(write(tmp_path_factory.mktemp("p"), ROWS), catalogs)
    return errors(measured.rows, predict(measured.rows, catalogs, compute_model="profile"))


@pytest.fixture(scope="package")
def bundled(catalogs) -> pl.DataFrame:
    """Every row of the bundled measurements catalog, predicted once for the package's tests."""
    measured = read_measurements(None, catalogs)
    return errors(measured.rows, predict(measured.rows, catalogs))
