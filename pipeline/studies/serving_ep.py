"""Expert parallelism and multi-node serving in the serving study (formulas:
``pipeline.walls.expert_parallel``): the ``ep`` axis, the cluster whose scale-out fabric carries
the traffic between scale-up domains, and the rules a multi-node layout must keep.

The cluster (axes.cluster, ``--cluster``): per accelerator, the named clusters of the catalog the
spec lists for it, else its *reference cluster*: of its clusters, those with a published
scale-out (NIC bandwidth, NICs per node, latency) first, then primary sources, then the fewest
nodes (the vendor's smallest reference design), then the name. An accelerator without a cluster
serves within one scale-up domain only, as before. ``ep`` = 1 (the default) leaves every layout
that fits one domain as it was.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipeline.catalogs.load import Catalogs
from pipeline.errors import InputError, Problem
from pipeline.spec import SweepSpec
from pipeline.studies import result, sides
from pipeline.studies.sides import Rule
from pipeline.units import unit

AXES = {"ep": ("", pl.Float64), "redundant_experts": ("", pl.Int64)}
CLUSTER_COLUMNS = ["accelerators_per_node", "nic_bandwidth_bits_per_s", "nics_per_node", "scaleout_latency_s",
                   "oversubscription_ratio"]
CLUSTER_UNITS = {"cluster": None, "cluster_override": None, "cluster_gpus": unit(""),
                 "expert_imbalance_placed": unit(""), "expert_imbalance_redundant": unit(""),
                 "dual_batch_overlap": None, "attention_dp_unaligned": None} | {
    c: u for c, u in sides.catalog_units("clusters", CLUSTER_COLUMNS).items()}

_TP, _PP, _EP = pl.col("tp"), pl.col("pp"), pl.col("ep")
_USES_EP = (_EP > 1) & pl.col("n_experts").is_not_null()
DEVICES = _TP * _PP * pl.when(_USES_EP).then(_EP / _TP).otherwise(1.0)  # = walls' devices_per_replica
_DOMAIN = pl.col("scaleup_domain_size")
_SPANS = DEVICES > _DOMAIN

# model side
EP_NOT_MOE = Rule("ep > 1 needs a mixture-of-experts model", (_EP > 1) & pl.col("n_experts").is_null())
_R = pl.col("redundant_experts")
EP_EXPERTS = Rule("ep does not divide the routed experts + redundant_experts",
                  (_EP > 1) & (((pl.col("n_experts") + _R) % _EP) != 0))
REDUNDANT_NO_EP = Rule("redundant_experts > 0 needs expert parallelism (ep > 1) of a mixture-of-experts model",
                       (_R > 0) & ((_EP <= 1) | pl.col("n_experts").is_null()))
EP_TP = Rule("ep is not a multiple of tp (attention TP groups inside the EP group: vLLM's EP = DP x TP)",
             (_EP > 1) & ((_EP % _TP) != 0))
MODEL_RULES = [EP_NOT_MOE, EP_EXPERTS, EP_TP, REDUNDANT_NO_EP]
# per pair of sides
TP_DOMAIN = Rule("tp exceeds the hardware's scale-up domain (attention TP stays inside it)", _TP > _DOMAIN)
NO_CLUSTER = Rule("layout spans scale-up domains and no cluster of the catalog has this accelerator",
                  _SPANS & pl.col("cluster").is_null(), if_null=False)
NO_SCALEOUT = Rule("layout spans scale-up domains of a cluster without a published scale-out bandwidth and latency",
                   _SPANS & pl.col("cluster").is_not_null()
                   & pl.any_horizontal(pl.col(c).is_null() for c in CLUSTER_COLUMNS[:4]), if_null=False)
CLUSTER_SIZE = Rule("layout exceeds the cluster's accelerators", DEVICES > pl.col("cluster_gpus"), if_null=False)
PAIR_RULES = [NO_CLUSTER, NO_SCALEOUT, CLUSTER_SIZE]


def reference_clusters(clusters: pl.DataFrame) -> pl.DataFrame:
    """One cluster per accelerator (``accelerator``, ``cluster``): the module docstring's order."""
    published = pl.all_horizontal(pl.col(c).is_not_null() for c in CLUSTER_COLUMNS[:4])
    ranked = clusters.sort([~published, pl.col("source_quality") != "primary", "nodes", "name"])
    return ranked.group_by("accelerator", maintain_order=True).first().select("accelerator",
                                                                              pl.col("name").alias("cluster"))


