"""Shared by the serving tests: one evaluated serving row per configuration, cached."""

from __future__ import annotations

import math
from functools import cache

import pipeline

H100 = "H100 SXM5 80GB"
L70 = "Llama 2 70B"
FP16 = 2  # bytes per element


@cache
def _row(**kwargs) -> dict:
    return pipeline.evaluate_serving(**kwargs).row(0, named=True)


def row(**kwargs) -> dict:
    """The serving study's row of one configuration (a copy: tests may edit it)."""
    return dict(_row(**kwargs))


def finite_positive(x) -> bool:
    return x is not None and math.isfinite(x) and x > 0
