"""Operations (walls 16, 17, 18): power, energy, carbon, water and cost rates of a running
configuration, shared by every study.

A study supplies ``ops_devices`` (accelerators the configuration occupies) and
``power_utilization`` (the fraction of wall time its chips run their compute or memory
pipelines at the roof, from the study's own compute and bandwidth terms); the rates here
are per hour of running, and each study divides them by its own unit of work (a sample,
a million tokens, a training run).

Power: P = idle + (TDP - idle) x utilization per device, the linear utilisation model of
Barroso, Hölzle and Ranganathan ("The Datacenter as a Computer", 3rd ed. 2018, §5.4);
where idle power is unpublished, TDP (an upper bound, said in ``power_basis``).
Facility energy = IT energy x PUE (The Green Grid, WP#49); water = IT energy x WUE (The
Green Grid, WP#35); operational CO2e = facility energy x grid intensity (location-based,
GHG Protocol Scope 2); embodied CO2e spread evenly over the service life.
"""

from __future__ import annotations

from functools import partial

from pipeline.formulas import column, define
from pipeline.units import E, Plain, UExpr, lit, maximum, only_where, where
from pipeline.walls.quantities import HOURS


@column
def power_basis(idle_power_w: UExpr) -> Plain:
    return E.when(idle_power_w.is_null()).then(E.lit("TDP (idle power unpublished)")) \
        .otherwise(E.lit("idle + (TDP - idle) x utilization")).cast(E.Categorical)


@column
def device_power_w(idle_power_w: UExpr, tdp_w: UExpr, power_utilization: UExpr) -> UExpr:
    """Wall 18: idle + (TDP - idle) x utilization; TDP where idle power is unpublished."""
    u = power_utilization.to("").clip(0, 1)
    return where(idle_power_w.is_null(), tdp_w, idle_power_w + (tdp_w - idle_power_w) * u)


@column
def it_power_w(device_power_w: UExpr, ops_devices: UExpr) -> UExpr:
    return device_power_w * ops_devices


@column
def facility_power_w(it_power_w: UExpr, pue: UExpr) -> UExpr:
    """IT power x PUE: cooling, power delivery and the rest of the building."""
    return it_power_w * pue


@column
def operational_co2e_g_per_h(facility_power_w: UExpr, carbon_intensity_g_per_kwh: UExpr) -> UExpr:
    return (facility_power_w * HOURS * carbon_intensity_g_per_kwh).to("gCO2e") / HOURS


@column
def embodied_co2e_g_per_h(embodied_co2e_kg: UExpr, ops_devices: UExpr, service_life_years: UExpr) -> UExpr:
    """Manufacturing emissions of the accelerators spread evenly over their service life."""
    return (embodied_co2e_kg * ops_devices / service_life_years).to("gCO2e/h")


@column
def co2e_g_per_h(operational_co2e_g_per_h: UExpr, embodied_co2e_g_per_h: UExpr) -> UExpr:
    """Operational + embodied; embodied counts 0 where unpublished (``embodied_co2e_g_per_h`` says null)."""
    return operational_co2e_g_per_h + embodied_co2e_g_per_h.fill_null(0)


@column
def water_l_per_h(it_power_w: UExpr, wue_l_per_kwh: UExpr) -> UExpr:
    """Site water: IT energy x WUE."""
    return (it_power_w * HOURS * wue_l_per_kwh).to("L") / HOURS


@column
def energy_cost_usd_per_h(facility_power_w: UExpr, electricity_price_usd_per_kwh: UExpr) -> UExpr:
    return (facility_power_w * HOURS * electricity_price_usd_per_kwh).to("USD") / HOURS


@column
def cloud_cost_usd_per_h(cloud_price_usd_per_accelerator_hour: UExpr, ops_devices: UExpr) -> UExpr:
    """Wall 17, rented: the published hourly price per accelerator (energy included)."""
    return cloud_price_usd_per_accelerator_hour * ops_devices


@column
def capex_per_accelerator_usd(list_price_usd: UExpr, node_price_per_accelerator_usd: UExpr) -> UExpr:
    """A published node (server) price per accelerator where there is one (it includes the
    host, memory and NICs), else the accelerator's own price."""
    return where(node_price_per_accelerator_usd.is_null(), list_price_usd, node_price_per_accelerator_usd)


