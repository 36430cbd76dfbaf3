"""The custom all-reduce catalog: latency and bandwidth of the one-shot all-reduce that serving
frameworks run instead of NCCL's ring for small messages inside a P2P-capable scale-up domain,
fitted to published kernel microbenchmarks (registry_data/research/r-collectives/
custom_allreduce.csv), never to the end-to-end rows used for validation.

One-shot (vLLM ``cross_device_reduce_1stage``, csrc/custom_all_reduce.cuh; TensorRT-LLM
``AllReduceStrategyType::ONESHOT``, cpp/tensorrt_llm/kernels/customAllReduceKernels.h): every
rank reads the n-1 peers' whole buffers over NVLink peer-to-peer and reduces locally, one kernel,
one barrier, so time = alpha + (n-1) M / beta, the form the communication wall uses
(``one_shot_all_reduce_s``). The fit minimises the squared relative error of time, a weighted
linear least squares in (alpha, 1/beta); beta is kept as a fraction of the catalog's scale-up
link bandwidth. Held-out error: each source left out in turn, predicted from the others.

Which frameworks use it, and up to which message size and rank count, are efficiency_profiles
columns (``custom_allreduce_max_bytes``, ``custom_allreduce_max_ranks``), written by
``python -m pipeline.catalogs.custom_allreduce --profiles``; ``python -m
pipeline.catalogs.custom_allreduce`` rewrites registry_data/custom_allreduce_fits.csv.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import sys
from collections.abc import Iterable
from pathlib import Path

import pandera.polars as pa
import polars as pl

from pipeline.catalogs.collective_fits import FABRIC_OF_HARDWARE, load_fit_csv
from pipeline.catalogs.io import catalog_path, write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import count, quantity, text

POINTS = Path("research") / "r-collectives" / "custom_allreduce.csv"
FITS = "custom_allreduce_fits.csv"
ALGORITHM = "one_shot"  # the decode-size path of vLLM's and TensorRT-LLM's custom all-reduce
# The fit is used only where it predicts the sources it was not fitted to within issue 12's
# ±30 % band; elsewhere the accelerator keeps NCCL's alpha-beta path.
MAX_HELD_OUT_ERROR = 0.30
# Kept as ratios to the hardware catalog's link latency and bandwidth, as the NCCL fits are
# (collective_fits.allreduce_columns), so that an override or a sensitivity of the link moves them.
CUSTOM_COLUMNS = ["custom_allreduce_alpha_ratio", "custom_allreduce_link_fraction"]
CUSTOM_UNITS = dict.fromkeys(CUSTOM_COLUMNS, "")


def read_points(registry: Path | None = None) -> pl.DataFrame:
    """The published one-shot points of a fabric class with a catalog link: (source, fabric_class,
    hardware, ranks, message bytes, time s)."""
    raw = pl.read_csv((registry or bundled_registry()) / POINTS)
    return (raw.filter(pl.col("algorithm") == ALGORITHM)
            .with_columns(fabric_class=pl.col("hardware").replace_strict(FABRIC_OF_HARDWARE, default=None),
                          source=pl.col("source_url"), time_s=pl.col("time_us") * 1e-6)
            .filter(pl.col("fabric_class").is_not_null())
            .select("point_id", "source", "fabric_class", "hardware", "ranks", "message_bytes", "time_s"))


def one_shot_time_s(n: float, message: float, alpha: float, beta: float) -> float:
    """alpha + (n-1) M / beta in floats for the least squares; a test checks it against the wall."""
    return alpha + (n - 1.0) * message / beta


def fit_one_shot(points: Iterable[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(alpha s, beta B/s, rms relative residual) minimising sum ((t_fit - t) / t)^2 over
    (ranks, message bytes, time s): rows (1/t, (n-1) M / t) against 1."""
    pts = list(points)
    rows = [(1.0 / t, (n - 1.0) * m / t) for n, m, t in pts]
    s11 = sum(a * a for a, _ in rows)
    s12 = sum(a * b for a, b in rows)
    s22 = sum(b * b for _, b in rows)
    y1, y2 = sum(a for a, _ in rows), sum(b for _, b in rows)
    det = s11 * s22 - s12 * s12
    if det <= 0:
        raise ValueError("custom all-reduce fit: points must span at least two (ranks - 1) x message values")
    alpha, inv_beta = (s22 * y1 - s12 * y2) / det, (s11 * y2 - s12 * y1) / det
    if alpha < 0 or inv_beta <= 0:
        raise ValueError(f"custom all-reduce fit is unphysical (alpha {alpha:.3g} s, 1/beta {inv_beta:.3g} s/B)")
    resid = [one_shot_time_s(n, m, alpha, 1.0 / inv_beta) / t - 1.0 for n, m, t in pts]
    return alpha, 1.0 / inv_beta, math.sqrt(sum(r * r for r in resid) / len(resid))


