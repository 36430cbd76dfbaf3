"""Each per-key table of the 10 M-row serving bench's first block (serial: ``per_key.THREADED_PAIRS`` = 0): the
group's columns, hardware x model classes, pairs, and its ``_table`` CPU s (parts and inner tables included),
then the build's whole CPU s: `PYTHONPATH=TREE:. python tables10.py [BLOCK]`."""
import sys

import common
from common import cpu
from pipeline.runs import sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key

p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
blocks = list(sizing.model_blocks(p.space, "serving", True))
block = blocks[int(sys.argv[1]) if len(sys.argv) > 1 else 0]
per_key.THREADED_PAIRS = 0
table = per_key._table
depth = [0]
rows = []


def timed(group, htable, mtable, rechunk=True):
    depth[0] += 1
    c = cpu()
    out = table(group, htable, mtable, rechunk)
    depth[0] -= 1
    rows.append((depth[0], cpu() - c, htable.height, mtable.height, len(group.columns), group.columns[0],
                 len(group.parts), len(group.inner)))
    return out


per_key._table = timed
total = common.first_build_cpu(p, block, enums)
for d, t, h, m, n, first, parts, inner in rows:
    print(f"{'  ' * d}{t:.3f} CPU s  {h:>4} x {m:>6,} = {h * m:>9,} pairs  {n:>3} columns ({first}...)"
          f"{f' {parts} parts' if parts else ''}{f' {inner} inner' if inner else ''}")
print(f"top-level tables {sum(t for d, t, *_ in rows if d == 0):.3f} CPU s of the build's {total:.3f}; "
      f"pairs {sum(h * m for d, _, h, m, *_ in rows if d == 0):,} (top level)")
