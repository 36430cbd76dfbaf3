"""Side by side with the tools people use today: MLSys·im 0.3.0 (``mlsysim``) and llm-analysis 0.2.2
predict the same measurement rows as our validation, and the report puts their error and speed
next to ours. An optional benchmark, not part of CI: the peers live in their own virtual
environment (``python3 -m venv /tmp/peers-venv && /tmp/peers-venv/bin/pip install mlsysim==0.3.0
llm-analysis==0.2.2``) and run in a subprocess (``runner.py`` beside this module), so neither environment ever
imports the other.

Each row is given to a tool through our catalogs' dimensions (layers, width, heads, FFN, vocabulary;
peak FLOP/s per precision, memory bandwidth and capacity, links), not through the tools' own
name tables, in the configuration our validation builds for it (``validation.predict.measurement_spec``: the same
batch rule, batch grid, sequence length and parallel layout). Where a tool has no way to say what
the row measured, its prediction is null and ``note`` says ``cannot express ...``; otherwise
``note`` says what was mapped. Both tools are run at their own default efficiencies unless
``efficiency`` gives one per row (the CLI's ``--eta ours`` passes our profile's η).

    python -m pipeline.validation.peers [--measured FILE] [--python PATH] [--eta ours] --out DIR
"""

from pipeline.validation.peers.adapters import TOOLS, jobs
from pipeline.validation.peers.answers import PEERS_PYTHON
from pipeline.validation.peers.compare import main, run_ours, run_peers, summary

__all__ = ["PEERS_PYTHON", "TOOLS", "jobs", "main", "run_ours", "run_peers", "summary"]
