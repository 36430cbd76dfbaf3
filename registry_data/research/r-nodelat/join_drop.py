"""Which dimension joins DuckDB drops from a query that reads none of their columns, over a run's parts: each view
joins the fact parts with the grouped dimension tables on ``=`` (no NULL-safe form), and the query reads fact columns
only. Prints the joins left in each plan. usage: join_drop.py RUN (a run written with written_f64.patch)"""
import sys

import duckdb

run = sys.argv[1].rstrip('/') + '/'
con = duckdb.connect()
fact = (f"read_parquet('{run}study=node/*/*.parquet', hive_partitioning = true, "
        "hive_types = {'study': VARCHAR, 'hardware': VARCHAR})")
HW, MODEL = ['hardware', 'workload', 'compute_dtype'], ['model', 'workload', 'step', 'batch', 'seq_len']


def table(side, keys, value):
    group = ', '.join(keys)
    return (f"(select {group}, any_value({value}) {value} from read_parquet('{run}dimensions/node-{side}.parquet') "
            f"group by {group})")


def join(alias, side, keys, value, left='f'):
    return f"left join {table(side, keys, value)} {alias} on " + ' and '.join(f'{left}.{k} = {alias}.{k}' for k in keys)


cols = ['model', 'workload', 'step', 'batch', 'seq_len', 'latency_s', 'is_feasible']
fcols = ', '.join(f'f.{c}' for c in cols)
h, m = join('h', 'hardware', HW, 'tdp_w'), join('m', 'model', MODEL, 'step_flop')
inner = (f"(select f.hardware, f.compute_dtype, {fcols}, m.step_flop from {fact} f {m}) x")
views = {
    'hardware join only': f"select {fcols}, h.tdp_w from {fact} f {h}",
    'model join only': f"select {fcols}, m.step_flop from {fact} f {m}",
    'hardware, then model': f"select {fcols}, h.tdp_w, m.step_flop from {fact} f {h} {m}",
    'model, then hardware': f"select {fcols}, h.tdp_w, m.step_flop from {fact} f {m} {h}",
    'model in a subquery, then hardware': (f"select {', '.join(f'x.{c}' for c in cols)}, x.step_flop, h.tdp_w "
                                           f"from {inner} {join('h', 'hardware', HW, 'tdp_w', 'x')}"),
}
print('duckdb', duckdb.__version__)
for name, view in views.items():
    con.execute(f"create or replace view v as {view}")
    plan = con.sql("explain select model, count(*), min(latency_s) from v where is_feasible group by all").fetchall()
    print(f"{name:36s} joins left: {plan[0][1].count('Join')}")
