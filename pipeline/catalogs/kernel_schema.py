"""Pandera schema of the GEMM kernel-efficiency catalog (registry_data/kernel_efficiency.parquet)."""

from __future__ import annotations

from pipeline.catalogs.fields import Provenance, count, finite, quantity, text


class KernelEfficiencySchema(Provenance):
    """GEMM kernel efficiency per (hardware, precision): the shape model of pipeline.walls.gemm
    fitted to published kernel microbenchmarks by pipeline.validation.gemm_fit (never to the
    end-to-end measurement rows). ``efficiency_basis`` says whether matmul operators use it
    ("kernel fit") or keep the efficiency profile's η ("profile η": no kernel data or unit count)."""

    hardware: str = text("a hardware catalog name")
    precision: str = text("compute precision (a precisions catalog name)")
    efficiency_basis: str = text("what sets the matmul operators' η", isin=["kernel fit", "profile η"])
    units: float = quantity("", "SMs (NVIDIA) or CUs (AMD) a GEMM's tiles run on", nullable=True)
    tile_m: float = quantity("", "rows of C per CTA tile", nullable=True)
    tile_n: float = quantity("", "columns of C per CTA tile", nullable=True)
    ceiling: float = quantity("", "best-shape fraction of peak (MAMF / the model's shape factor there)",
                              nullable=True, le=1)
    ceiling_source: str = text("where the ceiling comes from", nullable=True)
    k_half: float = quantity("", "K at which a tile's K loop runs at half speed", nullable=True)
    fit_rows: int = count("shaped kernel rows the fit used")
    fit_sources: int = count("sources (repositories) of those rows")
    heldout_median_abs_error: float = quantity("", "median |error| of GEMM time, leave-one-source-out", ge=0)
    in_sample_median_abs_error: float = quantity("", "median |error| of GEMM time on the fitted rows", ge=0)
    _finite = finite(r"^(units|tile_m|tile_n|ceiling|k_half|\w+_error)$")

    class Config:
        name = "kernel_efficiency"
        unique = ["hardware", "precision"]  # noqa: RUF012 (pandera API)
