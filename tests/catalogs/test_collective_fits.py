"""The collectives catalog (pipeline.catalogs.collective_fits): the fit recovers a hand-made
curve, the stored catalog is the fit of the published curves, and leave-one-source-out errors
on the published bus bandwidths stay within measured bounds."""

from __future__ import annotations


import polars as pl
import pytest

from pipeline.catalogs import collective_fits as cf
from pipeline.units import col, lit
from pipeline.walls.communication import ring_all_reduce_s
from tests.catalogs.research import script

HARDWARE = pl.read_parquet(cf.bundled_registry() / "hardware.parquet")


def test_fit_recovers_a_hand_made_ring_curve():
    """Points of 2(n-1) 5 us + 2(n-1)/n M / 300 GB/s on 8 ranks give back 5 us and 300 GB/s."""
    pts = [(8.0, m, 14 * 5e-6 + 1.75 * m / 300e9) for m in (1e4, 1e6, 1e8, 1e9)]
    alpha, beta, resid = cf.fit_alpha_beta(pts)
    assert alpha == pytest.approx(5e-6, rel=1e-9)
    assert beta == pytest.approx(300e9, rel=1e-9)
    assert resid == pytest.approx(0.0, abs=1e-9)


def test_flat_latency_points_keep_a_latency_at_the_capped_bandwidth():
    """Times flat at 42 us (Azure A100 between 16 and 64 KiB): alpha = 42 us / 14 = 3 us at the cap."""
    pts = [(8.0, m, 42e-6) for m in (16384.0, 32768.0, 65536.0)]
    alpha, beta, _ = cf.fit_alpha_beta(pts, beta_cap=236e9)
    assert beta == 236e9
    assert 14 * alpha + 1.75 * 32768 / 236e9 == pytest.approx(42e-6, rel=0.01)


def test_float_ring_matches_the_wall():
    """1 GB over 8 GPUs at 450 GB/s, alpha 5 us: 3.958889 ms (the wall's closed-form test)."""
    frame = pl.DataFrame({"n": [8.0], "m": [1e9]})
    wall = frame.select(ring_all_reduce_s(col("n", ""), col("m", "B"), lit(5e-6, "s"),
                                          lit(450e9, "B/s")).magnitude("s")).item()
    assert cf.ring_time_s(8, 1e9, 5e-6, 450e9) == pytest.approx(wall, rel=1e-12)
    assert round(wall * 1e3, 6) == 3.958889


def test_busbw_is_nccl_tests_definition():
    """rccl-tests on 8 MI300X, 16 GiB in 94,254 us: busbw 318.98 GB/s as published (AMD ROCm blog)."""
    assert cf.busbw_from_time(8, 17179869184, 94254e-6) / 1e9 == pytest.approx(318.98, rel=1e-3)


def test_stored_catalog_is_the_fit_of_the_curves():
    stored = cf.load_fits()
    fresh = cf.CollectiveFit.validate(cf.refit(fitted_on=stored["fit_date"][0]))
    keys = ["fabric_class", "regime", "curve_ids", "n_points"]
    assert stored.select(keys).equals(fresh.select(keys))
    for c in ("alpha_s", "beta_bytes_per_s", "link_fraction", "rms_relative_residual"):
        assert stored[c].to_list() == pytest.approx(fresh[c].to_list(), rel=1e-9, abs=1e-15)
    assert set(stored["fabric_class"]) == {"nvlink3_nvswitch", "nvlink4_nvswitch", "nvlink5_nvswitch", "xgmi_mi300x"}


def test_schema_rejects_a_negative_latency():
    bad = cf.load_fits().with_columns(alpha_s=pl.lit(-1e-6))
    with pytest.raises(Exception, match="alpha_s"):
        cf.CollectiveFit.validate(bad)


@pytest.fixture(scope="module")
def held_out() -> pl.DataFrame:
    return cf.leave_one_source_out(cf.read_curves(), HARDWARE)


def test_leave_one_source_out_busbw_error(held_out):
    """Measured 2026-12-03: 6.5 % median |error| over 272 held-out points (issue 12 target 10 %);
    MI300X xGMI 4.6 %, H100/H200 NVLink4 7.8 %, A100 NVLink3 9.2 % (its two sources, Azure and the
    Galvatron DGX A100 log, predicting each other); bounds: measured + ~1-2 points of margin.
    GB200 (4-rank ring vs 72-rank NVL72) is not bounded: 36 %."""
    assert held_out.height >= 270
    assert held_out["error"].abs().median() <= 0.10
    per = dict(held_out.group_by("fabric_class").agg(pl.col("error").abs().median()).iter_rows())
    assert per["xgmi_mi300x"] <= 0.07
    assert per["nvlink4_nvswitch"] <= 0.09
    assert per["nvlink3_nvswitch"] <= 0.10


