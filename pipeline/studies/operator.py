"""The kernel study (issue 12 item 6): one GEMM, attention call or collective per row, on an
accelerator (or a named cluster's fabric), through the formulas the serving and training
studies use for their operators (``pipeline.walls.kernel_calls``, ``pipeline.walls.gemm``,
``pipeline.walls.communication``) and the same catalogs: peaks and bandwidths (hardware),
η (efficiency profiles), the GEMM shape model (kernel_efficiency), the fitted all-reduce
(collective_fits) and, across scale-up domains, the cluster's NICs (wall 10).

Every row is predicted in one vectorized pass; a row that cannot be predicted keeps its
``reason`` (``operator_reasons``) and null outputs, so a catalog of kernel measurements never
aborts on one bad row.
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs import collective_fits
from pipeline.catalogs.load import Catalogs
from pipeline.errors import did_you_mean
from pipeline.studies.efficiency import eta_table
from pipeline.studies.kernels import kernel_table
from pipeline.units import UExpr, col, lit, where
from pipeline.walls.attention_kernel import attention_query_blocks
from pipeline.walls.communication import (
    ALLREDUCE_FIT_COLUMNS,
    all_to_all_s,
    nccl_all_reduce_s,
    ring_all_gather_s,
    ring_reduce_scatter_s,
)
from pipeline.walls.kernel_calls import (
    BUSBW_FACTOR,
    COLLECTIVE_OPS,
    attention_bytes,
    attention_eta_compute,
    attention_flop,
    attention_pairs,
    bus_bandwidth,
    gemm_bytes,
    gemm_eta_compute,
    gemm_flop,
    latency_roofline_compute_bound,
    latency_roofline_time_s,
)
from pipeline.walls.locality import SCALEOUT_LINK_EFFICIENCY, link_for_span, scaleout_bandwidth_per_gpu_bytes_per_s

OPS = ("gemm", "attention", *COLLECTIVE_OPS)
# What each kind of call needs (positive numbers); everything else may be null.
REQUIRED = {"gemm": ("m", "n", "k"), "attention": ("batch", "heads", "kv_heads", "head_dim", "q_len", "kv_len")}
REQUIRED |= dict.fromkeys(COLLECTIVE_OPS, ("message_bytes", "ranks"))
SHAPE = ("m", "n", "k", "batch", "heads", "kv_heads", "head_dim", "q_len", "kv_len", "message_bytes", "ranks")
INPUTS = {"op": pl.String, "hardware": pl.String, "cluster": pl.String, "dtype": pl.String,
          **dict.fromkeys(SHAPE, pl.Float64), "causal": pl.Boolean}
UNITS = {"op": None, "hardware": None, "cluster": None, "dtype": None, "m": "", "n": "", "k": "", "batch": "",
         "heads": "", "kv_heads": "", "head_dim": "", "q_len": "tok", "kv_len": "tok", "causal": None,
         "message_bytes": "B", "ranks": "", "time_s": "s", "flop": "FLOP", "bytes": "B",
         "achieved_flop_per_s": "FLOP/s", "fraction_of_peak": "", "algbw_bytes_per_s": "B/s",
         "busbw_bytes_per_s": "B/s", "bound": None, "efficiency_basis": None, "eta_compute": "", "eta_memory": "",
         "eta_link": "", "peak_flop_per_s": "FLOP/s", "memory_bandwidth_bytes_per_s": "B/s",
         "scaleup_domain_size": "", "reason": None}
HARDWARE = ["family", "memory_bandwidth_bytes_per_s", "scaleup_link_bandwidth_bytes_per_s", "scaleup_link_latency_s"]
CLUSTER = ["accelerators_per_node", "nic_bandwidth_bits_per_s", "nics_per_node", "oversubscription_ratio",
           "scaleout_latency_s"]


def requests(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with every input column (missing ones null), cast to its type."""
    return rows.with_columns(pl.lit(None, t).alias(c) for c, t in INPUTS.items() if c not in rows.columns) \
        .with_columns(pl.col(c).cast(t) for c, t in INPUTS.items())


def _unknown(frame: pl.DataFrame, column: str, known: list[str], what: str) -> pl.Expr:
    """A reason for each name of ``column`` not in ``known``, with the closest names (computed
    once per distinct unknown name)."""
    bad = [n for n in frame[column].drop_nulls().unique().to_list() if n not in known]
    hints = {}
    for name in bad:
        hints[name] = f"unknown {what} {name!r}{did_you_mean(name, known)}"
    return pl.col(column).replace_strict(hints, default=None, return_dtype=pl.String)


