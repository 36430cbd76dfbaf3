"""How much of each MLPerf BERT row's measured interval is evaluation (r-scale README section 3).

Usage: .venv/bin/python registry_data/research/r-scale/bert_eval_share.py
NVIDIA's run_pretraining.py (training_results_v5.0 NVIDIA/benchmarks/bert/implementations/
tyche_ngpu512_ngc25.04_pytorch/run_pretraining.py lines 2010-2034) logs `tracked_stats` throughput as the samples
since the previous log over `time.time() - now_time_log_mlperf`, resets that clock at the log, and only then runs
the evaluation (eval_start ... eval_stop): each interval after the first holds the previous evaluation. For every
BERT samples_per_s row whose log is in a local mirror (/work/.mirror/mlcommons+training_results_vX.Y), this
prints the median of the logged values (the row's definition) and the median of the same intervals with the
evaluations inside them taken out (samples / (interval - eval time)), from the log's own timestamps.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
from pathlib import Path

import polars as pl

MIRROR = Path("/work/.mirror")


def log_lines(round_: str, path: str) -> list[dict] | None:
    repo = MIRROR / f"mlcommons+training_results_v{round_}" / "repo"
    if not repo.exists():
        return None
    out = subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True, text=True)
    if out.returncode:
        return None
    events = []
    for line in out.stdout.splitlines():
        at = line.find(":::MLLOG ")
        if at >= 0:
            try:
                events.append(json.loads(line[at + 9:]))
            except json.JSONDecodeError:
                continue
    return events


def shares(events: list[dict]) -> tuple[float, float, int] | None:
    """(median logged throughput, median training-only throughput, intervals) over the per-eval tracked_stats
    (those carrying metadata epoch_num, as run_pretraining.py line 2019 logs them)."""
    stats = [e for e in events if e["key"] == "tracked_stats" and "epoch_num" in e.get("metadata", {})]
    evals = {}
    for e in events:
        if e["key"] in ("eval_start", "eval_stop"):
            evals.setdefault(e["value"], {})[e["key"]] = e["time_ms"]
    spans = [(v["eval_start"], v["eval_stop"]) for v in evals.values() if len(v) == 2]
    logged, trained = [], []
    previous_samples = 0.0
    for s in stats:
        samples = s["metadata"]["epoch_num"] - previous_samples
        previous_samples = s["metadata"]["epoch_num"]
        value = s["value"]["throughput"]
        interval_ms = samples / value * 1e3
        start = s["time_ms"] - interval_ms
        inside = sum(max(0.0, min(b, s["time_ms"]) - max(a, start)) for a, b in spans)
        logged.append(value)
        trained.append(samples / ((interval_ms - inside) / 1e3))
    if not logged:
        return None
    return statistics.median(logged), statistics.median(trained), len(logged)


def main() -> None:
    rows = pl.read_parquet("registry_data/measurements.parquet").with_row_index("line", offset=2).filter(
        pl.col("model").eq("BERT-Large") & pl.col("metric").eq("samples_per_s") & pl.col("name").str.starts_with(
            "mlperf-train"))
    out = []
    for r in rows.iter_rows(named=True):
        round_ = re.match(r"mlperf-train-v(\d\.\d)", r["name"]).group(1)
        path = r["source_location"].split(":")[0]
        events = log_lines(round_, path)
        got = shares(events) if events else None
        if got is None:
            out.append({"line": r["line"], "devices": r["devices"], "hardware": r["hardware"][:12], "value": r["value"],
                        "logged_median": None, "train_only_median": None, "intervals": None, "gain_%": None})
            continue
        logged, trained, n = got
        out.append({"line": r["line"], "devices": r["devices"], "hardware": r["hardware"][:12], "value": r["value"],
                    "logged_median": logged, "train_only_median": trained, "intervals": n,
                    "gain_%": (trained / logged - 1) * 100})
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(200)
    print(pl.DataFrame(out).sort("hardware", "devices"))


if __name__ == "__main__":
    main()
