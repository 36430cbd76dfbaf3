"""The fits variants `fits_variants.py` compares, on a copy of a run: `PYTHONPATH=TREE python variants_setup.py RUN_COPY
OLD_FITS_SQL OUT` writes into RUN_COPY the run's (prompt_len, output_len) pairs of its fact rows
(dimensions/serving-lengths.parquet, 12 on the serving bench's run) and the views `serving_lengths` over it and (if
the database lacks it) `serving_memory` (`views.memory_source`), and under OUT four folders of fits.sql: `base`
(OLD_FITS_SQL, main's), `len` (its pairs from serving_lengths, not from serving_keys grouped), `mem` (its rows from
serving_memory, not serving), `both`."""
import sys
from pathlib import Path

import polars as pl

from pipeline.runs import database, views

run, old, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).read_text(), Path(sys.argv[3])
pairs = pl.scan_parquet(sorted(run.glob("study=serving/*/*.parquet"))).select("prompt_len", "output_len").unique()
pairs.sort("prompt_len", "output_len").collect().write_parquet(run / "dimensions" / "serving-lengths.parquet")
con = database.connect(run, read_only=False)
con.execute("CREATE OR REPLACE VIEW serving_lengths AS "
            "SELECT * FROM read_parquet('dimensions/serving-lengths.parquet')")
if not con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'serving_memory'").fetchall()[0][0]:
    con.execute(f"CREATE VIEW serving_memory AS {views.memory_source(run, '', 'serving')}")
con.close()
start, end = old.index("at_lengths as ("), old.index("at_context as (")
lengths = old[:start] + """at_lengths as (
    select prompt_len, output_len
    from serving_lengths
    qualify prompt_len + output_len = case when $context_tokens = 0
                                           then max(prompt_len + output_len) over ()
                                           else $context_tokens end
),

""" + old[end:]
for name, sql in {"base": old, "len": lengths, "mem": old, "both": lengths}.items():
    if name in ("mem", "both"):
        sql = sql.replace("select * from serving\n", "select * from serving_memory\n")
    (out / name).mkdir(parents=True, exist_ok=True)
    (out / name / "fits.sql").write_text(sql)
