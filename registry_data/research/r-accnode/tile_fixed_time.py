"""The kernel fit's per-tile fixed cost in seconds, beside the catalog's per-call floor alpha, per kernel-fit row.

Diagnosis only: nothing here feeds a catalog. Run from the repository root:

    .venv/bin/python registry_data/research/r-accnode/tile_fixed_time.py

The fit prices a tile's K loop as K / (K + k_half) (``pipeline.walls.gemm.gemm_k_efficiency``): a tile's time is
(K + k_half) x 2 tile_m tile_n / (peak / units), so its fixed part is t_fix = k_half x 2 tile_m tile_n x units / peak
(seconds, at the precision's dense peak; 16-bit C, the fit's rows). alpha (``memory_latency_s``) is the per-call
floor fitted separately on small-M sweeps (``pipeline.validation.latency_fit``). Where both exist they are the same
physics (a tile's prologue + epilogue: the whole of a one-wave kernel's fixed time) measured two ways; README §4.
"""

from __future__ import annotations

import duckdb

PEAK = {"bf16": "peak_bf16_flop_per_s", "fp16": "peak_fp16_flop_per_s", "fp8": "peak_fp8_flop_per_s",
        "int8": "peak_int8_flop_per_s", "fp4": "peak_fp4_flop_per_s"}


def rows() -> list[tuple]:
    cases = " ".join(f"when '{p}' then h.{c}" for p, c in PEAK.items())
    return duckdb.sql(f"""
        select k.hardware, k.precision, k.units, k.tile_m, k.tile_n, k.k_half, k.memory_latency_s,
               case k.precision {cases} end as peak, h.memory_bandwidth_bytes_per_s as bandwidth
        from 'registry_data/kernel_efficiency.parquet' k join 'registry_data/hardware.parquet' h on h.name = k.hardware
        where k.efficiency_basis = 'kernel fit' and k.precision in ('int8', 'bf16')
        order by k.precision, k.hardware""").fetchall()


def tile_fixed_time_s(k_half: float, tile_m: float, tile_n: float, units: float, peak: float) -> float:
    """k_half K steps of one tile at one SM's share of the dense peak: k_half x 2 tile_m tile_n / (peak / units)."""
    return k_half * 2.0 * tile_m * tile_n * units / peak


def main() -> None:
    print(f"{'hardware':18} {'prec':5} {'ridge':>6} {'k_half':>7} {'t_fix us':>8} {'alpha us':>8} {'t_fix/alpha':>11}")
    for hw, prec, units, tm, tn, k_half, alpha, peak, bandwidth in rows():
        t_fix = tile_fixed_time_s(k_half, tm, tn, units, peak)
        ratio = f"{t_fix / alpha:11.2f}" if alpha else f"{'-':>11}"
        a = f"{alpha * 1e6:8.2f}" if alpha else f"{'-':>8}"
        print(f"{hw:18} {prec:5} {peak / bandwidth:6.0f} {k_half:7.0f} {t_fix * 1e6:8.2f} {a} {ratio}")


if __name__ == "__main__":
    main()
