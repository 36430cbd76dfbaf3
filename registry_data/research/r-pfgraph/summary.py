"""Before/after medians of the TTFT and ITL rows, from two ``rows.py`` outputs: the InferenceX rows (r-infx's 75
DeepSeek-R1 closed-loop points) by framework and hardware, and the MLPerf vLLM / SGLang rows apart.

    .venv/bin/python registry_data/research/r-pfgraph/summary.py BEFORE.parquet AFTER.parquet"""

from __future__ import annotations

import sys

import polars as pl


def main(before: str, after: str) -> None:
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_tbl_formatting("MARKDOWN")
    b, a = pl.read_parquet(before), pl.read_parquet(after)
    j = b.join(a.select("name", pl.col("predicted").alias("after"), pl.col("error_pct").alias("err_after")),
               on="name").with_columns(
        source=pl.when(pl.col("source_url").str.contains("InferenceX")).then(pl.lit("InferenceX"))
        .when(pl.col("source_url").str.contains("mlcommons")).then(pl.lit("MLPerf")).otherwise(pl.lit("other")))
    stats = [pl.len().alias("rows"), pl.col("predicted").is_not_null().sum().alias("predicted"),
             pl.col("error_pct").median().round(1).alias("signed_before"),
             pl.col("err_after").median().round(1).alias("signed_after"),
             pl.col("error_pct").abs().median().round(1).alias("abs_before"),
             pl.col("err_after").abs().median().round(1).alias("abs_after")]
    infx = j.filter(pl.col("source") == "InferenceX")
    for metric in ("ttft_s", "itl_s"):
        m = infx.filter(pl.col("metric") == metric)
        print(f"\n{metric}, InferenceX rows by framework and hardware")
        print(m.group_by("framework", "hardware").agg(stats).sort("framework", "hardware"))
        print(f"{metric}, all InferenceX rows")
        print(m.select(stats))
    mlperf = j.filter((pl.col("source") == "MLPerf") & pl.col("framework").is_in(["vLLM", "SGLang"]))
    print("\nMLPerf vLLM / SGLang rows")
    print(mlperf.group_by("metric", "framework", "model").agg(stats).sort("metric", "framework", "model"))
    print("\nevery row of the metric (the catalog-wide median)")
    print(j.group_by("metric").agg(stats).sort("metric"))


if __name__ == "__main__":
    main(*sys.argv[1:3])
