"""The Parquet write's CPU by column group: the bench spec's 7 typed chunks collected once, then each chunk's
accelerators written as parts (zstd at the run's level, statistics, the run's row groups; no Arrow schema: its
metadata is not the cost) with every column and without each group, medians of N rounds (3):
`PYTHONPATH=TREE python write_columns.py [N]`."""
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from pipeline.runs import partitions, sizing
import common
from common import cpu

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3
ctx = common.chunk_context()
pieces = sizing.pieces(ctx.sp, "serving", hardware_side=ctx.side, key="hardware", cut=False)
chunks = [common.typed_chunk(ctx, hw).collect(optimizations=ctx.flags) for hw, _ in pieces]
options = {"compression": "zstd", "compression_level": partitions.COMPRESSION_LEVELS.get("zstd"), "statistics": True,
           "row_group_size": partitions.ROW_GROUP_ROWS}
columns = chunks[0].columns
GROUPS = {"none": [], "elasticities": [c for c in columns if c.startswith("elasticity_")],
          "prefill 3 classes": [c for c in columns if c.startswith("prefill_") and c.endswith("class_time_s")],
          "prefill comm": ["prefill_communication_time_s"],
          "decode mlp+other+comm": ["decode_mlp_class_time_s", "decode_other_class_time_s",
                                    "decode_communication_time_s"],
          "decode attention": ["decode_attention_class_time_s"], "itl+ttft": ["itl_s", "ttft_s"],
          "constants": ["decode_dequant_overhead_s", "attention_dp_stall_s", "cluster_override"],
          "hardware keys but 2": ["weight_dtype", "kv_dtype", "cluster_override"],
          "enums+bools": ["bound", "ttft_bound", "binding_input", "fits_in_hbm", "is_feasible"]}


def write_all(drop):
    d = Path(tempfile.mkdtemp(prefix="wc-"))
    c = cpu()
    for i, rows in enumerate(chunks):
        rows = rows.drop(drop)
        for start, length in sizing.runs_of(rows.get_column("hardware")):
            rows.slice(start, length).drop("hardware").write_parquet(d / f"{i}-{start}.parquet", **options)
    t = cpu() - c
    size = sum(f.stat().st_size for f in d.glob("*.parquet"))
    shutil.rmtree(d)
    return t, size


res = {g: [] for g in GROUPS}
sizes = {}
for _ in range(N):
    for g, drop in GROUPS.items():
        t, sizes[g] = write_all(drop)
        res[g].append(t)
base = statistics.median(res["none"])
print(f"{sum(c.height for c in chunks):,} rows, {len(chunks)} chunks; all columns {base:.3f} CPU s, "
      f"{sizes['none'] / 1e6:.1f} MB")
for g, v in res.items():
    print(f"  without {g:22s} {statistics.median(v):.3f} (-{base - statistics.median(v):.3f})  "
          f"-{(sizes['none'] - sizes[g]) / 1e6:.1f} MB")
