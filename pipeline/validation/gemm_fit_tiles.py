"""The GEMM K loop as a fixed time per output tile, fitted on long kernel rows only (issue 12, kfit2).

``pipeline.validation.gemm_fit`` sets k_half = one coefficient x the ridge point (peak / DRAM bandwidth),
fitted on every shaped row. Its short rows (a few µs) carry a fixed time per *call* that belongs to the
timing harness (CHANGELOG, kfit: vLLM ~1 µs, DeepGEMM ~2, torch.mm 5-8, aiter 8-9, sglang 14-15), and
K / (K + k_half) on split-K pieces absorbs it. Here the two are kept apart:

- the K term: each tile's K-loop fill and epilogue take a fixed time ``t`` on its SM (CUTLASS, "Efficient GEMM
  in CUDA": software pipelining and the epilogue), so in K steps of one tile (2 tile_m tile_n FLOPs at
  peak / units) k_half = t x peak / (units x 2 tile_m tile_n): an SM-and-tile property, not DRAM's.
  ``t`` is fitted only on rows that run >= ``LONG_ROW_S`` (a per-call time of a few µs is < 10 % there),
  with XLA's measured matmul table (r-kernels/xla_matmul.csv) as a sixth source;
- the per-call fixed time: added to the whole kernel time, Hockney's α (t = α + kernel): either none, or the
  catalog's ``memory_latency_s`` (``pipeline.validation.latency_fit``, refitted in each held-out fold on the
  training sources' rows), and reported per source as the median residual (``harness_times``).

XLA's b = 2, 4 rows are batched GEMMs; they run here as M x b rows (the same tiles and FLOPs; B counted once
in bytes, which only the memory term reads, and these rows are compute-bound at M >= 256).
``python -m pipeline.validation.gemm_fit_tiles`` prints the held-out figures of both forms.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.catalogs.paths import bundled_registry
from pipeline.validation import gemm_fit as gf
from pipeline.validation.attention_fit import RESEARCH
from pipeline.validation.latency_fit import memory_latencies

LONG_ROW_S = 30e-6  # rows that run at least this long: a per-call time of 1-3 µs is < 10 % of them
TILE_TIME_GRID = [1e-8 * 2.0 ** (i / 8) for i in range(0, 97)]  # fixed time per tile: 10 ns ... 41 µs
XLA_AS = {"sm_90": gf.H800_AS}  # XLA's GH100 key: an SXM-class part (805 TFLOPS bf16 measured), run as H100 SXM5


def xla_raw(reg: Path) -> pl.DataFrame:
    """xla_matmul.csv in gemm.csv's columns: M x batch rows (see the module note), the GH100 key as H100 SXM5."""
    x = pl.read_csv(reg / RESEARCH / "xla_matmul.csv", infer_schema_length=0)
    return x.with_columns(
        hardware=pl.col("vendor_hardware_name").replace_strict(XLA_AS, default=pl.col("hardware")),
        M=(pl.col("M").cast(pl.Int64) * pl.col("batch").cast(pl.Int64)).cast(pl.String)).drop("batch")


