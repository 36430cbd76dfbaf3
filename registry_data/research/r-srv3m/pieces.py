"""CPU s (process, all threads) of the serving bench's fixed pieces, each alone, warm (median of N):
PYTHONPATH=TREE python pieces.py N"""
import datetime as dt, shutil, statistics, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "r-srvspd"))
from common import cpu, prepared, grouped
from pipeline.runs import incremental, narrow, write, manifest, partitions
from pipeline.runs.typed import typed, text_codes, arrow_schema, PARTITION_KEY
from pipeline.studies import per_key, schema_columns

n = int(sys.argv[1])
p = prepared()
res = {}
def timed(name, f):
    c, t = cpu(), time.perf_counter()
    r = f()
    res.setdefault(name, []).append((cpu() - c, time.perf_counter() - t))
    return r
for rep in range(n):
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix="srv3m-pc-"))
    timed("write_catalogs", lambda: write.write_catalogs(p.catalogs, d / "catalogs"))
    timed("run_id", lambda: manifest.run_id(p, dt.datetime.now(dt.UTC)))
    timed("model_lengths", lambda: write.model_lengths(p))
    timed("partition_inputs", lambda: incremental.partition_inputs(p))
    enums, space, side, sp = timed("block_space+sorted_side", lambda: grouped(p))
    plan = timed("first plan (build, tables)", lambda: p.study.build(space, side.head(0)))
    dtypes = timed("collect_schema", lambda: plan.frame.collect_schema())
    shape = timed("narrow.layout", lambda: narrow.layout(p, dtypes, None))
    texts = text_codes([p.space.hardware_side, p.space.model_side], ())
    empty = timed("typed empty", lambda: typed(plan.frame, "serving", "rid", texts, shape, enums, dtypes)
                  .drop("hardware").collect_schema())
    declared = schema_columns(p.study.SCHEMA)
    import polars as pl
    schema = arrow_schema(pl.LazyFrame(schema=empty), {c: x["unit"] for c, x in declared.items()},
                          {c: x["description"] for c, x in declared.items()})
    options = partitions.parquet_options(schema, "zstd")
    timed("write_dimensions", lambda: narrow.write_dimensions(p, shape, texts, d, options))
    shutil.rmtree(d)
for k, v in res.items():
    print(f"{k:32s} CPU {statistics.median(x[0] for x in v):.3f}  wall {statistics.median(x[1] for x in v):.3f}  "
          f"(CPU {' '.join(f'{x[0]:.3f}' for x in v)})")
