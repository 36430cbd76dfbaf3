"""The length-biased decode context of every workloads-catalog row with a published output spread, by hand from its
moments (r-lenbias README): E[P] + E[L]/2 at the means, then + rho sd_P sd_L / E[L] + sd_L^2 / (2 E[L]).
`.venv/bin/python registry_data/research/r-lenbias/bias_table.py`"""

from __future__ import annotations

import polars as pl

if __name__ == "__main__":
    w = pl.read_parquet("registry_data/workloads.parquet").filter(
        pl.col("output_tokens_std").is_not_null() & pl.col("input_tokens_mean").is_not_null())
    p, l_, sp, sl = (pl.col(c) for c in ("input_tokens_mean", "output_tokens_mean", "input_tokens_std",
                                         "output_tokens_std"))
    rho = pl.col("input_output_correlation").fill_null(0)
    out = w.select("name", p.alias("P"), l_.alias("L"), sp.alias("sd_P"), sl.alias("sd_L"), rho.alias("rho"),
                   (p + l_ / 2).round(1).alias("means"), (rho * sp.fill_null(0) * sl / l_).round(1).alias("corr_term"),
                   (sl * sl / (2 * l_)).round(1).alias("var_term"))
    out = out.with_columns((pl.col("means") + pl.col("corr_term") + pl.col("var_term")).round(1).alias("biased"),
                           ((pl.col("corr_term") + pl.col("var_term")) / pl.col("means") * 100).round(1).alias("pct"))
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, tbl_formatting="MARKDOWN",
                   tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        print(out)
