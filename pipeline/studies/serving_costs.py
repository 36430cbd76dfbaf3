"""The serving study's operations columns per request and per million tokens (walls 17-18): their
units, descriptions and sources for the schema (``pipeline.studies.operations.with_operations``)."""

from __future__ import annotations

PER_MILLION_TOKENS = {
    "facility_energy_per_request_wh": ("Wh", "facility energy of one request (its share of the batch)", "wall 18"),
    "cloud_cost_per_request_usd": ("USD", "rented cost of one request (its share of the batch)", "wall 17"),
    "energy_per_million_tokens_kwh": ("kWh/Mtok", "facility energy per million generated tokens", "wall 18"),
    "co2e_per_million_tokens_g": ("gCO2e/Mtok", "operational + embodied CO2e per million output tokens", "wall 18"),
    "water_per_million_tokens_l": ("L/Mtok", "site water per million generated tokens", "wall 18"),
    "cloud_cost_per_million_output_tokens_usd": ("USD/Mtok", "rented cost per million generated tokens", "wall 17"),
    "cloud_cost_per_million_prompt_tokens_usd": ("USD/Mtok", "rented prefill cost per million prompt tokens",
                                                 "wall 17"),
    "owned_cost_per_million_output_tokens_usd": ("USD/Mtok", "owned cost per million generated tokens", "wall 17"),
    "owned_cost_per_million_prompt_tokens_usd": ("USD/Mtok", "owned prefill cost per million prompt tokens", "wall 17"),
}