def with_cluster(rows: pl.DataFrame, catalogs: Catalogs, spec: SweepSpec) -> pl.DataFrame:
    """Hardware rows (``name``) with the cluster each serves on and its scale-out columns: the spec's
    clusters of that accelerator (one row each), else the reference cluster, else nulls."""
    sides.check_catalog_names("axes.cluster", spec.axes.cluster, catalogs.clusters)
    clusters = catalogs.clusters
    reference = reference_clusters(clusters)
    chosen = reference if not spec.axes.cluster else clusters.filter(pl.col("name").is_in(list(spec.axes.cluster))) \
        .select("accelerator", pl.col("name").alias("cluster"))
    elsewhere = chosen.filter(~pl.col("accelerator").is_in(rows["name"].implode()))
    if spec.axes.cluster and elsewhere.height:
        raise InputError("sweep spec", [Problem(None, "axes.cluster", f"{c!r} is a cluster of {a}, not of an "
                                                "accelerator of the sweep (axes.hardware)")
                                        for a, c in elsewhere.iter_rows()])
    chosen = pl.concat([chosen, reference.join(chosen, on="accelerator", how="anti")])
    figures = clusters.select(pl.col("name").alias("cluster"), *CLUSTER_COLUMNS, "nodes")
    chosen = chosen.join(figures, on="cluster").join(reference.rename({"cluster": "_reference"}), on="accelerator")
    out = rows.join(chosen.rename({"accelerator": "name"}), on="name", how="left", maintain_order="left")
    return out.with_columns(
        cluster_override=pl.when(pl.col("cluster") != pl.col("_reference")).then(pl.col("cluster")),
        cluster_gpus=(pl.col("nodes") * pl.col("accelerators_per_node")).cast(pl.Float64),
        oversubscription_ratio=pl.col("oversubscription_ratio").fill_null(1.0),
        expert_imbalance_placed=pl.lit(spec.serving.expert_imbalance, dtype=pl.Float64),
        expert_imbalance_redundant=pl.lit(spec.serving.expert_imbalance_redundant, dtype=pl.Float64),
        dual_batch_overlap=pl.lit(spec.serving.dual_batch_overlap, dtype=pl.Boolean),
        attention_dp_unaligned=pl.lit(spec.serving.attention_dp_unaligned, dtype=pl.Boolean),
        **{c: pl.col(c).cast(pl.Float64) for c in ("accelerators_per_node", "nics_per_node")},
    ).drop("_reference", "nodes")


