"""The serving study's lengths: prompt_len x output_len from the axes, or a workloads catalog row's
mean lengths and the spread wall 7 reads (axes.dataset)."""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.load import Catalogs
from pipeline.errors import InputError, Problem
from pipeline.spec import SweepSpec

LENGTHS = ("prompt_len", "output_len")  # set by axes.dataset when given
SPREAD_COLUMNS = ["input_tokens_std", "output_tokens_std", "input_output_correlation"]  # workloads catalog
SPREAD = {"dataset": None, "input_tokens_std": "tok", "output_tokens_std": "tok", "input_output_correlation": ""}


def lengths(catalogs: Catalogs, spec: SweepSpec) -> pl.DataFrame:
    """prompt_len x output_len from the axes, or one row per named dataset: its mean lengths
    (rounded to whole tokens) and the spread wall 7's service-time variability reads."""
    if spec.axes.dataset is None:
        grid = pl.DataFrame({"prompt_len": list(spec.axes.prompt_len)}, schema={"prompt_len": pl.Int64}).join(
            pl.DataFrame({"output_len": list(spec.axes.output_len)}, schema={"output_len": pl.Int64}),
            how="cross", maintain_order="left_right")
        return grid.with_columns(pl.lit(None, dtype=pl.String if u is None else pl.Float64).alias(name)
                                 for name, u in SPREAD.items())
    rows = catalogs.workloads.filter(pl.col("name").is_in(list(spec.axes.dataset)))
    problems = [Problem(None, "axes.dataset", f"{r['name']!r} cannot set {length}: the workloads catalog's {mean} "
                                              "is unpublished (null); give axes.prompt_len and axes.output_len "
                                              "instead")
                for r in rows.iter_rows(named=True)
                for length, mean in (("prompt_len", "input_tokens_mean"), ("output_len", "output_tokens_mean"))
                if r[mean] is None]
    if problems:
        raise InputError("sweep spec", problems)
    order = pl.DataFrame({"name": list(dict.fromkeys(spec.axes.dataset))})
    return order.join(rows, on="name", how="left", maintain_order="left").select(
        pl.col("input_tokens_mean").round(0).cast(pl.Int64).alias("prompt_len"),
        pl.col("output_tokens_mean").round(0).cast(pl.Int64).alias("output_len"),
        pl.col("name").alias("dataset"), *SPREAD_COLUMNS)
