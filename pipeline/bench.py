"""``mlsys bench``: sweep a synthetic spec of >= N configurations end to end and report speed;
``mlsys bench --single``: single-configuration answers beside MLSys·im's (see ``single_benchmark``).

The spec is the bundled catalogs with long batch and sequence-length axes (every
accelerator x model x precision x workload), sized to reach the requested row count.
Reports rows written per second (Parquet included), compute-only rows per second
(every column evaluated and reduced, nothing written) and the process's peak RSS.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import polars as pl

from pipeline import runs
from pipeline.runs.database import run_query
from pipeline.runs.typed import PARTITION_KEY
from pipeline.spec import load_spec, parse_spec
from pipeline.studies import per_key

SEQ_LENS = [128, 256, 512, 1024, 2048, 4096]


def synthetic_spec(batches: int, study: str = "node") -> dict:
    if study == "training":  # every cluster x decoder x layout; `batches` global batch sizes
        return {"study": "training", "axes": {
            "cluster": "all", "model": "all", "compute_dtype": ["bf16", "fp8"], "seq_len": [2048, 8192],
            "gpus": [8, 64, 512, 4096], "tp": [1, 2, 4, 8], "pp": [1, 2, 4, 8], "microbatch": [1, 2],
            "global_batch": [512 * (i + 1) for i in range(batches)], "recompute": ["none", "selective", "full"],
            "zero_stage": [0, 1, 3], "virtual_stages": [1, 2], "sequence_parallel": [True, False]}}
    if study == "serving":
        return {"study": "serving", "axes": {
            "hardware": "all", "model": "all", "precision": ["fp16", "bf16", "fp8"], "tp": [1, 2, 4, 8],
            "pp": [1, 2], "batch": list(range(1, batches + 1)), "prompt_len": SEQ_LENS, "output_len": [128, 512]}}
    return {"axes": {"hardware": "all", "model": "all",
                     "compute_dtype": ["fp32", "tf32", "fp16", "bf16", "fp8", "int8", "fp4"],
                     "batch": list(range(1, batches + 1)), "seq_len": SEQ_LENS,
                     "workload": ["inference", "training"]}}


def packaged_codec(study: str) -> str:
    """The ``[output] compression`` of the study's packaged spec: what ``mlsys sweep [--spec S]`` writes."""
    return load_spec("default" if study == "node" else study).output.compression


def _cpu_s() -> float:
    """User + system CPU time of this process, all threads: steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu_s() -> float:
    """User + system CPU time of the finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# The query timed with each study's sweep (issue 15: nothing moved out of the timed work goes unmeasured).
QUERY = {"node": "design_space_map", "serving": "fits", "training": "fastest_layouts"}
# The peer's call answering one configuration of each study: the sweep's rows/s as a ratio to MLSys·im's
# configurations/s, timed in the same `mlsys bench` run (issue 15's acceptance; goal >= 10,000x)
SWEEP_PEER_CALL = {"node": "Engine.solve", "serving": "ServingModel.solve", "training": "DistributedModel.solve"}
RATIO_GOAL = 10_000


