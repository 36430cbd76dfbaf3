"""Wall 7 on one Mixtral 8x7B MI325X TP1 replica at the AMD-config engine settings (2,560 sequences, a 32,000-token
prefill budget, 10 scheduler steps; ``probe.wall7``) at the MLPerf v5.1 Server rates of the six MI325X runs (over 8
replicas), after 6, 7 and 8 steps of the load fixed point: stability, utilization, mean TTFT, TPOT and the batch in
flight (run by hand: `.venv/bin/python registry_data/research/r-prefbatch/block_probe.py`)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from probe import wall7  # noqa: E402

RATES = (380.0, 391.43, 399.89, 405.15, 415.15, 420.16)

if __name__ == "__main__":
    for steps in (6, 7, 8):
        for rate in RATES:
            r = wall7(rate, 32000, iterations=steps)
            print(f"{steps} steps {rate:7.2f}/s: stable {r['is_stable']}, utilization {r['utilization']:.3f}, TTFT "
                  f"{r['ttft_mean_s']:.3f} s, TPOT {r['tpot_under_load_s'] * 1e3:.1f} ms, batch "
                  f"{r['batch_in_flight']:.0f}")
