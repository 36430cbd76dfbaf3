"""The GEMM kernel-efficiency catalog, fitted to published kernel microbenchmarks
(registry_data/research/r-kernels/gemm.csv), never to the end-to-end measurement rows.

Per hardware with a published SM/CU count (sm_count.csv) the catalog keeps the model of
``pipeline.walls.gemm``: the output tile, the best-shape ceiling per precision (the MAMF
rows of gemm.csv, divided by the model's own shape factor at the MAMF shape so that the
model reproduces the MAMF there) and ``k_half``, the K at which a tile's K loop runs at half
speed. ``k_half`` = ``K_HALF_PER_RIDGE`` x peak / memory bandwidth (FLOP/B, the roofline's
ridge point, Williams et al. 2009): a tile's fixed cost is memory traffic that the K loop does
not hide (the prologue's first A/B stages and the epilogue's store of C, CUTLASS's
"Efficient GEMM in CUDA": software pipelining and the epilogue), which takes bytes /
(bandwidth / units), while one K step of the tile takes 2·tile_m·tile_n / (peak / units); in K
steps the fixed cost is (bytes / (2·tile_m·tile_n)) x peak / bandwidth, the tile area
cancelling. One coefficient for all hardware is fitted on the shaped rows (square sweeps,
small-M sweeps, DeepGEMM dense shapes). Hardware without a unit count keeps the profile η
(``efficiency_basis``); with one but no MAMF row (or no kernel row at all), the default form.

Rows left out of the fit, and why: the ROCm Validation Suite targets (pass/fail floors,
not means), a user report at a clock fixed by the reporter, grouped GEMMs (M per group is
not the launch's M), FP8 rows that time the activation quantization too, TF32/FP32 rows
(no LLM operator runs at them here), the slower of aiter's two kernels per shape (the PR
replaces it), and summaries without a shape. H800 SXM5 runs as H100 SXM5: the same GH100
die, SM count and clock, with less NVLink (DeepGEMM's README: "H800 = H100-class SM90").

The fit's error is the median |error| of GEMM *time* on sources left out one at a time
(a source is one repository or publisher: all of its rows leave together).

``python -m pipeline.validation.gemm_fit`` rewrites registry_data/kernel_efficiency.parquet (the memory-bound
kernels' fixed time of ``latency_fit`` on ``shaped_rows``; what research adds after the fit kept: kernel_catalog).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import polars as pl

from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.quality import quality
from pipeline.units import col
from pipeline.validation.attention_fit import RESEARCH, unit_counts
from pipeline.validation.attention_fit import catalog_columns as attention_columns
from pipeline.validation.bandwidth_fit import memory_fractions
from pipeline.validation.latency_fit import memory_latencies
from pipeline.validation.decode_attention_fit import attention_latencies
from pipeline.validation.gemm_fit_floor import with_own_call_latencies
from pipeline.walls.gemm import gemm_capped_efficiency

# The MAMF table and the SM/CU counts (sm_count.csv); rows without a MAMF row of their own cite it.
FIT_SOURCE_URL = ("https://github.com/stas00/ml-engineering/blob/744d01e18b79512572f64a6bbd8b5f4a725203a7/"
                  "compute/accelerator/README.md")
# The share of memory bandwidth a streaming GEMM operand read reaches: BabelStream copy on
# MI300X is ~0.80 of peak (r-kernels/memory_bandwidth.csv); used only for the roofline's
# memory term of small-M rows while fitting.
FIT_BANDWIDTH_FRACTION = 0.8
# Output tiles: CUTLASS's Hopper/Ampere default threadblock tile 128x128 (cutlass/gemm/
# threadblock/default_mma.h, the 128x128x32 configurations; cuBLASLt heuristics pick the same
# family); hipBLASLt on MI300X favours 256x256 macro tiles (hipBLASLt logic files MT256x256).
TILES = {"nvidia": (128.0, 128.0), "amd": (256.0, 256.0)}
# Grid of the fitted coefficient K_HALF_PER_RIDGE (K steps per FLOP/B of ridge point): 0.25 ... ~45.
K_HALF_GRID = [2.0 ** (i / 4) for i in range(-8, 23)]
H800_AS = "H100 SXM5 80GB"
# gemm.csv rows whose hardware column is empty or another catalog name, by vendor name: H800 runs as H100 (above);
# stas00's MAMF table's "NVIDIA B300 SXM" is the HGX B300's GPU (its rows predate the catalog's B300 row).
VENDOR_AS = {"NVIDIA H800 SXM5": H800_AS, "NVIDIA B300 SXM": "B300 (HGX B300)"}
# Issue 12 (bw): accelerators that take a sibling's GEMM model where their own evidence is missing, the same SM
# architecture (an assumption, stated in each row's ceiling_source and notes): the SM count where sm_count.csv
# states none, the ceiling and best_fraction where gemm.csv has no MAMF row of their own, and the
# sustained_fraction (MSMF / peak / best_fraction) where msmf.csv has none; k_half always from their own peak and
# bandwidth. GB200's GPU is the B200 (two dies, 74 SMs enabled each, 148: Chips and Cheese, "Nvidia's B200");
# B300/GB300 are Blackwell Ultra (160 SMs on the full die, NVIDIA "Inside Blackwell Ultra"; the B300 SKU's enabled
# count, 148 or 152 per stas00, is not settled: B200's 148 is used); H200 NVL is the H200 SXM's GH100 (132 SMs) at
# 600 W instead of 700 W, its lower clock already in its datasheet peak (835.5 vs 989.5 TFLOPS bf16).
TRANSFER = {"GB200 NVL72 GPU": "B200 (HGX B200)", "B300 (HGX B300)": "B200 (HGX B200)",
            "GB300 NVL72 GPU": "B300 (HGX B300)", "H200 NVL 141GB": "H200 SXM 141GB"}
# Sustained (power-capped) matmul throughput, MSMF (registry_data/research/r-srv2/msmf.csv): H100 SXM5 takes H200
# SXM's, the same GH100 die, 132 SMs, 1980 MHz boost and 700 W cap (the MAMF table's "H200 is the same");
# fp16 runs the same tensor-core rate and width as bf16.
SUSTAINED = Path("research") / "r-srv2" / "msmf.csv"
SUSTAINED_AS = {"H100 SXM5 80GB": "H200 SXM 141GB"}
SUSTAINED_PRECISION_AS = {"fp16": "bf16"}
IN_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5}  # fp4: e2m1, two elements a byte
OUT_BYTES = 2.0  # every shaped row writes a 16-bit C
# Issue 12 (fp4): precisions whose ceiling comes only from their own kernel rows. No shape search (MAMF) of an FP4
# GEMM is published; the others take bf16's MAMF fraction where they lack one, but FP4 kernels run well below it
# (B200: DeepGEMM PR #348's best MXF4 shape 5702 of 9000 TFLOPS = 0.63, stas00's bf16 MAMF 1745 / 2250 = 0.78), so
# their ceiling is the fastest published shape (a lower bound of a MAMF), and a chip without an FP4 row keeps the
# profile η at FP4. Their rows stay out of the k_half coefficient and of the memory-latency fit (the α every
# memory-bound kernel of the hardware pays); their GEMMs' own per-call floor, fitted on their small-M rows
# (gemm_fit_floor; vLLM PR #20578: 11.3 µs for 12.6 MB at M = 1), replaces α at that precision.
OWN_CEILING_ONLY = ("fp4",)
# Issue 12 (fp4): precisions fitted but kept on the profile η in the catalog: none since issue 15 (fp4floor). FP4 on
# the fit takes its per-call floor (above) and bf16's power-capped share (sustained_fractions); without the floor the
# B200/GB200 NVFP4 serving rows came out 20-50 % too fast at small M (r-fp4/README.md, r-fp4b/README.md).
ON_PROFILE = ()
OWN_ROWS = pl.col("precision").is_in([*ON_PROFILE, *OWN_CEILING_ONLY])  # rows kept out of the k_half coefficient


def _dtype(raw: str) -> str | None:
    for name in IN_BYTES:
        if raw.startswith(name):
            return name
    return None


def _source(url: str) -> str:
    """A source is one repository or web publisher: github.com/owner/repo, else the host."""
    parts = url.split("/")
    return "/".join(parts[2:5]) if "github.com" in url else parts[2]


def kernel_rows(registry: Path | None = None, extra: pl.DataFrame | None = None) -> pl.DataFrame:
    """gemm.csv (and ``extra``, rows in its columns) with hardware, precision class, source group, units, tile,
    peak and bandwidth."""
    reg = registry or bundled_registry()
    g = pl.read_csv(reg / RESEARCH / "gemm.csv", infer_schema_length=0)
    g = g if extra is None else pl.concat([g, extra], how="diagonal_relaxed")
    units = transferred_units(reg)
    hw = pl.read_parquet(reg / "hardware.parquet")
    peaks = hw.unpivot(index=["name", "vendor", "memory_bandwidth_bytes_per_s"],
                       on=[f"peak_{d}_flop_per_s" for d in IN_BYTES], variable_name="peak_column",
                       value_name="peak_flop_per_s").with_columns(
        precision=pl.col("peak_column").str.extract(r"peak_(\w+?)_flop")).drop("peak_column")
    g = g.with_columns(
        hardware=pl.col("vendor_hardware_name").replace_strict(VENDOR_AS, default=pl.col("hardware")),
        precision=pl.col("dtype").map_elements(_dtype, return_dtype=pl.String),
        source=pl.col("source_url").map_elements(_source, return_dtype=pl.String),
        M=pl.col("M").cast(pl.Float64), N=pl.col("N").cast(pl.Float64), K=pl.col("K").cast(pl.Float64),
        achieved_flop_per_s=pl.col("achieved_tflops").cast(pl.Float64) * 1e12,
    ).filter(pl.col("hardware").is_not_null() & pl.col("precision").is_not_null()
             & pl.col("achieved_flop_per_s").is_not_null())
    g = g.join(peaks.rename({"name": "hardware"}), on=["hardware", "precision"], how="inner").with_columns(
        ridge=pl.col("peak_flop_per_s") / pl.col("memory_bandwidth_bytes_per_s"))
    return g.join(units, on="hardware", how="left").with_columns(*tiles()).with_row_index("row")


def tiles() -> list[pl.Expr]:
    """tile_m and tile_n by the frame's ``vendor`` (TILES; null for a vendor without one)."""
    vendor = pl.col("vendor").str.to_lowercase()
    return [vendor.replace_strict({k: v[i] for k, v in TILES.items()}, default=None, return_dtype=pl.Float64).alias(n)
            for i, n in enumerate(("tile_m", "tile_n"))]


