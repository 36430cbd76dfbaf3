"""Percentiles of one request's time per output token under load (wall 7; issue 16 item 3).

A request's TPOT is the mean of the G - 1 iterations it decodes through: (G - 1) decode passes d
(the batch in flight and the scheduler's overhead) plus the prefill tau_p of every prompt that
arrives while it decodes, since continuous batching puts each arrival's prefill into an iteration
(Orca; Sarathi-Serve). Those prompts are a branching process: the Poisson(lambda T0) arrivals
during the bare decode time T0 = (G - 1) d each stretch the request's life by tau_p, during which
Poisson(rho) more arrive (rho = lambda tau_p), so their number K is a Borel-Tanner total
progeny with E[K] = lambda T0 / (1 - rho) and Var K = lambda T0 / (1 - rho)^3 (Haight and Breuer
1960; the M/D/1 busy period). TPOT = d + tau_p K / (G - 1), whose mean d / (1 - rho) is wall 7's
iteration mean; the column ``tpot_under_load_s`` adds the clustering of iteration lengths, kept
here as a shift. With pp pipeline stages tau_p is the busiest stage's share of a prompt's
prefill, tau_s (``prefill_stage_time_s``, wall 7): what an arrival stretches the decode rounds
by. K's quantiles: a gamma of its two moments (shape lambda T0 (1 - rho), scale
1 / (1 - rho)^2) by the Wilson-Hilferty cube-root normal approximation (Wilson and Hilferty
1931): K_q = k theta (1 - 1/(9k) + z_q sqrt(1/(9k)))^3. Checked by the simulation
(``pipeline.validation.simulate``)."""

from __future__ import annotations

from pipeline.units import Plain, UExpr, maximum, only_where
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import define_serving

Z = {0.5: 0.0, 0.99: 2.3263478740408408}  # standard normal quantiles


def prefills_quantile(rho: UExpr, bare_decode_s: UExpr, prefill_stage_time_s: UExpr, z: float) -> UExpr:
    """K_q - E[K]: how many more prompts than the mean a request's decode carries at quantile z
    (module docstring; k -> 0 gives 0: no arrival)."""
    arrivals = rho / prefill_stage_time_s * bare_decode_s  # lambda T0
    shape = maximum((arrivals * (1.0 - rho)).to(""), 1e-12)
    scale = 1.0 / ((1.0 - rho) * (1.0 - rho))
    base = maximum(1.0 - 1.0 / (9.0 * shape) + z * (1.0 / (9.0 * shape)).sqrt(), 0.0)
    return shape * scale * base * base * base - shape * scale


def _tpot_at(quantile: float):
    def tpot(is_stable: Plain, tpot_under_load_s: UExpr, itl_at_load_s: UExpr,
             scheduler_overhead_per_iteration_s: UExpr, prefill_utilization: UExpr,
             prefill_stage_time_s: UExpr, generated_tokens: UExpr) -> UExpr:
        tokens = ((generated_tokens / TOKEN).to("") - 1.0).clip(lower=1)
        d = itl_at_load_s + scheduler_overhead_per_iteration_s.fill_null(0)
        extra = prefills_quantile(prefill_utilization, d * tokens, prefill_stage_time_s, Z[quantile])
        return only_where(is_stable, tpot_under_load_s + prefill_stage_time_s * extra / tokens)
    return tpot


for _name, _q in (("tpot_p50_s", 0.5), ("tpot_p99_s", 0.99)):
    define_serving(_name, ["is_stable", "tpot_under_load_s", "itl_at_load_s", "scheduler_overhead_per_iteration_s",
                           "prefill_utilization", "prefill_stage_time_s", "generated_tokens"], _tpot_at(_q))
