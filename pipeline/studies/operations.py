"""The region axis and the operations columns any study can add (walls 16-18).

``attach`` joins a study's hardware side with the regions of the spec and with what each
accelerator costs and emits (the ``accelerator_costs`` and ``cloud_prices`` catalogs);
``with_operations`` extends a study's output schema with the operations columns. Without
a region axis the columns are null (and cost nothing to compute): add ``region`` to the
spec's axes to get them.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipeline.catalogs.io import schema_units
from pipeline.catalogs.load import Catalogs
from pipeline.errors import UnknownNameError
from pipeline.spec import SweepSpec
from pipeline.studies import FRACTION, NON_NEGATIVE, result
from pipeline.units import unit

REGION_COLUMNS = ["carbon_intensity_g_per_kwh", "pue", "wue_l_per_kwh", "electricity_price_usd_per_kwh"]
COST_COLUMNS = ["idle_power_w", "embodied_co2e_kg", "list_price_usd"]
NODE_PRICE = "node_price_per_accelerator_usd"
KNOBS = ["service_life_years", "depreciation_years", "maintenance_fraction_per_year", "facility_capex_multiplier",
         "tco_horizon_years", "shared_utilization", "service_time_cv"]
KNOB_UNITS = {"service_life_years": "year", "depreciation_years": "year", "maintenance_fraction_per_year": "",
              "facility_capex_multiplier": "", "tco_horizon_years": "year", "shared_utilization": "",
              "service_time_cv": ""}

# Columns every study gains (rates per hour of running); a study adds its per-unit columns.
COMMON = {
    "region": (None, "grid region (sweep axis; null: no region axis)", "regions catalog"),
    "carbon_method": (None, "how the region's grid intensity was computed: generation, consumption or location "
                            "(pipeline/catalogs/carbon_methods.py); compare CO2e across regions within one method",
                      "regions catalog"),
    "power_utilization": ("", "fraction of wall time compute or memory runs at the roof", "study's own terms"),
    "power_basis": (None, "how device power was computed", "wall 18"),
    "device_power_w": ("W", "power of one accelerator", "Barroso et al. 2018, §5.4"),
    "facility_power_w": ("W", "all accelerators x PUE", "The Green Grid WP#49"),
    "co2e_g_per_h": ("gCO2e/h", "operational (location-based) + embodied CO2e per hour", "wall 18"),
    "water_l_per_h": ("L/h", "site water per hour (IT energy x WUE)", "The Green Grid WP#35"),
    "cloud_price_usd_per_accelerator_hour": ("USD/h", "cheapest published offer at the spec's pricing "
                                             "(of operations.cloud, default any provider)", "cloud_prices catalog"),
    "cloud_offer": (None, "the offer priced", "cloud_prices catalog"),
    "cloud_cost_usd_per_h": ("USD/h", "rented: accelerators x hourly price", "wall 17"),
    "owned_cost_usd_per_h": ("USD/h", "owned: depreciation + maintenance + energy", "wall 17"),
    "owned_tco_usd": ("USD", "capex + maintenance and energy over the horizon", "wall 17"),
    "cost_note": (None, "why a cost is null", "wall 17"),
    "queue_wait_mm1_s": ("s", "mean wait for a shared cluster, M/M/1", "wall 16: Kleinrock 1975"),
    "queue_wait_mg1_s": ("s", "mean wait for a shared cluster, M/G/1", "wall 16: Pollaczek-Khinchine"),
}
FRACTIONS = {"power_utilization"}  # shares of a whole, in [0, 1]


def with_operations(schema: type[pa.DataFrameModel], per_unit: dict[str, tuple[str | None, str, str]],
                    ) -> type[pa.DataFrameModel]:
    """``schema`` followed by the common operations columns and the study's ``per_unit`` ones."""
    columns = COMMON | per_unit
    dtypes = {"region": pl.Categorical, "carbon_method": pl.Categorical, "power_basis": pl.Categorical,
              "cloud_offer": pl.Categorical,
              "cost_note": pl.Categorical}
    body = {name: result(u, description, source, within=FRACTION if name in FRACTIONS else NON_NEGATIVE)
            for name, (u, description, source) in columns.items()}
    body["__annotations__"] = {name: dtypes.get(name, float) for name in columns}
    body["Config"] = type("Config", (), {"name": schema.Config.name, "strict": True})
    return type(schema.__name__, (schema,), body)


def _cheapest_offer(catalogs: Catalogs, pricing: str, cloud: str) -> pl.DataFrame:
    offers = catalogs.cloud_prices.filter(pl.col("pricing") == pricing)
    if cloud != "any":
        known = sorted(set(catalogs.cloud_prices["cloud"].to_list()))
        if cloud not in known:
            raise UnknownNameError("sweep spec", [("operations.cloud", cloud, [*known, "any"])])
        offers = offers.filter(pl.col("cloud") == cloud)
    return (offers.sort("usd_per_accelerator_hour")
            .group_by("accelerator", maintain_order=True).first()
            .select("accelerator", pl.col("usd_per_accelerator_hour").alias("cloud_price_usd_per_accelerator_hour"),
                    pl.format("{} {} {} ({}, {})", "cloud", "instance", "pricing", "cloud_region", "price_year")
                    .alias("cloud_offer")))


