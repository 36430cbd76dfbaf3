"""The headline of one configuration, printed before the detail: feasible or not and why, the
headline times, throughput, what bounds it and the input that binds (the largest elasticity)."""

from __future__ import annotations

from typing import Any

from pipeline.report.format import quantity

# Per study: (label, column) of the times and rates a reader looks at first.
FIGURES = {
    "node": [("latency", "latency_s"), ("throughput", "tokens_per_s"), ("throughput", "samples_per_s")],
    "serving": [("TTFT", "ttft_s"), ("ITL", "itl_s"), ("end to end", "e2e_latency_s"),
                ("throughput", "tokens_per_s")],
    "training": [("step time", "step_time_s"), ("MFU", "mfu"), ("throughput", "tokens_per_s"),
                 ("time to train", "time_to_train_s")],
}


def headline(study: str, row: dict[str, Any], units: dict[str, str | None]) -> str:
    """One line, e.g. ``feasible · TTFT 2.49 s · ITL 11.9 ms · throughput 1.34 k tok/s ·
    decode memory-bound, prefill compute-bound ·
    binding input memory_bandwidth_bytes_per_s``."""
    step = f"{row['step']}: " if study == "node" and row.get("step") else ""
    if not row.get("is_feasible"):
        return f"{step}not feasible: {row.get('infeasible_reason') or 'no reason given'}"
    parts = ["feasible"]
    shown = set()
    for label, column in FIGURES[study]:
        if row.get(column) is not None and label not in shown:
            parts.append(f"{label} {quantity(row[column], units.get(column) or None)}")
            shown.add(label)
    if row.get("bound") is not None:
        if row.get("ttft_bound") is not None:  # serving: the bound column is decode's
            parts.append(f"decode {row['bound']}-bound, prefill {row['ttft_bound']}-bound")
        else:
            parts.append(f"{row['bound']}-bound")
    if row.get("binding_input") is not None:
        parts.append(f"binding input {row['binding_input']}")
    return step + " · ".join(parts)
