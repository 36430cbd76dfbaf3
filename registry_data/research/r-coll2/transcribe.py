"""Transcribe the DGX A100 all_reduce_perf log (galvatron_dgxa100_all_reduce.txt, copied verbatim
from the source below) into collectives.csv, in the columns of r-collectives/collectives.csv, so
that pipeline.catalogs.collective_fits fits it with the other scale-up curves. Each row is checked
against nccl-tests' own arithmetic (PERFORMANCE.md: algbw = size / time, busbw = algbw x
2(n-1)/n) before it is written. Re-runnable:

    .venv/bin/python registry_data/research/r-coll2/transcribe.py
    .venv/bin/python -m pipeline.catalogs.collective_fits    # refit registry_data/collective_fits.csv
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).parent
LOG = HERE / "galvatron_dgxa100_all_reduce.txt"
OUT = HERE / "collectives.csv"
COLUMNS = ["curve_id", "hardware", "system", "fabric", "ranks", "nodes", "collective", "message_bytes", "time_us",
           "algbw_GBps", "busbw_GBps", "in_place", "library_version", "source_url", "source_location", "trust",
           "notes"]
SOURCE = ("https://github.com/AFDWang/Hetu-Galvatron/blob/6f77a6cb29a6fc165db86b434010e306f76285ad/"
          "tests/profiler/test_hardware_profile.py")
CURVE = {
    "curve_id": "24_galvatron_dgxa100", "hardware": "A100 SXM4 40GB",
    "system": "one node of 8x A100-SXM4-40GB (one host in the log; NVSwitch node assumed, as in HGX/DGX A100)",
    "fabric": "NVLink3/NVSwitch", "nodes": 1, "collective": "all_reduce",
    "library_version": "nccl-tests all_reduce_perf -g 8 (nThread 1 nGpus 8, -b 1M -e 1G -f 2, 20 iters, float sum); "
                       "NCCL version not printed",
    "source_url": SOURCE,
    "source_location": "test_nccl_hardware_profile, the 'output' list: the nccl-tests log the profiler test parses",
    "trust": "C",
    "notes": "a raw all_reduce_perf log kept as a test fixture of the Galvatron training system (Hetu-Galvatron, "
             "PKU-DAIR; this fork carries the file); the host name and PCI bus ids of a real run, date and NCCL "
             "version not given; every row satisfies algbw = size / time and busbw = algbw x 1.75 (checked by "
             "transcribe.py)",
}
ROW = re.compile(r"^\s*(\d+)\s+\d+\s+float\s+sum\s+-?\d+\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+\d+"
                 r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+\d+\s*$")


def rows(text: str, ranks: int = 8) -> list[dict]:
    """One row per (size, in-place flag), each checked against nccl-tests' arithmetic."""
    out = []
    for line in text.splitlines():
        m = ROW.match(line)
        if not m:
            continue
        size = int(m.group(1))
        for in_place, (t, alg, bus) in ((False, m.group(2, 3, 4)), (True, m.group(5, 6, 7))):
            t_us, algbw, busbw = float(t), float(alg), float(bus)
            if abs(size / (t_us * 1e3) / algbw - 1) > 0.01 or abs(algbw * 2 * (ranks - 1) / ranks / busbw - 1) > 0.01:
                raise ValueError(f"{LOG.name}: size {size} ({'in' if in_place else 'out-of'}-place) breaks "
                                 f"algbw = size / time or busbw = algbw x 2(n-1)/n: {t_us} us, {algbw}, {busbw} GB/s")
            out.append({**CURVE, "ranks": ranks, "message_bytes": size, "time_us": t, "algbw_GBps": alg,
                        "busbw_GBps": bus, "in_place": str(in_place).lower()})
    return out


def main() -> Path:
    found = rows(LOG.read_text())
    if len(found) != 22:
        raise ValueError(f"{LOG.name}: expected 11 sizes x 2 columns, found {len(found)} rows")
    with OUT.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({c: r[c] for c in COLUMNS} for r in found)
    return OUT


if __name__ == "__main__":
    print(main())
