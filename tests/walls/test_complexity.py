"""Wall 11 (pipeline.walls.complexity) against Chinchilla."""

from __future__ import annotations

import pytest


def test_chinchilla_tokens_and_training_compute(training):
    """Chinchilla: 70B parameters, ~1.4T tokens (Hoffmann et al. 2022, Table 3 / the Chinchilla run);
    C = 6 N D = 6 x 70e9 x 1.4e12 = 5.88e23 FLOP."""
    got = training(["chinchilla_tokens", "train_tokens", "training_compute_flop"],
                   params_computed=([70e9, 70e9], "param"), params_active_per_token=([70e9, 70e9], "param"),
                   train_tokens_budget=([None, 1e12], "tok"))
    assert got["chinchilla_tokens"] == pytest.approx([1.4e12, 1.4e12])
    assert got["train_tokens"] == pytest.approx([1.4e12, 1e12])
    assert got["training_compute_flop"] == pytest.approx([5.88e23, 4.2e23])
