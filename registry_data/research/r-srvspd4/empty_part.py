"""The parts of a node sweep whose every row is dropped (the empty part that keeps the schema queryable), each with
the first 16 hex digits of its sha256: `PYTHONPATH=TREE python empty_part.py`."""
import sys, hashlib, tempfile
from pathlib import Path
import pipeline
spec = {"axes": {"hardware": ["A100 SXM4 80GB"], "model": ["ResNet-50"], "compute_dtype": ["fp8"], "batch": [1, 2]}}
d = Path(tempfile.mkdtemp())
run = pipeline.run_sweep(spec, d / "out")
for p in sorted(run.glob("study=*/*/*.parquet")):
    print(p.relative_to(run), hashlib.sha256(p.read_bytes()).hexdigest()[:16])
