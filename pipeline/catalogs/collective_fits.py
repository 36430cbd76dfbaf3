"""The collectives catalog: alpha-beta parameters of all-reduce per fabric class, fitted to
published nccl-tests / rccl-tests bus-bandwidth curves (registry_data/research/r-collectives),
never to the end-to-end rows used for validation.

Each class is fitted, per message-size regime, to the ring all-reduce of Thakur, Rabenseifner
and Gropp 2005 (§4), time = 2(n-1) alpha + 2(n-1)/n x M / beta, the form the communication wall
uses: beta is then the curve's bus bandwidth at large messages (nccl-tests' busbw is
algbw x 2(n-1)/n, "PERFORMANCE.md" of NVIDIA/nccl-tests). NCCL switches protocol and algorithm
by size (LL/ring for small messages, Simple and NVLink SHARP above ~1 MB on 8 H100s, NCCL tuner
log in nccl-tests issue #309), so each regime has its own alpha and beta; under NVLS the fitted
beta is a ring-equivalent bus bandwidth above the NVLink wire rate (nccl-tests issue #212,
maintainer: ~480 GB/s busbw against 450 GB/s per direction).

The fit minimises the squared relative error of time (equal to that of bus bandwidth), a
weighted linear least squares in (alpha, 1/beta). ``python -m pipeline.catalogs.collective_fits``
rewrites registry_data/collective_fits.csv from the curves.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import statistics
from collections.abc import Iterable
from pathlib import Path

import pandera.polars as pa
import polars as pl

from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import count, quantity, text
from pipeline.walls.communication import (ALLREDUCE_FIT_COLUMNS, ALLREDUCE_REGIME_BOUNDS_BYTES, ALLREDUCE_REGIMES,
                                          PCIE_COLUMNS)

CURVES = Path("research") / "r-collectives" / "collectives.csv"
# Curves gathered later, in the same columns (r-coll2: a second A100 source, issue 12).
MORE_CURVES = (Path("research") / "r-coll2" / "collectives.csv",)
FITS = "collective_fits.csv"

# Scale-up fabric of each accelerator whose class has curves. MI325X keeps MI300X's xGMI links
# (AMD Instinct MI325X datasheet: same 7 x 64 GB/s Infinity Fabric); H200 SXM keeps H100's
# NVLink4 / NVSwitch; B200 has GB200's NVLink5 (1.8 TB/s bidirectional per GPU, NVIDIA datasheets).
FABRIC_OF_HARDWARE = {
    "H100 SXM5 80GB": "nvlink4_nvswitch", "H200 SXM 141GB": "nvlink4_nvswitch",
    "A100 SXM4 80GB": "nvlink3_nvswitch", "A100 SXM4 40GB": "nvlink3_nvswitch",
    "MI300X": "xgmi_mi300x", "MI325X": "xgmi_mi300x",
    "GB200 NVL72 GPU": "nvlink5_nvswitch", "B200 (HGX B200)": "nvlink5_nvswitch",
}
# An accelerator whose scale-up domain is joined by PCIe alone (no NVLink; the hardware catalog's
# scaleup_pcie_ranks_per_socket, e.g. the L40S row's 8-GPU server) and has no fit: no published nccl-tests curve of
# such a server was found (research/r-pcie), so NCCL's own cost model prices its ring (walls/pcie_collectives).
# TensorRT-LLM runs NCCL there: its AUTO all-reduce takes NCCL unless every pair of the group is NVLink-connected
# (cpp/tensorrt_llm/plugins/ncclPlugin/allreducePlugin.cpp, selectImplementation and setGroupTopology).
PCIE_BASIS = "NCCL PCIe ring, LL or Simple (nccl src/graph/tuning.cc), link x eta_link, CPU interconnect across sockets"
# Curves whose every rank shares one scale-up domain (one node, or one NVL72 rack).
SCALEUP_CURVES = {"04_i290_1node", "09_mi300x_ar", "10_mi300x_ar_graph", "11_mi300x_aac8", "13_azure_ndh100v5",
                  "14_azure_ndh200v5", "15_azure_nda100v4", "16_azure_ndgb200v6", "19_cw_gb200_1rack",
                  "24_galvatron_dgxa100"}
# Message-size regimes [low, high) in bytes. NCCL picks protocol (LL, LL128, Simple), algorithm
# and channel count by size (NCCL tuner on 8 H100s: ring/LL to 1 MB, NVLS/Simple from 2 MB,
# nccl-tests #309 comment 2025-05-23), so no single alpha-beta line holds across sizes; five
# regimes, chosen by leave-one-source-out error (three gave 15 % median, four 10 %, five 7 %).
# The bounds live with the formula that reads them (the communication wall).
BOUNDS = ALLREDUCE_REGIME_BOUNDS_BYTES
REGIMES = tuple((name, low, high) for name, low, high in zip(ALLREDUCE_REGIMES, (0.0, *BOUNDS), (*BOUNDS, math.inf),
                                                              strict=True))
# A class's fit is used only when it predicts held-out sources within issue 12's 10 % (A100's one
# source and GB200's two unlike curves do not: they keep link x eta_link).
MAX_HELD_OUT_ERROR = 0.10
# Published busbw has two decimals: below 0.25 GB/s the rounding alone errs by > 2 %.
MIN_BUSBW_GBPS = 0.25


def source_of(url: str) -> str:
    """One source per GitHub issue thread, GitHub repository (any commit or file) or web page."""
    m = re.match(r"https?://github\.com/([^/]+/[^/]+)(/issues/\d+)?", url)
    return f"github.com/{m.group(1)}{m.group(2) or ''}" if m else url


def read_curves(registry: Path | None = None) -> pl.DataFrame:
    """The scale-up all-reduce points: time from the log, or from busbw where only busbw is published."""
    root = registry or bundled_registry()
    raw = pl.concat([pl.read_csv(root / path, schema_overrides={"time_us": pl.Float64, "algbw_GBps": pl.Float64})
                     for path in (CURVES, *MORE_CURVES) if (root / path).exists()], how="vertical_relaxed")
    return (raw.filter(pl.col("collective") == "all_reduce", pl.col("curve_id").is_in(SCALEUP_CURVES),
                       pl.col("busbw_GBps") >= MIN_BUSBW_GBPS)
            .with_columns(fabric_class=pl.col("hardware").replace_strict(FABRIC_OF_HARDWARE, default=None),
                          source=pl.col("source_url").map_elements(source_of, return_dtype=pl.String),
                          time_s=pl.coalesce(pl.col("time_us") * 1e-6,  # else invert busbw (PERFORMANCE.md)
                                             pl.col("message_bytes") * 2.0 * (pl.col("ranks") - 1.0)
                                             / pl.col("ranks") / (pl.col("busbw_GBps") * 1e9)))
            .select("curve_id", "source", "fabric_class", "hardware", "ranks", "message_bytes", "time_s",
                    "busbw_GBps"))


def ring_time_s(n: float, message: float, alpha: float, beta: float) -> float:
    """Ring all-reduce (Thakur et al. 2005, §4): 2(n-1) alpha + 2(n-1)/n x M / beta, in floats
    for the least squares; tests check it against the wall's ``ring_all_reduce_s``."""
    return 2.0 * (n - 1.0) * alpha + 2.0 * (n - 1.0) / n * message / beta