def operator_reasons(frame: pl.DataFrame, catalogs: Catalogs) -> pl.Expr:
    """Why each row cannot be predicted (null where it can): the first problem found."""
    cases = [(~pl.col("op").is_in(OPS) | pl.col("op").is_null(),
              pl.format("op {} is not one of {}", pl.col("op").fill_null("(none)"), pl.lit(", ".join(OPS)))),
             (pl.col("hardware").is_null() & pl.col("cluster").is_null(), pl.lit("needs a hardware or a cluster")),
             (pl.lit(True), _unknown(frame, "hardware", catalogs.hardware["name"].to_list(), "hardware")),
             (pl.lit(True), _unknown(frame, "cluster", catalogs.clusters["name"].to_list(), "cluster"))]
    computable = catalogs.precisions.filter(pl.col("peak_column").is_not_null())["name"].to_list()
    cases.append((pl.col("op").is_in(["gemm", "attention"]) & ~pl.col("dtype").is_in(computable),
                  pl.format("dtype {} is not a compute precision ({})", pl.col("dtype").fill_null("(none)"),
                            pl.lit(", ".join(computable)))))
    for op, fields in REQUIRED.items():
        for f in fields:
            cases.append((pl.col("op").eq(op) & pl.col(f).is_null(), pl.lit(f"{op} needs {f}")))
            cases.append((pl.col("op").eq(op) & (pl.col(f) <= 0),
                          pl.format(f"{f} must be positive, got {{}}", pl.col(f))))
    cases.append((pl.col("op").is_in(COLLECTIVE_OPS) & (pl.col("ranks") < 2),
                  pl.format("a collective needs at least 2 ranks, got {}", pl.col("ranks").cast(pl.Int64))))
    causal = pl.col("causal").fill_null(False)
    cases.append((pl.col("op").eq("attention") & causal & (pl.col("kv_len") < pl.col("q_len")),
                  pl.lit("causal attention needs kv_len >= q_len")))
    cases.append((pl.col("op").eq("attention") & (pl.col("heads") % pl.col("kv_heads") != 0),
                  pl.lit("heads must be a multiple of kv_heads")))
    out = pl.lit(None, pl.String)
    for condition, reason in reversed(cases):
        out = pl.when(condition.fill_null(False) & reason.is_not_null()).then(reason).otherwise(out)
    return out


def _side(frame: pl.DataFrame, catalogs: Catalogs, framework: str, workload: str) -> pl.DataFrame:
    """Each row with its accelerator's figures, η, GEMM model, fitted all-reduce and fabric."""
    clusters = catalogs.clusters.select(pl.col("name").alias("cluster"), pl.col("accelerator").alias("_acc"),
                                        pl.col("scaleup_domain_size").alias("_domain"), *CLUSTER)
    frame = frame.join(clusters, on="cluster", how="left").with_columns(
        hardware=pl.coalesce("hardware", "_acc"))
    hw = catalogs.hardware.select(pl.col("name").alias("hardware"), *HARDWARE, "scaleup_domain_size")
    frame = frame.join(hw, on="hardware", how="left").with_columns(
        scaleup_domain_size=pl.coalesce("_domain", "scaleup_domain_size").cast(pl.Float64)).drop("_acc", "_domain")
    peaks = catalogs.hardware.unpivot(index="name", on=catalogs.precisions["peak_column"].drop_nulls().to_list(),
                                      variable_name="peak_column", value_name="peak_flop_per_s")
    precisions = catalogs.precisions.select(pl.col("name").alias("compute_dtype"), "peak_column",
                                            "bytes_per_element")
    peaks = peaks.join(precisions, on="peak_column").select(pl.col("name").alias("hardware"), "compute_dtype",
                                                            "peak_flop_per_s", "bytes_per_element")
    frame = frame.with_columns(compute_dtype=pl.col("dtype").fill_null("bf16"), workload=pl.lit(workload)) \
        .join(peaks, on=["hardware", "compute_dtype"], how="left")
    keys = frame.select("workload", "family", "compute_dtype").unique()
    etas = eta_table(keys, catalogs.efficiency_profiles, framework, kinds=("compute", "memory", "link"))
    frame = frame.join(etas.select("workload", "family", "compute_dtype", "eta_compute", "eta_memory", "eta_link"),
                       on=["workload", "family", "compute_dtype"], how="left", nulls_equal=True)
    frame = kernel_table(frame, catalogs.kernel_efficiency, "kernel", None, on="hardware", sustained=False)
    fits = collective_fits.allreduce_columns(
        catalogs.hardware, collective_fits.load_fits(catalogs.paths["hardware"].parent)).rename({"name": "hardware"})
    return frame.join(fits, on="hardware", how="left")


