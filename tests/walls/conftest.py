"""Fixtures of the wall tests."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.training import FORMULAS
from pipeline.units import unit


def _training(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    """The training formulas for ``outputs`` over a frame of ``column=(values, unit)``."""
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    plan = formulas.plan(frame.lazy(), units, outputs, FORMULAS)
    return plan.frame.collect().to_dict(as_series=False)


@pytest.fixture
def training():
    """``training(outputs, column=(values, unit), ...)``: the training study's formulas on a small frame."""
    return _training