def busbw_from_time(n: float, message: float, time_s: float) -> float:
    """nccl-tests busbw (PERFORMANCE.md): algbw = M / t, x 2(n-1)/n for all-reduce."""
    return message / time_s * 2.0 * (n - 1.0) / n


def fit_alpha_beta(points: Iterable[tuple[float, float, float]], beta_cap: float | None = None
                   ) -> tuple[float, float, float]:
    """(alpha s, beta B/s, rms relative residual of time) minimising sum ((t_fit - t) / t)^2 over
    (ranks, message bytes, time s) points. Where the two-parameter optimum is unphysical (alpha
    or 1/beta < 0, or beta above ``beta_cap``, the class's bandwidth at larger messages: flat or
    noisy latency-bound points) the better of alpha = 0 and beta = ``beta_cap`` is kept."""
    pts = list(points)
    rows = [(2.0 * (n - 1.0) / t, 2.0 * (n - 1.0) / n * m / t) for n, m, t in pts]
    s11 = sum(a * a for a, _ in rows)
    s12 = sum(a * b for a, b in rows)
    s22 = sum(b * b for _, b in rows)
    y1, y2 = sum(a for a, _ in rows), sum(b for _, b in rows)
    det = s11 * s22 - s12 * s12
    alpha, inv_beta = ((s22 * y1 - s12 * y2) / det, (s11 * y2 - s12 * y1) / det) if det > 0 else (-1.0, 0.0)
    if alpha < 0 or inv_beta <= 0 or (beta_cap and inv_beta < 1.0 / beta_cap):
        options = [(0.0, y2 / s22)]  # bandwidth only
        if beta_cap:  # latency at the capped bandwidth: sum a (1 - b / cap - a alpha) = 0
            options.append((max((y1 - s12 / beta_cap) / s11, 0.0), 1.0 / beta_cap))
        alpha, inv_beta = min(options, key=lambda o: _rms(pts, o[0], 1.0 / o[1]))
    return alpha, 1.0 / inv_beta, _rms(pts, alpha, 1.0 / inv_beta)