def _link(hardware: pl.DataFrame) -> dict[str, float]:
    return dict(zip(hardware["name"], hardware["scaleup_link_bandwidth_bytes_per_s"], strict=True))


def fit_catalog(points: pl.DataFrame, hardware: pl.DataFrame) -> pl.DataFrame:
    """One row per fabric class: alpha, beta, beta / the class's catalog link bandwidth."""
    link, rows = _link(hardware), []
    for fabric in sorted(set(points["fabric_class"])):
        part = points.filter(pl.col("fabric_class") == fabric)
        alpha, beta, resid = fit_one_shot(part.select("ranks", "message_bytes", "time_s").iter_rows())
        rows.append({"fabric_class": fabric, "algorithm": ALGORITHM, "alpha_s": alpha, "beta_bytes_per_s": beta,
                     "link_fraction": beta / statistics.fmean(link[h] for h in part["hardware"]),
                     "n_points": part.height, "rms_relative_residual": resid,
                     "source_url": ";".join(sorted(set(part["source"])))})
    return pl.DataFrame(rows)


def leave_one_source_out(points: pl.DataFrame, hardware: pl.DataFrame) -> pl.DataFrame:
    """Each source's points predicted by the fit of the class's other sources: one row per
    held-out point with its relative time error (no row where the class has no other source)."""
    link, rows = _link(hardware), []
    for source in sorted(set(points["source"])):
        rest = points.filter(pl.col("source") != source)
        fits = {r["fabric_class"]: r for r in fit_catalog(rest, hardware).iter_rows(named=True)} if rest.height else {}
        for p in points.filter(pl.col("source") == source).iter_rows(named=True):
            fit = fits.get(p["fabric_class"])
            if fit is None:
                continue
            got = one_shot_time_s(p["ranks"], p["message_bytes"], fit["alpha_s"],
                                  fit["link_fraction"] * link[p["hardware"]])
            rows.append({"source": source, "point_id": p["point_id"], "fabric_class": p["fabric_class"],
                         "time_s": p["time_s"], "predicted_s": got, "error": got / p["time_s"] - 1.0})
    return pl.DataFrame(rows)


class CustomAllReduceFit(pa.DataFrameModel):
    """The one-shot all-reduce of one fabric class, with its provenance."""

    fabric_class: str = text("scale-up fabric class", isin=sorted(set(FABRIC_OF_HARDWARE.values())))
    algorithm: str = text("the framework kernel fitted", isin=[ALGORITHM])
    alpha_s: float = quantity("s", "fitted fixed latency of one one-shot all-reduce (kernel, barrier)", ge=0)
    beta_bytes_per_s: float = quantity("B/s", "fitted rate at which a rank reads its peers' buffers", gt=0)
    link_fraction: float = quantity("", "beta / the catalog's scale-up link bandwidth", gt=0, le=1)
    n_points: int = count("published points fitted")
    rms_relative_residual: float = quantity("", "rms of t_fit / t - 1 over the points", ge=0)
    held_out_median_abs_error: float = quantity("", "median |time error| of each source predicted by the "
                                                "others (leave-one-source-out)", ge=0)
    held_out_points: int = count("points predicted in the leave-one-source-out check")
    source_url: str = text("the microbenchmarks fitted (research/r-collectives/custom_allreduce.csv)")
    last_verified: dt.date = pa.Field(metadata={"description": "day of the fit"})
    method: str = text("fit method")

    class Config:
        strict = True
        coerce = True
        unique = ["fabric_class", "algorithm"]


def refit(registry: Path | None = None, fitted_on: dt.date | None = None) -> pl.DataFrame:
    registry = registry or bundled_registry()
    hardware = pl.read_parquet(registry / "hardware.parquet")
    points = read_points(registry)
    held = leave_one_source_out(points, hardware).group_by("fabric_class").agg(
        held_out_median_abs_error=pl.col("error").abs().median(), held_out_points=pl.len())
    fits = fit_catalog(points, hardware).join(held, on="fabric_class", how="left").with_columns(
        last_verified=pl.lit(fitted_on or dt.date.today()),
        method=pl.lit("one-shot alpha + (n-1) M / beta, relative least squares"))
    return CustomAllReduceFit.validate(fits.select(list(CustomAllReduceFit.to_schema().columns)))


def load_fits(registry: Path | None = None) -> pl.DataFrame:
    """The stored one-shot fits (validated), from ``registry`` when it holds one, else the bundled one."""
    return load_fit_csv(FITS, CustomAllReduceFit, registry)


