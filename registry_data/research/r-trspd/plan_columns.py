"""CPU seconds of the training bench's streamed plan (``runs.run`` with the parts not written) computing every
written column, and computing all but a set of them (the plan's output cut by a select: polars prunes what only those
columns read), alternated in one process, per-key tables let go before each.

    PYTHONPATH=TREE .venv/bin/python registry_data/research/r-trspd/plan_columns.py [ROUNDS] [BATCHES]
"""
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.runs import partitions, streamed
from pipeline.spec import parse_spec
from pipeline.studies import per_key

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
batches = int(sys.argv[2]) if len(sys.argv) > 2 else 1
ELASTIC = ["elasticity_peak_flop_per_s", "elasticity_network_speed", "elasticity_global_batch", "elasticity_seq_len"]
TIMES = ["compute_time_s", "tp_comm_time_s", "cp_comm_time_s", "ep_comm_time_s", "pipeline_bubble_time_s",
         "pp_p2p_time_s", "dp_allreduce_time_s", "dp_exposed_time_s", "communication_time_s"]
VARIANTS = {"every written column": [], "without the elasticities": ELASTIC,
            "without scaling_efficiency": ["scaling_efficiency"], "without bound": ["bound"],
            "without the elasticities, scaling_efficiency, bound, step_time_s, the times": [
                *ELASTIC, "scaling_efficiency", "bound", "step_time_s", *TIMES]}
ALL = [*ELASTIC, "scaling_efficiency", "bound", "step_time_s", *TIMES]
if len(sys.argv) > 3 and sys.argv[3] == "each":  # each of those columns alone (with the keys and is_feasible)
    VARIANTS = {"none of them": ALL} | {f"only {c}": [o for o in ALL if o != c] for c in ALL}
if len(sys.argv) > 3 and sys.argv[3] == "some":  # the times section 2 of the README compares
    SOME = ["compute_time_s", "tp_comm_time_s", "pipeline_bubble_time_s", "pp_p2p_time_s", "dp_allreduce_time_s"]
    VARIANTS = {"every written column": [], "none of them": ALL} | {
        f"only {c}": [o for o in ALL if o != c] for c in SOME}
prepared = runs.prepare(parse_spec(synthetic_spec(batches, "training")
                                   | {"output": {"compression": packaged_codec("training")}}, "bench"))
partitions.write_parts = lambda *a, **k: ([], {"partitions": {}, "ranges": {}})
original = streamed.piece_rows
left_out: list[str] = []


def cut(space, pieces, plan, optimizations, source_rows=None):
    def fewer(whole):
        frame = plan(whole)
        return frame.select(c for c in frame.collect_schema().names() if c not in left_out)
    return original(space, pieces, fewer, optimizations, source_rows)


streamed.piece_rows = cut


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


seen = {k: [] for k in VARIANTS}
for r in range(rounds):
    for name, columns in VARIANTS.items():
        left_out[:] = columns
        per_key.forget()
        d = Path(tempfile.mkdtemp(prefix="trspd-cols-"))
        c = cpu()
        try:
            runs.run(prepared, d)
        except Exception as exc:  # the manifest's checks of what was written: the plan ran before
            print(f"  ({type(exc).__name__}: {str(exc)[:80]})")
        seen[name].append(cpu() - c)
        shutil.rmtree(d)
        print(f"round {r + 1} {name:40s} {seen[name][-1]:.2f} CPU s", flush=True)
for name, values in seen.items():
    print(f"{name:40s} min {min(values):.2f} CPU s")