def _rms(pts: list[tuple[float, float, float]], alpha: float, beta: float) -> float:
    resid = [ring_time_s(n, m, alpha, beta) / t - 1.0 for n, m, t in pts]
    return math.sqrt(sum(r * r for r in resid) / len(resid))


def regime_of(message: float) -> str:
    return next(name for name, low, high in REGIMES if low <= message < high)


def _link_bandwidth(hardware: pl.DataFrame) -> dict[str, float]:
    return dict(zip(hardware["name"], hardware["scaleup_link_bandwidth_bytes_per_s"], strict=True))


def fit_class(points: pl.DataFrame, link: dict[str, float]) -> list[dict]:
    """One row per regime with points: alpha, beta and beta as a fraction of each point's
    catalog link bandwidth (averaged: the classes' accelerators share a link rate)."""
    out, beta_cap = [], None
    for name, low, high in reversed(REGIMES):  # large messages first: their beta caps the smaller
        part = points.filter(pl.col("message_bytes") >= low, pl.col("message_bytes") < high)
        if part.is_empty():
            continue
        alpha, beta, resid = fit_alpha_beta(part.select("ranks", "message_bytes", "time_s").iter_rows(), beta_cap)
        beta_cap = beta_cap or beta
        links = [link[h] for h in part["hardware"]]
        out.append({"regime": name, "min_message_bytes": low, "max_message_bytes": high, "alpha_s": alpha,
                    "beta_bytes_per_s": beta, "link_fraction": beta / statistics.fmean(links),
                    "n_points": part.height, "rms_relative_residual": resid,
                    "curve_ids": ";".join(sorted(set(part["curve_id"]))),
                    "sources": ";".join(sorted(set(part["source"])))})
    return out[::-1]


def fit_catalog(points: pl.DataFrame, hardware: pl.DataFrame, fitted_on: dt.date) -> pl.DataFrame:
    """The collectives catalog: one row per fabric class and regime."""
    link = _link_bandwidth(hardware)
    rows = [{"fabric_class": fabric, **row} for fabric in sorted(set(points["fabric_class"]))
            for row in fit_class(points.filter(pl.col("fabric_class") == fabric), link)]
    return pl.DataFrame(rows).with_columns(fit_date=pl.lit(fitted_on),
                                           method=pl.lit("ring all-reduce alpha-beta, relative least squares"))