def donor(hardware: str) -> str:
    """The end of ``hardware``'s TRANSFER chain (GB300 -> B300 -> B200): the sibling with its own measurements."""
    while hardware in TRANSFER:
        hardware = TRANSFER[hardware]
    return hardware


def transferred_units(reg: Path) -> pl.DataFrame:
    """sm_count.csv's unit counts, plus each TRANSFER accelerator without one at its donor's count."""
    units = unit_counts(reg)
    known = set(units["hardware"])
    extra = [units.filter(pl.col("hardware") == donor(dst)).with_columns(hardware=pl.lit(dst))
             for dst in TRANSFER if dst not in known]
    return pl.concat([units, *extra])


def shaped_rows(registry: Path | None = None) -> pl.DataFrame:
    """The shaped single-kernel rows of the fit with the ``bytes`` a GEMM moves: A and B read once at
    the input precision, C written once at 16 bits (the rows the memory latency fit reads; not
    ``OWN_CEILING_ONLY``'s, whose fixed time is their GEMMs' own)."""
    return shaped_rows_of(kernel_rows(registry))


def shaped_rows_of(rows: pl.DataFrame, own: bool = False) -> pl.DataFrame:
    """``shaped_rows`` of ``kernel_rows`` already read (``own``: ``OWN_CEILING_ONLY``'s rows instead)."""
    size = pl.col("precision").replace_strict(IN_BYTES, return_dtype=pl.Float64)
    is_own = pl.col("precision").is_in(list(OWN_CEILING_ONLY))
    return rows.filter(is_shaped_fit_row() & (is_own if own else ~is_own)).with_columns(
        bytes=(pl.col("M") * pl.col("K") + pl.col("K") * pl.col("N")) * size + pl.col("M") * pl.col("N") * OUT_BYTES)


