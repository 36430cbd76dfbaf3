"""Plausibility bounds of catalog columns: a value beyond them is a unit mistake (a ``[GB/s]``
header over values still in B/s reads 3.35 TB/s as 3.35e21 B/s), not a chip of 2026.

The bounds sit one to three orders of magnitude above the largest published value of their kind
(the registry's largest on 2026-12-03, in parentheses), so that they never refuse a real part yet
catch a prefix slip of 10^3 or more. ``MLSYS_PLAUSIBILITY=off`` turns them off for a registry that
needs more (documented in the README, "The catalogs").
"""

from __future__ import annotations

import os
import re

import polars as pl

from pipeline.errors import InputError, Problem

ENV = "MLSYS_PLAUSIBILITY"
# (column pattern, largest plausible value, as people say it)
BOUNDS = [
    (r"^peak_\w+_flop_per_s$", 1e19, "10 EFLOP/s per device (largest: 10 PFLOP/s FP4)"),
    (r"^\w+_bytes_per_s$", 1e14, "100 TB/s (largest: 8 TB/s of HBM3e per device)"),
    (r"^\w+_bits_per_s$", 1e13, "10 Tb/s per NIC (largest: 400 Gb/s)"),
    (r"^(memory_capacity|usable_memory|sram)_bytes$", 1e13, "10 TB per device (largest: 4.4 TB of host DRAM)"),
    (r"^(tdp|idle_power)_w$", 1e5, "100 kW per device (largest: 1.2 kW)"),
    (r"^\w+_latency_s$", 1.0, "1 s (largest: 150 ms of object-store latency)"),
    (r"^(launch_overhead_per_kernel|graph_launch|graph_launch_per_kernel|scheduler_overhead_per_iteration"
     r"|prefill_eager_host_per_kernel)_s$", 1e-2, "10 ms (largest: 89 µs)"),
    (r"^params_published$", 1e14, "100 T parameters (largest: 1 T)"),
    (r"^max_context_tokens$", 2**24, "2^24 tokens, the sweep's largest length (largest: 164 k)"),
    (r"^usd_per_accelerator_hour$", 1e4, "10,000 USD per accelerator hour (largest: 12.3)"),
    (r"^carbon_intensity_g_per_kwh$", 2e3, "2,000 gCO2e/kWh (largest: 709)"),
]


def enabled() -> bool:
    return os.environ.get(ENV, "on").strip().lower() not in ("off", "0", "false", "no")


def problems(frame: pl.DataFrame, table: str) -> list[Problem]:
    """Every cell of ``frame`` beyond its column's bound, named by row and column."""
    if not enabled():
        return []
    labels = frame["name"].to_list() if "name" in frame.columns else [None] * frame.height
    out = []
    for column in frame.columns:
        bound = next(((limit, said) for pattern, limit, said in BOUNDS if re.match(pattern, column)), None)
        if bound is None or not frame.schema[column].is_numeric():
            continue
        bad = frame.select(pl.arg_where(pl.col(column) > bound[0])).to_series().to_list()
        out += [Problem(i + 1, column, f"got {frame[column][i]:.4g}, expected at most {bound[1]} (a unit "
                                       f"mistake?; {ENV}=off accepts it)", labels[i]) for i in bad]
    return out


def check(frame: pl.DataFrame, table: str, source: str) -> None:
    found = problems(frame, table)
    if found:
        raise InputError(source, found)
