"""FP4 GEMMs on the kernel fit with an FP4 coefficient of their own (issue 12 part, fp4gemm): a trial, not applied.

The catalog's k_half coefficient (pipeline.validation.gemm_fit.fit) is fitted on the bf16/fp16/fp8/int8 shaped rows;
fp4 rows (gemm.csv: vLLM PR #20578, DeepGEMM PR #348, FlashInfer PR #1979, torchao PR #2427) are predicted held out
at it. Here the fp4 rows get their own coefficient (same grid, same loss: median |log time ratio|), fitted with each
fp4 source left out in turn, and the held-out fp4 GEMM-time error is printed per row. Result (README.md section 2):
it trades the large-M rows for the small-M ones and closes neither (M < 256 still ~70 % too fast).

Usage (from the repository root): python registry_data/research/r-fp4/fp4_fit.py
"""

import math

import polars as pl

from pipeline.validation import gemm_fit as g

FP4 = pl.col("precision") == "fp4"


def fp4_coefficient(rows: pl.DataFrame) -> tuple[float, pl.DataFrame]:
    """The k_half coefficient minimising the fp4 shaped rows' median |log time ratio|, and the fp4 ceilings at it."""
    shaped = rows.filter(g.is_shaped_fit_row() & FP4)
    best = (math.inf, 0.0, None)
    for k in g.K_HALF_GRID:
        ceil = g.ceilings(rows, k)
        loss = g.predict_time(shaped, ceil, g.mamf_median(ceil, "ceiling"), k).select(
            (pl.col("predicted_s") / pl.col("measured_s")).log().abs().median()).item()
        if loss < best[0]:
            best = (loss, k, ceil)
    return best[1], best[2]


def held_out(rows: pl.DataFrame) -> pl.DataFrame:
    out = []
    for source in rows.filter(g.is_shaped_fit_row() & FP4)["source"].unique().sort():
        k, ceil = fp4_coefficient(rows.filter(pl.col("source") != source))
        held = rows.filter(g.is_shaped_fit_row() & FP4 & (pl.col("source") == source))
        out.append(g.predict_time(held, ceil, g.mamf_median(ceil, "ceiling"), k).with_columns(coefficient=k))
    return pl.concat(out)


if __name__ == "__main__":
    pl.Config.set_tbl_rows(40)
    pl.Config.set_tbl_width_chars(200)
    rows = g.kernel_rows()
    k, ceil = fp4_coefficient(rows)
    held = held_out(rows)
    print(f"fp4 coefficient (all fp4 sources): {k:.3f} (catalog's, other precisions: {g.fit(rows)[0]:.3f})")
    print(ceil.filter(pl.col("precision") == "fp4"))
    print(held.select("source", "library", "M", "N", "K", "coefficient",
                      (pl.col("achieved_flop_per_s") / pl.col("peak_flop_per_s")).round(3).alias("measured_fraction"),
                      pl.col("error").round(3)).sort("source", "M"))
    print("fp4 held-out median |error|:", round(held["error"].abs().median(), 4),
          "signed:", round(held["error"].median(), 4),
          "M >= 256:", round(held.filter(pl.col("M") >= 256)["error"].abs().median(), 4))
