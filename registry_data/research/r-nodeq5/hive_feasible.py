"""A node run's parts split by feasibility into Hive folders (is_feasible=true|false, the column out of the
files), written by polars as the writer writes parts; the map over it through the node view's SELECT with the
partition key typed BOOLEAN. usage: hivefeas.py SRC_RUN DST_RUN ROUNDS (prints the write CPU of both layouts)"""
import glob
import os
import resource
import shutil
import sys

import polars as pl
src, dst, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
shutil.rmtree(dst, ignore_errors=True)
shutil.copytree(src, dst, ignore=shutil.ignore_patterns("part-*.parquet"))
files = sorted(glob.glob(f"{src}/study=node/*/*.parquet"))
parts = [(os.path.relpath(f, src), pl.read_parquet(f)) for f in files]
options = dict(compression="zstd", compression_level=1, row_group_size=512 * 1024,
               statistics={"min": False, "max": False, "distinct_count": False, "null_count": True})
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
def plain(root):
    for rel, p in parts:
        p.write_parquet(f"{root}/{rel}", **options)
def split(root):
    for rel, p in parts:
        folder, name = os.path.split(rel)
        for flag in (True, False):
            piece = p.filter(pl.col("is_feasible") == flag).drop("is_feasible")
            if len(piece):
                os.makedirs(f"{root}/{folder}/is_feasible={str(flag).lower()}", exist_ok=True)
                piece.write_parquet(f"{root}/{folder}/is_feasible={str(flag).lower()}/{name}", **options)
again = f"{dst}-as-written"  # the parts as written, written again: the write's CPU to compare
for rel, _ in parts:
    os.makedirs(f"{again}/{os.path.dirname(rel)}", exist_ok=True)
res = {"as written": [], "split": []}
for r in range(rounds):
    for name in (("as written", "split") if r % 2 == 0 else ("split", "as written")):
        c = cpu()
        plain(again) if name == "as written" else split(dst)
        res[name].append(cpu() - c)
for k, v in res.items():
    print(k, " ".join(f"{x:.3f}" for x in v))
