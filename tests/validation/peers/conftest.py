"""Fixtures of the peers tests: the rows in a CSV, read as our validation reads them."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.validation import read_measurements

from ..measured_csv import HEADER
from .peer_rows import ROWS


@pytest.fixture(scope="module")
def csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("peers") / "measured.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n")
    return path


@pytest.fixture(scope="module")
def rows(csv, catalogs) -> pl.DataFrame:
    measured = read_measurements(csv, catalogs)
    assert measured.problems == []
    return measured.rows
