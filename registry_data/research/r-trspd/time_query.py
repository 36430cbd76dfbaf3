"""CPU seconds of ``fastest_layouts`` (or another query) over a written run, N times in one process: r-nodespd's
time_query.py loaded by path, with ``fastest_layouts`` the default query.

    .venv/bin/python registry_data/research/r-trspd/time_query.py RUN_DIR [N] [QUERY] [SQL_FOLDER]
"""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "r_nodespd_time_query", Path(__file__).resolve().parent.parent / "r-nodespd" / "time_query.py")
time_query = importlib.util.module_from_spec(spec)
spec.loader.exec_module(time_query)

if __name__ == "__main__":
    time_query.main("fastest_layouts")
