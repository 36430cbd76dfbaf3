"""The GEMM shape model against DeepGEMM's grouped FP8 GEMMs (H800, gemm.csv's grouped rows, left out of gemm_fit):
for each row the model's fraction of peak priced (a) as one group's GEMM alone (main: each expert its own launch)
and (b) as one launch over every group's tiles (r-infx's grouped_moe.patch: waves and split-K over G x the group's
tiles, the tile padding one group's), beside the measured fraction, and the same for the DeepGEMM dense rows of the
same N, K. Catalog parameters (kernel_efficiency.parquet, H100 SXM5 80GB = H800). Nothing fitted. Run from the
repository root: .venv/bin/python registry_data/research/r-moegemm/grouped_check.py
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.paths import bundled_registry
from pipeline.units import col
from pipeline.validation.gemm_fit import kernel_rows
from pipeline.walls.gemm import gemm_capped_efficiency, gemm_rows, gemm_split_k, gemm_tile_efficiency, gemm_tiles

PARAMS = ["units", "tile_m", "tile_n", "ceiling", "best_fraction", "k_half", "memory_fraction", "memory_latency_s"]
# the exponents tried for the compute / weight-streaming overlap ||(c, m)||_p (r-dsr1b's form; large p: the roofline)
P_GRID = [1.5, 2.0, 2.25, 2.5, 2.75, 3.0, 3.5, 4.0, 6.0, 1000.0]


def model_fraction(groups: str) -> pl.Expr:
    """``gemm_capped_efficiency`` of one launch over ``groups`` x one group's (M, N, K) tiles."""
    m, n, k = col("M", ""), col("N", ""), col("K", "")
    tm, tn, units = col("tile_m", ""), col("tile_n", ""), col("units", "")
    one = gemm_tiles(gemm_rows(m), n, tm, tn)
    tiles = one * col(groups, "")
    return gemm_capped_efficiency(m, n, k, units, tm, tn, col("ceiling", ""), col("k_half", ""),
                                  col("best_fraction", ""), tiles, gemm_split_k(tiles, k, units),
                                  gemm_tile_efficiency(gemm_rows(m), n, tm, tn, one)).expr


def table() -> pl.DataFrame:
    cat = pl.read_parquet(bundled_registry() / "kernel_efficiency.parquet").select("hardware", "precision",
                                                                                   *PARAMS)
    rows = kernel_rows().filter(pl.col("library") == "DeepGEMM").drop(
        [c for c in PARAMS if c in kernel_rows().columns])
    rows = rows.join(cat, on=["hardware", "precision"], how="left").with_columns(
        groups=pl.col("measurement_kind").str.extract(r"(\d+) groups").cast(pl.Float64).fill_null(1.0),
        layout=pl.col("measurement_kind").str.extract(r"\((\w+) layout\)").fill_null("dense"),
        one=1.0, version=pl.col("library_version").str.slice(7, 7))
    return rows.with_columns(
        measured=pl.col("achieved_flop_per_s") / pl.col("peak_flop_per_s"),
        alone=model_fraction("one"), grouped=model_fraction("groups"),
    ).with_columns(
        measured_s=pl.col("groups") * 2.0 * pl.col("M") * pl.col("N") * pl.col("K") / pl.col("achieved_flop_per_s"),
        compute_s=pl.col("groups") * 2.0 * pl.col("M") * pl.col("N") * pl.col("K")
        / (pl.col("peak_flop_per_s") * pl.col("grouped")),
        memory_s=pl.col("memory_latency_s") + pl.col("groups") * (pl.col("M") * pl.col("K") + pl.col("N") * pl.col("K")
                                                                   + 2.0 * pl.col("M") * pl.col("N"))
        / (pl.col("memory_bandwidth_bytes_per_s") * pl.col("memory_fraction")),
    ).with_columns(alone_over_measured=pl.col("alone") / pl.col("measured"),
                   grouped_over_measured=pl.col("grouped") / pl.col("measured")).select(
        "version", "layout", "groups", "M", "N", "K", "achieved_tflops", "measured", "alone", "grouped",
        "alone_over_measured", "grouped_over_measured", "measured_s", "compute_s", "memory_s")


def norm(c: pl.Expr, m: pl.Expr, p: float) -> pl.Expr:
    """||(c, m)||_p = max (1 + (min / max)^p)^(1/p)."""
    hi, lo = pl.max_horizontal(c, m), pl.min_horizontal(c, m)
    return hi * (1.0 + (lo / hi) ** p) ** (1.0 / p)


def main() -> None:
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(200)
    t = table().sort("version", "layout", "N", "M")
    grouped = t.filter(pl.col("layout") != "dense")
    print(grouped.with_columns(
        roofline=pl.max_horizontal("compute_s", "memory_s") / pl.col("measured_s"),
        overlap=norm(pl.col("compute_s"), pl.col("memory_s"), 2.5) / pl.col("measured_s"),
        c_over_m=pl.col("compute_s") / pl.col("memory_s")).select(
        "version", "layout", "groups", "M", "N", "K", "achieved_tflops", "measured", "alone", "grouped", "c_over_m",
        "roofline", "overlap").with_columns(pl.col(pl.Float64).round(3)))
    for p in P_GRID:
        r = grouped.with_columns(ratio=norm(pl.col("compute_s"), pl.col("memory_s"), p) / pl.col("measured_s"))
        print(f"p {p:7.2f}: mean |log(model time / measured)| {r['ratio'].log().abs().mean():.4f} over {r.height} rows")


if __name__ == "__main__":
    main()
