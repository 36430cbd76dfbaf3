"""FP4 GEMMs without split-K: one tile's whole K loop per SM per wave, plus a fixed time per call (issue 15 part,
fp4floor; a check on the kernel rows of r-kernels/gemm.csv, not wired into the model).

gemm_fit's shape model splits K when C has fewer tiles than SMs (CUTLASS split-K / stream-K) and prices each
tile's fixed cost as K / (K + k_half). The FP4 rows say the block-scaled kernels at small M do neither: at M = 1
FlashInfer's mm_fp4 time grows with K (4.2 µs at K = 1,024, 9.3-11.2 at 7,168) and not with N (PR #2540), which is
one 128 x 128 tile walking its whole K loop on one SM: K x 2 x 128 x 128 / (peak / SMs) = 3.9 µs at K = 7,168 on
B200, / the FP4 ceiling, + a fixed per-call time. The form here:

    time = α + max(waves x K x 2 tile_m tile_n / (peak / SMs) / best_fraction, bytes / (bandwidth x 0.8))

waves = ceil(ceil(M / tile_m) ceil(N / tile_n) / SMs), M padded to tile_m (UMMA's 128 rows). best_fraction: the
fastest published FP4 shape of the other sources (achieved / peak); α: the median residual of the other sources'
rows at that fraction (each source held out in turn). Tiles 128 x 128, 128 x 256 and 256 x 256 are printed.
Usage (repository root): python registry_data/research/r-fp4b/tile_check.py
"""

import polars as pl

from pipeline.validation import gemm_fit as g

SMS = 148.0  # B200 (sm_count.csv), the only FP4 hardware with rows
BANDS = pl.when(pl.col("M") < 256).then(pl.lit("M < 256")).when(pl.col("M") < 1024).then(pl.lit("256-1023")) \
    .otherwise(pl.lit(">= 1024"))


def core_s(tile_m: int, tile_n: int, best: float) -> pl.Expr:
    """The form's time without α."""
    waves = ((pl.col("M") / tile_m).ceil() * (pl.col("N") / tile_n).ceil() / SMS).ceil()
    loop = pl.col("K") * 2.0 * tile_m * tile_n / (pl.col("peak_flop_per_s") / SMS)
    stream = pl.col("bytes") / (pl.col("memory_bandwidth_bytes_per_s") * g.FIT_BANDWIDTH_FRACTION)
    return pl.max_horizontal(waves * loop / best, stream)


def held_out(tile_m: int, tile_n: int) -> pl.DataFrame:
    rows = g.shaped_rows_of(g.kernel_rows(), own=True).with_columns(
        measured_s=2.0 * pl.col("M") * pl.col("N") * pl.col("K") / pl.col("achieved_flop_per_s"),
        fraction=pl.col("achieved_flop_per_s") / pl.col("peak_flop_per_s"))
    out = []
    for source in rows["source"].unique().sort():
        train, test = rows.filter(pl.col("source") != source), rows.filter(pl.col("source") == source)
        best = float(train["fraction"].max())
        alpha = float(train.select(pl.col("measured_s") - core_s(tile_m, tile_n, best)).median().item())
        out.append(test.select("source", "M", "N", "K", "measured_s", alpha_us=pl.lit(alpha * 1e6),
                               error=(core_s(tile_m, tile_n, best) + alpha) / pl.col("measured_s") - 1.0))
    return pl.concat(out).with_columns(band=BANDS)


def main() -> None:
    stats = ((pl.col("error").abs().median() * 100).round(1).alias("abs_pct"),
             (pl.col("error").median() * 100).round(1).alias("signed_pct"))
    with pl.Config(tbl_rows=50, tbl_width_chars=160):
        for tile in ((128, 128), (128, 256), (256, 256)):
            held = held_out(*tile)
            print(f"tile {tile[0]} x {tile[1]}: all rows", held.select(pl.len(), *stats).row(0))
            print(held.group_by("band").agg(pl.len(), *stats).sort("band"))
            print(held.group_by("source").agg(pl.len(), pl.col("alpha_us").first().round(2), *stats).sort("source"))


if __name__ == "__main__":
    main()
