"""Walls 21 and 22: analytic elasticities against a central finite difference of the whole
expression, and synthesized requirements put back into the row."""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipeline import formulas, runs
from pipeline.spec import parse_spec
from pipeline.studies import serving, training
from pipeline.studies.serving_precomputed import rebindable

H = 1e-6
TOLERANCE = 1e-4


def prepared(raw: dict):
    return runs.prepare(parse_spec(raw))


def finite_difference(frame: pl.LazyFrame, units: dict, output: str, registry, column: str) -> pl.Expr:
    """Add d log output / d log column by a central difference of the full plan."""
    frame = frame.with_columns((pl.col(column) * (1 + H)).alias("_up"), (pl.col(column) * (1 - H)).alias("_dn"))
    for name, suffix in (("_up", "__up"), ("_dn", "__dn")):
        frame = formulas.plan(frame, units, [output], registry, rebind={column: name}, suffix=suffix, keep=True).frame
    slope = (pl.col(f"{output}__up").log() - pl.col(f"{output}__dn").log()) / (math.log(1 + H) - math.log(1 - H))
    return frame.with_columns(slope.alias(f"fd_{column}"))


def compare(frame: pl.DataFrame, analytic: str, fd: str) -> pl.DataFrame:
    return frame.filter(pl.col(analytic).is_not_null() & pl.col(fd).is_not_null()).select(
        (pl.col(analytic) - pl.col(fd)).abs().alias("gap"), analytic)


# Elasticities are checked against differences where time is smooth in the inputs: under the kernel compute
# model (every study's default, issue 12 item 2) a GEMM's time is a step function of its shape
# (tile and wave quantisation), so these checks state their regime, the profile η (issue 12 item 2 allows it).
SMOOTH = {"efficiency": {"compute_model": "profile"}}
NODE_PROFILE = SMOOTH | {"axes": {"hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB", "L4", "MI300X", "T4"],
                 "model": ["ResNet-50", "BERT-Large", "Llama 2 7B", "Llama 3 8B", "Mixtral 8x7B"],
                 "compute_dtype": ["fp16", "bf16", "int8", "fp8"], "batch": [1, 2, 4, 8, 16, 32, 64, 128, 256],
                 "seq_len": [256, 512, 1024, 2048],
                 "workload": ["inference", "training"]}}
NODE = {"axes": NODE_PROFILE["axes"]}  # the node default, the kernel compute model


def test_node_elasticities_match_a_central_difference():
    p = prepared(NODE)
    units = p.space.units
    base = formulas.plan(p.space.frame(), units, ["latency_s", "elasticity_peak_flop_per_s",
                                                  "elasticity_memory_bandwidth", "elasticity_launch_overhead",
                                                  "compute_time_s", "memory_time_s"], keep=True).frame
    for column in ("peak_flop_per_s", "memory_bandwidth_bytes_per_s", "launch_overhead_per_kernel_s"):
        base = finite_difference(base, units, "latency_s", None, column)
    rows = base.filter(pl.col("latency_s").is_not_null()).collect()
    assert rows.height >= 1000
    regimes = rows.select((pl.col("compute_time_s") >= pl.col("memory_time_s")).alias("compute"))["compute"]
    assert regimes.sum() > 100 and (~regimes).sum() > 100  # compute-bound and memory-bound alike
    for analytic, fd in (("elasticity_peak_flop_per_s", "fd_peak_flop_per_s"),
                         ("elasticity_memory_bandwidth", "fd_memory_bandwidth_bytes_per_s"),
                         ("elasticity_launch_overhead", "fd_launch_overhead_per_kernel_s")):
        gaps = compare(rows, analytic, fd)
        assert gaps.height >= 1000 and gaps["gap"].max() < TOLERANCE, analytic


SERVING = SMOOTH | {"study": "serving", "axes": {
    "hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB", "L40S", "MI300X"],
    "model": ["Llama 3 8B", "Llama 2 70B", "Mixtral 8x7B"], "compute_dtype": ["fp16", "fp8"],
    "weight_dtype": ["fp16", "int4"], "kv_dtype": ["fp16"], "tp": [1, 2, 4, 8], "pp": [1, 2],
    "batch": [1, 16, 128, 512], "prompt_len": [512, 4096], "output_len": [256]}}


