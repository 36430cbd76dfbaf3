"""Write the node bench's 3 M-row run (``mlsys bench --study node --rows 3000000``'s spec) into OUT, to time queries.

    .venv/bin/python registry_data/research/r-nodespd/make_run.py OUT [BATCHES]
"""
import sys
from pathlib import Path

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.spec import parse_spec

batches = int(sys.argv[2]) if len(sys.argv) > 2 else 11
prepared = runs.prepare(parse_spec(synthetic_spec(batches) | {"output": {"compression": packaged_codec("node")}},
                                   "bench"))
print(prepared.rows, runs.run(prepared, Path(sys.argv[1])))