def is_shaped_fit_row() -> pl.Expr:
    kind = pl.col("measurement_kind")
    return (pl.col("M").is_not_null() & pl.col("units").is_not_null()
            & kind.str.contains("sweep") & ~kind.str.contains("grouped|acceptance|user-reported")
            & ~pl.col("dtype").str.contains("incl. quant")
            & ~(pl.col("library") == "aiter CK a8w8 GEMM"))


def is_mamf_row() -> pl.Expr:
    return pl.col("measurement_kind").str.contains("MAMF") & pl.col("M").is_not_null()


def _efficiency(ceiling: str | float, k_half: float, best: str | float = 1.0) -> pl.Expr:
    """``pipeline.walls.gemm.gemm_capped_efficiency`` on the frame's columns (one implementation);
    ``k_half`` is the coefficient, times each row's ridge point."""
    c = col(ceiling, "") if isinstance(ceiling, str) else col("_one", "") * ceiling
    b = col(best, "") if isinstance(best, str) else col("_one", "") * best
    return gemm_capped_efficiency(col("M", ""), col("N", ""), col("K", ""), col("units", ""), col("tile_m", ""),
                                  col("tile_n", ""), c, col("ridge", "") * k_half, b).expr


def ceilings(rows: pl.DataFrame, k_half: float) -> pl.DataFrame:
    """Per (hardware, precision): the MAMF fraction / the model's shape factor at the MAMF shape,
    at most 1, and the MAMF fraction itself (``best_fraction``, the cap of every shape); fp16,
    fp8 and int8 take bf16's where they have none (the hardware's own best-shape fraction is closer than
    another chip's). ``OWN_CEILING_ONLY`` precisions (no MAMF published) take their fastest shaped row instead."""
    own = pl.col("precision").is_in(list(OWN_CEILING_ONLY))
    fastest = rows.filter(own & is_shaped_fit_row() & pl.col("units").is_not_null()).sort(
        pl.col("achieved_flop_per_s") / pl.col("peak_flop_per_s"), descending=True).unique(
        ["hardware", "precision"], keep="first")
    mamf = pl.concat([rows.filter(is_mamf_row() & pl.col("units").is_not_null() & ~own), fastest])
    mamf = mamf.with_columns(_one=1.0)
    mamf = mamf.with_columns(shape=_efficiency(1.0, k_half)).with_columns(
        ceiling=(pl.col("achieved_flop_per_s") / pl.col("peak_flop_per_s") / pl.col("shape")).clip(upper_bound=1.0),
        best_fraction=pl.col("achieved_flop_per_s") / pl.col("peak_flop_per_s"))
    best = mamf.group_by("hardware", "precision").agg(pl.col("ceiling").max(), pl.col("best_fraction").max(),
                                                      pl.col("source_url").first())
    bf16 = best.filter(pl.col("precision") == "bf16")
    others = pl.concat([bf16.with_columns(precision=pl.lit(p)) for p in ("fp16", "fp8", "int8")])
    return pl.concat([best, others.join(best, on=["hardware", "precision"], how="anti")])