@column
def capex_usd(capex_per_accelerator_usd: UExpr, ops_devices: UExpr, facility_capex_multiplier: UExpr) -> UExpr:
    """Accelerators x (1 + the network and building they need per server dollar)."""
    return capex_per_accelerator_usd * ops_devices * (1.0 + facility_capex_multiplier)


@column
def owned_cost_usd_per_h(capex_usd: UExpr, depreciation_years: UExpr, maintenance_fraction_per_year: UExpr,
                         energy_cost_usd_per_h: UExpr) -> UExpr:
    """Wall 17, owned: straight-line depreciation + maintenance (a fraction of capex per year)
    + facility energy at the region's price, for each hour the configuration runs."""
    per_year = capex_usd / depreciation_years + maintenance_fraction_per_year * capex_usd / lit(1.0, "year")
    return per_year.to("USD/h") + energy_cost_usd_per_h


@column
def owned_tco_usd(capex_usd: UExpr, tco_horizon_years: UExpr, maintenance_fraction_per_year: UExpr,
                  energy_cost_usd_per_h: UExpr) -> UExpr:
    """Total cost of ownership over the horizon, running this configuration all the time."""
    running = (maintenance_fraction_per_year * capex_usd / lit(1.0, "year") + energy_cost_usd_per_h) \
        * tco_horizon_years
    return capex_usd + running.to("USD")


@column
def cost_note(cloud_price_usd_per_accelerator_hour: UExpr, capex_per_accelerator_usd: UExpr,
              electricity_price_usd_per_kwh: UExpr) -> Plain:
    """Why a cost column is null (never zero)."""
    cloud = E.when(cloud_price_usd_per_accelerator_hour.is_null()).then(E.lit("no published cloud price"))
    owned = E.when(capex_per_accelerator_usd.is_null()).then(E.lit("no list or node price"))
    energy = E.when(electricity_price_usd_per_kwh.is_null()).then(E.lit("no electricity price for the region"))
    return E.concat_str([cloud, owned, energy], separator="; ", ignore_nulls=True) \
        .replace("", None).cast(E.Categorical)


# -- wall 16: waiting for a shared cluster ----------------------------------------------

@column
def queue_wait_mm1_s(shared_utilization: UExpr, ops_service_time_s: UExpr) -> UExpr:
    """Mean wait in an M/M/1 queue, rho / (1 - rho) x S (Kleinrock 1975, §3.2)."""
    rho = shared_utilization
    return only_where(rho < 1.0, rho / (1.0 - rho) * ops_service_time_s)


@column
def queue_wait_mg1_s(shared_utilization: UExpr, service_time_cv: UExpr, ops_service_time_s: UExpr) -> UExpr:
    """Pollaczek-Khinchine: rho x S x (1 + C_s^2) / (2 (1 - rho)) (Kleinrock 1975, §5.6)."""
    rho = shared_utilization
    wait = rho * ops_service_time_s * (1.0 + service_time_cv * service_time_cv) / (2.0 * (1.0 - rho))
    return only_where(rho < 1.0, wait)


# -- the node study: one accelerator's rates per sample ------------------------------------------

@column
def ops_devices(hardware: Plain) -> UExpr:
    return lit(1.0)


@column
def power_utilization(compute_time_s: UExpr, memory_time_s: UExpr, elementwise_time_s: UExpr,
                      latency_s: UExpr) -> UExpr:
    """The busier engine over the step: (max(compute, memory) + element-wise kernels) / latency
    (launch gaps idle)."""
    return ((maximum(compute_time_s, memory_time_s) + elementwise_time_s) / latency_s).to("")


@column
def ops_service_time_s(latency_s: UExpr) -> UExpr:
    return latency_s


def _per_sample(rate: UExpr, samples_per_s: UExpr, target: str) -> UExpr:
    return (rate / samples_per_s).to(target)


for _name, _rate, _unit in (("facility_energy_per_sample_j", "facility_power_w", "J"),
                            ("co2e_per_sample_g", "co2e_g_per_h", "gCO2e"),
                            ("water_per_sample_l", "water_l_per_h", "L"),
                            ("cloud_cost_per_sample_usd", "cloud_cost_usd_per_h", "USD"),
                            ("owned_cost_per_sample_usd", "owned_cost_usd_per_h", "USD")):
    define(_name, [_rate, "samples_per_s"], partial(_per_sample, target=_unit))
