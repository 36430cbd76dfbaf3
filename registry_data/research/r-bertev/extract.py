"""Read every MLPerf BERT training row's own log and the run_pretraining.py that wrote it (r-bertev README section 1).

Usage: nice .venv/bin/python registry_data/research/r-bertev/extract.py   (needs the local mirrors
/work/.mirror/mlcommons+training_results_v{3.1,4.0,4.1,5.0}, which `fetch` brings; writes the three CSVs below)

For each BERT-Large `mlperf-train-*` samples_per_s row, the log its source_url pins (the same commit) is read:
- intervals.csv: its per-evaluation `tracked_stats` lines (metadata epoch_num: the samples trained so far), with the
  log line, time_ms, epoch_num and the throughput;
- evals.csv: its eval_start / eval_stop pairs (log lines and time_ms);
- code.csv: the MLLOG line numbers the log names (the `lineno` of tracked_stats, eval_start, eval_stop and the last
  tracked_stats), the published run_pretraining.py whose `tracked_stats` / EVAL_START / EVAL_STOP lines are those
  numbers (the row's own submitter and round first), and that file's lines which define the interval: the clock read
  and reset (`time_interval = time.time() - now_time_log_mlperf`, `now_time_log_mlperf = time.time()`), the
  tracked_stats event, the EVAL_START that follows it. A file is accepted only if those lines hold that text
  (checked here); a log whose code logs no per-evaluation tracked_stats is recorded with kind `whole-run`.
The figures apply.py derives from them are checked here too: each interval after the first, as the throughput
implies it (samples / throughput), starts within 2 ms of the previous tracked_stats line (the clock was reset there,
before that evaluation ran).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
MIRROR = Path("/work/.mirror")
ROUNDS = ("3.1", "4.0", "4.1", "5.0")
# the text the interval-defining lines of run_pretraining.py hold, relative to the per-eval tracked_stats event
INTERVAL_CODE = {-5: "time_interval = time.time() - now_time_log_mlperf", -4: "now_time_log_mlperf = time.time()",
                 -1: "training_perf = epoch_interval / time_interval", 0: "mllogger.event(key='tracked_stats'"}
# ... and of the last tracked_stats event, relative to it: the whole run's samples over the time since run_start
WHOLE_RUN_CODE = {-2: "throughput_measure_time = time.time() - throughput_measure_time_start",
                  -1: "training_perf = global_samples_trained.item() / throughput_measure_time"}


def repo(round_: str) -> Path:
    return MIRROR / f"mlcommons+training_results_v{round_}" / "repo"


def show(round_: str, commit: str, path: str) -> str:
    out = subprocess.run(["git", "-C", str(repo(round_)), "show", f"{commit}:{path}"], capture_output=True,
                         text=True, check=True)
    return out.stdout


def events(text: str) -> list[dict]:
    """The log's MLLOG events, each with its line number in the file (``at``)."""
    out = []
    for at, line in enumerate(text.splitlines(), 1):
        k = line.find(":::MLLOG ")
        if k >= 0:
            try:
                out.append(json.loads(line[k + 9:]) | {"at": at})
            except json.JSONDecodeError:
                continue
    return out


def code_lines(text: str) -> dict[str, list[int]]:
    """A run_pretraining.py's lines that log tracked_stats, EVAL_START, EVAL_STOP (1-based)."""
    found: dict[str, list[int]] = {"tracked_stats": [], "eval_start": [], "eval_stop": []}
    for n, line in enumerate(text.splitlines(), 1):
        if "key='tracked_stats'" in line:
            found["tracked_stats"].append(n)
        elif "constants.EVAL_START" in line:
            found["eval_start"].append(n)
        elif "constants.EVAL_STOP" in line:
            found["eval_stop"].append(n)
    return found