def mamf_median(ceil: pl.DataFrame, column: str) -> float:
    """The median of ``column`` over the MAMF ceilings (not ``OWN_CEILING_ONLY``'s): a chip without a MAMF row of its
    own takes it."""
    return float(ceil.filter(~pl.col("precision").is_in(list(OWN_CEILING_ONLY)))[column].median())


def predict_time(rows: pl.DataFrame, ceil: pl.DataFrame, default_ceiling: float, k_half: float) -> pl.DataFrame:
    """GEMM time: max(2MNK / (peak x efficiency), bytes / (bandwidth x FIT_BANDWIDTH_FRACTION))."""
    r = rows.join(ceil.select("hardware", "precision", "ceiling", "best_fraction"), on=["hardware", "precision"],
                  how="left")
    r = r.with_columns(pl.col("ceiling").fill_null(default_ceiling),
                       pl.col("best_fraction").fill_null(mamf_median(ceil, "best_fraction")), _one=1.0)
    flop = 2.0 * pl.col("M") * pl.col("N") * pl.col("K")
    nbytes = ((pl.col("M") * pl.col("K") + pl.col("K") * pl.col("N"))
              * pl.col("precision").replace_strict(IN_BYTES, return_dtype=pl.Float64)
              + pl.col("M") * pl.col("N") * OUT_BYTES)
    return r.with_columns(efficiency=_efficiency("ceiling", k_half, "best_fraction")).with_columns(
        predicted_s=pl.max_horizontal(flop / (pl.col("peak_flop_per_s") * pl.col("efficiency")),
                                      nbytes / (pl.col("memory_bandwidth_bytes_per_s") * FIT_BANDWIDTH_FRACTION)),
        measured_s=flop / pl.col("achieved_flop_per_s"),
    ).with_columns(error=pl.col("predicted_s") / pl.col("measured_s") - 1.0)


