"""Not a test: the measurements behind CHANGELOG nodemap (design_space_map's group-by, reworded; not kept).

    .venv/bin/python -m pipeline bench --study node --rows 3000000 --out /tmp/nm   # a node bench run
    .venv/bin/python -m tests.runs.bench_node_map /tmp/nm/<run> 8                # rounds, alternated
    .venv/bin/python -m tests.runs.bench_node_map /tmp/nm/<run> 40 bind          # the two ways to run one

Times ``sql/design_space_map.sql`` and two rewordings of its ranking on the run (CPU s of this process, all
threads, and wall; each on its own confined connection, as ``run_query``), in an order that alternates by round,
after checking each answer equals the map's row for row. The map's two struct mins (``{by, hardware,
compute_dtype, bound}``: DuckDB builds a sort key of the three texts per row) cost ~0.2 of its ~0.6 CPU s; the
rewordings rank by a number instead, the (hardware, compute_dtype) pair's rank among the run's catalogs' names
(``hardware``, ``precisions``: a tie still goes to the first hardware, then precision, by name):

- ``rank, arg_min``: ``arg_min({hardware, compute_dtype, bound}, key)``, the key the value's exact HUGEINT
  (x 2^92: a positive double of 2^-28 .. 2^35 is an integer multiple of 2^12 there) plus the rank;
- ``rank, min``: ``min(key)`` (x 2^100, 16 bits free) with the bound's code in the key too, decoded after the
  group-by.

Both pay two hash joins on the fact rows for the rank, which eat what the plainer aggregate saves.

``bind``: ``run_query``'s ``con.sql(...).to_arrow_table()`` (the package's relation binds the SELECT to describe it,
then again to run it) against ``con.execute(...).to_arrow_table()`` (one bind, then a copy of the answer, which the
package warns about), on one connection: the map without its rows (``where batch < 0``: the binds through the node
view's macro and a scan of ``batch``) and 3.2 M rows of ``node_keys`` (the copy's cost).
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
import warnings
from pathlib import Path

import polars as pl

from pipeline.runs.database import confined, query_path

SCALE = "4951760157141521099596496896"  # 2^92: the key's low 12 bits free for the rank (< 2^12)
CODE_SCALE = "1267650600228229401496703205376"  # 2^100: 16 bits free for the rank and the bound's code
BOUNDS = "['capacity', 'compute', 'input pipeline', 'memory', 'overhead']"  # node's bound texts, for a code
RANKS = """,
hw as (select name as hardware, (row_number() over (order by name))::HUGEINT as r
       from (select distinct name from hardware)),
dt as (select name as compute_dtype, (row_number() over (order by name))::HUGEINT as r
       from (select distinct name from precisions)),
