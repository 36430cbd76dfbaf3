"""The runner's answers: the peers' interpreter runs ``runner.py`` on the requests, and each
answer becomes the row's metric for the whole system it measured."""

from __future__ import annotations

import json
import math
import os
import subprocess
import tempfile
from pathlib import Path

from pipeline.errors import InputError, Problem
from pipeline.validation.peers.adapters import Job
from pipeline.validation.predict import THROUGHPUT

PEERS_PYTHON = "/tmp/peers-venv/bin/python"
RUNNER = Path(__file__).with_name("runner.py")


def metric(job: Job, values: dict, batch: int) -> float | None:
    """The row's metric, for the whole system it measured, from the tool's raw outputs."""
    r, axes, metric = job.row, job.axes, job.row["metric"]
    if job.study == "node":
        latency = values["latency_s"]
        return latency if metric == "latency_s" else batch / latency * r["devices"]
    if job.study == "serving":
        if metric in ("ttft_s", "itl_s"):
            return values[metric]
        output = axes["output_len"][0]
        e2e = values.get("e2e_s") or values["ttft_s"] + (output - 1) * values["itl_s"]
        if metric == "latency_s":  # a decoder's whole query (validation.measurements)
            return e2e
        per_replica = batch * output / e2e  # what a benchmark timing whole requests reports
        devices_per_replica = axes["tp"][0] * axes["pp"][0]
        return per_replica * r["devices"] / devices_per_replica if metric == "tokens_per_s" \
            else per_replica / devices_per_replica
    if metric == "training_tokens_per_s":
        return axes["global_batch"][0] * axes["seq_len"][0] / values["step_time_s"]
    return values.get(metric)


def answer(job: Job, answer: dict | None) -> tuple[float | None, str]:
    """The prediction and the note: the given batch, else the best batch of the grid that fits."""
    if answer is None:
        return None, "the runner gave no answer"
    if answer.get("error"):
        return None, f"tool error: {answer['error']}"
    done = [(run, metric(job, run["values"], run["batch"])) for run in answer["runs"] if "values" in run]
    done = [(run, v) for run, v in done if v is not None and math.isfinite(v)]
    errors = [run["error"] for run in answer["runs"] if "error" in run]
    notes = "; ".join(job.notes)
    if len(job.request["batches"]) == 1:
        if not done:
            return None, f"tool error: {errors[0] if errors else 'no value'}"
        run, value = done[0]
        return value, notes + ("" if run["fits"] else "; the tool flags this configuration as not fitting in memory")
    fits = [(run, v) for run, v in done if run["fits"]]
    if not fits:
        return None, "tool: no batch of the grid fits" + (f" ({errors[-1]})" if errors else "")
    pick = (max if job.row["metric"] in THROUGHPUT else min)(fits, key=lambda rv: rv[1])
    return pick[1], notes + f"; batch {pick[0]['batch']} (best of the grid that fits, as ours)"


def run_requests(requests: list[dict], python: str, timeout: float) -> tuple[dict[int, dict], dict]:
    if not requests:
        return {}, {}
    with tempfile.TemporaryDirectory(prefix="mlsys-peers-") as tmp:
        req_path, out_path = Path(tmp) / "requests.jsonl", Path(tmp) / "answers.jsonl"
        req_path.write_text("".join(json.dumps(q) + "\n" for q in requests))
        # -I: isolated, so the runner sees the peers' site-packages only (not ours, not this folder)
        proc = subprocess.run([python, "-I", str(RUNNER), str(req_path), str(out_path)], capture_output=True,
                              text=True, timeout=timeout, env={k: v for k, v in os.environ.items()
                                                               if not k.startswith("PYTHON")})
        if proc.returncode != 0 or not out_path.exists():
            raise RuntimeError(f"the peers' runner failed ({python}):\n{proc.stderr[-3000:]}")
        answers, meta = {}, {}
        for line in out_path.read_text().splitlines():
            item = json.loads(line)
            if "meta" in item:
                meta = item["meta"]
            else:
                answers[item["id"]] = item
    return answers, meta


def check_python(python: str) -> None:
    if not Path(python).exists():
        raise InputError("peers", [Problem(None, None, f"no interpreter at {python}; create it with: python3 -m venv "
                                           "/tmp/peers-venv && /tmp/peers-venv/bin/pip install mlsysim==0.3.0 "
                                           "llm-analysis==0.2.2")])