def fit(rows: pl.DataFrame) -> tuple[float, float, pl.DataFrame]:
    """The k_half coefficient (x ridge point) minimising the median |log time ratio| on ``rows``' shaped rows; the ceilings at
    that k_half, and the default ceiling for hardware without a MAMF row (the median of the
    MAMF ceilings: a chip of its own has none to go by). The coefficient is fitted on the precisions the catalog
    uses (not ``ON_PROFILE``'s or ``OWN_CEILING_ONLY``'s: their rows only set their own ceiling)."""
    shaped = rows.filter(is_shaped_fit_row() & ~OWN_ROWS)
    best = (math.inf, 0.0, 0.0, None)
    for k_half in K_HALF_GRID:
        ceil = ceilings(rows, k_half)
        default = mamf_median(ceil, "ceiling")
        loss = predict_time(shaped, ceil, default, k_half).select(
            (pl.col("predicted_s") / pl.col("measured_s")).log().abs().median()).item()
        if loss < best[0]:
            best = (loss, k_half, default, ceil)
    return best[1], best[2], best[3]


def leave_one_source_out(rows: pl.DataFrame) -> pl.DataFrame:
    """Each shaped row predicted by a fit on every other source's rows (MAMF rows included)."""
    out = []
    for source in rows.filter(is_shaped_fit_row())["source"].unique().sort():
        train = rows.filter(pl.col("source") != source)
        k_half, default, ceil = fit(train)
        held = rows.filter(is_shaped_fit_row() & (pl.col("source") == source))
        out.append(predict_time(held, ceil, default, k_half).select(
            "row", "hardware", "precision", "source", "M", "N", "K", "measured_s", "predicted_s", "error"))
    return pl.concat(out)