def custom_allreduce_columns(hardware: pl.DataFrame, fits: pl.DataFrame) -> pl.DataFrame:
    """Per accelerator whose fabric class has a fit within MAX_HELD_OUT_ERROR: the fitted alpha
    over the accelerator's link latency and beta over its link bandwidth; nulls elsewhere
    (NCCL's path)."""
    usable = fits.filter(pl.col("held_out_median_abs_error") <= MAX_HELD_OUT_ERROR)
    by_class = hardware.select("name", "scaleup_link_latency_s").with_columns(
        fabric_class=pl.col("name").replace_strict(FABRIC_OF_HARDWARE, default=None))
    return (by_class.join(usable.select("fabric_class", "alpha_s", "link_fraction"), on="fabric_class", how="left")
            .select("name", custom_allreduce_alpha_ratio=(pl.col("alpha_s") / pl.col("scaleup_link_latency_s"))
                    .cast(pl.Float64), custom_allreduce_link_fraction=pl.col("link_fraction").cast(pl.Float64)))


# -- which frameworks use it (efficiency_profiles) ------------------------------------------------

VLLM = ("https://github.com/vllm-project/vllm/blob/00d618aab60448acdf3fac3e9c4e2e22d0c6c753/vllm/distributed/"
        "device_communicators/custom_all_reduce.py")  # max_size=8192*1024, world sizes 2,4,6,8, NVLink or 2 GPUs
TRTLLM = ("https://github.com/NVIDIA/TensorRT-LLM/blob/main/tensorrt_llm/plugin/plugin.py")  # max_workspace_size_auto
SGLANG = ("https://github.com/sgl-project/sglang/blob/004e6561cb8ae26d62166c15782955f99f058274/python/sglang/srt/"
          "distributed/device_communicators/custom_all_reduce.py")  # _MAX_CAR_SIZE 8 MiB (ROCm 16 MiB), sizes 2-8
# (framework, hardware_family) -> (largest message in bytes, most ranks, source). TensorRT-LLM's
# workspace is 16,000,000 B at tp <= 2 and 8,000,000 B above (CustomAllReduceHelper.
# max_workspace_size_auto); the catalog keeps the tp > 2 value, the binding one for TP 4 and 8;
# its kernels take up to MAX_RANKS_PER_NODE = 16 ranks (customAllReduceKernels.h).
PROFILE_LIMITS = {
    ("vLLM", "nvidia-ampere"): (8388608.0, 8.0, VLLM), ("vLLM", "nvidia-hopper"): (8388608.0, 8.0, VLLM),
    ("TensorRT-LLM", "nvidia-ampere"): (8e6, 16.0, TRTLLM), ("TensorRT-LLM", "nvidia-hopper"): (8e6, 16.0, TRTLLM),
    # the engine runtime behind Triton builds the same all-reduce plugin (plugin.py)
    ("TensorRT-LLM Triton", "nvidia-ampere"): (8e6, 16.0, TRTLLM),
    ("TensorRT-LLM Triton", "nvidia-hopper"): (8e6, 16.0, TRTLLM),
    ("SGLang", "any"): (8388608.0, 8.0, SGLANG), ("SGLang", "nvidia-blackwell"): (8388608.0, 8.0, SGLANG),
    ("SGLang", "amd-cdna3"): (16777216.0, 8.0, SGLANG),
}
PROFILE_COLUMNS = ["custom_allreduce_max_bytes", "custom_allreduce_max_ranks", "custom_allreduce_source_url"]


def with_profile_limits(profiles: pl.DataFrame) -> pl.DataFrame:
    """The efficiency profiles with the custom all-reduce columns of PROFILE_LIMITS set on their
    inference rows (any precision); every other row null (NCCL only)."""
    keys = pl.DataFrame([{"framework": f, "hardware_family": h, "custom_allreduce_max_bytes": b,
                          "custom_allreduce_max_ranks": r, "custom_allreduce_source_url": u}
                         for (f, h), (b, r, u) in PROFILE_LIMITS.items()])
    inference = profiles.filter(pl.col("workload") == "inference").select("framework", "hardware_family").unique()
    missing = keys.join(inference, on=["framework", "hardware_family"], how="anti")
    if missing.height:
        rows = missing.select("framework", "hardware_family").rows()
        raise ValueError(f"efficiency_profiles: no inference row for (framework, hardware_family) {rows} "
                         "(custom all-reduce limits)")
    base = profiles.drop([c for c in PROFILE_COLUMNS if c in profiles.columns])
    out = base.join(keys.with_columns(workload=pl.lit("inference")), on=["workload", "framework", "hardware_family"],
                    how="left")
    return out.select(*base.columns, *PROFILE_COLUMNS)


def write_profiles(registry: Path | None = None) -> Path:
    """Rewrite efficiency_profiles.parquet with the columns (read raw: a catalog written before
    the columns existed does not validate against today's schema)."""
    profiles = pl.read_parquet(catalog_path("efficiency_profiles", registry))
    return write_catalog(with_profile_limits(profiles), "efficiency_profiles", registry)


if __name__ == "__main__":
    if "--profiles" in sys.argv[1:]:
        print(write_profiles())
    else:
        refit().write_csv(bundled_registry() / FITS)
