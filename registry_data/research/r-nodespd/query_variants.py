"""CPU seconds of ``design_space_map``'s variants over a written node run (``make_run.py``), on one read-only
connection, alternated, min / median of N (README section 2); ``same`` says whether a variant's rows equal the
query's as it is (where it should).

    .venv/bin/python registry_data/research/r-nodespd/query_variants.py RUN_DIR [N] [THREADS]
"""
import os
import resource
import sys
from pathlib import Path

import duckdb

SQL = (Path(__file__).resolve().parents[3] / "sql" / "design_space_map.sql").read_text()
FACT = ("read_parquet('study=node/*/*.parquet', hive_partitioning = true, "
        "hive_types = {'study': VARCHAR, 'hardware': VARCHAR})")
HW = ("(select hardware, workload, compute_dtype, any_value(tdp_w) tdp_w "
      "from read_parquet('dimensions/node-hardware.parquet') group by all)")
MODEL = "read_parquet('dimensions/node-model.parquet')"
PRECISIONS = "compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4')"
W = f"where is_feasible and (workload <> 'training' or {PRECISIONS})"
FW = f"where f.is_feasible and (f.workload <> 'training' or f.{PRECISIONS})"
KEYS = "model, workload, step, batch, seq_len"
FKEYS = "f.model, f.workload, f.step, f.batch, f.seq_len"
F = f"feasible as (select * from node {W})"
G = f"select {KEYS}, count(*)"


def struct(fields: str, by: str) -> str:
    names = {"h": "hardware", "c": "compute_dtype", "b": "bound"}
    return "{'by': " + by + "".join(f", '{k}': {names[k]}" for k in fields) + "}"


def minima(fields: str) -> str:
    return (f"with {F} {G}, min({struct(fields, 'latency_s')}), min({struct(fields, '-samples_per_j')}) "
            "from feasible group by all")


VALUE = "{'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound}"
VARIANTS = {
    "parts alone": f"select {KEYS}, count(*), min(compute_time_s) from {FACT} f {W} group by {KEYS}",
    "+ hardware join": f"select {FKEYS}, count(*), min(compute_time_s * h.tdp_w) from {FACT} f left join {HW} h on "
                       f"f.hardware = h.hardware and f.workload = h.workload and f.compute_dtype = h.compute_dtype "
                       f"{FW} group by {FKEYS}",
    "+ model join": f"select {FKEYS}, count(*), min(compute_time_s * h.tdp_w * m.n_layers) from {FACT} f left join "
                    f"{HW} h on f.hardware = h.hardware and f.workload = h.workload and f.compute_dtype = "
                    f"h.compute_dtype left join {MODEL} m on " + " and ".join(
                        f"f.{k} is not distinct from m.{k}" for k in KEYS.split(", ")) + f" {FW} group by {FKEYS}",
    "view, count": f"with {F} {G} from feasible group by all",
    "view, double mins": f"with {F} {G}, min(latency_s), min(-samples_per_j) from feasible group by all",
    "view, min(bound)": f"with {F} {G}, min(bound) from feasible group by all",
    "struct {by}": minima(""),
    "struct {by, hardware}": minima("h"),
    "struct {by, bound}": minima("b"),
    "struct {by, hardware, dtype}": minima("hc"),
    "struct {by, hardware, dtype, bound}": minima("hcb"),
    "arg_min by the double (ties: any row)": f"with {F} {G}, min(latency_s), arg_min({VALUE}, latency_s), "
                                             f"min(-samples_per_j), arg_min({VALUE}, -samples_per_j) "
                                             "from feasible group by all",
    "arg_min by {by, hardware, dtype}": f"with {F} {G}, arg_min({VALUE}, {struct('hc', 'latency_s')}) filter (where "
                                        f"latency_s is not null), arg_min({VALUE}, {struct('hc', '-samples_per_j')}) "
                                        "filter (where samples_per_j is not null) from feasible group by all",
    "the query as it is": SQL,
    "same: grouped without workload": SQL.replace(
        "        model, workload, step, batch, seq_len,\n        count(*) as feasible_configurations,",
        "        model, step, batch, seq_len, any_value(workload) as workload,\n"
        "        count(*) as feasible_configurations,").replace("    group by all\n",
                                                              "    group by model, step, batch, seq_len\n"),
    "same: CASE, not FILTER": SQL.replace(
        "min({'by': latency_s, 'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound})\n"
        "            filter (where latency_s is not null)",
        "min(case when latency_s is not null then {'by': latency_s, 'hardware': hardware, 'compute_dtype': "
        "compute_dtype, 'bound': bound} end)").replace(
        "min({'by': -samples_per_j, 'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound})\n"
        "            filter (where samples_per_j is not null)",
        "min(case when samples_per_j is not null then {'by': -samples_per_j, 'hardware': hardware, "
        "'compute_dtype': compute_dtype, 'bound': bound} end)"),
    "materialized, two passes": f"""with feasible as materialized (select {KEYS}, hardware, compute_dtype, bound,
        latency_s, samples_per_j from node {W}),
      r as ({G} as n, min(latency_s) as fl, min(-samples_per_j) as fe from feasible group by all),
      a as (select {FKEYS}, min({{'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound}}) as s
            from feasible f join r on f.model = r.model and f.workload = r.workload and f.step = r.step
            and f.batch = r.batch and f.seq_len is not distinct from r.seq_len and f.latency_s = r.fl group by all)
      select * from r left join a using ({KEYS})""",
    "window + qualify": f"""with {F}, q as (select {KEYS}, hardware, compute_dtype, bound, latency_s, samples_per_j,
        count(*) over w as n, min(latency_s) over w as fl, min(-samples_per_j) over w as fe from feasible
        window w as (partition by {KEYS}) qualify latency_s = fl or -samples_per_j = fe)
      select {KEYS}, any_value(n), min({struct('hcb', 'latency_s')}) filter (where latency_s = fl),
        min({struct('hcb', '-samples_per_j')}) filter (where -samples_per_j = fe) from q group by all""",
}


def cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def alternate(con, variants: dict, n: int) -> tuple[dict, dict]:
    """Each variant's CPU s on ``con``, the variants alternated, N rounds; and each one's rows (of the last round)."""
    seconds, rows = {k: [] for k in variants}, {}
    for _ in range(n):
        for name, sql in variants.items():
            c = cpu()
            rows[name] = con.sql(sql).fetchall()
            seconds[name].append(cpu() - c)
    return seconds, rows


def report(seconds: dict, rows: dict, preview: bool = False) -> None:
    """min / median CPU s a variant (its rows' first 60 characters if PREVIEW); ``same`` variants: whether their rows
    equal the query's as it is (r-trspd's query_variants.py prints the previews)."""
    for name, values in seconds.items():
        values.sort()
        shown = f" {str(rows[name])[:60]}" if preview else ""
        same = f"  same rows: {rows[name] == rows['the query as it is']}" if name.startswith("same") else ""
        print(f"{name:40s} {values[0]:.3f} / {values[len(values) // 2]:.3f}{shown}{same}")


if __name__ == "__main__":
    os.chdir(sys.argv[1])  # the views' paths are relative to the run folder
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    config = {"threads": int(sys.argv[3])} if len(sys.argv) > 3 else {}
    con = duckdb.connect("results.duckdb", read_only=True, config=config)
    report(*alternate(con, VARIANTS, n))