def catalog(registry: Path | None = None, today: dt.date | None = None) -> pl.DataFrame:
    """One row per catalog hardware x precision (bf16, fp16, fp8, int8, fp4) with a peak, its GEMM model parameters,
    efficiency_basis, and the fit's provenance."""
    reg = registry or bundled_registry()
    rows = kernel_rows(reg)
    k_half, default, ceil = fit(rows)
    held = leave_one_source_out(rows)
    in_use = ~pl.col("precision").is_in(list(ON_PROFILE))
    heldout = float(held.filter(~OWN_ROWS)["error"].abs().median())
    shaped_ids = rows.filter(is_shaped_fit_row() & ~OWN_ROWS)
    in_sample = float(predict_time(shaped_ids, ceil, default, k_half)["error"].abs().median())
    unused = held.filter(OWN_ROWS).group_by("precision").agg(
        unused_heldout=pl.col("error").abs().median(), unused_rows=pl.len())
    hw = pl.read_parquet(reg / "hardware.parquet")
    units = transferred_units(reg).join(hw.select("vendor", hardware="name"), on="hardware").select(
        "hardware", "units", *tiles())
    grid = hw.unpivot(index=["name", "memory_bandwidth_bytes_per_s"], on=[f"peak_{d}_flop_per_s" for d in IN_BYTES],
                      variable_name="peak_column", value_name="peak").filter(pl.col("peak").is_not_null()).select(
        pl.col("name").alias("hardware"), pl.col("peak_column").str.extract(r"peak_(\w+?)_flop").alias("precision"),
        (pl.col("peak") / pl.col("memory_bandwidth_bytes_per_s")).alias("ridge"))
    out = fill_from_donors(grid.join(units, on="hardware", how="left").join(unused, on="precision", how="left")
                           .join(ceil, on=["hardware", "precision"], how="left"),
                           unit_counts(reg)["hardware"].to_list())
    # Gaudi's MMEs are not tiled like SMs/CUs (no tile in TILES): a profile η there.
    fitted = pl.col("units").is_not_null() & pl.col("tile_m").is_not_null()
    kernel = fitted & in_use & ~(pl.col("precision").is_in(list(OWN_CEILING_ONLY)) & pl.col("ceiling").is_null())
    n_sources = shaped_ids["source"].n_unique()
    frame = out.with_columns(
        efficiency_basis=pl.when(kernel).then(pl.lit("kernel fit")).otherwise(pl.lit("profile η")),
        ceiling_source=pl.when(kernel & pl.col("ceiling_from").is_not_null()).then(
            pl.format("transferred from {}'s MAMF row (gemm_fit.TRANSFER: same SM architecture, assumed)",
                      pl.col("ceiling_from")))
        .when(kernel & pl.col("ceiling").is_not_null()).then(pl.lit("MAMF row"))
        .when(kernel).then(pl.lit("default ceiling (median of the MAMF ceilings)")).otherwise(None),
        ceiling=pl.when(kernel).then(pl.col("ceiling").fill_null(default)).otherwise(None),
        best_fraction=pl.when(kernel).then(pl.col("best_fraction").fill_null(mamf_median(ceil, "best_fraction")))
        .otherwise(None),
        k_half=pl.when(kernel).then(pl.lit(k_half) * pl.col("ridge")).otherwise(None),
        units=pl.when(kernel).then(pl.col("units")).otherwise(None),
        tile_m=pl.when(kernel).then(pl.col("tile_m")).otherwise(None),
        tile_n=pl.when(kernel).then(pl.col("tile_n")).otherwise(None),
        fit_rows=pl.lit(shaped_ids.height), fit_sources=pl.lit(n_sources),
        heldout_median_abs_error=pl.lit(heldout), in_sample_median_abs_error=pl.lit(in_sample),
        last_verified=pl.lit(today or dt.datetime.now(dt.timezone.utc).date()),
        source_url=pl.col("source_url").fill_null(pl.lit(FIT_SOURCE_URL)),
        notes=pl.format("fitted by pipeline.validation.gemm_fit on {} shaped rows of "
                        "registry_data/research/r-kernels/gemm.csv (leave-one-source-out over {} sources); "
                        "units: sm_count.csv; tiles: gemm_fit.TILES; k_half = {} x peak / memory bandwidth",
                        pl.lit(shaped_ids.height), pl.lit(n_sources), pl.lit(round(k_half, 3)))
        + pl.when(pl.col("transferred_from").is_not_null()).then(pl.format(
            "; kernel evidence transferred from {} (gemm_fit.TRANSFER, the same SM architecture: an assumption; "
            "k_half from its own peak and bandwidth)", pl.col("transferred_from"))).otherwise(pl.lit(""))
        + pl.when(fitted & pl.col("unused_heldout").is_not_null() & pl.col("ceiling").is_not_null()).then(pl.format(
            "; {} GEMM model fitted on its own rows (gemm_fit.OWN_CEILING_ONLY): ceiling {} and best_fraction {} "
            "from the fastest published {} shape (no MAMF published), held-out GEMM-time error {} on {} rows",
            "precision", pl.col("ceiling").round(4), pl.col("best_fraction").round(4), "precision",
            pl.col("unused_heldout").round(3), "unused_rows")).otherwise(pl.lit("")),
    ).drop("ridge", "ceiling_from", "transferred_from", "unused_heldout", "unused_rows").join(
        with_attention_and_memory(reg), on=["hardware", "precision"], how="left").join(
        memory_latencies(shaped_rows(reg), reg), on="hardware", how="left").join(
        attention_latencies(reg), on="hardware", how="left").with_columns(
        pl.col("memory_fraction_rows").cast(pl.Float64), *(pl.col(c).fill_null(strategy="max")
                                                          for c in ATTENTION_PROVENANCE),
        source_quality=quality(pl.col("source_url"))).sort("hardware", "precision")  # issue 13 item 5
    return with_own_call_latencies(frame.join(sustained_fractions(reg, frame), on=["hardware", "precision"],
                                              how="left"), shaped_rows_of(rows, own=True), reg)


