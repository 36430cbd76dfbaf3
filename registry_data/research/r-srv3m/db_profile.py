"""create_database over a bench run's parts (symlinked), CPU s (mean of N) and a cProfile of the last, by cumulative
time: PYTHONPATH=TREE python db_profile.py RUN N"""
import cProfile, pstats, statistics, sys, tempfile, time
from pathlib import Path
from pipeline.runs import database, write
from pipeline.runs.typed import output_dictionary
from pipeline.catalogs.load import load_catalogs

run, n = Path(sys.argv[1]), int(sys.argv[2])
hashes = [p.stem for p in (run / "catalogs").glob("*.parquet")]
times = []
for i in range(n):
    tmp = Path(tempfile.mkdtemp(prefix="srv3m-db-"))
    (tmp / "catalogs").symlink_to(run / "catalogs")
    (tmp / "study=serving").symlink_to(run / "study=serving"); (tmp / "dimensions").symlink_to(run / "dimensions")
    pr = cProfile.Profile() if i == n - 1 else None
    t = time.process_time()
    if pr: pr.enable()
    database.create_database(tmp, database.run_views(tmp, "serving", hashes),
                             {"column_dictionary": output_dictionary()})
    if pr: pr.disable()
    times.append(time.process_time() - t)
print("CPU s", " ".join(f"{x:.3f}" for x in times), "median", round(statistics.median(times), 3))
pstats.Stats(pr).sort_stats("cumtime").print_stats(30)