def _c(name: str, u: str = "") -> UExpr:
    return col(name, u)


def _gemm() -> tuple[UExpr, UExpr, UExpr]:
    m, n, k = _c("m"), _c("n"), _c("k")
    eta = gemm_eta_compute(m, n, k, _c("gemm_units"), _c("gemm_tile_m"), _c("gemm_tile_n"), _c("gemm_ceiling"),
                           _c("gemm_k_half"), _c("gemm_best_fraction"), _c("framework_eta_multiplier"),
                           _c("eta_compute"))
    return gemm_flop(m, n, k), gemm_bytes(m, n, k, _c("bytes_per_element", "B/elem")), eta


def _attention() -> tuple[UExpr, UExpr, UExpr]:
    q, kv = _c("q_len"), _c("kv_len")
    pairs = attention_pairs(q, kv, pl.col("causal").fill_null(False))
    flop = attention_flop(_c("batch"), _c("heads"), _c("head_dim"), pairs)
    nbytes = attention_bytes(_c("batch"), _c("heads"), _c("kv_heads"), _c("head_dim"), q, kv,
                             _c("bytes_per_element", "B/elem"))
    blocks = attention_query_blocks(_c("batch"), _c("heads"), q)
    eta = attention_eta_compute(pairs / q, _c("head_dim"), blocks, _c("gemm_units"), _c("attention_ceiling"),
                                _c("attention_s_half"), _c("attention_d_half"), _c("eta_compute"))
    return flop, nbytes, eta


def _collective_time() -> UExpr:
    """Within one scale-up domain the communication wall's ring (the all-reduce at its fitted
    alpha and beta where the fabric has a fit); across domains the cluster's scale-out NICs:
    NCCL's all-reduce with the domain's part at that same fitted alpha and beta, pipelined with
    the exchange between nodes (``hierarchical_all_reduce_s``); rings for the others (as the
    training study's terms)."""
    n, message, domain = _c("ranks"), _c("message_bytes", "B"), _c("scaleup_domain_size")
    latency, link = _c("scaleup_link_latency_s", "s"), _c("scaleup_link_bandwidth_bytes_per_s", "B/s")
    eta_link = _c("eta_link")
    up_beta = link * eta_link
    out_beta = scaleout_bandwidth_per_gpu_bytes_per_s(
        _c("nic_bandwidth_bits_per_s", "bit/s"), _c("nics_per_node"), _c("accelerators_per_node"),
        _c("oversubscription_ratio").fill_null(1.0)) * SCALEOUT_LINK_EFFICIENCY
    out_alpha = _c("scaleout_latency_s", "s")
    fit = [_c(c, collective_fits.ALLREDUCE_UNITS[c]) for c in ALLREDUCE_FIT_COLUMNS]
    all_reduce = nccl_all_reduce_s(n, message, domain, latency, link, up_beta, out_alpha, out_beta, *fit)
    alpha, beta = link_for_span(n, domain, latency, out_alpha), link_for_span(n, domain, up_beta, out_beta)
    op = pl.col("op")
    return where(op == "all_reduce", all_reduce,
                 where(op == "all_to_all", all_to_all_s(n, message, alpha, beta),
                       where(op == "all_gather", ring_all_gather_s(n, message, alpha, beta),
                             ring_reduce_scatter_s(n, message, alpha, beta))))


_NIC = f"{SCALEOUT_LINK_EFFICIENCY:g}"  # NCCL's achieved fraction of an NDR NIC (wall 10)


def _basis(is_gemm: pl.Expr, is_collective: pl.Expr, within: pl.Expr) -> pl.Expr:
    has_fit = pl.col("op").eq("all_reduce") & pl.col(ALLREDUCE_FIT_COLUMNS[-1]).is_not_null()
    return (pl.when(is_gemm).then(pl.col("efficiency_basis").cast(pl.String))
            .when(is_collective & has_fit & within).then(pl.col("comm_basis"))
            .when(is_collective & within).then(pl.lit("link x eta_link"))
            .when(is_collective & has_fit).then(pl.format(f"hierarchical, pipelined: {{}} within, NICs x {_NIC} across",
                                                          "comm_basis"))
            .when(is_collective).then(pl.lit(f"hierarchical: link x eta_link within, NICs x {_NIC} across"))
            .otherwise(pl.lit("profile η")))


