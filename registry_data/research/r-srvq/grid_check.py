"""Could wall 7 afford the birth-death batch (saturation_check.py) in closed form? Its E[k] from the decode round at
K batches only (round linear between them; log pi integrated in closed form per segment, pi's integral exact for a
log pi linear in k), beside the exact sum over every k (run by hand:
`.venv/bin/python registry_data/research/r-srvq/grid_check.py`; r-srvq/README.md). Geometric and uniform grids from
1 to the cap; then the same replica (NVIDIA v4.1 H200-CTS x1) at lighter loads, where E[k] is the fluid point."""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from saturation_check import SYSTEMS, answer, birth_death_batch, through  # noqa: E402


def mean_ln_linear(d0: float, d1: float) -> float:
    """The mean of ln d over a segment where d runs linearly from d0 to d1."""
    if abs(d1 - d0) <= 1e-9 * d0:
        return math.log(d0)
    return (d1 * math.log(d1) - d0 * math.log(d0)) / (d1 - d0) - 1.0


def grid_batch(lam: float, generated: int, rho_p: float, cap: int, decode_at, capacity: float,
               xs: list[float]) -> float:
    """E[min(k, cap)] of the birth-death chain with the round known at the batches ``xs`` only (as
    ``saturation_check.birth_death_batch``)."""
    ds, c, logs = [decode_at(x) for x in xs], math.log(lam * generated / (1.0 - rho_p)), [0.0]
    for (x0, x1), (d0, d1) in zip(zip(xs, xs[1:]), zip(ds, ds[1:])):
        ln_x = x1 * math.log(x1) - x1 - x0 * math.log(x0) + x0
        logs.append(logs[-1] + (x1 - x0) * (c + mean_ln_linear(d0, d1)) - ln_x)
    top = max(logs)
    logs = [v - top for v in logs]
    z = m = 0.0
    for (x0, x1), (l0, l1) in zip(zip(xs, xs[1:]), zip(logs, logs[1:])):
        g = (l1 - l0) / (x1 - x0)
        if abs(g) < 1e-12:
            dz = (x1 - x0) * math.exp(l0)
            z, m = z + dz, m + dz * (x0 + x1) / 2
        else:
            dz = (math.exp(l1) - math.exp(l0)) / g
            z, m = z + dz, m + (x1 * math.exp(l1) - x0 * math.exp(l0)) / g - dz / g
    r, at_cap = lam / capacity, math.exp(logs[-1])
    return (m + at_cap * cap * r / (1.0 - r)) / (z + at_cap * r / (1.0 - r))


def row(name: str, lam: float, hardware: str, tp: int, pp: int, output: int) -> str:
    found, load = answer(hardware, tp, pp, output, 4096, lam)
    cap, tau = int(load["load_batch_cap"]), load["prefill_time_one_request_s"] / pp
    rho_p, d, mu = lam * tau, load["decode_at"], found["capacity_requests_per_s"]
    exact = birth_death_batch(lam, output, rho_p, cap, d, mu)
    cells = []
    for k in (12, 16, 24, 32, 48):
        geometric = grid_batch(lam, output, rho_p, cap, d, mu, [cap ** (i / (k - 1)) for i in range(k)])
        uniform = birth_death_batch(lam, output, rho_p, cap,
                                    through([(x, d(x)) for x in (1 + (cap - 1) * i / (k - 1) for i in range(k))]), mu)
        cells.append(f"K{k} {geometric:.0f} / {uniform:.0f}")
    return f"{name} at {lam:.2f}/s: fluid {load['load_batch']:.0f}, exact {exact:.0f}; geometric / uniform " + \
        ", ".join(cells)


if __name__ == "__main__":
    for name, (hardware, tp, pp, gpus, rate, output, *_) in SYSTEMS.items():
        print(row(name, rate * tp * pp / gpus, hardware, tp, pp, output))
    for lam in (0.5, 2.0, 6.0, 10.0, 13.0):
        print(row("NVIDIA v4.1 H200-CTS x1", lam, "H200 SXM 141GB", 1, 1, 291))
