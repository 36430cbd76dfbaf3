"""The marginal CPU of the fact table's columns in a chunk's collect: `PYTHONPATH=TREE python column_cost.py [N]`.
One chunk (hardware rows 20-39 of the bench spec's first block, typed as the run types it), collected with every
column and without each group of columns (projection pushdown drops what only those read), medians of N (5)."""
import statistics
import sys

import common
from common import cpu

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ctx = common.chunk_context()
p, sp, side = ctx.p, ctx.sp, ctx.side
flags = ctx.flags
hw = side.slice(20, 20)
frame = common.typed_chunk(ctx, hw)
columns = frame.collect_schema().names()
ELAST = [c for c in columns if c.startswith("elasticity_")]
GROUPS = {"none": [], "elasticities": ELAST, "binding_input": ["binding_input"],
          "prefill classes": [c for c in columns if c.startswith("prefill_") and c.endswith("class_time_s")],
          "prefill comm": ["prefill_communication_time_s"],
          "decode mlp+other": ["decode_mlp_class_time_s", "decode_other_class_time_s"],
          "decode comm": ["decode_communication_time_s"],
          "decode attention": ["decode_attention_class_time_s"],
          "constants": ["decode_dequant_overhead_s", "attention_dp_stall_s", "cluster_override"],
          "hardware keys but 2": ["weight_dtype", "kv_dtype", "cluster_override"],
          "bounds": ["bound", "ttft_bound"], "fits": ["fits_in_hbm", "is_feasible"],
          "itl+ttft": ["itl_s", "ttft_s"],
          "all but keys": [c for c in columns if c not in ctx.shape.keys["model"] + ctx.shape.keys["hardware"]
                           and c not in ("run_id",)]}
res = {g: [] for g in GROUPS}
rows = 0
for i in range(N):
    for g, drop in GROUPS.items():
        f = frame.select([c for c in columns if c not in drop])
        c = cpu(); out = f.collect(optimizations=flags); res[g].append(cpu() - c); rows = out.height
base = statistics.median(res["none"])
print(f"{rows:,} rows; {len(columns)} columns; all: {base:.3f} CPU s")
for g, v in res.items():
    print(f"  without {g:18s} {statistics.median(v):.3f}  (-{base - statistics.median(v):.3f})")
