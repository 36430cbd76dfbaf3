"""CPU of the node plan's per-row columns beyond the fact table's, on the bench's chunks as the writer plans them
(each accelerator's rows together): each set of columns collected over every chunk, two rounds; CPU s of this
process (getrusage, all threads) and wall. Run from a tree (its code is measured): plan_cost.py SET [SET ...]
sets: fact (what the fact table writes today), lat, spj (latency_s and samples_per_j), all3 (and bound), bound,
mem (memory_time_s), et (elementwise_time_s), fixed (step_fixed_time_s), host (step_host_time_s), terms (those
four and gradient_exposed_time_s), eager (latency's eager form from the terms), forms (graphed_form, kernel_form;
prints how many rows take each)."""
import resource
import sys
import time
from dataclasses import replace

import polars as pl

sys.path.insert(0, '.')
from pipeline import runs  # noqa: E402
from pipeline.bench import synthetic_spec  # noqa: E402
from pipeline.spec import parse_spec  # noqa: E402
from pipeline.studies import node, operations  # noqa: E402

# the step form's terms are not outputs: the plan is asked for them too (and not checked against the schema)
EXTRA = ['step_fixed_time_s', 'step_host_time_s', 'graphed_form', 'kernel_form']
build = operations.build
node.operations.build = lambda frame, units, schema, ops, registry, wanted, *a, **k: build(
    frame, units, schema, ops, registry, [*wanted, *EXTRA], *a, **k)
node.check_plan = lambda *a: None


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


prepared = runs.prepare(parse_spec(synthetic_spec(34, 'node'), 'bench'))  # the bench's 10,242,296 rows
planned = replace(prepared.space, grouped_by='hardware')
base = ['compute_time_s', 'is_feasible', 'model', 'batch']
terms = ['memory_time_s', 'elementwise_time_s', 'step_fixed_time_s', 'step_host_time_s', 'gradient_exposed_time_s']
SETS = {'fact': base, 'lat': base + ['latency_s'], 'spj': base + ['latency_s', 'samples_per_j'],
        'all3': base + ['latency_s', 'samples_per_j', 'bound'], 'bound': base + ['bound'],
        'mem': base + ['memory_time_s'], 'et': base + ['elementwise_time_s'], 'fixed': base + ['step_fixed_time_s'],
        'host': base + ['step_host_time_s'], 'terms': base + terms, 'eager': base + terms + ['eager'],
        'forms': base + ['graphed_form', 'kernel_form']}
eager = (pl.max_horizontal('compute_time_s', 'memory_time_s') + pl.col('elementwise_time_s')
         + pl.col('step_fixed_time_s') + pl.col('step_host_time_s') + pl.col('gradient_exposed_time_s')).alias('eager')
for rnd in range(2):
    for name in sys.argv[1:]:
        t, c, taken = time.perf_counter(), cpu(), [0, 0]
        for hw, _ in runs.chunks(prepared.space):
            frame = prepared.study.build(planned, hw).frame
            out = (frame.with_columns(eager) if name == 'eager' else frame).select(SETS[name]).collect(
                optimizations=prepared.study.OPTIMIZATIONS)
            if name == 'forms':
                taken = [taken[0] + (out['graphed_form'].sum() or 0), taken[1] + (out['kernel_form'].sum() or 0)]
        print(rnd, f'{name:6s} wall {time.perf_counter() - t:.2f} cpu {cpu() - c:.2f}',
              f'graphed, kernel-priced rows {taken}' if name == 'forms' else '', flush=True)