def test_serving_elasticities_match_a_central_difference():
    p = prepared(SERVING)
    units = p.space.units
    reg = serving.FORMULAS
    base = formulas.plan(p.space.frame(), units, ["itl_s", "elasticity_peak_flop_per_s", "elasticity_memory_bandwidth",
                                                  "elasticity_link_bandwidth", "elasticity_link_latency",
                                                  "elasticity_launch_overhead", "bound",
                                                  "decode_mlp_overlap_stream_time_s"], reg, keep=True).frame
    for column in ("peak_flop_per_s", "memory_bandwidth_bytes_per_s", "scaleup_link_bandwidth_bytes_per_s",
                   "scaleup_link_latency_s", "launch_overhead_per_kernel_s"):
        base = finite_difference(base, units, "itl_s", reg, column)
    rows = base.filter(pl.col("itl_s").is_not_null()).collect()
    bounds = rows["bound"].cast(pl.String)
    assert rows.height >= 1000 and (bounds == "compute").sum() > 50 and (bounds == "memory").sum() > 50
    # Mixtral's grouped GEMMs, compute-bound at their ℓp norm (grouped_gemm): part of their time moves with bandwidth
    assert (rows["decode_mlp_overlap_stream_time_s"] > 0).sum() > 50
    for analytic, fd in (("elasticity_peak_flop_per_s", "fd_peak_flop_per_s"),
                         ("elasticity_memory_bandwidth", "fd_memory_bandwidth_bytes_per_s"),
                         ("elasticity_link_bandwidth", "fd_scaleup_link_bandwidth_bytes_per_s"),
                         ("elasticity_link_latency", "fd_scaleup_link_latency_s"),
                         ("elasticity_launch_overhead", "fd_launch_overhead_per_kernel_s")):
        gaps = compare(rows, analytic, fd)
        assert gaps.height >= 1000 and gaps["gap"].max() < TOLERANCE, analytic


def test_training_peak_elasticity_matches_a_central_difference():
    p = prepared(SMOOTH | {"study": "training", "axes": {
        "model": ["Llama 3 8B", "Llama 2 70B"], "cluster": ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"],
        "compute_dtype": ["bf16"], "gpus": [64, 512], "tp": [1, 2, 4, 8], "pp": [1, 2, 4], "microbatch": [1, 2],
        "global_batch": [512, 1024], "recompute": ["selective", "full"]}})
    base = training.node_reference(p.space.frame(), p.space.units)[0]
    units = p.space.units
    base = formulas.plan(base, units, ["iteration_time_s", "elasticity_peak_flop_per_s"], training.FORMULAS,
                         keep=True).frame
    base = formulas.plan(base, units, ["elasticity_global_batch"], training.FORMULAS, keep=True).frame
    base = finite_difference(base, units, "iteration_time_s", training.FORMULAS, "peak_flop_per_s")
    # the global batch sets the number of microbatches: a central difference through it
    base = base.with_columns((pl.col("num_microbatches") * (1 + H)).alias("_m_up"),
                             (pl.col("num_microbatches") * (1 - H)).alias("_m_dn"))
    for name, suffix in (("_m_up", "__mup"), ("_m_dn", "__mdn")):
        base = formulas.plan(base, units, ["iteration_time_s"], training.FORMULAS,
                             rebind={"num_microbatches": name}, suffix=suffix, keep=True).frame
    rows = base.with_columns(fd_global_batch=(pl.col("iteration_time_s__mup") / pl.col("iteration_time_s__mdn")).log()
                             / (math.log(1 + H) - math.log(1 - H))).collect()
    for analytic, fd in (("elasticity_peak_flop_per_s", "fd_peak_flop_per_s"),
                         ("elasticity_global_batch", "fd_global_batch")):
        gaps = compare(rows, analytic, fd)
        assert gaps.height >= 100 and gaps["gap"].max() < TOLERANCE, analytic


def test_synthesized_requirements_meet_the_target_when_put_back():
    # At the node default, the kernel compute model (one η per GEMM shape): wall 22 inverts the compute time
    # itself (peak x compute / budget), so the requirement put back meets the target (the profile η's form is
    # the same formula: tests/walls/test_synthesis.py).
    p = prepared(NODE | {"analysis": {"synthesis_target_fraction": 0.8}})
    units = p.space.units
    base = formulas.plan(p.space.frame(), units, ["latency_s", "target_latency_s", "required_peak_flop_per_s",
                                                  "required_memory_bandwidth_bytes_per_s", "synthesis_note",
                                                  "memory_time_s", "compute_time_s", "step_fixed_time_s",
                                                  "step_host_time_s", "elementwise_time_s"], keep=True).frame
    base = base.with_columns(fixed_memory_s=pl.col("memory_time_s") + pl.col("elementwise_time_s"),
                             overhead_s=pl.col("step_fixed_time_s") + pl.col("step_host_time_s"))
    for column, required in (("peak_flop_per_s", "required_peak_flop_per_s"),
                             ("memory_bandwidth_bytes_per_s", "required_memory_bandwidth_bytes_per_s")):
        base = formulas.plan(base, units, ["latency_s"], rebind={column: required}, suffix=f"__{column}",
                             keep=True).frame
    rows = base.filter(pl.col("latency_s").is_not_null()).collect()
    # no FLOP/s reaches the target where memory and the element-wise kernels (CNN training) fill it
    for column, required, other in (("peak_flop_per_s", "required_peak_flop_per_s", "fixed_memory_s"),
                                    ("memory_bandwidth_bytes_per_s", "required_memory_bandwidth_bytes_per_s",
                                     "compute_time_s")):
        met = rows.filter(pl.col(required).is_not_null())
        assert met.height > 100
        rel = (met[f"latency_s__{column}"] / met["target_latency_s"] - 1).abs()
        assert rel.max() < 1e-9, column
        unreachable = rows.filter(pl.col(required).is_null())
        assert (unreachable[other] + unreachable["overhead_s"] >= unreachable["target_latency_s"]).all()
        assert unreachable.height > 0  # the other term binds somewhere, and the row says so
    assert rows["synthesis_note"].null_count() == 0
    assert rows["target_latency_s"].to_list() == pytest.approx((rows["latency_s"] * 0.8).to_list())