def predict_operators(rows: pl.DataFrame, catalogs: Catalogs, framework: str = "default",
                      workload: str = "inference") -> pl.DataFrame:
    """One output row per input row (same order): time, achieved FLOP/s and fraction of peak
    (GEMM, attention), algorithm and bus bandwidth (collectives), bound, efficiency_basis and
    the η used; ``reason`` where the row cannot be predicted."""
    frame = requests(rows).with_row_index("_row")
    frame = frame.with_columns(reason=operator_reasons(frame, catalogs))
    frame = _side(frame, catalogs, framework, workload)
    is_gemm, is_attention = pl.col("op") == "gemm", pl.col("op") == "attention"
    is_collective = pl.col("op").is_in(COLLECTIVE_OPS)
    peak, bw = _c("peak_flop_per_s", "FLOP/s"), _c("memory_bandwidth_bytes_per_s", "B/s")
    (gf, gb, ge), (af, ab, ae) = _gemm(), _attention()
    flop, nbytes, eta = (where(is_gemm, gf, af), where(is_gemm, gb, ab), where(is_gemm, ge, ae))
    eta_m = _c("eta_memory")
    # one kernel's fixed time on its memory side (walls/kernel_calls); an attention call's own floor
    # (pipeline.validation.decode_attention_fit)
    alpha = where(is_attention, _c("attention_latency_s", "s"), _c("memory_latency_s", "s"))
    compute_time = latency_roofline_time_s(flop, nbytes, peak, eta, bw, eta_m, 1.0, alpha)
    collective_time = _collective_time()
    factor = _c("_factor")
    lazy = frame.lazy().with_columns(_factor=pl.col("op").replace_strict(BUSBW_FACTOR, default=None,
                                                                   return_dtype=pl.Float64))
    within = _c("ranks") <= _c("scaleup_domain_size")
    no_peak = (is_gemm | is_attention) & pl.col("peak_flop_per_s").is_null()
    no_link = is_collective & (pl.col("scaleup_link_bandwidth_bytes_per_s").is_null()
                               | pl.col("scaleup_link_latency_s").is_null())
    no_fabric = is_collective & ~within & (pl.col("nic_bandwidth_bits_per_s").is_null() | pl.col("cluster").is_null())
    reason = (pl.when(pl.col("reason").is_not_null()).then(pl.col("reason"))
              .when(no_peak).then(pl.format("{} has no {} peak", "hardware", "compute_dtype"))
              .when(no_link).then(pl.format("{} has no scale-up link in the hardware catalog", "hardware"))
              .when(no_fabric).then(pl.format("{} ranks exceed the scale-up domain ({}) of {}: name a cluster "
                                              "whose scale-out fabric carries them", pl.col("ranks").cast(pl.Int64),
                                              pl.col("scaleup_domain_size").cast(pl.Int64), "hardware")))
    lazy = lazy.with_columns(reason=reason)
    ok = pl.col("reason").is_null()
    time = where(is_collective, collective_time, compute_time)
    out = lazy.with_columns(
        time_s=time.magnitude("s"),
        flop=where(is_collective, lit(0.0, "FLOP"), flop).magnitude("FLOP"),
        bytes=where(is_collective, _c("message_bytes", "B"), nbytes).magnitude("B"),
        eta_compute=pl.when(is_collective).then(None).otherwise(eta.expr),
        bound=pl.when(is_collective).then(pl.lit("network"))
        .when(latency_roofline_compute_bound(flop, nbytes, peak, eta, bw, eta_m, 1.0, alpha)).then(pl.lit("compute"))
        .otherwise(pl.lit("memory")),
        efficiency_basis=_basis(is_gemm, is_collective, within),
        algbw_bytes_per_s=pl.when(is_collective).then((_c("message_bytes", "B") / time).magnitude("B/s")),
        busbw_bytes_per_s=pl.when(is_collective).then(bus_bandwidth(factor, _c("ranks"), _c("message_bytes", "B"),
                                                                    time).magnitude("B/s")),
    ).with_columns(
        achieved_flop_per_s=pl.when(~is_collective).then(pl.col("flop") / pl.col("time_s")),
    ).with_columns(fraction_of_peak=pl.col("achieved_flop_per_s") / pl.col("peak_flop_per_s"))
    results = ["time_s", "flop", "bytes", "achieved_flop_per_s", "fraction_of_peak", "algbw_bytes_per_s",
               "busbw_bytes_per_s", "bound", "efficiency_basis", "eta_compute"]
    out = out.with_columns(pl.when(ok).then(pl.col(c)).alias(c) for c in results)
    return out.sort("_row").select(c for c in UNITS if c in frame.columns or c in results).collect()