keyed as (
    select f.*, h.r * 64 + d.r as code
    from feasible f join hw h on f.hardware = h.hardware join dt d on f.compute_dtype = d.compute_dtype
)"""
ARG_MIN = f"""select model, workload, step, batch, seq_len, count(*) as feasible_configurations,
        arg_min({{'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound}},
                (latency_s * {SCALE})::HUGEINT + code) filter (where latency_s is not null) as fastest,
        min(latency_s) as fastest_latency_s,
        arg_min({{'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound}},
                (-samples_per_j * {SCALE})::HUGEINT + code) filter (where samples_per_j is not null) as most_efficient,
        max(samples_per_j) as efficient_samples_per_j
    from keyed group by all
)
select model, workload, step, batch, seq_len, feasible_configurations, fastest.hardware as fastest_hardware,
    fastest.compute_dtype as fastest_compute_dtype, fastest_latency_s, fastest.bound as fastest_bound,
    most_efficient.hardware as efficient_hardware, most_efficient.compute_dtype as efficient_compute_dtype,
    efficient_samples_per_j, most_efficient.bound as efficient_bound
from ranked order by model, workload, step, batch, seq_len nulls first"""
CODED = f"""select model, workload, step, batch, seq_len, count(*) as feasible_configurations,
        min((latency_s * {CODE_SCALE})::HUGEINT + code * 8 + list_position({BOUNDS}, bound))
            filter (where latency_s is not null) as fastest, min(latency_s) as fastest_latency_s,
        min((-samples_per_j * {CODE_SCALE})::HUGEINT + code * 8 + list_position({BOUNDS}, bound))
            filter (where samples_per_j is not null) as most_efficient, max(samples_per_j) as efficient_samples_per_j
    from keyed group by all
),
decoded as (
    select *, (((fastest % 65536) + 65536) % 65536) // 8 as fc, (((fastest % 8) + 8) % 8)::BIGINT as fb,
        (((most_efficient % 65536) + 65536) % 65536) // 8 as ec, (((most_efficient % 8) + 8) % 8)::BIGINT as eb
    from ranked
)
select model, workload, step, batch, seq_len, feasible_configurations,
    (select hardware from hw where hw.r = fc // 64) as fastest_hardware,
    (select compute_dtype from dt where dt.r = fc % 64) as fastest_compute_dtype, fastest_latency_s,
    {BOUNDS}[fb] as fastest_bound,
    (select hardware from hw where hw.r = ec // 64) as efficient_hardware,
    (select compute_dtype from dt where dt.r = ec % 64) as efficient_compute_dtype, efficient_samples_per_j,
    {BOUNDS}[eb] as efficient_bound
from decoded order by model, workload, step, batch, seq_len nulls first"""


def variants() -> dict[str, str]:
    """The map and its rewordings: its ``feasible`` CTE, then the ranks and a group-by of each."""
    sql = query_path("design_space_map").read_text()
    feasible = sql[:sql.index("),\n\nranked as (") + 1]
    return {"map": sql, "rank, arg_min": f"{feasible}{RANKS},\nranked as (\n    {ARG_MIN}",
            "rank, min": f"{feasible}{RANKS},\nranked as (\n    {CODED}"}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _answer(run: Path, sql: str) -> pl.DataFrame:
    con = confined(run, keys=False)
    try:
        return pl.from_arrow(con.sql(sql).to_arrow_table())
    finally:
        con.close()


def _executed(con, sql: str) -> pl.DataFrame:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)
        return pl.from_arrow(con.execute(sql).to_arrow_table())


def binds(run: Path, rounds: int) -> None:
    body = query_path("design_space_map").read_text()
    cases = {"map, no rows": f"select * from ({body[body.index('with feasible'):]}) where batch < 0",
             "node_keys rows": "select model, workload, step, batch, seq_len, hardware, compute_dtype from node_keys"}
    con = confined(run)
    try:
        for case, sql in cases.items():
            ways = {"relation": lambda: pl.from_arrow(con.sql(sql).to_arrow_table()),
                    "execute": lambda: _executed(con, sql)}
            if not ways["relation"]().equals(ways["execute"]()):
                raise SystemExit(f"{case}: the two ways differ")
            cpu: dict[str, list[float]] = {w: [] for w in ways}
            for k in range(rounds):
                for way in (list(ways) if k % 2 == 0 else list(reversed(ways))):
                    used = _cpu()
                    rows = ways[way]().height
                    cpu[way].append(_cpu() - used)
            print(f"{case} ({rows:,} rows): " + ", ".join(f"{w} {statistics.median(v):.4f}" for w, v in cpu.items())
                  + f" CPU s, medians of {rounds}")
    finally:
        con.close()


def main(run: Path, rounds: int) -> None:
    sqls = variants()
    reference = _answer(run, sqls["map"])
    for name, sql in sqls.items():
        if not _answer(run, sql).equals(reference):
            raise SystemExit(f"{name}: not the map's answer")
    cpu: dict[str, list[float]] = {n: [] for n in sqls}
    wall: dict[str, list[float]] = {n: [] for n in sqls}
    for k in range(rounds):
        for name in (list(sqls) if k % 2 == 0 else list(reversed(sqls))):
            started, used = time.perf_counter(), _cpu()
            _answer(run, sqls[name])
            cpu[name].append(_cpu() - used)
            wall[name].append(time.perf_counter() - started)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"{reference.height:,} rows, every answer equal; medians of {rounds} (load {load})")
    for name in sqls:
        print(f"{name:14s} {statistics.median(cpu[name]):.3f} CPU s  {statistics.median(wall[name]):.3f} s wall  "
              f"(CPU {min(cpu[name]):.3f}-{max(cpu[name]):.3f})")


if __name__ == "__main__":
    (binds if sys.argv[3:] == ["bind"] else main)(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 8)