def test_node_batch_elasticity_matches_a_difference_in_batch():
    """Batch is on the model side (its token counts are computed before the cross join), so the
    reference is two sweeps at b and b (1 + 1e-6) joined row by row."""
    import pipeline

    axes = {"hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB", "L4"], "model": ["ResNet-50", "BERT-Large",
                                                                           "Llama 3 8B"],
            "compute_dtype": ["fp16", "int8"], "seq_len": [512, 2048], "workload": ["inference", "training"]}
    keys = ["hardware", "model", "compute_dtype", "seq_len", "workload", "step"]
    frames = []
    for b in (64, 1000):
        low = pipeline.sweep(SMOOTH | {"axes": axes | {"batch": [b]}})
        high = pipeline.sweep(SMOOTH | {"axes": axes | {"batch": [b + 1]}})
        both = low.join(high.select(*keys, pl.col("latency_s").alias("latency_up")), on=keys, nulls_equal=True)
        frames.append(both.with_columns(arc=(pl.col("latency_up") / pl.col("latency_s")).log()
                                        / math.log((b + 1) / b)))
    rows = pl.concat(frames).filter(pl.col("elasticity_batch").is_not_null() & pl.col("arc").is_not_null())
    assert rows.height > 50
    # an arc over one unit of batch differs from the point elasticity by O(1/b) where the regime holds
    assert (rows["elasticity_batch"] - rows["arc"]).abs().max() < 2e-2


def test_serving_workload_elasticities_match_differences():
    """Batch: ITL is linear in the sequences of a microbatch within a regime, so b (T(b+1) - T(b-1)) /
    (2 T(b)) is exact (pp = 1, dense models). Prompt length: a central difference in the plan."""
    raw = SMOOTH | {"study": "serving", "axes": {
        "hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB", "L40S", "MI300X"],
        "model": ["Llama 3 8B", "Llama 2 70B", "Qwen2.5 7B"], "compute_dtype": ["fp16", "fp8"],
        "weight_dtype": ["fp16", "int4"], "kv_dtype": ["fp16"], "tp": [1, 2, 4, 8], "pp": [1],
        "batch": [8, 16, 32, 64, 128, 256], "prompt_len": [256, 512, 2048, 4096], "output_len": [256]}}
    p = prepared(raw)
    reg = serving.FORMULAS
    # the space's model side holds columns computed from batch and prompt_len (serving_precomputed): passes that
    # rebind those inputs recompute them
    units = rebindable(p.space.units, ["batch", "prompt_len"], reg)
    frame = p.space.frame().with_columns(_b_up=pl.col("batch") + 1, _b_dn=pl.col("batch") - 1)
    regimes = [f"decode_{op}_is_compute_bound" for op in (*serving.OPERATORS, "lm_head")]
    # the TP all-reduce's message-size regime (its alpha, fitted per regime: issue 12) is a step in
    # batch x hidden size at powers of two, where this sweep's batches land: compared within it
    allreduce = "decode_tp_alpha_s"
    frame = formulas.plan(frame, units, ["itl_s", "elasticity_batch", "elasticity_prompt_len", "bound", *regimes,
                                         allreduce], reg, keep=True).frame
    for name, suffix in (("_b_up", "__bup"), ("_b_dn", "__bdn")):
        frame = formulas.plan(frame, units, ["itl_s", *regimes, allreduce], reg, rebind={"batch": name}, suffix=suffix,
                              keep=True).frame
    frame = finite_difference(frame, units, "itl_s", reg, "prompt_len")
    same = pl.all_horizontal([(pl.col(r) == pl.col(f"{r}__bup")) & (pl.col(r) == pl.col(f"{r}__bdn"))
                              for r in regimes])
    same_allreduce = (pl.col(allreduce).eq_missing(pl.col(f"{allreduce}__bup"))
                      & pl.col(allreduce).eq_missing(pl.col(f"{allreduce}__bdn")))
    rows = frame.with_columns(
        fd_batch=pl.col("batch") * (pl.col("itl_s__bup") - pl.col("itl_s__bdn")) / (2 * pl.col("itl_s")),
        same_regime=same).filter(pl.col("itl_s").is_not_null()).collect()
    bounds = rows["bound"].cast(pl.String)
    assert (bounds == "compute").sum() > 50 and (bounds == "memory").sum() > 50
    gaps = compare(rows, "elasticity_prompt_len", "fd_prompt_len")
    assert gaps.height >= 1000 and gaps["gap"].max() < TOLERANCE
    # between b - 1 and b + 1 an operator may change regime (a kink): exact wherever none does
    rows = rows.filter(same_allreduce)
    kept = rows.filter(pl.col("same_regime"))
    gaps = compare(kept, "elasticity_batch", "fd_batch")
    assert gaps.height >= 1000 and gaps.height > 0.95 * rows.height and gaps["gap"].max() < TOLERANCE


