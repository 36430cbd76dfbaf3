"""The rows of the PCIe-only and NVLink-bridge accelerators of a validation run (L40S, L4, H100 PCIe, H100 NVL, ...)
by hardware, framework, tp, model, metric and scenario: rows, rows predicted, median / min / max signed error (%).

    .venv/bin/python -m pipeline validate --out DIR
    .venv/bin/python registry_data/research/r-pcie/rows_by_tp.py DIR
"""
import sys, duckdb
p = f"{sys.argv[1]}/validation/*/validation.parquet"
con = duckdb.connect()
q = f"""
select hardware, framework, tp, model, metric, scenario, count(*) n, count(predicted) pred,
 round(median(error_pct),1) med_err, round(min(error_pct),1) lo, round(max(error_pct),1) hi
from '{p}' where hardware in ('L40S', 'L4', 'H100 PCIe 80GB', 'H100 NVL 94GB', 'A100 PCIe 80GB', 'L40', 'A10G',
                              'RTX 4090', 'H200 NVL 141GB', 'A40', 'A30')
group by all order by hardware, framework, tp, model, metric"""
for r in con.sql(q).fetchall(): print(r)
