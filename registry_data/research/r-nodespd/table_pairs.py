"""The model classes of the kernel-fit η groups on the bench spec of BATCHES batch sizes and their pairs at 102 and 73
hardware classes, against ``per_key.MAX_TABLE_ROWS`` (README section 3): ``PYTHONPATH=. python .../table_pairs.py 100``
(the 30 M-row spec)."""
import sys
from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import node, node_graphs, per_key
b = int(sys.argv[1])
p = runs.prepare(parse_spec(synthetic_spec(b), "bench"))
space = p.space
print(p.rows, "rows; model side", space.model_side.height, "MAX_TABLE_ROWS", per_key.MAX_TABLE_ROWS)
for name in node.SHARED:
    mkeys = list(node_graphs.keys_read(name, {c: space.units.get(c) for c in space.model_side.columns}))
    m = space.model_side.select(mkeys).unique().height
    print(name, "model classes", m, "pairs at 102 / 73 hardware classes:", 102 * m, 73 * m)