COLUMNS = {
    "attention_dp": ("", "attention data-parallel groups per stage: ep / tp with EP, else 1", "vLLM wide-EP "
                     "(EP = DP x TP); SGLang DP attention"),
    "devices_per_replica": ("", "accelerators of one replica: tp x attention_dp x pp", "layout"),
    "pp_crossing_boundaries": ("", "pipeline stage boundaries between scale-up domains (over the scale-out "
                               "fabric)", "layout"),
    "scaleout_bandwidth_per_gpu_bytes_per_s": ("B/s", "the cluster's NICs per accelerator / oversubscription",
                                               "clusters catalog (wall 10)"),
    "ep_alpha_s": ("s", "per-message latency of the EP group's link (scale-up, else the cluster's scale-out)",
                   "hardware / clusters catalog"),
    "ep_beta_bytes_per_s": ("B/s", "per-rank bandwidth of the EP group: scale-up link x eta_link, else NICs x "
                            "0.95 (wall 10)", "hardware / clusters catalog"),
    "decode_alltoall_bytes_per_rank": ("B", "bytes one rank dispatches per MoE layer in a decode step: its tokens "
                                       "x top-k x d_model x activation bytes", "DeepSeek-V3 §3.4; DeepEP"),
    "prefill_alltoall_time_s": ("s", "EP dispatch + combine of the prefill pass, all MoE layers (in ttft_s)",
                                "alpha-beta, DeepEP (FP8 dispatch, BF16 combine)"),
    "decode_alltoall_time_s": ("s", "EP dispatch + combine of one decode step (token step), all MoE layers "
                               "(in itl_s)", "alpha-beta, DeepEP (FP8 dispatch, BF16 combine)"),
    "attention_dp_stall_s": ("s", "expected wait of a decode iteration for another attention-DP group's prompt "
                             "(in e2e_latency_s, not itl_s) under serving.attention_dp_unaligned: (1 - (1 - q)^n - q) "
                             "x one context outside the MLP, q = group sequences / generated tokens (0 aligned)",
                             "TensorRT-LLM tech blog 10 (ADP balance)"),
}


def with_columns(schema: type[pa.DataFrameModel]) -> type[pa.DataFrameModel]:
    """``schema`` followed by the EP axis, the cluster and the EP / multi-node columns."""
    body = {"ep": result("", "expert-parallel ranks per stage: routed experts sharded E / ep each (1: none)",
                         "sweep axis", nullable=False),
            "cluster": result(None, "cluster whose scale-out fabric links the scale-up domains (axes.cluster, "
                              "else the accelerator's reference cluster; null: none in the catalog)",
                              "clusters catalog"),
            "cluster_override": result(None, "cluster when it is not the accelerator's reference cluster (null: "
                                       "the reference, named in cluster)", "axes.cluster"),
            "redundant_experts": result("", "redundant expert slots (EPLB copies of hot experts) over the EP group: "
                                        "(E + r) / ep slots per rank", "sweep axis (DeepSeek: 32 at EP32 and EP144)",
                                        nullable=False),
            "expert_slots": result("", "routed expert slots per layer over the EP group: E + redundant_experts "
                                   "(E without EP)", "EPLB; DeepSeek open-infra-index day 6"),
            "expert_imbalance": result("", "busiest EP rank's expert load / the mean (applies with ep > 1): "
                                       "serving.expert_imbalance_redundant with redundant experts, else "
                                       "serving.expert_imbalance", "LMSYS 2025-05-05, 59,337 / 50,302; with "
                                       "redundant experts TensorRT-LLM tech blog 4 Table 1 (1 + 0.109)"),
            "dual_batch_overlap": result(None, "two microbatches hide the EP all-to-all behind computation (applies "
                                         "with ep > 1)", "serving.dual_batch_overlap (DeepSeek-V3 §3.4)",
                                         nullable=False),
            "attention_dp_unaligned": result(None, "attention-DP groups run their contexts in different iterations "
                                             "(applies with ep > 1; off: aligned)", "serving.attention_dp_unaligned "
                                             "(TensorRT-LLM tech blog 10)", nullable=False)}
    body |= {name: result(u, description, source) for name, (u, description, source) in COLUMNS.items()}
    body["__annotations__"] = {"ep": float, "redundant_experts": int, "expert_slots": float,
                               "cluster": pl.Categorical, "cluster_override": pl.Categorical,
                               "expert_imbalance": float, "dual_batch_overlap": bool,
                               "attention_dp_unaligned": bool} | dict.fromkeys(COLUMNS, float)
    body["Config"] = type("Config", (), {"name": schema.Config.name, "strict": True})
    return type(schema.__name__, (schema,), body)
