"""Write the training bench's run (``mlsys bench --study training --rows 3000000``'s spec) into OUT, to time queries.

    .venv/bin/python registry_data/research/r-trspd/make_run.py OUT [BATCHES]
"""
import sys
from pathlib import Path

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.spec import parse_spec

batches = int(sys.argv[2]) if len(sys.argv) > 2 else 1
spec = synthetic_spec(batches, "training") | {"output": {"compression": packaged_codec("training")}}
prepared = runs.prepare(parse_spec(spec,
                                   "bench"))
print(prepared.rows, runs.run(prepared, Path(sys.argv[1])))
