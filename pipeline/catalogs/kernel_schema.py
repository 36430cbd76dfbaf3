"""Pandera schema of the GEMM kernel-efficiency catalog (registry_data/kernel_efficiency.parquet)."""

from __future__ import annotations

from pipeline.catalogs.fields import Provenance, count, finite, quantity, text


class KernelEfficiencySchema(Provenance):
    """GEMM kernel efficiency per (hardware, precision): the shape model of pipeline.walls.gemm
    (and the attention model of pipeline.walls.attention_kernel, attention_fit; the measured
    memory-bandwidth fraction, bandwidth_fit)
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
    best_fraction: float = quantity("", "best measured fraction of peak of any shape (the MAMF row; the median of "
                                    "the MAMF rows without one): the cap of the shape model", nullable=True, le=1)
    ceiling_source: str = text("where the ceiling comes from", nullable=True)
    k_half: float = quantity("", "K at which a tile's K loop runs at half speed", nullable=True)
    fit_rows: int = count("shaped kernel rows the fit used")
    fit_sources: int = count("sources (repositories) of those rows")
    heldout_median_abs_error: float = quantity("", "median |error| of GEMM time, leave-one-source-out", ge=0)
    in_sample_median_abs_error: float = quantity("", "median |error| of GEMM time on the fitted rows", ge=0)
    attention_ceiling: float = quantity("", "best fused attention kernel's fraction of peak at saturation "
                                        "(pipeline.walls.attention_kernel)", nullable=True, le=1)
    attention_kernel: str = text("the kernel the attention ceiling is fitted to", nullable=True)
    attention_s_half: float = quantity("", "mean keys per query at which the K loop runs at half speed",
                                       nullable=True)
    attention_d_half: float = quantity("", "head dimension at which the matmul share is one half", nullable=True)
    attention_fit_rows: int = count("attention kernel rows the fit used")
    attention_fit_sources: int = count("sources of those rows")
    attention_heldout_median_abs_error: float = quantity("", "median |error| of attention time, "
                                                         "leave-one-source-out", ge=0)
    attention_in_sample_median_abs_error: float = quantity("", "median |error| of attention time in sample", ge=0)
    memory_fraction: float = quantity("", "measured fraction of peak memory bandwidth of streaming kernels",
                                      nullable=True, le=1)
    memory_fraction_rows: float = quantity("", "bandwidth benchmark rows behind memory_fraction", nullable=True)
    memory_fraction_source: str = text("first source of memory_fraction", nullable=True)
    _finite = finite(r"^(units|tile_m|tile_n|ceiling|best_fraction|k_half|attention_(ceiling|s_half|d_half)"
                     r"|memory_fraction|\w+_error)$")

    class Config:
        name = "kernel_efficiency"
        unique = ["hardware", "precision"]  # noqa: RUF012 (pandera API)