def predict(fits: pl.DataFrame, fabric: str, hardware_link: float, n: float, message: float) -> float | None:
    """Bus bandwidth (GB/s) of an all-reduce from the class's fit for the message's regime,
    beta as the fitted fraction of this accelerator's link; None when the class has no fit there."""
    row = fits.filter(pl.col("fabric_class") == fabric, pl.col("regime") == regime_of(message))
    if row.is_empty():
        return None
    alpha, fraction = row["alpha_s"][0], row["link_fraction"][0]
    return busbw_from_time(n, message, ring_time_s(n, message, alpha, fraction * hardware_link)) / 1e9


def leave_one_source_out(points: pl.DataFrame, hardware: pl.DataFrame) -> pl.DataFrame:
    """For each source: fit every class without it, predict its points; a class left with no
    other source is predicted from the pooled fit of all other scale-up classes (alpha and link
    fraction). One row per held-out point with its relative busbw error."""
    link = _link_bandwidth(hardware)
    rows = []
    for source in sorted(set(points["source"])):
        rest = points.filter(pl.col("source") != source)
        fits = fit_catalog(rest, hardware, dt.date.today())
        pooled = fit_catalog(rest.with_columns(fabric_class=pl.lit("pooled")), hardware, dt.date.today())
        for r in points.filter(pl.col("source") == source).iter_rows(named=True):
            basis = r["fabric_class"]
            got = predict(fits, basis, link[r["hardware"]], r["ranks"], r["message_bytes"])
            if got is None:
                basis, got = "pooled", predict(pooled, "pooled", link[r["hardware"]], r["ranks"], r["message_bytes"])
            rows.append({"source": source, "curve_id": r["curve_id"], "fabric_class": r["fabric_class"],
                         "basis": basis, "message_bytes": r["message_bytes"], "busbw_GBps": r["busbw_GBps"],
                         "predicted_GBps": got, "error": got / r["busbw_GBps"] - 1.0})
    return pl.DataFrame(rows)


class CollectiveFit(pa.DataFrameModel):
    """One fitted regime of one fabric class, with its provenance."""

    fabric_class: str = text("scale-up fabric class", isin=sorted(set(FABRIC_OF_HARDWARE.values())))
    regime: str = text("message-size regime", isin=[name for name, _, _ in REGIMES])
    min_message_bytes: float = quantity("B", "smallest message of the regime (inclusive)", ge=0)
    max_message_bytes: float = pa.Field(gt=0, metadata={"unit": "B", "description": "largest (exclusive)"})
    alpha_s: float = quantity("s", "fitted per-step latency of the ring all-reduce", ge=0)
    beta_bytes_per_s: float = quantity("B/s", "fitted per-direction bandwidth (busbw at large messages)")
    link_fraction: float = quantity("", "beta / the catalog's scale-up link bandwidth")
    n_points: int = count("published points fitted")
    rms_relative_residual: float = quantity("", "rms of t_fit / t - 1 over the points", ge=0)
    curve_ids: str = text("curves fitted (collectives.csv curve_id)")
    sources: str = text("sources of those curves")
    held_out_median_abs_error: float = quantity("", "the class's leave-one-source-out median |busbw error|", ge=0)
    fit_date: dt.date = pa.Field(metadata={"description": "day of the fit"})
    method: str = text("fit method")

    class Config:
        strict = True
        coerce = True
        unique = ["fabric_class", "regime"]


def load_fit_csv(name: str, schema: type[pa.DataFrameModel], registry: Path | None = None) -> pl.DataFrame:
    """A fitted CSV catalog (validated by ``schema``), from ``registry`` when it holds one, else
    the bundled one."""
    path = registry / name if registry is not None and (registry / name).exists() else bundled_registry() / name
    return _validated(str(path.resolve()), path.stat().st_mtime_ns, schema)