def with_tile_scale(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with ``ridge`` set to the K steps per second of one tile, peak / (units x 2 tile_m tile_n), so that
    gemm_fit's k_half = coefficient x ridge is k_half = t x that (t the fixed time per tile, in s)."""
    return rows.with_columns(ridge=pl.col("peak_flop_per_s") / (pl.col("units") * 2.0 * pl.col("tile_m")
                                                                 * pl.col("tile_n")))


def all_rows(reg: Path | None = None, xla: bool = True) -> pl.DataFrame:
    """gemm.csv's kernel rows, plus XLA's table when ``xla``."""
    reg = reg or bundled_registry()
    return gf.kernel_rows(reg, xla_raw(reg) if xla else None)


def fit_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """The shaped rows of the precisions the k_half coefficient is fitted on (not ``ON_PROFILE``'s or
    ``OWN_CEILING_ONLY``'s)."""
    return rows.filter(gf.is_shaped_fit_row() & ~gf.OWN_ROWS)


def is_long() -> pl.Expr:
    """Rows whose measured time is at least ``LONG_ROW_S``."""
    return 2.0 * pl.col("M") * pl.col("N") * pl.col("K") / pl.col("achieved_flop_per_s") >= LONG_ROW_S


def fit_tiles(rows: pl.DataFrame) -> tuple[float, float, pl.DataFrame]:
    """The fixed time per tile minimising the median |log time ratio| on ``rows``' long shaped rows (``rows``
    with ``with_tile_scale``), its ceilings and default ceiling (as ``gemm_fit.fit``)."""
    long = fit_rows(rows).filter(is_long())
    best = (float("inf"), 0.0, 0.0, None)
    for t in TILE_TIME_GRID:
        ceil = gf.ceilings(rows, t)
        default = gf.mamf_median(ceil, "ceiling")
        loss = gf.predict_time(long, ceil, default, t).select(
            (pl.col("predicted_s") / pl.col("measured_s")).log().abs().median()).item()
        if loss < best[0]:
            best = (loss, t, default, ceil)
    return best[1], best[2], best[3]


def with_call_time(pred: pl.DataFrame, alphas: pl.DataFrame | None) -> pl.DataFrame:
    """Hockney's α on the whole kernel time: predicted_s + α (the hardware's, 0 where it has none)."""
    if alphas is None:
        return pred.with_columns(alpha_s=pl.lit(0.0))
    p = pred.join(alphas.select("hardware", alpha_s=pl.col("memory_latency_s")), on="hardware", how="left")
    p = p.with_columns(pl.col("alpha_s").fill_null(0.0))
    return p.with_columns(predicted_s=pl.col("predicted_s") + pl.col("alpha_s")).with_columns(
        error=pl.col("predicted_s") / pl.col("measured_s") - 1.0)


def held_out(rows: pl.DataFrame, form: str, alpha: bool, reg: Path | None = None) -> pl.DataFrame:
    """Each shaped row predicted by a fit on the other sources: ``form`` "ridge" (gemm_fit.fit, every shaped row)
    or "tile" (``fit_tiles``, long rows); ``alpha``: add the training sources' memory_latency_s (Hockney's α)."""
    reg = reg or bundled_registry()
    rows = with_tile_scale(rows) if form == "tile" else rows
    out = []
    for source in fit_rows(rows)["source"].unique().sort():
        train = rows.filter(pl.col("source") != source)
        coef, default, ceil = fit_tiles(train) if form == "tile" else gf.fit(train)
        pred = gf.predict_time(fit_rows(rows).filter(pl.col("source") == source), ceil, default, coef)
        alphas = memory_latencies(gf.shaped_rows_of(train), reg) if alpha else None
        out.append(with_call_time(pred, alphas).select(
            "row", "hardware", "precision", "source", "M", "N", "K", "measured_s", "predicted_s", "error",
            "alpha_s").with_columns(coefficient=pl.lit(coef)))
    return pl.concat(out)


def summary(held: pl.DataFrame) -> dict[str, float]:
    """Median |error| on all rows, on rows >= LONG_ROW_S, and their counts."""
    long = held.filter(pl.col("measured_s") >= LONG_ROW_S)
    return {"all": float(held["error"].abs().median()), "rows": held.height,
            "long": float(long["error"].abs().median()), "long_rows": long.height}


def harness_times(held: pl.DataFrame) -> pl.DataFrame:
    """Per source: the median of measured - predicted over its short rows (< LONG_ROW_S), the per-call time its
    harness adds that the kernel model does not have (reported, not fitted into the model)."""
    short = held.filter(pl.col("measured_s") < LONG_ROW_S)
    return short.group_by("source").agg(
        residual_us=((pl.col("measured_s") - pl.col("predicted_s")) * 1e6).median(), rows=pl.len()).sort("source")


def main() -> None:
    reg = bundled_registry()
    for xla in (False, True):
        rows = all_rows(reg, xla)
        for form in ("ridge", "tile"):
            for alpha in (False, True):
                held = held_out(rows, form, alpha, reg)
                s = summary(held)
                print(f"xla={xla} form={form} alpha={alpha}: all {s['all']:.3f} ({s['rows']}) "
                      f"long {s['long']:.3f} ({s['long_rows']}) coef {held['coefficient'].median():.3g}")
                if not alpha:
                    print(harness_times(held))


if __name__ == "__main__":
    main()
