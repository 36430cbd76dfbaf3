"""Held-out FP4 GEMM-time error on the kernel rows (r-kernels/gemm.csv), by M band, for three forms of the FP4
GEMM's time (issue 15 part, fp4floor):

- "fit": gemm_fit's own prediction, max(2MNK / (peak x shape η), bytes / (bandwidth x 0.8)), no fixed time;
- "catalog α": the serving roofline with the hardware's memory_latency_s (B200: fitted on 16-bit / FP8 rows),
  max(compute, α + bytes / (bandwidth x 0.8)) - what r-fp4's patch gives FP4 GEMMs;
- "fp4 α": the same with FP4's own α (``pipeline.validation.gemm_fit_floor``), fitted on the other sources' FP4 rows;
- "both": that α on both sides, α + max(compute, bytes / (bandwidth x 0.8)) (not the serving roofline's form).

Each source is held out in turn (gemm_fit.fit on the other sources; the fp4 α on the other fp4 sources).
Usage (repository root): python registry_data/research/r-fp4b/floor_check.py
"""

import polars as pl

from pipeline.validation import gemm_fit as g
from pipeline.validation.gemm_fit_floor import own_call_latencies
from pipeline.validation.latency_fit import memory_latencies

BANDS = pl.when(pl.col("M") < 256).then(pl.lit("M < 256")).when(pl.col("M") < 1024).then(pl.lit("256-1023")) \
    .otherwise(pl.lit(">= 1024"))


def held_out(rows: pl.DataFrame) -> pl.DataFrame:
    fp4 = rows.filter(g.is_shaped_fit_row() & (pl.col("precision") == "fp4"))
    out = []
    for source in fp4["source"].unique().sort():
        train = rows.filter(pl.col("source") != source)
        k_half, default, ceil = g.fit(train)
        held = g.shaped_rows_of(fp4.filter(pl.col("source") == source), own=True)
        pred = g.predict_time(held, ceil, default, k_half)
        hw_alpha = memory_latencies(g.shaped_rows_of(train)).select("hardware", a_cat="memory_latency_s")
        own_alpha = own_call_latencies(g.shaped_rows_of(train, own=True)).select("hardware", a_own="memory_latency_s")
        flop = 2.0 * pl.col("M") * pl.col("N") * pl.col("K")
        compute = flop / (pl.col("peak_flop_per_s") * pl.col("efficiency"))
        stream = pl.col("bytes") / (pl.col("memory_bandwidth_bytes_per_s") * g.FIT_BANDWIDTH_FRACTION)
        out.append(pred.join(hw_alpha, on="hardware", how="left").join(own_alpha, on="hardware", how="left")
                   .with_columns(pl.col("a_cat", "a_own").fill_null(0.0)).select(
            "source", "library", "M", "N", "K", "measured_s", fit=pl.col("error"),
            cat=pl.max_horizontal(compute, pl.col("a_cat") + stream) / pl.col("measured_s") - 1.0,
            own=pl.max_horizontal(compute, pl.col("a_own") + stream) / pl.col("measured_s") - 1.0,
            both=(pl.col("a_own") + pl.max_horizontal(compute, stream)) / pl.col("measured_s") - 1.0,
            a_own_us=pl.col("a_own") * 1e6))
    return pl.concat(out).with_columns(band=BANDS)


def main() -> None:
    held = held_out(g.kernel_rows())
    cols = [agg for c in ("fit", "cat", "own", "both")
            for agg in ((pl.col(c).abs().median() * 100).round(1).alias(f"{c}_abs"),
                        (pl.col(c).median() * 100).round(1).alias(f"{c}_signed"))]
    with pl.Config(tbl_rows=200, tbl_cols=20, tbl_width_chars=200):
        print(held.group_by("band").agg(pl.len(), *cols).sort("band"))
        print(held.select(pl.lit("all").alias("band"), pl.len(), *cols))
        print(held.group_by("source").agg(pl.len(), pl.col("a_own_us").first().round(2), *cols).sort("source"))


if __name__ == "__main__":
    main()
