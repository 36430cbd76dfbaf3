"""Operations formulas (walls 16-18) against values computed by hand."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas, walls  # noqa: F401  (registers the formulas)
from pipeline.units import unit


def evaluate(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs).frame.collect().to_dict(as_series=False)


RATES = dict(idle_power_w=([100.0, None], "W"), tdp_w=([700.0, 700.0], "W"), power_utilization=([0.5, 0.5], ""),
             ops_devices=([8.0, 8.0], ""), pue=([1.2, 1.2], ""), carbon_intensity_g_per_kwh=([400.0, 400.0],
                                                                                               "gCO2e/kWh"),
             embodied_co2e_kg=([1500.0, None], "kgCO2e"), service_life_years=([5.0, 5.0], "year"),
             wue_l_per_kwh=([1.8, 1.8], "L/kWh"), electricity_price_usd_per_kwh=([0.08, None], "USD/kWh"),
             cloud_price_usd_per_accelerator_hour=([None, 4.0], "USD/h"), list_price_usd=([25000.0, None], "USD"),
             node_price_per_accelerator_usd=([None, None], "USD"),
             facility_capex_multiplier=([0.5, 0.5], ""), depreciation_years=([5.0, 5.0], "year"),
             maintenance_fraction_per_year=([0.05, 0.05], ""), tco_horizon_years=([5.0, 5.0], "year"))


def test_power_energy_carbon_water():
    """8 devices at idle 100 W, TDP 700 W, utilization 0.5: 400 W each, 3.2 kW IT, 3.84 kW facility.
    Per hour: 3.84 kWh x 400 g = 1536 g operational; embodied 8 x 1500 kg / 43830 h = 273.8 g;
    water 3.2 kWh x 1.8 L = 5.76 L. Without idle power: TDP, 5.6 kW IT."""
    got = evaluate(["device_power_w", "facility_power_w", "operational_co2e_g_per_h", "embodied_co2e_g_per_h",
                    "co2e_g_per_h", "water_l_per_h", "power_basis"], **RATES)
    assert got["device_power_w"] == pytest.approx([400.0, 700.0])
    assert got["facility_power_w"] == pytest.approx([3840.0, 6720.0])
    assert got["operational_co2e_g_per_h"] == pytest.approx([1536.0, 2688.0])
    embodied = 8 * 1500e3 / (5 * 365.25 * 24)
    assert got["embodied_co2e_g_per_h"][0] == pytest.approx(embodied)
    assert got["embodied_co2e_g_per_h"][1] is None
    assert got["co2e_g_per_h"] == pytest.approx([1536.0 + embodied, 2688.0])
    assert got["water_l_per_h"] == pytest.approx([5.76, 5.6 * 1.8])
    assert got["power_basis"] == ["idle + (TDP - idle) x utilization", "TDP (idle power unpublished)"]


def test_costs_and_missing_prices_are_null_with_a_reason():
    """Owned: capex 8 x 25k x 1.5 = 300k; per hour 300k/5y + 5 % x 300k/y = 75k/y = 8.556 USD/h,
    plus 3.84 kWh x 0.08 = 0.3072 USD/h of energy. TCO over 5 y: 300k + 5 x 15k + 0.3072 x 43830."""
    got = evaluate(["cloud_cost_usd_per_h", "capex_usd", "owned_cost_usd_per_h", "owned_tco_usd", "cost_note"],
                   **RATES)
    hours_per_year = 365.25 * 24
    assert got["cloud_cost_usd_per_h"] == [None, pytest.approx(32.0)]
    assert got["capex_usd"] == [pytest.approx(300e3), None]
    assert got["owned_cost_usd_per_h"][0] == pytest.approx(75e3 / hours_per_year + 0.3072)
    assert got["owned_cost_usd_per_h"][1] is None  # never zero
    assert got["owned_tco_usd"][0] == pytest.approx(300e3 + 5 * 15e3 + 0.3072 * 5 * hours_per_year)
    assert got["cost_note"] == ["no published cloud price",
                                "no list or node price; no electricity price for the region"]


def test_node_price_per_accelerator_wins_over_the_chip_price():
    got = evaluate(["capex_per_accelerator_usd"], list_price_usd=([27500.0, 27500.0], "USD"),
                   node_price_per_accelerator_usd=([270e3 / 8, None], "USD"))
    assert got["capex_per_accelerator_usd"] == pytest.approx([33750.0, 27500.0])


def test_queue_waits():
    """rho 0.8, S 10 s: M/M/1 waits 0.8/0.2 x 10 = 40 s; M/G/1 with C_s = 0 (deterministic) half that."""
    got = evaluate(["queue_wait_mm1_s", "queue_wait_mg1_s"], shared_utilization=([0.8, 0.8], ""),
                   service_time_cv=([1.0, 0.0], ""), ops_service_time_s=([10.0, 10.0], "s"))
    assert got["queue_wait_mm1_s"] == pytest.approx([40.0, 40.0])
    assert got["queue_wait_mg1_s"] == pytest.approx([40.0, 20.0])
