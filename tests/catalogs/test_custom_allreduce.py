"""The custom all-reduce catalog (pipeline.catalogs.custom_allreduce): the fit recovers a
hand-made one-shot line, the stored catalog is the fit of the published microbenchmarks, its
held-out error is recomputed here, and the efficiency profiles carry the frameworks' limits as
the committed script writes them."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs import custom_allreduce as ca
from pipeline.catalogs.io import read_catalog
from pipeline.units import col, lit
from pipeline.walls.communication import one_shot_all_reduce_s

HARDWARE = pl.read_parquet(ca.bundled_registry() / "hardware.parquet")


def test_fit_recovers_a_hand_made_one_shot_line():
    """Points of 6 us + (n-1) M / 360 GB/s on 2, 4 and 8 ranks give back 6 us and 360 GB/s."""
    pts = [(n, m, 6e-6 + (n - 1) * m / 360e9) for n in (2.0, 4.0, 8.0) for m in (16384.0, 1048576.0)]
    alpha, beta, resid = ca.fit_one_shot(pts)
    assert (alpha, beta, resid) == pytest.approx((6e-6, 360e9, 0.0), rel=1e-9, abs=1e-12)


def test_a_single_size_and_rank_count_cannot_be_fitted():
    with pytest.raises(ValueError, match="at least two"):
        ca.fit_one_shot([(8.0, 16384.0, 7e-6), (8.0, 16384.0, 7e-6)])


def test_float_one_shot_matches_the_wall():
    wall = pl.DataFrame({"n": [8.0]}).select(one_shot_all_reduce_s(
        col("n", ""), lit(16384.0, "B"), lit(6e-6, "s"), lit(360e9, "B/s")).magnitude("s")).item()
    assert ca.one_shot_time_s(8, 16384.0, 6e-6, 360e9) == pytest.approx(wall, rel=1e-12)


def test_stored_catalog_is_the_fit_of_the_microbenchmarks():
    stored = ca.load_fits()
    fresh = ca.refit(fitted_on=stored["last_verified"][0])
    assert stored.select("fabric_class", "n_points", "held_out_points", "source_url").equals(
        fresh.select("fabric_class", "n_points", "held_out_points", "source_url"))
    for c in ("alpha_s", "beta_bytes_per_s", "link_fraction", "held_out_median_abs_error"):
        assert stored[c].to_list() == pytest.approx(fresh[c].to_list(), rel=1e-9)
    assert stored["fabric_class"].to_list() == ["nvlink4_nvswitch"]  # H100 / H200 only: no other evidence


def test_held_out_error_recomputed():
    """Each source predicted by the other: vLLM #24111 (13 points, TP 2/4/6, 0.5-4 MiB) from
    FlagGems-vllm #773 (2 points, TP 2) and back; the median |error| over the 15 points is the
    stored one and within the ±30 % that gates the fit's use (23.5 % on 2026-12-03)."""
    points = ca.read_points()
    held = ca.leave_one_source_out(points, HARDWARE)
    assert held.height == 15 and set(held["source"]) == {
        "https://github.com/vllm-project/vllm/pull/24111", "https://github.com/flagos-ai/FlagGems-vllm/pull/773"}
    median = held["error"].abs().median()
    assert median == pytest.approx(ca.load_fits()["held_out_median_abs_error"][0], rel=1e-9)
    assert 0.15 < median <= ca.MAX_HELD_OUT_ERROR


def test_fit_against_a_published_point():
    """vLLM #24111, H100 TP=4, 0.50 MB (524,288 B): ca_1stage 0.010 ms; the fit within 10 %."""
    fit = ca.load_fits().row(0, named=True)
    got = ca.one_shot_time_s(4, 524288.0, fit["alpha_s"], fit["link_fraction"] * 450e9)
    assert got == pytest.approx(10e-6, rel=0.10)


def test_only_accelerators_of_a_fitted_fabric_get_the_custom_path():
    cols = ca.custom_allreduce_columns(HARDWARE, ca.load_fits())
    by = {r["name"]: r for r in cols.iter_rows(named=True)}
    fit = ca.load_fits().row(0, named=True)
    for name in ("H100 SXM5 80GB", "H200 SXM 141GB"):  # alpha over their 0.6 us link latency
        assert by[name]["custom_allreduce_alpha_ratio"] == pytest.approx(fit["alpha_s"] / 0.6e-6, rel=1e-12)
        assert by[name]["custom_allreduce_link_fraction"] == fit["link_fraction"]
    for name in ("A100 SXM4 80GB", "MI300X", "H100 PCIe 80GB"):  # no microbenchmark: NCCL's path
        assert by[name]["custom_allreduce_alpha_ratio"] is None


def test_a_fit_outside_the_held_out_gate_is_not_used():
    bad = ca.load_fits().with_columns(held_out_median_abs_error=pl.lit(0.5))
    assert ca.custom_allreduce_columns(HARDWARE, bad)["custom_allreduce_alpha_ratio"].null_count() == HARDWARE.height


def test_schema_rejects_a_negative_latency():
    with pytest.raises(Exception, match="alpha_s"):
        ca.CustomAllReduceFit.validate(ca.load_fits().with_columns(alpha_s=pl.lit(-1e-6)))


def test_profiles_carry_the_limits_the_script_writes():
    """The stored efficiency_profiles are what ``python -m pipeline.catalogs.custom_allreduce
    --profiles`` writes: vLLM 8 MiB and 8 ranks (custom_all_reduce.py max_size = 8192 x 1024),
    TensorRT-LLM 8,000,000 B (max_workspace_size_auto, tp > 2), NCCL only for the default."""
    stored = read_catalog("efficiency_profiles")
    again = ca.with_profile_limits(stored)
    assert again.select(ca.PROFILE_COLUMNS).equals(stored.select(ca.PROFILE_COLUMNS))
    by = {r["profile"]: r for r in stored.iter_rows(named=True)}
    assert by["Inference (fp16) vLLM H100"]["custom_allreduce_max_bytes"] == 8 * 1024 * 1024
    assert by["Inference (fp16) TensorRT-LLM H100"]["custom_allreduce_max_bytes"] == 8e6
    assert by["Default inference"]["custom_allreduce_max_bytes"] is None


def test_limits_for_a_framework_without_a_profile_row_are_refused():
    profiles = read_catalog("efficiency_profiles").filter(pl.col("framework") != "vLLM")
    with pytest.raises(ValueError, match="vLLM"):
        ca.with_profile_limits(profiles)
