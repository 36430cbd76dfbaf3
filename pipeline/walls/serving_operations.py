"""Walls 16-18 for serving: the rates of ``pipeline.walls.operations`` per million tokens and
per request of a tp x pp deployment of ``replicas`` copies."""

from __future__ import annotations

from functools import partial

from pipeline.units import UExpr
from pipeline.walls.registries import define_serving, serving_column


@serving_column
def ops_devices(devices_per_replica: UExpr, replicas: UExpr) -> UExpr:
    return devices_per_replica * replicas


@serving_column
def power_utilization(decode_compute_bound_time_s: UExpr, decode_memory_bound_time_s: UExpr,
                      decode_pass_time_s: UExpr) -> UExpr:
    """Decode dominates a request's time: the share of a decode pass its operators run at the
    roof (compute- or memory-bound), the rest being communication and launches."""
    return ((decode_compute_bound_time_s + decode_memory_bound_time_s) / decode_pass_time_s).to("")


@serving_column
def ops_service_time_s(e2e_latency_s: UExpr) -> UExpr:
    return e2e_latency_s


@serving_column
def energy_per_million_tokens_kwh(facility_power_w: UExpr, tokens_per_s: UExpr, replicas: UExpr) -> UExpr:
    """Facility energy per million generated tokens (every replica generates tokens_per_s)."""
    return (facility_power_w / (tokens_per_s * replicas)).to("kWh/Mtok")


@serving_column
def co2e_per_million_tokens_g(co2e_g_per_h: UExpr, tokens_per_s: UExpr, replicas: UExpr) -> UExpr:
    return (co2e_g_per_h / (tokens_per_s * replicas)).to("gCO2e/Mtok")


@serving_column
def water_per_million_tokens_l(water_l_per_h: UExpr, tokens_per_s: UExpr, replicas: UExpr) -> UExpr:
    return (water_l_per_h / (tokens_per_s * replicas)).to("L/Mtok")


def _cost_per_output(cost_usd_per_h: UExpr, tokens_per_s: UExpr, replicas: UExpr) -> UExpr:
    return (cost_usd_per_h / (tokens_per_s * replicas)).to("USD/Mtok")


def _cost_per_prompt(cost_usd_per_h: UExpr, ttft_s: UExpr, replicas: UExpr, batch: UExpr,
                     prompt_len: UExpr) -> UExpr:
    """The deployment's cost over the prefill of one batch, per prompt token it reads."""
    return (cost_usd_per_h / replicas * ttft_s / (batch * prompt_len)).to("USD/Mtok")


for _kind in ("cloud", "owned"):
    define_serving(f"{_kind}_cost_per_million_output_tokens_usd",
                   [f"{_kind}_cost_usd_per_h", "tokens_per_s", "replicas"], _cost_per_output)
    define_serving(f"{_kind}_cost_per_million_prompt_tokens_usd",
                   [f"{_kind}_cost_usd_per_h", "ttft_s", "replicas", "batch", "prompt_len"], _cost_per_prompt)


def _per_request(rate: UExpr, replicas: UExpr, e2e_latency_s: UExpr, batch: UExpr, target: str) -> UExpr:
    """One replica's rate over a request's end-to-end time, shared by the batch's sequences."""
    return (rate / replicas * e2e_latency_s / batch).to(target)


define_serving("facility_energy_per_request_wh", ["facility_power_w", "replicas", "e2e_latency_s", "batch"],
               partial(_per_request, target="Wh"))
define_serving("cloud_cost_per_request_usd", ["cloud_cost_usd_per_h", "replicas", "e2e_latency_s", "batch"],
               partial(_per_request, target="USD"))
