"""fits (sql/fits.sql) against two forms of its longest context, CPU s of `run_query` (a fresh confined connection
each), medians of 9, alternated, answers equal (default parameters and 4 others): `PYTHONPATH=TREE python
fits_variants.py RUN`. v1: the longest context as one ungrouped max over serving_keys and the candidates filtered on
it; v2: that max, then the pairs at it (a second scan) semi-joined as fits does."""
import resource
import statistics
import sys
import tempfile
from pathlib import Path

from pipeline.runs import database

run = Path(sys.argv[1])
sql = database.query_path("fits").read_text()
old = sql[sql.index("at_lengths as ("):sql.index("fewest as (")]
longest = """longest as (
    select case when $context_tokens = 0 then max(prompt_len + output_len) else $context_tokens end as context
    from serving_keys
),

"""
folder = Path(tempfile.mkdtemp())
(folder / "fits_v1.sql").write_text(sql.replace(old, longest + """at_context as (
    select * from candidates where context_tokens = (select context from longest)
),

"""))
(folder / "fits_v2.sql").write_text(sql.replace(old, longest + """at_lengths as (
    select distinct prompt_len, output_len from serving_keys
    where prompt_len + output_len = (select context from longest)
),

at_context as (
    select * from candidates semi join at_lengths using (prompt_len, output_len)
),

"""))


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


names = {"fits": None, "fits_v1": folder, "fits_v2": folder}
for params in ({}, {"batch": "8"}, {"context_tokens": "2048"}, {"model": "Llama 3.1 8B"}, {"context_tokens": "99"}):
    want = database.run_query("fits", run, params)
    assert all(database.run_query(n, run, params, folder=f).equals(want) for n, f in names.items()), params
res = {n: [] for n in names}
for _ in range(9):
    for n, f in names.items():
        c = cpu()
        database.run_query(n, run, folder=f)
        res[n].append(cpu() - c)
print({n: round(statistics.median(v), 4) for n, v in res.items()})
