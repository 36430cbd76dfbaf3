"""The training step (pipeline.walls.training_step) by hand."""

from __future__ import annotations

import pytest


def test_dp_sgd_and_a_slow_input_pipeline_stretch_the_step(training):
    """Book-keeping DP-SGD runs at 0.83x the non-private speed (Bu et al. 2023); an input pipeline at
    rho = 1.5 makes the step 1.5x; below 1 (or unchecked) it is hidden by prefetching."""
    got = training(["step_time_s"], is_feasible=([True] * 4, None), iteration_time_s=([10.0] * 4, "s"),
                   dp_sgd_step_multiplier=([1.0, 1 / 0.83, 1.0, 1.0], ""),
                   input_utilization=([None, 0.5, 1.5, 0.9], ""))
    assert got["step_time_s"] == pytest.approx([10.0, 10.0 / 0.83, 15.0, 10.0])
