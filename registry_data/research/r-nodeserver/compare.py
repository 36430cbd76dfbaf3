"""Node-study MLPerf Server rows (BERT-Large / ResNet-50 samples_per_s) before -> after the Server-scenario term, from
two `mlsys validate --out DIR` runs (README.md here): median abs error at catalog eta and cross-validated, by group,
and per row the signed error and the model's Server / Offline-priced ratio (after / before predicted).

    .venv/bin/python registry_data/research/r-nodeserver/compare.py /tmp/nodeserver-val0 /tmp/nodeserver-val2
"""

from __future__ import annotations

import glob
import sys

import duckdb


def table(directory: str) -> str:
    found = sorted(glob.glob(f"{directory}/validation/*/validation.parquet"))
    if not found:
        raise SystemExit(f"{directory}: no validation/*/validation.parquet (run `mlsys validate --out {directory}`)")
    return found[-1]


def main(before: str, after: str) -> None:
    con = duckdb.connect()
    con.execute(f"""create view j as select a.name, a.model, a.hardware, a.study, a.scenario, a.metric,
        a.error_pct e0, b.error_pct e1, a.cv_abs_error_pct cv0, b.cv_abs_error_pct cv1, a.batch_used b0,
        b.batch_used b1, b.predicted / a.predicted ratio from '{table(before)}' a join '{table(after)}' b using (line)""")
    server = "metric = 'samples_per_s' and scenario = 'server' and model in ('BERT-Large', 'ResNet-50')"
    groups = {"all rows": "true", "all samples_per_s": "metric = 'samples_per_s'", "node Server rows": server,
              "BERT Server": f"{server} and model = 'BERT-Large'", "ResNet-50 Server": f"{server} and model = 'ResNet-50'"}
    print("group | rows | median abs error % at catalog eta before -> after | cross-validated before -> after")
    for label, where in groups.items():
        n, a0, a1, c0, c1 = con.execute(f"""select count(e0), median(abs(e0)), median(abs(e1)), median(cv0),
            median(cv1) from j where {where}""").fetchone()
        print(f"{label} | {n} | {a0:.2f} -> {a1:.2f} | {c0:.2f} -> {c1:.2f}")  # medians over rows with both
    better = con.execute(f"select count(*) filter (abs(e1) < abs(e0)), count(*) from j where {server}").fetchone()
    print(f"Server rows closer to their measurement: {better[0]} of {better[1]}")
    print("model | hardware | signed error % before -> after | batch before -> after | Server / Offline-priced")
    for r in con.execute(f"""select model, hardware, e0, e1, b0, b1, ratio from j where {server}
                            order by model, hardware, name""").fetchall():
        e0, e1, b0, b1, ratio = (("-" if v is None else format(v, f)) for v, f in zip(
            r[2:], ("+.1f", "+.1f", ".0f", ".0f", ".3f"), strict=True))
        print(f"{r[0]} | {r[1]} | {e0} -> {e1} | {b0} -> {b1} | {ratio}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