def test_held_out_points_are_never_fitted(held_out):
    """A source left out is predicted by fits of the other sources only: the Galvatron A100 curve
    (1 MiB - 1 GiB) by Azure's A100 fit; Azure's A100 points below 1 MiB, where no other A100
    source has points, by the fit pooled across the other classes."""
    a100 = held_out.filter(pl.col("fabric_class") == "nvlink3_nvswitch")
    galvatron = a100.filter(pl.col("curve_id") == "24_galvatron_dgxa100")
    assert galvatron.height == 22 and set(galvatron["basis"]) == {"nvlink3_nvswitch"}
    azure = a100.filter(pl.col("curve_id") == "15_azure_nda100v4")
    assert set(azure.filter(pl.col("message_bytes") < 2**19)["basis"]) == {"pooled"}
    assert set(azure.filter(pl.col("message_bytes") >= 2**19)["basis"]) == {"nvlink3_nvswitch"}


def test_accelerator_columns():
    """H100: fitted alpha over the catalog's 0.6 us and fitted beta over 450 GB/s; A100 (two
    sources, held-out error 9.2 %) its NVLink3 fit over 300 GB/s; T4 (no curves) keeps link x eta_link."""
    fits = cf.load_fits()
    cols = cf.allreduce_columns(HARDWARE, fits)
    h100, a100, t4 = (cols.filter(pl.col("name") == n).row(0, named=True)
                      for n in ("H100 SXM5 80GB", "A100 SXM4 80GB", "T4"))
    assert h100["comm_basis"].startswith("all-reduce fit nvlink4_nvswitch")
    r4 = fits.filter(pl.col("fabric_class") == "nvlink4_nvswitch", pl.col("regime") == "r4").row(0, named=True)
    assert h100["allreduce_link_fraction_r4"] * 450e9 == pytest.approx(r4["beta_bytes_per_s"], rel=1e-9)
    assert h100["allreduce_alpha_ratio_r4"] * 0.6e-6 == pytest.approx(r4["alpha_s"], rel=1e-9)
    assert a100["comm_basis"].startswith("all-reduce fit nvlink3_nvswitch")
    r3 = fits.filter(pl.col("fabric_class") == "nvlink3_nvswitch", pl.col("regime") == "r3").row(0, named=True)
    assert a100["allreduce_link_fraction_r3"] * 300e9 == pytest.approx(r3["beta_bytes_per_s"], rel=1e-9)
    assert t4["comm_basis"] == "link x eta_link" and t4["allreduce_alpha_ratio_r0"] is None
    assert h100["allreduce_pcie_socket_ranks"] is None and t4["allreduce_pcie_socket_ranks"] is None


def test_pcie_scaleup_takes_nccls_pcie_ring():
    """L40S (an 8-GPU PCIe server on two AMD sockets, no curves): 4 ranks a socket, NCCL's AMD_BW 16 GB/s between
    them (the hardware catalog, r-pcie/pcie_topology.py) and the PCIe basis; no regime fit."""
    l40s = cf.allreduce_columns(HARDWARE, cf.load_fits()).filter(pl.col("name") == "L40S").row(0, named=True)
    assert l40s["allreduce_pcie_socket_ranks"] == 4.0 and l40s["allreduce_pcie_socket_bandwidth_bytes_per_s"] == 16e9
    assert l40s["comm_basis"] == cf.PCIE_BASIS
    assert l40s["allreduce_alpha_ratio_r0"] is None and l40s["allreduce_link_fraction_r4"] is None


def test_galvatron_transcription_checks_nccl_tests_arithmetic():
    """r-coll2/transcribe.py keeps a log row only when algbw = size / time and busbw = algbw x
    2(n-1)/n: 1 GiB in 8139.9 us is 131.91 GB/s algbw, 230.84 GB/s busbw on 8 ranks."""
    transcribe = script(cf.bundled_registry() / "research" / "r-coll2" / "transcribe.py", "transcribe")
    line = ("  1073741824     268435456     float     sum      -1   8139.9  131.91  230.84      0"
            "   8201.6  130.92  229.11      0")
    out = transcribe.rows(line)
    assert [(r["in_place"], r["busbw_GBps"]) for r in out] == [("false", "230.84"), ("true", "229.11")]
    with pytest.raises(ValueError, match="busbw = algbw"):
        transcribe.rows(line.replace("230.84", "215.00"))
