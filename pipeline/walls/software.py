"""Wall 3 (software): launch overhead, latency, the binding term, achieved fraction of peak,
throughput and energy. eta_compute itself comes from the efficiency profiles
(``pipeline.efficiency``) and is an input column here."""

from __future__ import annotations

import polars as pl

from pipeline.formulas import column
from pipeline.units import UExpr, maximum, unit, where


@column
def kernel_launches(is_transformer: pl.Expr, n_layers: UExpr, kernels_per_transformer_layer: UExpr,
                    kernels_per_cnn_layer: UExpr, step_multiplier: UExpr) -> UExpr:
    """Kernels launched per step: per layer x layers; a training step launches ~3x (backward)."""
    per_layer = where(is_transformer, kernels_per_transformer_layer, kernels_per_cnn_layer)
    return n_layers * per_layer * step_multiplier


@column
def launch_overhead_s(kernel_launches: UExpr, launch_overhead_per_kernel_s: UExpr) -> UExpr:
    return kernel_launches * launch_overhead_per_kernel_s


def _if_feasible(is_feasible: pl.Expr, value: UExpr) -> UExpr:
    """Timings are null where the step does not fit in memory."""
    return UExpr(pl.when(is_feasible).then(value.expr), value.unit)


@column
def latency_s(is_feasible: pl.Expr, compute_time_s: UExpr, memory_time_s: UExpr,
              launch_overhead_s: UExpr) -> UExpr:
    """max(compute, memory) + launch overhead: the roofline step time plus host launches."""
    return _if_feasible(is_feasible, maximum(compute_time_s, memory_time_s) + launch_overhead_s)


@column
def bound(is_feasible: pl.Expr, compute_time_s: UExpr, memory_time_s: UExpr,
          launch_overhead_s: UExpr) -> pl.Expr:
    """The largest time term: compute, memory or (launch) overhead."""
    c, m, o = compute_time_s.expr, memory_time_s.to("s").expr, launch_overhead_s.to("s").expr
    return (pl.when(~is_feasible).then(pl.lit(None, pl.String))
            .when((c >= m) & (c >= o)).then(pl.lit("compute"))
            .when(m >= o).then(pl.lit("memory"))
            .otherwise(pl.lit("overhead"))).cast(pl.Categorical)


@column
def achieved_flop_per_s(step_flop: UExpr, latency_s: UExpr) -> UExpr:
    return step_flop / latency_s


@column
def mfu(step_flop: UExpr, latency_s: UExpr, peak_flop_per_s: UExpr) -> UExpr:
    """Model FLOPs utilisation: useful FLOPs per second over peak (Chowdhery et al. 2022, App. B)."""
    return (step_flop / (latency_s * peak_flop_per_s)).to("")


@column
def samples_per_s(batch: UExpr, latency_s: UExpr) -> UExpr:
    """Sequences (or images) advanced per second."""
    return (batch / latency_s).to("1/s")


@column
def tokens_per_s(is_transformer: pl.Expr, tokens_per_step: UExpr, latency_s: UExpr) -> UExpr:
    rate = (tokens_per_step / latency_s).to("tok/s")
    return UExpr(pl.when(is_transformer).then(rate.expr), rate.unit)


@column
def energy_per_step_j(tdp_w: UExpr, latency_s: UExpr) -> UExpr:
    """At TDP: an upper bound (the operations study will model utilisation)."""
    return (tdp_w * latency_s).to("J")


@column
def samples_per_j(samples_per_s: UExpr, tdp_w: UExpr) -> UExpr:
    """Throughput per watt at TDP, samples/s/W."""
    return (samples_per_s / tdp_w).to("1/J")


@column
def tokens_per_j(tokens_per_s: UExpr, tdp_w: UExpr) -> UExpr:
    return (tokens_per_s / tdp_w).to("tok/J")


# -- operations (walls 16-18) for one accelerator: the rates of pipeline.walls.operations per sample

@column
def ops_devices(hardware: pl.Expr) -> UExpr:
    return UExpr(pl.lit(1.0), unit(""))


@column
def power_utilization(compute_time_s: UExpr, memory_time_s: UExpr, latency_s: UExpr) -> UExpr:
    """The roofline's busier engine over the step: max(compute, memory) / latency (launch gaps idle)."""
    return (maximum(compute_time_s, memory_time_s) / latency_s).to("")


@column
def ops_service_time_s(latency_s: UExpr) -> UExpr:
    return latency_s


def _per_sample(rate: UExpr, samples_per_s: UExpr, target: str) -> UExpr:
    return (rate / samples_per_s).to(target)


@column
def facility_energy_per_sample_j(facility_power_w: UExpr, samples_per_s: UExpr) -> UExpr:
    return _per_sample(facility_power_w, samples_per_s, "J")


@column
def co2e_per_sample_g(co2e_g_per_h: UExpr, samples_per_s: UExpr) -> UExpr:
    return _per_sample(co2e_g_per_h, samples_per_s, "gCO2e")


@column
def water_per_sample_l(water_l_per_h: UExpr, samples_per_s: UExpr) -> UExpr:
    return _per_sample(water_l_per_h, samples_per_s, "L")


@column
def cloud_cost_per_sample_usd(cloud_cost_usd_per_h: UExpr, samples_per_s: UExpr) -> UExpr:
    return _per_sample(cloud_cost_usd_per_h, samples_per_s, "USD")


@column
def owned_cost_per_sample_usd(owned_cost_usd_per_h: UExpr, samples_per_s: UExpr) -> UExpr:
    return _per_sample(owned_cost_usd_per_h, samples_per_s, "USD")