def run_benchmark(target_rows: int, out: Path | None = None, study: str = "node",
                  compression: str | None = None, peers: str | None = None, calls: int = 200) -> Iterator[str]:
    """``compression``: the sweep's ``[output] compression`` (None: the study's packaged spec's, ``packaged_codec``);
    ``peers``: the interpreter that has MLSys·im (``peer_timings``), whose configurations/s the rate is compared to."""
    import os

    probe = runs.prepare(parse_spec(synthetic_spec(1, study), "bench")).rows  # its rows only: the space let go
    per_key.forget()  # and the probe's per-key tables, which hold its sides (the peak RSS is the sweep's own)
    batches = max(1, -(-target_rows // max(probe, 1)))
    output = {"output": {"compression": compression or packaged_codec(study)}}
    prepared = runs.prepare(parse_spec(synthetic_spec(batches, study) | output, "bench"))
    # node's plan as the writer plans it (each accelerator's rows together: its kernel-fit and unfitted cuts, the
    # unfitted one without the fit's branch), the same values: every column of the ungrouped plan took ~0.6 CPU s
    # more of the bench's ~2.7 (CHANGELOG nodeq2)
    planned = replace(prepared.space, grouped_by=PARTITION_KEY[study]) if study == "node" else prepared.space
    yield (f"synthetic {study} spec: {prepared.rows:,} configurations ({batches} batch sizes; "
           f"{prepared.spec.output.compression}); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    started, cpu = time.perf_counter(), _cpu_s()
    for hw_slice, _estimate in runs.chunks(prepared.space):
        prepared.study.build(planned, hw_slice).frame.select(pl.all().max()).collect()
    compute_s, cpu = time.perf_counter() - started, _cpu_s() - cpu
    yield (f"compute only:  {prepared.rows:,} rows in {compute_s:.2f} s = {prepared.rows / compute_s:,.0f} rows/s "
           f"({cpu:.2f} CPU s)")

    scratch = Path(tempfile.mkdtemp(prefix="mlsys-bench-")) if out is None else Path(out)
    per_key.forget()  # the sweep builds its per-key tables inside the timed work, as a new process would
    try:
        started, cpu = time.perf_counter(), _cpu_s()
        run_dir = runs.run(prepared, scratch)
        written_s, written_cpu = time.perf_counter() - started, _cpu_s() - cpu
        answer = run_query(QUERY[study], run_dir)  # what a user asks first, inside the timed work
        write_s, cpu = time.perf_counter() - started, _cpu_s() - cpu
        files = [*runs.part_files(run_dir, study), *(run_dir / "dimensions").glob(f"{study}-*.parquet")]
        size = sum(p.stat().st_size for p in files)  # the fact table and its dimension tables
        rate = prepared.rows / write_s
        # each part's CPU too: on a shared machine its wall is the load's (the sweep's threads have ended when
        # ``runs.run`` returns, so the rest is the query's)
        yield (f"end to end:    {prepared.rows:,} rows in {write_s:.2f} s = {rate:,.0f} "
               f"rows/s written and queried ({size / 1e6:,.0f} MB Parquet, {size / max(prepared.rows, 1):.1f} "
               f"B/row; {cpu:.2f} CPU s, all threads; the sweep {written_s:.2f} s / {written_cpu:.2f} CPU s, "
               f"`{QUERY[study]}` {write_s - written_s:.2f} s, {answer.height:,} rows, {cpu - written_cpu:.2f} CPU s)")
    finally:
        if out is None:
            shutil.rmtree(scratch, ignore_errors=True)
    yield f"peak RSS:      {_peak_rss_mb():,.0f} MB; load average {os.getloadavg()[0]:.1f}"
    if peers:
        yield peer_ratio(rate, study, peer_timings(peers, calls))


def peer_ratio(rate: float, study: str, peer: dict) -> str:
    """Our end-to-end rows/s against the peer's configurations/s (one over its median call time)."""
    call = SWEEP_PEER_CALL[study]
    seconds = peer.get(call)
    if not isinstance(seconds, float):
        return f"(the peer's {call} gave no time: {peer.get('error') or seconds})"
    ratio = rate * seconds
    return (f"vs {peer.get('tool', 'MLSys·im')}: {call} {_ms(seconds)} a configuration = {1 / seconds:,.0f} "
            f"configurations/s; ours end to end {ratio:,.0f}x theirs (goal >= {RATIO_GOAL:,}x: "
            f"{'met' if ratio >= RATIO_GOAL else 'NOT met'})")


# -- mlsys bench --single: one configuration, side by side with MLSys·im ------------------------

SINGLE_TARGETS_S = {"evaluate": 2e-3, "evaluate_serving": 3e-3, "evaluate_training": 3e-3, "scorecard": 15e-3,
                    "mlsys evaluate (cold)": 1.0, "mlsys --help": 0.2}
PEER_CALLS = {"evaluate": "Engine.solve", "evaluate_serving": "ServingModel.solve",
              "evaluate_training": "DistributedModel.solve", "scorecard": "SystemEvaluator.evaluate"}
MODELS = ["Llama 2 7B", "Llama 3 8B", "Llama 2 13B"]
ACCELERATORS = ["H100 SXM5 80GB", "A100 SXM4 80GB", "H200 SXM 141GB"]
CLUSTERS = ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)", "NVIDIA Selene subset, Megatron-LM (Narayanan et al. "
            "SC21, 3072 A100)"]


def configurations(n: int = 48) -> list[dict]:
    """Varied single configurations (model, accelerator, batch, length, layout), as the peer's side varies them."""
    return [{"model": MODELS[i % 3], "hardware": ACCELERATORS[(i // 3) % 3], "batch": 1 + i % 16,
             "seq_len": 512 * (1 + i % 4), "cluster": CLUSTERS[i % 2], "gpus": 64 * (1 + i % 4)} for i in range(n)]


def _median_s(call: Callable[[dict], object], calls: int) -> float:
    cases = configurations()
    for case in cases:  # warm: the catalog's sides and the compiled formulas are built once per process
        call(case)
    times = []
    for i in range(calls):
        case = cases[i % len(cases)]
        started = time.perf_counter()
        call(case)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _process_s(argv: list[str], runs_: int = 5) -> float:
    """Median wall time of a fresh process running ``argv`` (the ``mlsys`` next to this interpreter)."""
    times = []
    for _ in range(runs_):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peer_timings(python: str, calls: int, timeout: float = 600.0) -> dict:
    """MLSys·im's calls timed in its own interpreter (``pipeline/bench_peer.py``)."""
    script = Path(__file__).with_name("bench_peer.py")
    done = subprocess.run([python, str(script), str(calls)], capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def single_benchmark(calls: int = 200, peers: str | None = None, cold_runs: int = 5) -> Iterator[str]:
    """Warm single-configuration answers (median of ``calls`` varied configurations), a cold
    ``mlsys evaluate`` and ``mlsys --help``, beside MLSys·im's calls run by ``peers`` (its interpreter)."""
    import pipeline

    ours = {
        "evaluate": _median_s(lambda c: pipeline.evaluate(c["model"], c["hardware"], batch=c["batch"],
                                                          seq_len=c["seq_len"]), calls),
        "evaluate_serving": _median_s(lambda c: pipeline.evaluate_serving(
            c["model"], c["hardware"], batch=c["batch"], prompt_len=c["seq_len"]), calls),
        "evaluate_training": _median_s(lambda c: pipeline.evaluate_training(
            c["model"], c["cluster"], gpus=c["gpus"], tp=8, compute_dtype="bf16"), calls),
        "scorecard": _median_s(lambda c: pipeline.scorecard("serving", model=c["model"], hardware=c["hardware"],
                                                            batch=c["batch"], prompt_len=c["seq_len"]), calls),
    }
    if cold_runs:
        mlsys = str(Path(sys.executable).with_name("mlsys"))
        ours["mlsys evaluate (cold)"] = _process_s([mlsys, "evaluate", "--model", MODELS[0], "--hardware",
                                                    ACCELERATORS[0]], cold_runs)
        ours["mlsys --help"] = _process_s([mlsys, "--help"], cold_runs)
    peer = peer_timings(peers, calls) if peers else {}
    tool = peer.get("tool", "MLSys·im")
    yield f"single configurations: median of {calls} varied calls (cold: of {cold_runs} processes)"
    if not peers:
        yield "(no peer interpreter: give --peers PATH or set MLSYS_PEERS_PYTHON)"
    elif "error" in peer:
        yield f"(the peer's run failed: {peer['error']})"
    yield f"{'call':<24}{'ours':>10}{'target':>10}  {'meets':<6}{tool + ' call':<28}{'peer':>10}{'ours/peer':>11}"
    for name, seconds in ours.items():
        target = SINGLE_TARGETS_S[name]
        other = peer.get(PEER_CALLS.get(name, ""))
        theirs, ratio = ((_ms(other), f"{seconds / other:.2f}") if isinstance(other, float) else
                         ("-" if other is None else "error", "-"))
        yield (f"{name:<24}{_ms(seconds):>10}{_ms(target):>10}  {'yes' if seconds <= target else 'NO':<6}"
               f"{PEER_CALLS.get(name, '-'):<28}{theirs:>10}{ratio:>11}")
    for name, other in peer.items():
        if isinstance(other, str) and name != "tool":
            yield f"peer {name}: {other}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def load_benchmark(points: int = 20, requests: int = 4000) -> Iterator[str]:
    """Wall 7's closed form beside the discrete-event simulation of the same policy at ``points``
    loads from near idle to 90 % of the configuration's own capacity (issue 12 item 4): the tested
    configuration, then two others (long prompts with short answers; a 70B model on tp = 4)."""
    from pipeline.catalogs.load import load_catalogs
    from pipeline.validation.load_check import CONFIGURATION, FRAMEWORK, OTHERS, compare

    fractions = [0.9 * (k + 1) / points for k in range(points)]
    columns = ("ttft_p50_s", "ttft_p99_s", "ttft_mean_s", "tpot_under_load_s")
    for axes in (CONFIGURATION, *OTHERS):
        started = time.perf_counter()
        rows = compare(fractions, load_catalogs(), axes=axes, requests=requests)
        yield f"{FRAMEWORK}, {', '.join(f'{k}={v[0]}' for k, v in axes.items())}; {requests} requests a point"
        yield "load   rate/s  batch  TTFT p50 ms (DES)   err   TTFT p99 ms (DES)   err   TPOT ms (DES)     err"
        for r in rows:
            yield (f"{r['fraction']:4.0%} {r['request_rate']:8.2f} {r['batch_in_flight']:6.1f}"
                   f"  {r['ttft_p50_s'] * 1e3:7.1f} ({r['des_ttft_p50_s'] * 1e3:7.1f}) {r['error_ttft_p50_s']:+6.1%}"
                   f"  {r['ttft_p99_s'] * 1e3:7.1f} ({r['des_ttft_p99_s'] * 1e3:7.1f}) {r['error_ttft_p99_s']:+6.1%}"
                   f"  {r['tpot_under_load_s'] * 1e3:6.2f} ({r['des_tpot_under_load_s'] * 1e3:6.2f})"
                   f" {r['error_tpot_under_load_s']:+6.1%}")
        for column in columns:
            errors = [abs(r[f"error_{column}"]) for r in rows]
            yield (f"{column}: median |error| {statistics.median(errors):.1%}, max {max(errors):.1%}, "
                   f"within 10 %: {sum(e <= 0.10 for e in errors)}/{len(errors)}")
        yield f"{time.perf_counter() - started:.1f} s"
        yield ""


SERVE_PLAN_GPUS = (8, 64, 160)  # one node, 8 nodes, 20 nodes of 8 H100s


def serve_plan_benchmark() -> Iterator[str]:
    """``mlsys serve-plan``'s search speed (issue 16 item 6: >= 1 M candidate deployments in under
    10 s): Llama 3.1 70B on H100s, ISL 1,024 / OSL 256, bf16 and fp8, the default batches and
    rates, at growing GPU counts; wall and CPU seconds of the serving sweep and of the search."""
    from pipeline.report.serve_plan import Request, plan

    yield "GPUs  candidates (aggregated + disaggregated)  sweep s  search s  search s/M candidates  process CPU s"
    for gpus in SERVE_PLAN_GPUS:
        cpu = time.process_time()
        result = plan(Request("Llama 3.1 70B", "H100 SXM5 80GB", gpus, 0.5, 0.03, isl=1024, osl=256))
        cpu = time.process_time() - cpu
        n = sum(result.candidates.values())
        parts = " + ".join(f"{v:,}" for v in result.candidates.values())
        yield (f"{gpus:4d}  {n:>10,} ({parts})  {result.seconds['sweep']:7.2f}  {result.seconds['search']:8.2f}  "
               f"{result.seconds['search'] / n * 1e6:20.2f}  {cpu:13.2f}")


VALIDATE_SEED = 12  # the rows `mlsys bench --validate` samples: one fixed draw, so runs compare


def validate_benchmark(rows: int = 250, runs_: int = 3, seed: int = VALIDATE_SEED) -> Iterator[str]:
    """``mlsys validate --measured <csv>`` end to end in a fresh process (imports, predictions, calibration,
    report and scatter), ``runs_`` times, on ``rows`` rows of the measurements catalog drawn with a fixed
    ``seed`` (all of them when ``rows`` >= the catalog's): wall seconds of each run, their minimum (the
    machine may be shared) and the peak RSS of the processes (issue 12: <= 5 s on 250 rows)."""
    import os

    from pipeline.catalogs.io import export_csv

    scratch = Path(tempfile.mkdtemp(prefix="mlsys-bench-validate-"))
    try:
        catalog = pl.read_csv(export_csv("measurements", scratch / "catalog"), infer_schema=False)
        sample = catalog if rows >= catalog.height else catalog.sample(rows, seed=seed)
        measured = scratch / "measured.csv"
        sample.write_csv(measured)
        argv = [str(Path(sys.executable).with_name("mlsys")), "validate", "--measured", str(measured),
                "--out", str(scratch / "out")]
        drawn = "all rows" if rows >= catalog.height else f"seed {seed}"
        yield f"mlsys validate --measured <{sample.height} of {catalog.height} catalog rows, {drawn}>"
        times = []
        for k in range(runs_):
            started, cpu = time.perf_counter(), _children_cpu_s()
            subprocess.run(argv, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
            yield f"run {k + 1}: {times[-1]:.2f} s wall, {_children_cpu_s() - cpu:.2f} CPU s (all threads)"
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        yield (f"min {min(times):.2f} s, median {statistics.median(times):.2f} s wall; peak RSS {peak:,.0f} MB; "
               f"load average {load} ({os.cpu_count()} CPUs)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
