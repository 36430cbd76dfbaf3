"""Where the training bench's end-to-end wall and CPU go: ``runs.run`` of ``mlsys bench --study training``'s spec and
the ``fastest_layouts`` query, each stage stamped (wall and this process's CPU, all threads, from the run's start).
Two repetitions in one process, per-key tables let go before each (as ``mlsys bench`` does).

    PYTHONPATH=TREE .venv/bin/python registry_data/research/r-trspd/timeline.py [BATCHES] [REPS]

BATCHES 1: the bench's spec at --rows 3000000 (7,114,116 rows). r-nodespd/timeline.py loaded by path, for training.
"""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "r_nodespd_timeline", Path(__file__).resolve().parent.parent / "r-nodespd" / "timeline.py")
timeline = importlib.util.module_from_spec(spec)
spec.loader.exec_module(timeline)

if __name__ == "__main__":
    timeline.main("training", "fastest_layouts", 1)
