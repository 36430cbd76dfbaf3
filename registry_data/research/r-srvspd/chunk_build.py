"""A chunk's build (20 hardware rows, tables cached) split by step, ms of CPU a build, 20 builds: `PYTHONPATH=TREE python chunk_build.py`"""
import statistics, collections, functools
from pipeline.studies import serving, hardware_runs, operations
import pipeline.studies as studies
from pipeline.runs import sizing, narrow, typed as typedmod
from pipeline.runs.typed import text_codes, typed
import common
from common import cpu
acc = collections.defaultdict(float)
def wrap(mod, name, label):
    f = getattr(mod, name)
    @functools.wraps(f)
    def g(*a, **k):
        c = cpu(); r = f(*a, **k); acc[label] += cpu() - c; return r
    setattr(mod, name, g)
wrap(hardware_runs, "runs", "hardware_runs.runs")
wrap(hardware_runs, "expanded", "hardware_runs.expanded")
wrap(serving, "_inputs", "serving._inputs")
wrap(serving, "check_plan", "check_plan") if hasattr(serving, "check_plan") else wrap(serving.serving_checked, "checked", "check_plan")
wrap(serving.operations, "build", "operations.build")
wrap(serving, "_run_keys", "_run_keys")
p = common.prepared()
enums, space, side, sp = common.grouped(p)
texts = text_codes([p.space.hardware_side, p.space.model_side], p.spec.axes.region or ())
plan = p.study.build(sp, side.head(0))
shape = narrow.layout(p, plan.frame.collect_schema(), None)
hw = side.slice(20, 20)
dt = plan.frame.collect_schema()
p.study.build(sp, hw)
acc.clear()
N = 20
c0 = cpu()
for i in range(N):
    f = p.study.build(sp, hw).frame
    c = cpu(); typed(f, "serving", "rid", texts, shape, enums, *([dt] if "schema" in typed.__code__.co_varnames else [])); acc["typed"] += cpu() - c
acc["TOTAL build+typed"] = cpu() - c0
print({k: round(v / N * 1000, 2) for k, v in sorted(acc.items(), key=lambda kv: -kv[1])}, "ms per build")
