"""The GEMM K loop on Hopper as a fixed time per output tile, one per SM architecture (issue 12, gemmk2).

``pipeline.validation.gemm_fit`` sets every chip's k_half = one coefficient x its DRAM ridge (peak / bandwidth), so
H200 (4.8 TB/s) gets 0.70 x H100's (3.35 TB/s) k_half on the same GH100 compute die and runs K = 1,024 GEMMs 20 %
faster (r-enc README section 3). On sm_90 cuBLAS/CUTLASS/DeepGEMM GEMMs are persistent, warp-specialized kernels:
TMA loads run ahead in a multi-stage pipeline and one tile's epilogue overlaps the next tile's main loop (NVIDIA/cutlass
include/cutlass/gemm/kernel/sm90_gemm_tma_warpspecialized_pingpong.hpp; CUTLASS "Efficient GEMM in CUDA"), so what a
tile does not hide is a fixed *time* (pipeline fill and drain, latency-bound), not a DRAM-bandwidth-bound transfer.
In K steps of one tile (2 tile_m tile_n FLOPs at peak / units) that time t is

    k_half = t x peak / (units x 2 tile_m tile_n)          (``gemm_fit_tiles.with_tile_scale``)

the same for every GH100 part at one precision (H100 SXM = H200 SXM: same peak, 132 SMs). ``t`` is fitted per
operand width (``CLASSES``) on the Hopper kernel rows >= 30 µs only
(``gemm_fit_tiles.LONG_ROW_S``: shorter rows carry a per-call harness time, CHANGELOG kfit2): gemm.csv's H100 / H800
rows and XLA's measured sm_90 matmul table (r-kernels/xla_matmul.csv), never an end-to-end row. The ceilings of the
Hopper rows are refitted at that t (``gemm_fit.ceilings``: the MAMF fraction over the model's shape factor at the MAMF
shape); ``best_fraction`` (the MAMF cap) does not depend on k_half. Other architectures keep ``gemm_fit``'s form.

``python -m pipeline.validation.gemm_fit_arch`` prints t and the held-out figures (leave one source out, Hopper rows).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.catalogs.paths import bundled_registry
from pipeline.validation import gemm_fit as gf
from pipeline.validation import gemm_fit_tiles as gt

# The GH100 (sm_90) parts with a kernel-fit catalog row (H100 NVL has no SM count: profile η). H800 and XLA's sm_90
# rows already run as H100 SXM5 (gemm_fit.VENDOR_AS, gemm_fit_tiles.XLA_AS).
HOPPER = ("H100 SXM5 80GB", "H100 PCIe 80GB", "H200 SXM 141GB", "H200 NVL 141GB")
# One fixed time per tile per operand width: DeepGEMM's dense FP8 rows (the only long 8-bit Hopper rows with a K
# spread) want ~2.6x the 16-bit rows' time per tile (DeepGEMM promotes its FP8 partial sums to FP32 with the block
# scales on CUDA cores inside the K loop: README, two-level accumulation), which one t for both would average away.
CLASSES = {"16-bit": ("bf16", "fp16"), "8-bit": ("fp8", "int8")}


def hopper_rows(rows: pl.DataFrame, precisions: tuple[str, ...]) -> pl.DataFrame:
    """``rows`` (``gemm_fit_tiles.all_rows``) of the Hopper parts at ``precisions``, with the tile scale as their
    ``ridge``."""
    return gt.with_tile_scale(rows.filter(pl.col("hardware").is_in(list(HOPPER))
                                          & pl.col("precision").is_in(list(precisions))))


def fit_hopper(rows: pl.DataFrame, precisions: tuple[str, ...]) -> tuple[float, float, pl.DataFrame]:
    """The fixed time per tile (s), default ceiling and ceilings fitted on ``rows``' Hopper rows >= 30 µs at
    ``precisions``."""
    return gt.fit_tiles(hopper_rows(rows, precisions))


def held_out_hopper(rows: pl.DataFrame, precisions: tuple[str, ...]) -> pl.DataFrame:
    """Each Hopper shaped row at ``precisions`` predicted by a Hopper fit on the other sources' rows."""
    hop = hopper_rows(rows, precisions)
    out = []
    for source in gt.fit_rows(hop)["source"].unique().sort():
        t, default, ceil = gt.fit_tiles(hop.filter(pl.col("source") != source))
        held = gt.fit_rows(hop).filter(pl.col("source") == source)
        out.append(gf.predict_time(held, ceil, default, t).select(
            "row", "hardware", "precision", "source", "M", "N", "K", "measured_s", "predicted_s", "error")
            .with_columns(coefficient=pl.lit(t)))
    return pl.concat(out)


