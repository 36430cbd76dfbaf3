"""Where the node bench's end-to-end wall and CPU go: ``runs.run`` of ``mlsys bench --study node``'s spec and the
``design_space_map`` query, each stage stamped (wall and this process's CPU, all threads, from the run's start).
Two repetitions in one process, per-key tables let go before each (as ``mlsys bench`` does).

    PYTHONPATH=TREE .venv/bin/python registry_data/research/r-nodespd/timeline.py [BATCHES] [REPS]

BATCHES 11: the 3 M-row bench (3,287,592 rows); 34: the default 10 M rows.
"""
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import polars as pl

events = []
t0 = [0.0, 0.0]


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def thread_cpu():
    """CPU seconds of each of this process's threads by name (/proc/self/task/*/stat, clock ticks)."""
    import os
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            stat = open(f"/proc/self/task/{tid}/stat").read()
        except FileNotFoundError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[f"{name}/{tid}"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def mark(what):
    events.append((time.perf_counter() - t0[0], cpu() - t0[1], threading.current_thread().name[:16], what))


def wrap(mod, name, label):
    f = getattr(mod, name)

    def g(*a, **k):
        mark(f"{label} start")
        try:
            return f(*a, **k)
        finally:
            mark(f"{label} end")
    setattr(mod, name, g)


def main(study="node", query="design_space_map", default_batches=11):
    """``runs.run`` of ``mlsys bench --study STUDY``'s spec at BATCHES (argv 1) and QUERY, stamped, REPS (argv 2) times
    (r-trspd's timeline.py: the training study and ``fastest_layouts``)."""
    from pipeline import runs
    from pipeline.bench import packaged_codec, synthetic_spec
    from pipeline.runs import database, incremental, narrow, partitions, write
    from pipeline.spec import parse_spec
    from pipeline.studies import per_key

    batches = int(sys.argv[1]) if len(sys.argv) > 1 else default_batches
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    c = cpu()
    spec = synthetic_spec(batches, study) | {"output": {"compression": packaged_codec(study)}}
    p = runs.prepare(parse_spec(spec, "bench"))
    print(f"{p.rows:,} rows; prepare {cpu() - c:.2f} CPU s")
    wrap(p.study, "build", "build")
    wrap(partitions, "write_parts", "write_parts")
    wrap(narrow, "write_dimensions", "dimensions")
    wrap(narrow, "layout", "layout")
    wrap(database, "create_database", "database")
    wrap(incremental, "partition_inputs", "inputs hash")
    wrap(write, "write_catalogs", "catalogs")
    wrap(write, "manifest", "manifest")
    collect = pl.LazyFrame.collect

    def timed_collect(self, *a, **k):
        mark("collect start")
        r = collect(self, *a, **k)
        mark(f"collect end {r.height}")
        return r
    pl.LazyFrame.collect = timed_collect
    for rep in range(reps):
        per_key.forget()
        events.clear()
        d = Path(tempfile.mkdtemp(prefix=f"{study}-tl-"))
        t0[:] = [time.perf_counter(), cpu()]
        before = thread_cpu()
        run_dir = runs.run(p, d)
        mark("run end")
        after = thread_cpu()
        database.run_query(query, run_dir)
        mark("query end")
        done = thread_cpu()
        shutil.rmtree(d)
        print(f"-- repetition {rep + 1}: wall s, CPU s (all threads), thread, stamp")
        for w, cp, th, what in events:
            if what.startswith("collect") and (what.endswith(" end 1") or what.endswith(" end 0")):
                continue
            print(f"{w:6.3f} {cp:6.3f} {th:16s} {what}")
        print("-- CPU s by thread (live at the end of the run; ended threads missing): run, query")
        for k in sorted(done, key=lambda k: -(done[k] - before.get(k, 0))):
            run_s, query_s = after.get(k, 0) - before.get(k, 0), done[k] - after.get(k, 0)
            if run_s + query_s >= 0.01:
                print(f"  {k:32s} {run_s:5.2f} {query_s:5.2f}")


if __name__ == "__main__":
    main()
