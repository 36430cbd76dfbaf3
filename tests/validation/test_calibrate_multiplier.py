"""Calibration as a framework multiplier on kernel time (issue 12 items 2 and 8), computed by hand."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.validation import ETA_GRID
from pipeline.validation.calibrate import fit
from pipeline.validation.eta_grid import at_each_eta

PRIOR = 0.5  # the group's profile η: a grid point η is the multiplier c = η / 0.5


def _rows(source: str, c: float, n: int = 4) -> list[dict]:
    """n throughput rows of one group whose prediction is 100 x c (throughput scales with the speed of
    every kernel), measured at the multiplier ``c``."""
    return [{"name": f"{source}-{i}", "study": "serving", "metric": "tokens_per_s", "scenario": "offline",
             "framework": "vLLM",
             "family": "nvidia-hopper", "compute_dtype": "bf16", "source_url": f"https://example.org/{source}",
             "eta_compute": PRIOR, "predicted": 100.0, "measured": 100.0 * c,
             "grid": [100.0 * eta / PRIOR for eta in ETA_GRID]} for i in range(n)]


def test_two_sources_known_multipliers_held_out_source_gets_the_others():
    """Source A ran at c = 0.8, source B at c = 1.2 (four rows each). Loss: sum (log c - log c_i)^2 +
    0.05 (log c)^2 over the rows kept. In sample: log c = 4 (log 0.8 + log 1.2) / 8.05 = -0.0203, c = 0.980
    (η 0.49 on the grid). Leaving A out: log c = 4 log 1.2 / 4.05 = 0.1801, c = 1.197, η 0.5987 -> 0.60,
    so A's rows get B's multiplier 1.2; leaving B out: c = 0.802 -> 0.8, A's."""
    table = pl.DataFrame(_rows("a", 0.8) + _rows("b", 1.2))
    fitted, cv = fit(table)
    assert fitted["multiplier"].to_list() == [pytest.approx(0.98)]
    assert fitted["eta_fitted"].to_list() == [pytest.approx(0.49)]
    by = {r["name"][0]: r for r in cv.iter_rows(named=True)}
    assert by["a"]["eta_cv"] / PRIOR == pytest.approx(1.2)
    assert by["b"]["eta_cv"] / PRIOR == pytest.approx(0.8)
    assert by["a"]["cv_error_pct"] == pytest.approx((1.2 / 0.8 - 1) * 100)  # predicted 120, measured 80
    assert by["b"]["cv_error_pct"] == pytest.approx((0.8 / 1.2 - 1) * 100)


def test_groups_are_fitted_apart():
    """Two frameworks, each measured at its own multiplier by two sources that agree: each group recovers
    its own (0.7 and 1.1 within the prior's pull, log c = 8 log c_0 / 8.05), out of sample too."""
    vllm = _rows("a", 0.7) + _rows("b", 0.7)
    trt = [r | {"framework": "TensorRT-LLM", "name": "t" + r["name"]} for r in _rows("c", 1.1) + _rows("d", 1.1)]
    fitted, cv = fit(pl.DataFrame(vllm + trt))
    got = dict(zip(fitted["framework"], fitted["multiplier"], strict=True))
    assert got == {"vLLM": pytest.approx(0.7), "TensorRT-LLM": pytest.approx(1.1)}
    assert cv["cv_abs_error_pct"].max() < 1.5  # one grid step (0.01 / 0.5 = 2 %) at most, half on average


def test_a_grid_point_scales_every_kernel():
    """At grid η 0.6 of a profile η 0.5 (c = 1.2): the GEMM multiplier 1.2, eta_memory 0.9 x 1.2 capped
    at the datasheet bandwidth (1.0), the memory kernels' fixed time 2 µs / 1.2; at the profile's η
    nothing changes; at 0.4 (c = 0.8): 0.8, 0.72, 2.5 µs."""
    hw = pl.DataFrame({"name": ["H100"], "eta_compute": [0.5], "eta_compute_low": [0.45], "eta_compute_high": [0.55],
                       "framework_eta_multiplier": [1.0], "eta_memory": [0.9], "memory_latency_s": [2e-6]})
    out = {round(r["eta_compute"], 2): r for r in at_each_eta(hw, [0.4, 0.6]).iter_rows(named=True)}
    assert sorted(out) == [0.4, 0.45, 0.5, 0.55, 0.6]
    assert (out[0.6]["framework_eta_multiplier"], out[0.6]["eta_memory"]) == (pytest.approx(1.2), 1.0)
    assert out[0.6]["memory_latency_s"] == pytest.approx(2e-6 / 1.2)
    assert (out[0.5]["framework_eta_multiplier"], out[0.5]["eta_memory"], out[0.5]["memory_latency_s"]) == (
        1.0, 0.9, 2e-6)
    assert (out[0.4]["framework_eta_multiplier"], out[0.4]["eta_memory"]) == (pytest.approx(0.8), pytest.approx(0.72))
    assert out[0.4]["memory_latency_s"] == pytest.approx(2.5e-6)


def test_a_sweep_applies_a_profiles_multiplier():
    """A profile stating framework_eta_multiplier 0.8 for vLLM on Hopper bf16 inference: the GEMM
    multiplier 0.8, eta_memory 0.9 x 0.8 = 0.72, the memory kernels' fixed time 2 µs / 0.8 = 2.5 µs; another
    framework (no row states one) keeps 1; an --efficiency override is a constant η (multiplier 1)."""
    from types import SimpleNamespace

    from pipeline.studies.kernels import framework_multiplier

    side = pl.DataFrame({"workload": ["inference"], "family": ["nvidia-hopper"], "compute_dtype": ["bf16"],
                         "framework_eta_multiplier": [1.0], "eta_memory": [0.9], "memory_latency_s": [2e-6]})
    profiles = pl.DataFrame({"profile": ["Calibrated vLLM"], "workload": ["inference"], "framework": ["vLLM"],
                             "hardware_family": ["nvidia-hopper"], "precision": ["bf16"],
                             "framework_eta_multiplier": [0.8]})

    def efficiency(framework, eta_compute=None):
        return SimpleNamespace(framework=framework, eta_compute=eta_compute, eta_memory=None)

    got = framework_multiplier(side, profiles, efficiency("vLLM")).row(0, named=True)
    assert got["framework_eta_multiplier"] == pytest.approx(0.8)
    assert got["eta_memory"] == pytest.approx(0.72)
    assert got["memory_latency_s"] == pytest.approx(2.5e-6)
    other = framework_multiplier(side, profiles, efficiency("TensorRT-LLM")).row(0, named=True)
    assert (other["framework_eta_multiplier"], other["eta_memory"], other["memory_latency_s"]) == (1.0, 0.9, 2e-6)
    override = framework_multiplier(side, profiles, efficiency("vLLM", eta_compute=0.4))
    assert override.equals(side)
