"""The two H200 Mixtral 8x7B MLPerf Server rows (NVIDIA v4.1 x8 at 392.18 req/s, ASUSTeK v5.1 x8 at 409.87; TP1
replicas, one per GPU; OpenOrca/GSM8K/MBXP mix, prompt 427, G 146 from the workloads catalog): wall 7's closed-form
batch (``poisson_batch``, the round affine through 1, the fluid batch and the cap) beside the exact birth-death chain
on wall 7's round at every batch (r-srvq's ``birth_death_batch``), and the TPOT Little's law gives on each. Run by
hand from the worktree root: `.venv/bin/python registry_data/research/r-srvlat/knee_check.py`
(r-srvlat/README.md §1)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvq"))
import saturation_check as sc  # noqa: E402

sc.MODEL, sc.PROMPT = "Mixtral 8x7B", 427
for system, rate in (("NVIDIA v4.1 H200 x8", 392.18 / 8), ("ASUSTeK v5.1 H200 x8", 409.87 / 8)):
    row, load = sc.answer("H200 SXM 141GB", 1, 1, 146, 4096, rate)
    d = load["decode_at"]
    rho_p = rate * load["prefill_time_one_request_s"]
    exact = sc.birth_death_batch(rate, 146, rho_p, int(load["load_batch_cap"]), d, row["capacity_requests_per_s"])
    print(f"{system}: {rate:.2f} req/s per replica, rho {row['utilization']:.3f}, rho_p {rho_p:.3f}, cap "
          f"{load['load_batch_cap']:.0f} | closed-form b {row['batch_in_flight']:.0f}, TPOT "
          f"{row['tpot_under_load_s'] * 1e3:.1f} ms | exact chain b {exact:.0f}, Little's TPOT "
          f"{exact / (rate * 146) * 1e3:.1f} ms (+ clustering)")
    print("    decode round (ms) at b:", ", ".join(f"{b}: {d(b) * 1e3:.1f}" for b in (1, 64, 256, 512, 1024, 2048)))