@functools.lru_cache(maxsize=8)
def _validated(path: str, mtime_ns: int, schema: type[pa.DataFrameModel]) -> pl.DataFrame:
    """Validated once per file version: every sweep's hardware side reads it."""
    return schema.validate(pl.read_csv(path, try_parse_dates=True))


def load_fits(registry: Path | None = None) -> pl.DataFrame:
    """The stored collective fits (validated)."""
    return load_fit_csv(FITS, CollectiveFit, registry)


def allreduce_columns(hardware: pl.DataFrame, fits: pl.DataFrame) -> pl.DataFrame:
    """Per accelerator with a fitted fabric: ``allreduce_alpha_ratio_<regime>`` (fitted alpha /
    the catalog's link latency) and ``allreduce_link_fraction_<regime>`` (fitted beta / the
    catalog's link bandwidth), and ``comm_basis``. Every other accelerator, and a class whose fit
    does not predict a held-out source within MAX_HELD_OUT_ERROR, gets nulls and the basis
    "link x eta_link"; a PCIe domain without a fit gets its socket ranks and CPU interconnect bandwidth
    (``PCIE_COLUMNS``: NCCL's PCIe ring)."""
    latency = dict(zip(hardware["name"], hardware["scaleup_link_latency_s"], strict=True))
    socket = {r["name"]: (r["scaleup_pcie_ranks_per_socket"], r["scaleup_socket_bandwidth_bytes_per_s"])
              for r in hardware.iter_rows(named=True)}
    link = _link_bandwidth(hardware)
    rows = []
    for name in hardware["name"]:
        fabric = FABRIC_OF_HARDWARE.get(name)
        mine = (fits.filter(pl.col("fabric_class") == fabric,
                            pl.col("held_out_median_abs_error") <= MAX_HELD_OUT_ERROR)
                if fabric and link[name] and latency[name] else fits.clear())
        by_regime = {r["regime"]: r for r in mine.iter_rows(named=True)}
        sources = sorted({src for row in mine["sources"] for src in row.split(";")})
        ranks, socket_bw = socket[name] if socket[name][0] is not None and not by_regime else (None, None)
        ranks = None if ranks is None else float(ranks)
        row = {"name": name, "comm_basis": f"all-reduce fit {fabric} ({'; '.join(sources)})" if by_regime
               else PCIE_BASIS if ranks is not None else "link x eta_link",
               **dict(zip(PCIE_COLUMNS, (ranks, socket_bw), strict=True))}
        for regime, _, _ in REGIMES:
            fit = by_regime.get(regime)
            row[f"allreduce_alpha_ratio_{regime}"] = fit["alpha_s"] / latency[name] if fit else None
            row[f"allreduce_link_fraction_{regime}"] = fit["link_fraction"] if fit else None
        rows.append(row)
    return pl.DataFrame(rows, schema={"name": pl.String, "comm_basis": pl.String,
                                      **{c: pl.Float64 for c in ALLREDUCE_FIT_COLUMNS}})


ALLREDUCE_UNITS = dict.fromkeys(ALLREDUCE_FIT_COLUMNS, "") | {PCIE_COLUMNS[1]: "B/s"}


def refit(registry: Path | None = None, fitted_on: dt.date | None = None) -> pl.DataFrame:
    registry = registry or bundled_registry()
    hardware = pl.read_parquet(registry / "hardware.parquet")
    points = read_curves(registry)
    held = leave_one_source_out(points, hardware).group_by("fabric_class").agg(
        held_out_median_abs_error=pl.col("error").abs().median())
    fits = fit_catalog(points, hardware, fitted_on or dt.date.today()).join(held, on="fabric_class", how="left")
    return fits.select(list(CollectiveFit.to_schema().columns))


if __name__ == "__main__":
    CollectiveFit.validate(refit()).write_csv(bundled_registry() / FITS)