def test_training_seq_len_elasticity_matches_a_central_difference():
    """The step is quadratic in the sequence length (attention scores), so s (T(s+1) - T(s-1)) / (2 T(s))
    is its exact elasticity; three sweeps, joined row by row."""
    import pipeline

    axes = {"model": ["Llama 3 8B", "Llama 2 70B", "Mixtral 8x7B"],
            "cluster": ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"], "compute_dtype": ["bf16"],
            "gpus": [64, 512], "tp": [1, 2, 4, 8], "pp": [1, 2, 4], "ep": [1, 2], "microbatch": [1],
            "global_batch": [512], "recompute": ["none", "selective", "full"], "zero_stage": [1]}
    keys = ["model", "gpus", "tp", "pp", "ep", "recompute"]
    s = 4096
    frames = {d: pipeline.sweep(SMOOTH | {"study": "training", "axes": axes | {"seq_len": [s + d]}})
              for d in (-1, 0, 1)}
    rows = frames[0].join(frames[1].select(*keys, pl.col("step_time_s").alias("up")), on=keys).join(
        frames[-1].select(*keys, pl.col("step_time_s").alias("dn")), on=keys)
    rows = rows.filter(pl.col("step_time_s").is_not_null() & pl.col("up").is_not_null() & pl.col("dn").is_not_null())
    rows = rows.with_columns(fd=s * (pl.col("up") - pl.col("dn")) / (2 * pl.col("step_time_s")))
    assert rows.height >= 50
    assert (rows["elasticity_seq_len"] - rows["fd"]).abs().max() < TOLERANCE


def test_node_seq_len_elasticity_matches_a_central_difference():
    """Latency is quadratic in the sequence length within a regime (attention scores), so
    s (T(s+1) - T(s-1)) / (2 T(s)) is exact there; three sweeps, joined row by row."""
    import pipeline

    axes = {"hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB", "L4"], "model": ["BERT-Large", "Llama 3 8B",
                                                                           "Llama 2 70B"],
            "compute_dtype": ["fp16", "bf16", "int8", "fp8"], "batch": [1, 2, 4, 8, 16, 32, 64, 128],
            "workload": ["inference", "training"]}
    keys = ["hardware", "model", "compute_dtype", "batch", "workload", "step"]
    s = 1024
    frames = {d: pipeline.sweep(SMOOTH | {"axes": axes | {"seq_len": [s + d]}}) for d in (-1, 0, 1)}
    rows = frames[0].join(frames[1].select(*keys, pl.col("latency_s").alias("up"), pl.col("bound").alias("b_up")),
                          on=keys).join(frames[-1].select(*keys, pl.col("latency_s").alias("dn"),
                                                          pl.col("bound").alias("b_dn")), on=keys)
    rows = rows.filter(pl.col("elasticity_seq_len").is_not_null() & (pl.col("bound") == pl.col("b_up"))
                       & (pl.col("bound") == pl.col("b_dn")))
    rows = rows.with_columns(fd=s * (pl.col("up") - pl.col("dn")) / (2 * pl.col("latency_s")))
    bounds = rows["bound"].cast(pl.String)
    assert rows.height >= 100 and (bounds == "compute").sum() > 10 and (bounds == "memory").sum() > 10, \
        bounds.value_counts()
    assert (rows["elasticity_seq_len"] - rows["fd"]).abs().max() < TOLERANCE