def fill_from_donors(out: pl.DataFrame, own_units: list[str]) -> pl.DataFrame:
    """TRANSFER accelerators (their units: ``transferred_units``): their own ceiling and best_fraction where they
    have them, else their donor's at the same precision, along the chain (GB300 fp4 <- B300 <- B200); ``ceiling_from``
    names the sibling whose row the ceiling is, ``transferred_from`` the donor where anything is transferred
    (``own_units``: sm_count.csv's hardware)."""
    cols = ["ceiling", "best_fraction", "source_url", "ceiling_from"]
    j = out.join(pl.DataFrame({"hardware": list(TRANSFER), "donor": list(TRANSFER.values())}), on="hardware",
                 how="left").with_columns(ceiling_from=pl.lit(None, pl.String), transferred_from=pl.when(
                     pl.col("donor").is_not_null() & ~(pl.col("ceiling").is_not_null() & pl.col("hardware").is_in(
                         own_units))).then(pl.col("donor")))
    for _ in TRANSFER:  # one hop per pass; a chain is never longer than TRANSFER
        donors = j.select(pl.col("hardware").alias("donor"), "precision", *(pl.col(c).alias(f"d_{c}") for c in cols))
        j = j.join(donors, on=["donor", "precision"], how="left")
        fill = pl.col("ceiling").is_null() & pl.col("d_ceiling").is_not_null()
        j = j.with_columns(pl.when(fill).then(pl.coalesce("d_ceiling_from", "donor")).otherwise("ceiling_from")
                           .alias("ceiling_from"), *(pl.when(fill).then(f"d_{c}").otherwise(c).alias(c)
                                                    for c in cols[:3])).drop(*(f"d_{c}" for c in cols))
    return j.drop("donor")


