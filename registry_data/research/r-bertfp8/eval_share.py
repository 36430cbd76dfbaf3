"""How much of each MLPerf BERT row's measured interval is evaluation, read from the row's own result log.

NVIDIA's run_pretraining.py (training_results_v5.0 0fdc28f NVIDIA/benchmarks/bert/implementations/
nyx_n1_ngc25.04_pytorch/run_pretraining.py lines 2009-2033) logs ``tracked_stats`` throughput as the samples trained
since the previous evaluation point over ``time.time() - now_time_log_mlperf``, and resets that clock just before
each evaluation (eval_start .. eval_stop): every interval after the first holds one evaluation of the eval set. The
catalog's value is the median of those throughputs. This script prints, per row, the median share of an interval
spent between eval_start and eval_stop, the median training-only throughput samples / (interval - eval), and the
share the node study predicts for it: the eval set (``--num_eval_examples 10000``, ``--eval_batch_size=16`` per GPU:
run_and_time.sh lines 120-121 of the same implementation) as ceil(10,000 / devices / 16) forward passes of 16
sequences of 254 tokens, beside the interval's training steps (the log's samples per interval at the row's per-GPU
batch), both at the row's compute_dtype.

    .venv/bin/python registry_data/research/r-bertfp8/eval_share.py /work/.mirror

The predicted share reads each row's compute_dtype and the node study as installed: README's figures come from the
relabelled catalog with fp8_terms.patch applied (README "Reproduce").
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from relabel import bert_rows, git_show, round_and_commit, short  # noqa: E402

import pipeline  # noqa: E402
from pipeline.catalogs.paths import bundled_registry  # noqa: E402


EVAL_EXAMPLES, EVAL_BATCH, TOKENS = 10_000, 16, 254


def predicted_share(hardware: str, devices: int, batch: int, dtype: str, interval_samples: float) -> float:
    """The node study's eval time over eval + training time, one GPU's share of the interval."""
    per_gpu = batch // devices
    step = pipeline.evaluate("BERT-Large", hardware, batch=per_gpu, seq_len=TOKENS, workload="training",
                             compute_dtype=dtype).row(0, named=True)["latency_s"]
    forward = pipeline.evaluate("BERT-Large", hardware, batch=EVAL_BATCH, seq_len=TOKENS,
                                compute_dtype=dtype).row(0, named=True)["latency_s"]
    evaluation = math.ceil(EVAL_EXAMPLES / devices / EVAL_BATCH) * forward
    training = interval_samples / batch * step
    return evaluation / (evaluation + training)


def events(log: str) -> list[dict]:
    return [json.loads(line.split(":::MLLOG", 1)[1]) for line in log.splitlines() if ":::MLLOG" in line]


def shares(log: str) -> tuple[list[float], list[float], list[float]]:
    """Per interval after the first: (eval share of the interval, samples per second without the eval, samples)."""
    marks, evals, out_share, out_rate, out_samples = [], {}, [], [], []
    for e in events(log):
        if e["key"] == "tracked_stats" and "epoch_num" in e.get("metadata", {}):
            marks.append((e["time_ms"], e["metadata"]["epoch_num"]))
        elif e["key"] in ("eval_start", "eval_stop"):
            evals.setdefault(e["value"], {})[e["key"]] = e["time_ms"]
    for (t0, n0), (t1, n1) in zip(marks, marks[1:]):
        ev = evals.get(n0, {})
        if "eval_start" in ev and "eval_stop" in ev and t1 > t0:
            spent = ev["eval_stop"] - ev["eval_start"]
            out_share.append(spent / (t1 - t0))
            out_rate.append((n1 - n0) / ((t1 - t0 - spent) / 1e3))
            out_samples.append(n1 - n0)
    return out_share, out_rate, out_samples


def main(mirrors: Path) -> None:
    rows = bert_rows(pl.read_parquet(bundled_registry() / "measurements.parquet"))
    print("| row | hardware | devices | dtype | measured /s | eval share | predicted share | without eval /s | "
          "intervals |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, hw, n, batch, dtype, value, url in rows.select(
            "name", "hardware", "devices", "batch", "compute_dtype", "value", "source_url").sort(
            "hardware", "devices").iter_rows():
        version, commit = round_and_commit(url)
        share, rate, samples = shares(git_show(mirrors, version, commit, url.split(f"{commit}/", 1)[1]))
        if share:
            model = predicted_share(hw, n, batch, dtype, statistics.median(samples))
            print(f"| {short(name)} | {hw} | {n} | {dtype} | {value:,.0f} | {100 * statistics.median(share):.1f} % | "
                  f"{100 * model:.1f} % | {statistics.median(rate):,.0f} | {len(share)} |")
        else:
            print(f"| {short(name)} | {hw} | {n} | {dtype} | {value:,.0f} | - | - | - | 0 |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