def attach(side: pl.DataFrame, catalogs: Catalogs, spec: SweepSpec, accelerator: str
           ) -> tuple[pl.DataFrame, dict]:
    """The study's hardware side x the spec's regions, with each accelerator's power, embodied
    carbon, list price and cheapest cloud offer, and the operations knobs."""
    units = {c: unit(u) for c, u in KNOB_UNITS.items()}
    units |= {"region": None, "carbon_method": None, "cloud_offer": None,
              "cloud_price_usd_per_accelerator_hour": unit("USD/h")}
    region_units = schema_units("regions")
    cost_units = schema_units("accelerator_costs")
    units |= {c: unit(region_units[c]) for c in REGION_COLUMNS} | {c: unit(cost_units[c]) for c in COST_COLUMNS}
    units[NODE_PRICE] = unit("USD")
    if spec.axes.region is None:
        return side, units
    known = catalogs.regions["name"].to_list()
    unknown = [("axes.region", n, known) for n in spec.axes.region if n not in known]
    if unknown:
        raise UnknownNameError("sweep spec", unknown)
    regions = catalogs.regions.filter(pl.col("name").is_in(list(spec.axes.region))).select(
        pl.col("name").alias("region"), "carbon_method", *REGION_COLUMNS)
    costs = catalogs.accelerator_costs.select(
        pl.col("accelerator").alias(accelerator), *COST_COLUMNS,
        (pl.col("node_price_usd") / pl.col("accelerators_per_node")).alias(NODE_PRICE))
    offers = _cheapest_offer(catalogs, spec.operations.pricing, spec.operations.cloud)
    offers = offers.rename({"accelerator": accelerator})
    key = pl.col(accelerator).cast(pl.String)
    out = (side.with_columns(key.alias("_key"))
           .join(costs.rename({accelerator: "_key"}), on="_key", how="left")
           .join(offers.rename({accelerator: "_key"}), on="_key", how="left")
           .drop("_key")
           .join(regions, how="cross")
           .with_columns(pl.lit(getattr(spec.operations, k), dtype=pl.Float64).alias(k) for k in KNOBS)
           .with_columns(pl.col("region", "carbon_method", "cloud_offer").cast(pl.Categorical)))
    return out, units


def null_columns(frame: pl.LazyFrame, schema: type[pa.DataFrameModel], names: list[str]) -> pl.LazyFrame:
    """The operations columns as typed nulls (a spec without a region axis)."""
    columns = schema.to_schema().columns
    return frame.with_columns(pl.lit(None, dtype=columns[c].dtype.type).alias(c) for c in names)


def null_outputs(space, ops: list[str]) -> list[str]:
    """The operations columns ``ops`` that ``build`` writes as typed nulls over ``space``: all of
    them without a region axis (the hardware side has no region column), else none."""
    return [] if "region" in space.hardware_side.columns else list(ops)


def has_regions(space, hardware_side: pl.DataFrame | None = None) -> bool:
    """Whether the frame of ``space`` over ``hardware_side`` (default its own) has the region axis: its hardware
    side holds it (``attach``). Known from the side, without resolving the plan's schema (0.02-0.4 CPU s a plan)."""
    return "region" in (space.hardware_side if hardware_side is None else hardware_side).columns


def build(frame: pl.LazyFrame, units: dict, schema: type[pa.DataFrameModel], ops: list[str], formulas_,
          wanted: list[str], regions: bool | None = None, constants: dict | None = None, rewrite=None):
    """Plan ``wanted`` columns; the operations columns ``ops`` are computed when the frame has a
    region axis (``regions``, from ``has_regions``; None: the frame's schema says), else typed nulls.
    ``constants``, ``rewrite``: ``formulas.plan``'s. Returns the plan of ``wanted`` in order."""
    from pipeline import formulas

    enabled = "region" in units and ("region" in frame.collect_schema().names() if regions is None else regions)
    computed = [c for c in wanted if enabled or c not in ops]
    plan = formulas.plan(frame, units, computed, formulas_, constants=constants, rewrite=rewrite)
    if enabled:
        return plan
    declared = schema.to_schema().columns
    nulls = [c for c in wanted if c in ops]
    out_units = dict(plan.units) | {
        c: (None if (u := declared[c].metadata.get("unit")) is None else unit(u)) for c in nulls}
    frame = null_columns(plan.frame, schema, nulls).select(wanted)
    return formulas.Plan(frame, {c: out_units[c] for c in wanted})
