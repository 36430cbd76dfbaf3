"""Mixtral 8x7B rows of a `mlsys validate --out DIR` run, by source (the row's source_url up to its repository or
site, and its framework) and metric, at catalog η: rows, median |error| and median signed error; then the MLPerf
v4.1 Offline rows of Mixtral 8x7B and Llama 2 70B on H100 / H200 one by one (is the gap MoE-specific?).
Run from the repository root: .venv/bin/python registry_data/research/r-mixfp8/mixtral_rows.py DIR
"""

from __future__ import annotations

import glob
import sys

import polars as pl


def read(directory: str) -> pl.DataFrame:
    path = glob.glob(f"{directory}/validation/*/validation.parquet")
    if len(path) != 1:
        raise ValueError(f"{directory}: expected one validation/*/validation.parquet, found {len(path)}")
    return pl.read_parquet(path[0]).filter(pl.col("error_pct").is_not_null())


def source() -> pl.Expr:
    """github.com/owner/repo, or the site, of source_url."""
    url = pl.col("source_url").str.replace(r"^https?://", "")
    repo = url.str.extract(r"^(github\.com/[^/]+/[^/]+)")
    return pl.coalesce(repo, url.str.extract(r"^([^/]+)"))


def main() -> None:
    pl.Config.set_tbl_rows(80)
    pl.Config.set_tbl_width_chars(250)
    pl.Config.set_fmt_str_lengths(70)
    v = read(sys.argv[1])
    mix = v.filter(pl.col("model") == "Mixtral 8x7B").with_columns(source=source())
    print(mix.group_by("metric", "source", "framework").agg(
        n=pl.len(), abs_median=pl.col("abs_error_pct").median().round(1),
        signed_median=pl.col("error_pct").median().round(1)).sort("metric", "n", descending=[False, True]))
    agg = {"n": pl.len(), "abs_median": pl.col("abs_error_pct").median().round(1),
           "signed_median": pl.col("error_pct").median().round(1)}
    print(mix.group_by("metric").agg(**agg).sort("metric"))
    trt = mix.filter(pl.col("framework") == "TensorRT-LLM")
    print("TensorRT-LLM rows only:")
    print(trt.group_by("metric").agg(**agg).sort("metric"))
    print("TensorRT-LLM tokens_per_s by accelerator, compute dtype and tp:")
    print(trt.filter(pl.col("metric") == "tokens_per_s").group_by("hardware", "compute_dtype", "tp").agg(**agg)
          .sort("hardware", "compute_dtype", "tp"))
    v41 = v.filter(pl.col("source_url").str.contains("inference_results_v4.1") & (pl.col("metric") == "tokens_per_s")
                   & pl.col("scenario").str.to_lowercase().eq("offline")
                   & pl.col("model").is_in(["Mixtral 8x7B", "Llama 2 70B"])
                   & pl.col("hardware").str.contains("H100|H200"))
    print(v41.select("model", "hardware", "name", "compute_dtype", "tp", "batch_used", "measured", "predicted",
                     pl.col("error_pct").round(1)).sort("model", "hardware"))


if __name__ == "__main__":
    main()
