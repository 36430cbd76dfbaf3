"""Walls 16-18 for training: the rates of ``pipeline.walls.operations`` over a step and a
whole training run."""

from __future__ import annotations

from functools import partial

from pipeline.units import UExpr, where
from pipeline.walls.registries import define_training, training_column


@training_column
def ops_devices(gpus: UExpr) -> UExpr:
    return gpus


@training_column
def power_utilization(compute_time_s: UExpr, iteration_time_s: UExpr) -> UExpr:
    """The share of a step the GPUs compute; collectives, sends and the bubble count as idle."""
    return (compute_time_s / iteration_time_s).to("")


@training_column
def run_time_s(time_to_train_s: UExpr, time_to_train_ideal_s: UExpr) -> UExpr:
    """Time to train with failures and checkpoints where the cluster's MTBF and storage are
    published, else without."""
    return where(time_to_train_s.is_null(), time_to_train_ideal_s, time_to_train_s)


@training_column
def ops_service_time_s(run_time_s: UExpr) -> UExpr:
    return run_time_s


def _over_run(rate: UExpr, run_time_s: UExpr, target: str) -> UExpr:
    return (rate * run_time_s).to(target)


for _name, _rate, _unit in (("energy_per_run_mwh", "facility_power_w", "MWh"),
                            ("co2e_per_run_t", "co2e_g_per_h", "tCO2e"),
                            ("water_per_run_kl", "water_l_per_h", "kL"),
                            ("cloud_cost_per_run_usd", "cloud_cost_usd_per_h", "USD"),
                            ("owned_cost_per_run_usd", "owned_cost_usd_per_h", "USD")):
    define_training(_name, [_rate, "run_time_s"], partial(_over_run, target=_unit))


@training_column
def facility_energy_per_step_kwh(facility_power_w: UExpr, step_time_s: UExpr) -> UExpr:
    return (facility_power_w * step_time_s).to("kWh")