def hopper_fits(reg: Path | None = None) -> pl.DataFrame:
    """Per Hopper precision: the class's fixed time per tile ``t_s``, default ceiling and the refitted ceilings of
    the Hopper parts with a MAMF row (``hardware`` null on the class's default row)."""
    rows = gt.all_rows(reg or bundled_registry(), xla=True)
    out = []
    for precisions in CLASSES.values():
        t, default, ceil = fit_hopper(rows, precisions)
        own = ceil.filter(pl.col("precision").is_in(list(precisions))).select("hardware", "precision", "ceiling")
        defaults = pl.DataFrame({"hardware": [None] * len(precisions), "precision": list(precisions),
                                 "ceiling": [default] * len(precisions)}, schema=own.schema)
        out.append(pl.concat([own, defaults]).with_columns(t_s=pl.lit(t)))
    return pl.concat(out)


def with_hopper_k_loop(catalog: pl.DataFrame, reg: Path | None = None) -> pl.DataFrame:
    """``gemm_fit.catalog``'s frame with the Hopper kernel-fit rows' k_half = t x peak / (units x 2 tile_m tile_n)
    and ceiling refitted at t (a chip without a MAMF row of its own: its TRANSFER donor's, else the Hopper default)."""
    reg = reg or bundled_registry()
    fits = hopper_fits(reg)
    own = fits.filter(pl.col("hardware").is_not_null()).select("hardware", "precision", new_ceiling="ceiling")
    default = fits.filter(pl.col("hardware").is_null()).select("precision", "t_s", default_ceiling="ceiling")
    peaks = pl.read_parquet(reg / "hardware.parquet").unpivot(
        index="name", on=[f"peak_{d}_flop_per_s" for d in gf.IN_BYTES], variable_name="c", value_name="peak").select(
        pl.col("name").alias("hardware"), pl.col("c").str.extract(r"peak_(\w+?)_flop").alias("precision"), "peak")
    donors = pl.DataFrame({"hardware": list(HOPPER), "donor": [gf.donor(h) for h in HOPPER]})
    via_donor = donors.join(own.rename({"hardware": "donor", "new_ceiling": "donor_ceiling"}), on="donor")
    hop = (pl.col("hardware").is_in(list(HOPPER)) & (pl.col("efficiency_basis") == "kernel fit")
           & pl.col("t_s").is_not_null())
    k_half = pl.col("t_s") * pl.col("peak") / (pl.col("units") * 2.0 * pl.col("tile_m") * pl.col("tile_n"))
    out = (catalog.join(peaks, on=["hardware", "precision"], how="left")
           .join(own, on=["hardware", "precision"], how="left")
           .join(via_donor.drop("donor"), on=["hardware", "precision"], how="left")
           .join(default, on="precision", how="left"))
    return out.with_columns(
        k_half=pl.when(hop).then(k_half).otherwise("k_half"),
        ceiling=pl.when(hop).then(pl.coalesce("new_ceiling", "donor_ceiling", "default_ceiling"))
        .otherwise("ceiling"),
        notes=pl.when(hop).then(pl.format("{}; Hopper K loop (gemm_fit_arch): k_half = {} µs per tile x peak / "
                                          "(units x 2 tile_m tile_n), ceiling refitted at it", pl.col("notes"),
                                          (pl.col("t_s") * 1e6).round(3))).otherwise("notes"),
    ).drop("peak", "new_ceiling", "donor_ceiling", "default_ceiling", "t_s")


def main() -> None:
    rows = gt.all_rows(bundled_registry(), xla=True)
    for name, precisions in CLASSES.items():
        t, default, _ = fit_hopper(rows, precisions)
        print(f"{name}: Hopper fixed time per tile {t * 1e6:.3f} µs, default ceiling {default:.4f}")
        held = held_out_hopper(rows, precisions)
        long = held.filter(pl.col("measured_s") >= gt.LONG_ROW_S)
        print(f"  held out (leave one source out): all {held['error'].abs().median() * 100:.1f} % "
              f"({held.height}), >= 30 µs {long['error'].abs().median() * 100:.1f} % ({long.height})")
        print(long.group_by("source").agg(median_abs_error=pl.col("error").abs().median(), rows=pl.len(),
                                          t_us=pl.col("coefficient").first() * 1e6).sort("source"))


if __name__ == "__main__":
    main()
