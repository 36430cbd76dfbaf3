"""Wall 3 (software): launch overhead, latency, the binding term, achieved fraction of peak,
throughput and energy. eta_compute itself comes from the efficiency profiles
(``pipeline.studies.efficiency``) and is an input column here."""

from __future__ import annotations

from functools import partial

import polars as pl

from pipeline.formulas import column, define
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
          launch_overhead_s: UExpr, input_utilization: UExpr) -> pl.Expr:
    """The largest time term: compute, memory or (launch) overhead; the input pipeline when a
    training row's data cannot keep up (walls 8, 9, with [data] set)."""
    c, m, o = compute_time_s.expr, memory_time_s.to("s").expr, launch_overhead_s.to("s").expr
    return (pl.when(~is_feasible).then(pl.lit(None, pl.String))
            .when(input_utilization.expr.fill_null(0.0) > 1.0).then(pl.lit("input pipeline"))
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


for _name, _rate, _unit in (("facility_energy_per_sample_j", "facility_power_w", "J"),
                            ("co2e_per_sample_g", "co2e_g_per_h", "gCO2e"),
                            ("water_per_sample_l", "water_l_per_h", "L"),
                            ("cloud_cost_per_sample_usd", "cloud_cost_usd_per_h", "USD"),
                            ("owned_cost_per_sample_usd", "owned_cost_usd_per_h", "USD")):
    define(_name, [_rate, "samples_per_s"], partial(_per_sample, target=_unit))


# -- wall 21 (sensitivity) and wall 22 (synthesis) of one accelerator's latency ------------------
# latency = max(compute, memory) + launches, with compute = FLOPs / (peak x eta) and memory =
# bytes / bandwidth: d log latency / d log x is -(the binding term's share) for the input that
# term divides by, 0 for the other (exact away from the compute = memory kink).

def _share(is_feasible: pl.Expr, binds: pl.Expr, term: UExpr, latency_s: UExpr) -> UExpr:
    share = pl.when(binds).then(-(term.to("s").expr / latency_s.to("s").expr)).otherwise(0.0)
    return UExpr(pl.when(is_feasible).then(share), unit(""))


@column
def elasticity_peak_flop_per_s(is_feasible: pl.Expr, compute_time_s: UExpr, memory_time_s: UExpr,
                               latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log peak FLOP/s (the same for eta_compute)."""
    return _share(is_feasible, compute_time_s.expr >= memory_time_s.expr, compute_time_s, latency_s)


@column
def elasticity_memory_bandwidth(is_feasible: pl.Expr, compute_time_s: UExpr, memory_time_s: UExpr,
                                latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log memory bandwidth."""
    return _share(is_feasible, memory_time_s.expr > compute_time_s.expr, memory_time_s, latency_s)


@column
def elasticity_launch_overhead(is_feasible: pl.Expr, launch_overhead_s: UExpr, latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log launch overhead per kernel (the host side)."""
    return UExpr(pl.when(is_feasible).then(launch_overhead_s.to("s").expr / latency_s.to("s").expr), unit(""))


@column
def binding_input(elasticity_peak_flop_per_s: UExpr, elasticity_memory_bandwidth: UExpr,
                  elasticity_launch_overhead: UExpr) -> pl.Expr:
    """The hardware input whose 1 % change moves the latency most."""
    p, b, o = (e.expr.abs() for e in (elasticity_peak_flop_per_s, elasticity_memory_bandwidth,
                                      elasticity_launch_overhead))
    return (pl.when(p.is_null()).then(None).when((p >= b) & (p >= o)).then(pl.lit("peak_flop_per_s"))
            .when(b >= o).then(pl.lit("memory_bandwidth_bytes_per_s"))
            .otherwise(pl.lit("launch_overhead_per_kernel_s"))).cast(pl.Categorical)


@column
def target_latency_s(latency_s: UExpr, synthesis_target_fraction: UExpr) -> UExpr:
    """Wall 22's target: a fraction of the predicted latency (spec: synthesis_target_fraction)."""
    return latency_s * synthesis_target_fraction


@column
def required_peak_flop_per_s(target_latency_s: UExpr, launch_overhead_s: UExpr, memory_time_s: UExpr,
                             step_flop: UExpr, eta_compute: UExpr) -> UExpr:
    """Wall 22: the peak FLOP/s at which latency meets the target, FLOPs / (eta (target - launches));
    null where the memory term alone exceeds the budget (no amount of FLOP/s reaches it)."""
    budget = target_latency_s - launch_overhead_s
    reachable = (budget.expr > 0) & (memory_time_s.to("s").expr <= budget.to("s").expr)
    need = (step_flop / (eta_compute * budget)).to("FLOP/s")
    return UExpr(pl.when(reachable).then(need.expr), need.unit)


@column
def required_memory_bandwidth_bytes_per_s(target_latency_s: UExpr, launch_overhead_s: UExpr,
                                          compute_time_s: UExpr, bytes_moved: UExpr) -> UExpr:
    """Wall 22: the memory bandwidth at which latency meets the target, bytes / (target - launches);
    null where the compute term alone exceeds the budget."""
    budget = target_latency_s - launch_overhead_s
    reachable = (budget.expr > 0) & (compute_time_s.to("s").expr <= budget.to("s").expr)
    need = (bytes_moved / budget).to("B/s")
    return UExpr(pl.when(reachable).then(need.expr), need.unit)


@column
def synthesis_note(required_peak_flop_per_s: UExpr, required_memory_bandwidth_bytes_per_s: UExpr,
                   latency_s: UExpr) -> pl.Expr:
    """Which single resource can reach the target, if any."""
    p, b = required_peak_flop_per_s.is_null(), required_memory_bandwidth_bytes_per_s.is_null()
    return (pl.when(latency_s.is_null()).then(None)
            .when(p & b).then(pl.lit("neither FLOP/s nor bandwidth alone reaches the target (launches bind)"))
            .when(p).then(pl.lit("only more memory bandwidth reaches the target"))
            .when(b).then(pl.lit("only more FLOP/s reaches the target"))
            .otherwise(pl.lit("either resource reaches the target"))).cast(pl.Categorical)


@column
def elasticity_batch(is_feasible: pl.Expr, is_moe: pl.Expr, compute_time_s: UExpr, memory_time_s: UExpr,
                     weight_traffic_bytes: UExpr, memory_bandwidth_bytes_per_s: UExpr, latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log batch. FLOPs, KV and activation bytes grow with the batch,
    weights do not: compute-bound rows move by compute / latency, memory-bound rows by the
    batch-proportional bytes' time / latency. Null for MoE (the experts a batch touches grow
    with it, not in proportion)."""
    per_batch = memory_time_s - (weight_traffic_bytes / memory_bandwidth_bytes_per_s).to("s")
    moving = UExpr(pl.when(compute_time_s.expr >= memory_time_s.expr).then(compute_time_s.to("s").expr)
                   .otherwise(per_batch.to("s").expr), unit("s"))
    return UExpr(pl.when(is_feasible & ~is_moe).then(moving.expr / latency_s.to("s").expr), unit(""))


@column
def elasticity_seq_len(is_feasible: pl.Expr, is_transformer: pl.Expr, is_moe: pl.Expr, compute_time_s: UExpr,
                       memory_time_s: UExpr, step_flop_per_log_seq: UExpr, achievable_flop_per_s: UExpr,
                       kv_traffic_elements_per_log_seq: UExpr, kv_bytes_per_element: UExpr,
                       activation_traffic_elements_per_log_seq: UExpr, bytes_per_element: UExpr,
                       memory_bandwidth_bytes_per_s: UExpr, latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log sequence length, through the binding term: the FLOPs' or the
    K/V and activation bytes' growth (weights do not grow). Null for CNNs and MoE."""
    compute = (step_flop_per_log_seq / achievable_flop_per_s).to("s")
    memory = ((kv_traffic_elements_per_log_seq * kv_bytes_per_element
               + activation_traffic_elements_per_log_seq * bytes_per_element) / memory_bandwidth_bytes_per_s).to("s")
    moving = UExpr(pl.when(compute_time_s.expr >= memory_time_s.expr).then(compute.expr).otherwise(memory.expr),
                   unit("s"))
    e = moving.expr / latency_s.to("s").expr
    return UExpr(pl.when(is_feasible & is_transformer & ~is_moe).then(e), unit(""))
