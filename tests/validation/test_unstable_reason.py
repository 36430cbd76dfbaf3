"""Why a latency row under a request rate has no prediction (pipeline.validation.picking): wall 7 calls a rate unstable
either above its capacity (utilization >= 1) or below it where its prefill share λ τ_p >= 1; the reason says which,
and that the model predicts a failure the measured run did not have (r-mixamd)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.validation.picking import (
    FAILURE, OVER_CAPACITY, OVER_CAPACITY_AT_PROFILE, OVER_PREFILL, OVER_PREFILL_AT_PROFILE, picked,
)

PROFILE = pl.DataFrame({"measurement": [0], "family": ["x"], "eta": [0.3], "eta_low": [0.3], "eta_high": [0.3]})


def _frame(utilization: list[float], stable: list[bool], etas: list[float]) -> pl.DataFrame:
    """A TTFT row under load at batches 256 and 512 at each η of ``etas`` (utilization and stability per batch, the
    same at each η but where ``stable``); an unstable configuration's means are null, a stable one's TTFT 0.4 s."""
    rows = [{"measurement": 0, "eta_compute": eta, "metric": "ttft_s", "statistic": "mean", "devices": 8, "tp": 1,
             "pp": 1, "ep": 1, "row_tp": None, "output_len": 144, "batch": batch, "is_feasible": True,
             "max_batch_paged": 5000.0, "request_rate": 420.0, "ttft_mean_s": 0.4 if ok else None,
             "tpot_under_load_s": 0.05 if ok else None, "batch_tokens_per_s": 8000.0,
             "capacity_requests_per_s": 55.0, "is_stable": ok, "utilization": u, "bound": "compute"}
            for eta in etas for batch, u, ok in zip([256.0, 512.0], utilization, stable, strict=True)]
    return pl.DataFrame(rows, schema_overrides={"row_tp": pl.Int64, "ttft_mean_s": pl.Float64,
                                                "tpot_under_load_s": pl.Float64})


def _picked(frame: pl.DataFrame) -> dict:
    return picked("serving", frame, PROFILE, [], ({"ttft_s"}, {"mean"})).row(0, named=True)


@pytest.mark.parametrize(("utilization", "reason"), [([1.9, 0.95], OVER_PREFILL), ([1.9, 1.2], OVER_CAPACITY)])
def test_unstable_at_every_efficiency_says_which_term(utilization, reason):
    """Utilization 0.95 at batch 512 (1.9 at 256: its cap holds fewer): below the capacity where the cap is largest,
    so the prefill share made the rate unstable; 1.2: above the capacity."""
    assert _picked(_frame(utilization, [False, False], [0.3]))["reason"] == reason


@pytest.mark.parametrize(("utilization", "reason"), [([1.9, 0.95], OVER_PREFILL_AT_PROFILE),
                                                     ([1.9, 1.2], OVER_CAPACITY_AT_PROFILE)])
def test_unstable_at_the_profile_says_which_term(utilization, reason):
    """Stable at η 0.5 (not the profile's), unstable at the profile's 0.3."""
    frame = pl.concat([_frame(utilization, [False, False], [0.3]), _frame(utilization, [True, True], [0.5])])
    got = _picked(frame)
    assert got["reason"] == reason and got["predicted"] is None


def test_every_reason_names_a_predicted_failure():
    for reason in (OVER_CAPACITY, OVER_CAPACITY_AT_PROFILE, OVER_PREFILL, OVER_PREFILL_AT_PROFILE):
        assert reason.startswith(FAILURE)
    assert "λ τ_p >= 1" in OVER_PREFILL_AT_PROFILE and "exceeds" in OVER_CAPACITY_AT_PROFILE


def test_a_stable_configuration_is_predicted():
    """Batch 512 stable at the profile's η (TTFT 0.4 s): a value, no reason."""
    got = _picked(_frame([1.9, 0.95], [False, True], [0.3]))
    assert got["reason"] is None and got["predicted"] == 0.4