def sustained_fractions(reg: Path, kernel: pl.DataFrame) -> pl.DataFrame:
    """Per (hardware, precision) with a sustained measurement: ``sustained_fraction`` = min(1, MSMF / peak /
    the catalog's ``best_fraction``), the share of the microbenchmark ceiling a GEMM holds once the chip runs at
    its power cap (the clock falls below boost: H200 BF16 1980 -> 1850-1938 MHz, B200 1965 -> 1368-1527 MHz,
    msmf.csv). Microbenchmark shapes run in bursts; a server or a training run at full load for minutes runs at
    the power-capped clock, and memory bandwidth does not move with the SM clock."""
    m = pl.read_csv(reg / SUSTAINED, infer_schema_length=0).with_columns(
        precision=pl.col("dtype").map_elements(_dtype, return_dtype=pl.String),
        msmf=pl.col("msmf_tflops").cast(pl.Float64) * 1e12).select("hardware", "precision", "msmf", "source_url")
    aliases = [m.filter(pl.col("hardware") == src).with_columns(hardware=pl.lit(dst))
               for dst, src in SUSTAINED_AS.items()]
    m = pl.concat([m, *aliases])
    m = pl.concat([m, *(m.filter(pl.col("precision") == src).with_columns(precision=pl.lit(dst))
                        for dst, src in SUSTAINED_PRECISION_AS.items())])
    peaks = pl.read_parquet(reg / "hardware.parquet").unpivot(
        index="name", on=[f"peak_{d}_flop_per_s" for d in IN_BYTES], variable_name="c", value_name="peak").select(
        pl.col("name").alias("hardware"), pl.col("c").str.extract(r"peak_(\w+?)_flop").alias("precision"), "peak")
    own = (m.join(peaks, on=["hardware", "precision"], how="inner")
           .join(kernel.select("hardware", "precision", "best_fraction"), on=["hardware", "precision"], how="inner")
           .filter(pl.col("best_fraction").is_not_null())
           .select("hardware", "precision",
                   sustained_fraction=(pl.col("msmf") / pl.col("peak") / pl.col("best_fraction"))
                   .clip(upper_bound=1.0),
                   sustained_source=pl.col("source_url")))
    # a precision without an MSMF of its own holds bf16's share: the power cap binds on the chip, not on a precision
    # (r-fp4 section 3; stas00 0359db89, B200 MSMF / MAMF at 1399-1447 MHz: bf16 0.828, fp8 0.832, nvfp4 0.834).
    fitted = kernel.filter(pl.col("best_fraction").is_not_null()).select("hardware", "precision")
    borrowed = own.filter(pl.col("precision") == "bf16").drop("precision").join(fitted, on="hardware")
    own = pl.concat([own, borrowed.select(own.columns).join(own, on=["hardware", "precision"], how="anti")])
    # TRANSFER accelerators without an MSMF take the nearest sibling's along TRANSFER (GB300 -> B300 -> B200): the same
    # fractional clock drop at their own cap (GB200 1200 W, GB300 1400 W, H200 NVL 600 W), an assumption (r-fp8sus2).
    near, measured = dict(TRANSFER), set(own["hardware"])
    for _ in TRANSFER:  # one hop per pass; a chain is never longer than TRANSFER
        near = {dst: TRANSFER.get(src, src) if src not in measured else src for dst, src in near.items()}
    extra = [own.filter(pl.col("hardware") == near[dst]).with_columns(
        hardware=pl.lit(dst), sustained_source=pl.format("transferred from {} (gemm_fit.TRANSFER, assumed): {}",
                                                         pl.lit(near[dst]), pl.col("sustained_source")))
        for dst in TRANSFER if dst not in measured]
    return pl.concat([own, *(e.join(fitted, on=["hardware", "precision"], how="semi") for e in extra)])


ATTENTION_PROVENANCE = ("attention_fit_rows", "attention_fit_sources", "attention_heldout_median_abs_error",
                        "attention_in_sample_median_abs_error")


def with_attention_and_memory(reg: Path) -> pl.DataFrame:
    """Per (hardware, precision) of the catalog grid: the attention fit's columns (its provenance
    on every row) and the hardware's measured memory fraction."""
    grid = pl.read_parquet(reg / "hardware.parquet").unpivot(
        index="name", on=[f"peak_{d}_flop_per_s" for d in IN_BYTES], variable_name="c", value_name="peak").filter(
        pl.col("peak").is_not_null()).select(pl.col("name").alias("hardware"),
                                             pl.col("c").str.extract(r"peak_(\w+?)_flop").alias("precision"))
    attention = attention_columns(reg)
    provenance = attention.select(*ATTENTION_PROVENANCE).head(1)
    return (grid.join(attention.drop(*ATTENTION_PROVENANCE), on=["hardware", "precision"], how="left")
            .join(provenance, how="cross").join(memory_fractions(reg), on="hardware", how="left"))


if __name__ == "__main__":  # kernel_catalog imports this module: run it by name (an import here would be a cycle)
    import runpy
    runpy.run_module("pipeline.validation.kernel_catalog", run_name="__main__")
