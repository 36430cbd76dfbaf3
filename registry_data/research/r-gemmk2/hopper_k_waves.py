"""The GEMM model on Hopper kernel rows, by K band and wave count (helper gemmk2, 2026-12-05).

Reads only kernel microbenchmarks: r-kernels/gemm.csv (stas00 MAMF, torch.mm sweeps, vLLM, DeepGEMM on H800 run as
H100 SXM5, ...) and XLA's measured matmul table (r-kernels/xla_matmul.csv, sm_90 run as H100 SXM5); no end-to-end row.

1. The catalog's own fit (``gemm_fit.fit``: k_half = coefficient x peak / DRAM bandwidth) predicts every Hopper shaped
   row; errors of GEMM time grouped by K band x waves (waves = tiles x split-K pieces / SMs, the model's own count
   from ``pipeline.walls.gemm``), rows >= 30 µs only (shorter rows carry a per-call time: CHANGELOG kfit, kfit2).
2. The two K-loop forms held out one source at a time (``gemm_fit_tiles.held_out``), errors on Hopper rows only:
   "ridge" (today: k_half scales with the DRAM ridge, so H200's is 0.70 x H100's) and "tile" (k_half = a fixed
   time per tile x the SM's tile rate: one constant per SM generation, H100 = H200).

Run from the repository root (about 3 CPU minutes):

    .venv/bin/python registry_data/research/r-gemmk2/hopper_k_waves.py
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.paths import bundled_registry
from pipeline.units import col
from pipeline.validation import gemm_fit as gf
from pipeline.validation import gemm_fit_tiles as gt
from pipeline.validation.gemm_fit_arch import HOPPER
from pipeline.walls.gemm import gemm_rows, gemm_split_k, gemm_tiles

K_BANDS = [0.0, 1024.5, 2048.5, 4096.5, 1e9]
WAVE_BANDS = [0.0, 1.0 + 1e-9, 2.0 + 1e-9, 4.0 + 1e-9, 1e9]


def with_waves(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with the model's tiles, split-K pieces and waves (``pipeline.walls.gemm``, one implementation)."""
    m = gemm_rows(col("M", ""))
    tiles = gemm_tiles(m, col("N", ""), col("tile_m", ""), col("tile_n", ""))
    split = gemm_split_k(tiles, col("K", ""), col("units", ""))
    return rows.with_columns(tiles=tiles.expr, split=split.expr).with_columns(
        waves=pl.col("tiles") * pl.col("split") / pl.col("units"))


def banded(pred: pl.DataFrame) -> pl.DataFrame:
    """Median error (%) and row count per K band x wave band."""
    k_labels = ["K<=1024", "K<=2048", "K<=4096", "K>4096"]
    w_labels = ["<=1 wave", "1-2 waves", "2-4 waves", ">4 waves"]
    p = pred.with_columns(
        k_band=pl.col("K").cut(K_BANDS[1:-1], labels=k_labels),
        wave_band=pl.col("waves").cut(WAVE_BANDS[1:-1], labels=w_labels))
    return p.group_by("k_band", "wave_band").agg(
        median_error_pct=(pl.col("error").median() * 100.0).round(1), rows=pl.len(),
        sources=pl.col("source").unique().sort().str.join(" ")).sort("k_band", "wave_band")


def in_sample(rows: pl.DataFrame) -> pl.DataFrame:
    """Every Hopper long shaped row at the catalog's own fit (all rows, as ``gemm_fit.catalog``)."""
    k_half, default, ceil = gf.fit(rows)
    print(f"catalog fit: k_half = {k_half:.3f} x ridge")
    hop = gt.fit_rows(rows).filter(pl.col("hardware").is_in(list(HOPPER)) & gt.is_long())
    return with_waves(gf.predict_time(hop, ceil, default, k_half))


def main() -> None:
    reg = bundled_registry()
    rows = gt.all_rows(reg, xla=True)
    pred = in_sample(rows)
    with pl.Config(tbl_rows=60, tbl_width_chars=200, fmt_str_lengths=90):
        print(f"Hopper rows >= 30 µs: {pred.height}, median |error| {pred['error'].abs().median() * 100:.1f} %")
        print(banded(pred))
        print(pred.filter(pl.col("waves") <= 2.0).sort("K").select(
            "hardware", "precision", "source", "M", "N", "K", "tiles", "split", "waves",
            (pl.col("error") * 100).round(1).alias("error_pct")))
        for form in ("ridge", "tile"):
            held = gt.held_out(rows, form, alpha=False, reg=reg).filter(pl.col("hardware").is_in(list(HOPPER)))
            long = held.filter(pl.col("measured_s") >= gt.LONG_ROW_S)
            by_k = with_waves(long.join(rows.select("row", "units", "tile_m", "tile_n"), on="row"))
            print(f"held out, form={form}: Hopper all {held['error'].abs().median() * 100:.1f} % ({held.height}), "
                  f">= 30 µs {long['error'].abs().median() * 100:.1f} % ({long.height}), "
                  f"coefficient median {held['coefficient'].median():.3g}")
            print(banded(by_k))


if __name__ == "__main__":
    main()