def candidates() -> list[dict]:
    """Every published BERT run_pretraining.py of the four rounds, at each mirror's HEAD."""
    out = []
    for round_ in ROUNDS:
        head = subprocess.run(["git", "-C", str(repo(round_)), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        files = subprocess.run(["git", "-C", str(repo(round_)), "ls-tree", "-r", "--name-only", head],
                               capture_output=True, text=True, check=True).stdout.splitlines()
        for path in files:
            if re.search(r"/bert/implementations/.*/run_pretraining\.py$", path):
                text = show(round_, head, path)
                out.append({"round": round_, "commit": head, "path": path, "text": text, **code_lines(text)})
    return out


def matching(signature: dict, round_: str, submitter: str, system: str, files: list[dict]) -> dict:
    """The published file whose lines are the log's linenos: the row's own implementation folder (named as its
    results folder, or by the row's notes) first, then its submitter in its round, its round, NVIDIA's, any."""
    ok = [f for f in files if set(signature["tracked_stats"]) <= set(f["tracked_stats"])
          and signature["eval_start"] <= set(f["eval_start"]) and signature["eval_stop"] <= set(f["eval_stop"])]
    if not ok:
        raise SystemExit(f"no published run_pretraining.py logs at lines {signature}")
    return min(ok, key=lambda f: (f["round"] != round_ or f"/{system}/" not in f["path"],
                                  f["round"] != round_ or not f["path"].startswith(submitter + "/"),
                                  f["round"] != round_, not f["path"].startswith("NVIDIA/"), f["round"], f["path"]))


def main() -> None:
    rows = pl.read_parquet(REGISTRY / "measurements.parquet").filter(
        pl.col("model").eq("BERT-Large") & pl.col("metric").eq("samples_per_s")
        & pl.col("name").str.starts_with("mlperf-train"))
    files = candidates()
    intervals, evals, code = [], [], []
    for r in rows.iter_rows(named=True):
        round_, commit, path = re.search(r"training_results_v(\d\.\d)/blob/([0-9a-f]{40})/(.+)$",
                                         r["source_url"]).groups()
        log = events(show(round_, commit, path))
        stats = [e for e in log if e["key"] == "tracked_stats"]
        per_eval = [e for e in stats if "epoch_num" in e.get("metadata", {})]
        pairs = {}
        for e in log:
            if e["key"] in ("eval_start", "eval_stop"):
                pairs.setdefault(e["value"], {})[e["key"]] = e
        spans = [p for p in pairs.values() if len(p) == 2]
        signature = {"tracked_stats": sorted({e["metadata"]["lineno"] for e in stats}),
                     "eval_start": {p["eval_start"]["metadata"]["lineno"] for p in spans},
                     "eval_stop": {p["eval_stop"]["metadata"]["lineno"] for p in spans}}
        layout = re.search(r"Parallel layout from \S+/implementations/([^/\s]+)/", r["notes"] or "")
        system = layout.group(1) if layout else path.split("/")[2]
        f = matching(signature, round_, path.split("/")[0], system, files)
        lines = f["text"].splitlines()
        final = max(signature["tracked_stats"])
        for offset, text in WHOLE_RUN_CODE.items():
            if text not in lines[final + offset - 1]:
                raise SystemExit(f"{f['path']} line {final + offset}: not {text!r}")
        kind = "per-eval" if per_eval and spans else "whole-run"
        if kind == "whole-run" and (per_eval or spans or len(stats) != 1):
            raise SystemExit(f"{path}: neither one whole-run tracked_stats nor per-evaluation ones with evaluations")
        where = {"name": r["name"], "kind": kind, "log_tracked_stats": " ".join(map(str, signature["tracked_stats"])),
                 "code_repository": f"mlcommons/training_results_v{f['round']}", "code_commit": f["commit"],
                 "code_path": f["path"], "code_final": max(f["tracked_stats"]), "code_clock": None,
                 "code_tracked_stats": None, "code_eval_start": None, "code_eval_stop": None}
        if kind == "per-eval":
            logged = min(signature["tracked_stats"])
            if not logged < min(signature["eval_start"]) < min(signature["eval_stop"]):
                raise SystemExit(f"{f['path']}: the evaluation does not follow the tracked_stats line {logged}")
            for offset, text in INTERVAL_CODE.items():
                if text not in lines[logged + offset - 1]:
                    raise SystemExit(f"{f['path']} line {logged + offset}: not {text!r}")
            where |= {"code_clock": logged - 5, "code_tracked_stats": logged,
                      "code_eval_start": min(signature["eval_start"]), "code_eval_stop": min(signature["eval_stop"])}
            previous = None
            for e in per_eval:
                intervals.append({"name": r["name"], "line": e["at"], "time_ms": e["time_ms"],
                                  "epoch_num": e["metadata"]["epoch_num"], "throughput": e["value"]["throughput"]})
                if previous is not None:
                    start = e["time_ms"] - (e["metadata"]["epoch_num"] - previous["metadata"]["epoch_num"]) \
                        / e["value"]["throughput"] * 1e3
                    if abs(start - previous["time_ms"]) > 2:
                        raise SystemExit(f"{path} line {e['at']}: the interval starts {start - previous['time_ms']} "
                                         "ms from the previous tracked_stats")
                previous = e
            evals.extend({"name": r["name"], "start_line": p["eval_start"]["at"],
                          "start_ms": p["eval_start"]["time_ms"], "stop_line": p["eval_stop"]["at"],
                          "stop_ms": p["eval_stop"]["time_ms"]} for p in spans)
        code.append(where)
    pl.DataFrame(intervals).write_csv(HERE / "intervals.csv")
    pl.DataFrame(evals).sort("name", "start_line").write_csv(HERE / "evals.csv")
    pl.DataFrame(code).write_csv(HERE / "code.csv")
    print(len(code), "rows;", len(intervals), "intervals;", len(evals), "evaluations")


if __name__ == "__main__":
    main()
