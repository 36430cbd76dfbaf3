"""The combination table of README.md from ``run.sh``'s outputs: per run, make_baseline's lines (catalog / cv /
predicted) for the metrics any run moves, the decision rule against the first run named (no catalog median worse by
more than 0.2 points, no metric with fewer rows predicted), and errors.py's v6.0 held-out line per figure.

    .venv/bin/python registry_data/research/r-patchset/table.py /tmp/ps/out BASE S C SC ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

V60 = ("tokens_per_s offline", "tokens_per_s server", "ttft_s", "itl_s")


def metrics(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.json").read_text())["metrics"]


def verdict(base: dict, run: dict) -> str:
    worse = [m for m, e in base.items() if m not in run or run[m]["catalog"] > e["catalog"] + 0.2 + 1e-9]
    lost = [m for m, e in base.items() if run.get(m, {}).get("predicted", 0) < e["predicted"]]
    if not worse and not lost:
        return "passes"
    return "; ".join(filter(None, [worse and "worse: " + ", ".join(worse), lost and "rows lost: " + ", ".join(lost)]))


def held_out(out: Path, name: str) -> dict:
    """errors.py's per-figure v6.0 cells ('signed / |error| (predicted/rows)') and its first line."""
    lines = (out / f"{name}.v60").read_text().splitlines()
    cells = {}
    for line in lines[4:9]:
        parts = [p.strip() for p in line.strip("|").split("|")]
        cells[parts[0]] = parts[2]
    return {"head": lines[0]} | cells


def main(out: str, names: list[str]) -> None:
    out = Path(out)
    runs = {n: metrics(out, n) for n in names}
    base = runs[names[0]]
    moved = sorted({m for r in runs.values() for m in set(r) | set(base) if r.get(m) != base.get(m)})
    print("| run | " + " | ".join(moved) + " | rule |")
    print("|---" * (len(moved) + 2) + "|")
    for n, r in runs.items():
        cells = [f"{r[m]['catalog']} / {r[m]['cv']} / {r[m]['predicted']}" if m in r else "-" for m in moved]
        print(f"| {n} | " + " | ".join(cells) + f" | {verdict(base, r)} |")
    print()
    print("| run | v6.0 rows predicted, median abs | " + " | ".join(V60) + " |")
    print("|---" * (len(V60) + 2) + "|")
    for n in names:
        h = held_out(out, n)
        print(f"| {n} | {h['head'].removeprefix('v6.0 rows 453, ')} | " + " | ".join(h.get(f, "-") for f in V60) + " |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
