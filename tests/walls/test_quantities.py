"""Shared quantities (pipeline.walls.quantities)."""

from __future__ import annotations

from pipeline import spec
from pipeline.walls.quantities import DP_SGD_STEP_MULTIPLIER


def test_the_spec_accepts_exactly_the_dp_sgd_keys_the_walls_know():
    assert set(spec.DP_SGD) == set(DP_SGD_STEP_MULTIPLIER)


def test_dp_sgd_multipliers_are_the_published_ones():
    """Bu et al. 2023: book-keeping runs at 0.83x the non-private speed; Beltran et al. 2024: Opacus 2.6x."""
    assert DP_SGD_STEP_MULTIPLIER == {"none": 1.0, "book-keeping": 1 / 0.83, "opacus": 2.6}
