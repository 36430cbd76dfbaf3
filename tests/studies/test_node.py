"""Reference rows: the sweep's vectorized columns against an independent, row-by-row
re-derivation in pint scalar quantities.

Nothing here imports the package's formulas (``pipeline.walls``, ``pipeline.formulas``,
``pipeline.studies.sides``, ``pipeline.studies.efficiency``). The test reads the catalogs (data), runs
the public ``pipeline.sweep`` and re-derives every row from the model's definitions as
the docstrings state them in prose: weight matrices counted by shape, the layer
operators' FLOPs and bytes (pipeline/walls/operators.py), the footprint terms of wall 2,
the launch/latency terms of wall 3 and the "most specific profile row" rule for eta. Each quantity carries its pint unit
and is converted to the output column's unit only at the end; the magnitudes must
agree to 1e-9 relative.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import polars as pl
import pytest

import pipeline
from pipeline.catalogs.io import read_catalog
from pipeline.units import ureg

REL_TOL = 1e-9


@functools.cache
def U(text: str):
    """A unit, parsed once (pint parses a unit string on every use)."""
    return ureg.Unit(text) if text else ureg.dimensionless


def Q(value, unit: str = ""):
    """A pint quantity (ureg.Quantity) with its unit parsed once."""
    return ureg.Quantity(value, U(unit))

HARDWARE = ["A100 SXM4 80GB", "H100 SXM5 80GB", "MI300X", "L4", "T4"]
MODELS = ["ResNet-50", "MobileNetV2", "BERT-Large", "GPT-2 (124M)", "Llama 2 7B", "Llama 3 8B",
          "Mixtral 8x7B", "DeepSeek-V3"]
DTYPES = ["fp32", "fp16", "fp8", "int8"]
BATCHES = [1, 8, 64]
SEQ_LENS = [512, 2048]
WORKLOADS = ["inference", "training"]
# Stated in the profile regime (issue 12 item 2): this reference re-derives the profile η path (one η per
# (framework, family, precision), ``eta_for`` below); the node default is the kernel compute model since
# 2026-12-03 (CHANGELOG), whose per-GEMM shape efficiency this scalar reference does not implement.
SPEC = {"axes": {"hardware": HARDWARE, "model": MODELS, "compute_dtype": DTYPES, "batch": BATCHES,
                 "seq_len": SEQ_LENS, "workload": WORKLOADS},
        "efficiency": {"compute_model": "profile"}}

# The spec defaults (pipeline/spec/specs/default.toml), restated on purpose.
FRAMEWORK = "default"
KERNELS_PER_TRANSFORMER_BLOCK = 11
KERNELS_PER_CNN_LAYER = 1
LAUNCH_COST = Q(4e-6, "s")
# A CNN training step graphed as MXNet runs it: 5 kernels a convolution (forward conv and batch norm, backward batch
# norm, data and weight gradients), each a fixed 9,555.07 SM cycles of device time (the A100 kernels' 6.7738 us alpha
# at 1.4106 GHz), one launch from the host.
CNN_TRAIN_KERNELS_PER_CONV = 5
KERNEL_CYCLES = 6.773810894574074e-06 * 624e12 / (108 * 4096)

# Physical constants of the model, from the docstrings.
FLOP_PER_WEIGHT_USE = Q(2, "FLOP/param/tok")  # one multiply-accumulate per weight per token
FLOP_PER_MAC = Q(2, "FLOP")
BACKWARD_OVER_FORWARD = 2  # a training step = forward + backward (2x forward)
ADAM_STATE = Q(12, "B/param")  # fp32 master + momentum + variance (ZeRO §3.1)
KORTHIKANTI_BYTES_PER_ELEMENT = Q(2, "B/elem")  # eq. 1 is stated for 16-bit activations
# Two norms (~4 FLOP per element) and two residual adds (1 FLOP) per block; each norm reads and
# writes the hidden state, each add reads two and writes one: 10 element trips.
NORM_FLOP_PER_ELEMENT = Q(10, "FLOP/elem")
NORM_ELEMENT_TRIPS = 10

# Steps each kind of model runs per workload.
STEPS_OF = {
    ("cnn", "inference"): ["forward"], ("cnn", "training"): ["train"],
    ("encoder", "inference"): ["forward"], ("encoder", "training"): ["train"],
    ("decoder", "inference"): ["prefill", "decode"], ("decoder", "training"): ["train"],
}

# Output column -> unit its magnitude is stored in (None: compared as is: text or bool).
COMPARED = {
    "peak_flop_per_s": "FLOP/s", "memory_bandwidth_bytes_per_s": "B/s", "memory_capacity_bytes": "B",
    "tdp_w": "W", "eta_compute": "", "launch_overhead_per_kernel_s": "s",
    "params_computed": "param", "tokens_per_step": "tok", "step_flop": "FLOP", "compute_time_s": "s",
    "ridge_point_flop_per_byte": "FLOP/B", "ridge_point_at_eta_flop_per_byte": "FLOP/B",
    "arithmetic_intensity_flop_per_byte": "FLOP/B", "attainable_flop_per_s": "FLOP/s",
    "weight_bytes": "B", "kv_cache_bytes": "B", "activation_memory_bytes": "B",
    "optimizer_state_bytes": "B", "memory_footprint_bytes": "B", "memory_headroom_bytes": "B",
    "is_feasible": None, "weight_traffic_bytes": "B", "kv_traffic_bytes": "B",
    "activation_traffic_bytes": "B", "bytes_moved": "B", "memory_time_s": "s", "kernel_launches": "",
    "launch_overhead_s": "s", "latency_s": "s", "bound": None, "achieved_flop_per_s": "FLOP/s",
    "mfu": "", "samples_per_s": "1/s", "tokens_per_s": "tok/s", "energy_per_step_j": "J",
    "samples_per_j": "1/J", "tokens_per_j": "tok/J", "elementwise_traffic_bytes": "B", "elementwise_time_s": "s",
}
REQUIRED = ["params_computed", "tokens_per_step", "step_flop", "compute_time_s", "ridge_point_flop_per_byte",
            "arithmetic_intensity_flop_per_byte", "weight_bytes", "kv_cache_bytes", "activation_memory_bytes",
            "optimizer_state_bytes", "memory_footprint_bytes", "memory_headroom_bytes", "is_feasible",
            "bytes_moved", "memory_time_s", "elementwise_time_s", "kernel_launches", "launch_overhead_s",
            "latency_s", "bound", "mfu", "samples_per_s", "tokens_per_s", "energy_per_step_j", "eta_compute"]
KEY = ["hardware", "model", "workload", "step", "compute_dtype", "batch", "seq_len"]


# -- catalogs (data only) -------------------------------------------------------------------

@pytest.fixture(scope="module")
def catalogs() -> dict[str, Any]:
    return {
        "hardware": {r["name"]: r for r in read_catalog("hardware").to_dicts()},
        "models": {r["name"]: r for r in read_catalog("models").to_dicts()},
        "precisions": {r["name"]: r for r in read_catalog("precisions").to_dicts()},
        "profiles": read_catalog("efficiency_profiles").to_dicts(),
        # a CNN's convolutions (the fc with them) as the conv_layers catalog counts them
        "convs": {m: c for m, c in read_catalog("conv_layers").group_by("model").agg(pl.col("count").sum())
                  .iter_rows()},
    }


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    out = pipeline.sweep(SPEC)
    # Text columns may be categorical; compare them as plain strings.
    return out.with_columns(pl.col(pl.Categorical).cast(pl.String))


# -- eta: the most specific efficiency profile row ------------------------------------------

def eta_for(profiles: list[dict], workload: str, family: str, dtype: str) -> float | None:
    """Midpoint of the most specific matching row: an exact framework outweighs an exact
    family, which outweighs an exact precision; 'any'/'default' rows match everything and
    the 'default' rows are the fallback among equally specific rows."""
    ranked = []
    for p in profiles:
        if p["workload"] != workload:
            continue
        if p["framework"] not in (FRAMEWORK, "any", "default"):
            continue
        if p["hardware_family"] not in (family, "any"):
            continue
        if p["precision"] not in (dtype, "any"):
            continue
        exact_framework = p["framework"] == FRAMEWORK and FRAMEWORK not in ("any", "default")
        specificity = (exact_framework, p["hardware_family"] == family, p["precision"] == dtype)
        ranked.append(((specificity, p["framework"] != "default"), p))
    if not ranked:
        return None
    top = max(rank for rank, _ in ranked)
    winners = {(p["eta_compute_low"] + p["eta_compute_high"]) / 2 for rank, p in ranked if rank == top}
    assert len(winners) == 1, f"ambiguous efficiency profile for {workload}/{family}/{dtype}: {winners}"
    return winners.pop()


# -- wall 0: the model's weights, counted matrix by matrix ----------------------------------

@dataclass(frozen=True)
class ModelRef:
    total: Any  # param: resident weights
    lm_head: Any  # param
    kv_per_token: Any  # elem/tok
    score_width: int  # query/key width summed over heads
    value_width: int  # value width summed over heads
    # Per-layer operator quantities (one device), from pipeline/walls/operators.py's prose.
    qkv: Any = None  # param: Q, K, V projections of one layer
    out_proj: Any = None  # param: the output projection of one layer
    mlp_used: Any = None  # param: MLP weights one token multiplies, summed over layers
    mlp_dense_and_shared: Any = None  # param: MLP weights read whatever the routing, summed over layers
    routed_each_all_layers: Any = None  # param: one routed expert in every MoE layer
    n_experts: int = 0
    qkv_out_width: int = 0  # elements per token the QKV projection writes
    mlp_width: float = 0.0  # intermediate elements per token, summed over layers
    mlp_up_over_width: float = 1.0  # the up GEMM's output over the intermediate width: 2 gated (gate and up)
    kv_layer: Any = None  # elem/tok: K/V (or MLA latent) elements one layer caches per token


def _linear(n_in: int, n_out: int, bias: bool) -> int:
    return n_in * n_out + (n_out if bias else 0)


def _mlp(d: int, width: int, gated: bool, bias: bool) -> int:
    """Up (and gate) projections d -> width, down projection width -> d."""
    inward = 2 if gated else 1
    return inward * _linear(d, width, bias) + _linear(width, d, bias)


def model_ref(m: dict) -> ModelRef:
    p = lambda n: Q(n, "param")  # noqa: E731
    if m["model_type"] == "cnn":
        total = p(m["params_published"])
        return ModelRef(total, p(0), Q(0, "elem/tok"), 0, 0)
    d, L, h, h_kv, dh = m["d_model"], m["n_layers"], m["n_heads"], m["n_kv_heads"], m["head_dim"]
    bias, gated = m["has_linear_bias"], m["is_gated_mlp"]
    norm_size = d * (2 if m["norm_type"] == "layernorm" else 1)  # LayerNorm: scale + bias
    dv = m["v_head_dim"] or dh
    score_width, value_width = h * dh, h * dv

    if m["kv_lora_rank"] is not None:  # MLA (DeepSeek-V2/V3)
        r_q, r_kv, d_rope = m["q_lora_rank"], m["kv_lora_rank"], m["qk_rope_head_dim"]
        if r_q is None:
            q = d * score_width
        else:  # down to r_q, latent RMSNorm, up to all heads' queries
            q = d * r_q + r_q + r_q * score_width
        kv_down = d * (r_kv + d_rope)  # joint KV latent plus the shared decoupled RoPE key
        kv_up = r_kv * h * ((dh - d_rope) + dv) + r_kv  # per-head non-RoPE keys and values, latent norm
        attention = q + kv_down + kv_up + value_width * d
        kv_per_token = L * (r_kv + d_rope)
    else:
        kv_width = h_kv * dh
        attention = (_linear(d, score_width, bias) + 2 * _linear(d, kv_width, bias)
                     + _linear(score_width, d, bias))
        kv_per_token = L * 2 * kv_width  # a K and a V vector per layer

    n_moe = L - m["n_dense_layers"]
    expert = _mlp(d, m["expert_ffn_dim"], gated, bias) if m["is_moe"] else 0
    n_experts = m["n_experts"] or 0
    shared_and_router = (m["n_shared_experts"] or 0) * expert + d * n_experts
    blocks = (L * (attention + 2 * norm_size) + m["n_dense_layers"] * _mlp(d, m["ffn_dim"], gated, bias)
              + n_moe * shared_and_router)
    routed_all = n_moe * n_experts * expert
    if m["kv_lora_rank"] is not None:
        qkv = attention - value_width * d  # everything of MLA's attention but the output projection
        kv_layer = r_kv + d_rope
    else:
        qkv = _linear(d, score_width, bias) + 2 * _linear(d, kv_width, bias)
        kv_layer = 2 * kv_width
    k_used = (m["n_experts_per_token"] or 0) + (m["n_shared_experts"] or 0)
    dense_mlp = _mlp(d, m["ffn_dim"], gated, bias)
    mlp_used = m["n_dense_layers"] * dense_mlp + n_moe * (k_used * expert + d * n_experts)
    mlp_fixed = m["n_dense_layers"] * dense_mlp + n_moe * ((m["n_shared_experts"] or 0) * expert + d * n_experts)
    mlp_width = m["n_dense_layers"] * m["ffn_dim"] + n_moe * k_used * (m["expert_ffn_dim"] or 0)
    # the up GEMM's N over the down GEMM's K, as operator_shapes reads them off the weights (biases included)
    up_over_width = (expert / d / m["expert_ffn_dim"] if m["is_moe"] else dense_mlp / d / m["ffn_dim"]) - 1.0
    positions = m["max_context_tokens"] if m["position_embedding"] == "learned" else 0
    embeddings = (m["vocab_size"] + positions) * d
    lm_head = m["vocab_size"] * d
    total = blocks + routed_all + embeddings + (0 if m["is_tied_embeddings"] else lm_head) + norm_size
    return ModelRef(
        total=p(total), lm_head=p(lm_head),
        kv_per_token=Q(kv_per_token, "elem/tok"), score_width=score_width, value_width=value_width,
        qkv=p(qkv), out_proj=p(value_width * d), mlp_used=p(mlp_used), mlp_dense_and_shared=p(mlp_fixed),
        routed_each_all_layers=p(n_moe * expert), n_experts=n_experts,
        qkv_out_width=score_width + 2 * h_kv * dh, mlp_width=mlp_width, mlp_up_over_width=up_over_width,
        kv_layer=Q(kv_layer, "elem/tok"),
    )


# -- walls 1-3 for one row ------------------------------------------------------------------

def reference_row(hw: dict, m: dict, mr: ModelRef, prec: dict, eta: float, workload: str, step: str,
                  batch: int, seq_len: int | None) -> dict[str, Any]:
    """Every compared column of one row, as pint quantities (or bool / str / None)."""
    cnn = m["model_type"] == "cnn"
    train = step == "train"
    passes = 1 + (BACKWARD_OVER_FORWARD if train else 0)
    peak = Q(hw[prec["peak_column"]], "FLOP/s")
    bandwidth = Q(hw["memory_bandwidth_bytes_per_s"], "B/s")
    capacity = Q(hw["memory_capacity_bytes"], "B")
    # issue 12: what fits is measured against the driver-reported total where one is cited
    usable = capacity if hw["usable_memory_bytes"] is None else Q(hw["usable_memory_bytes"], "B")
    tdp = None if hw["tdp_w"] is None else Q(hw["tdp_w"], "W")
    element = Q(prec["bytes_per_element"], "B/elem")
    per_param = element * Q(1, "elem/param")
    zero_b = Q(0, "B")
    r: dict[str, Any] = {}

    # Wall 1: FLOPs.
    if cnn:
        tokens = None
        forward = Q(m["forward_flop_per_sample"], "FLOP") * batch
    else:
        S = seq_len
        tokens = Q(batch, "tok") if step == "decode" else batch * Q(S, "tok")
        if train and m["model_type"] == "encoder":
            logits = 0.15 * tokens  # masked LM: the 15 % masked positions (Devlin et al. 2019 §3.1)
        elif train:
            logits = tokens  # every position is scored
        elif m["model_type"] == "encoder":
            logits = Q(0, "tok")  # a task head, not the vocabulary
        else:
            logits = Q(batch, "tok")  # the next token of each sequence
        if step == "decode":
            pairs = S  # one query over an S-token cache
        elif m["model_type"] == "encoder":
            pairs = S * S  # bidirectional
        else:
            pairs = S * S / 2  # causal
        # Per layer per sequence: Q.K^T over score_width and P.V over value_width.
        attention = FLOP_PER_MAC * m["n_layers"] * batch * pairs * (mr.score_width + mr.value_width)
        matmuls = m["n_layers"] * (mr.qkv + mr.out_proj) + mr.mlp_used
        norms = NORM_FLOP_PER_ELEMENT * m["n_layers"] * tokens * Q(m["d_model"], "elem/tok")
        forward = (FLOP_PER_WEIGHT_USE * matmuls * tokens + attention + norms
                   + FLOP_PER_WEIGHT_USE * mr.lm_head * logits)
    flop = forward * passes
    achievable = peak * eta
    compute_time = flop / achievable

    # Wall 2: footprint.
    weights = mr.total * per_param
    if not cnn and step in ("prefill", "decode"):
        kv_cache = mr.kv_per_token * Q(seq_len, "tok") * batch * element
    else:
        kv_cache = zero_b
    if cnn:
        act_mem = Q(m["activation_elements_per_sample"], "elem") * batch * element
    elif train:
        S, b, hd = seq_len, batch, m["d_model"]
        per_layer_16bit = Q(S * b * hd * 34, "B")  # Korthikanti eq. 1 without the scores (FlashAttention)
        act_mem = m["n_layers"] * per_layer_16bit / KORTHIKANTI_BYTES_PER_ELEMENT * element
    else:
        widest = max(m["d_model"], m["ffn_dim"])
        # a prefill holds one chunk at a time (serving.prefill_chunk_tokens, default 8,192; vLLM's
        # max_num_batched_tokens), a forward or decode step the whole batch
        in_flight = min(tokens.m_as(U("tok")), 8192) if step == "prefill" else tokens.m_as(U("tok"))
        act_mem = 2 * in_flight * Q(widest, "elem") * element  # in and out of the widest layer
    optimizer = mr.total * (per_param + ADAM_STATE) if train else zero_b
    footprint = weights + kv_cache + act_mem + optimizer
    headroom = usable - footprint
    feasible = headroom.m_as(U("B")) >= 0

    # Wall 2: traffic. Transformers: the bytes of the layer operators and the LM head.
    if cnn:
        read_once = mr.total
    else:
        if m["is_moe"]:
            k_over_e = m["n_experts_per_token"] / m["n_experts"]
            hit = 1 - (1 - k_over_e) ** tokens.m_as(U("tok"))  # experts at least one token picked
        else:
            hit = 0.0
        head = mr.lm_head if logits.m_as(U("tok")) > 0 else Q(0, "param")
        read_once = (m["n_layers"] * (mr.qkv + mr.out_proj) + mr.mlp_dense_and_shared
                     + mr.n_experts * hit * mr.routed_each_all_layers + head)
    weight_traffic = read_once * per_param
    if train:  # forward read, backward read, gradient write (Adam's read and write of its state: after them)
        weight_traffic = 3 * weight_traffic
    if cnn:
        kv_traffic = zero_b
        act_traffic = 2 * Q(m["activation_elements_per_sample"], "elem") * batch * element * passes
    else:
        # Every layer reads its context's K/V once (S tokens per sequence) and appends the step's.
        kv_traffic = (m["n_layers"] * (batch * Q(seq_len, "tok") + tokens) * mr.kv_layer * element * passes)
        d, sw, vw = m["d_model"], mr.score_width, mr.value_width
        per_token_layers = (m["n_layers"] * ((d + mr.qkv_out_width) + (sw + vw) + (vw + d) + 2 * d
                                             + NORM_ELEMENT_TRIPS * d)
                            # up writes, the activation kernel reads and writes, down reads (walls/operators.py)
                            + 2 * (mr.mlp_up_over_width + 1) * mr.mlp_width)
        act_traffic = (tokens * Q(per_token_layers, "elem/tok")
                       + logits * Q(d + m["vocab_size"], "elem/tok")) * element * passes
    moved = weight_traffic + kv_traffic + act_traffic
    memory_time = moved / bandwidth
    intensity = flop / moved
    # CNN training: per feature-map element, batch norm reads twice and writes once forward, reads
    # four times and writes once backward (8); the activation reads and writes forward, reads two
    # and writes one backward (5); both in kernels of their own, after the convolutions' time.
    ew_passes = (5 + (8 if m.get("norm_type") == "batchnorm" else 0)) if cnn and train else 0
    ew_bytes = ew_passes * Q(m["activation_elements_per_sample"] or 0, "elem") * batch * element
    # the optimizer update after backward, one device: Adam reads and writes its fp32 state, beside the roofline
    update_bytes = 2 * ADAM_STATE * mr.total if train else zero_b
    ew_time = (ew_bytes + update_bytes) / bandwidth

    # Wall 3.
    per_layer = KERNELS_PER_CNN_LAYER if cnn else KERNELS_PER_TRANSFORMER_BLOCK
    launches = Q(m["n_layers"] * per_layer * passes, "")
    overhead = launches * LAUNCH_COST
    step_overhead = overhead  # what the step pays: the host's launches, or a graphed CNN training step's kernels
    convs, clock = m.get("_convs"), hw.get("sm_clock_hz")
    if cnn and train and convs and clock:
        step_overhead = Q(convs * CNN_TRAIN_KERNELS_PER_CONV * KERNEL_CYCLES / clock, "s") + LAUNCH_COST
    if feasible:
        ct, mt, et, ot = (t.m_as(U("s")) for t in (compute_time, memory_time, ew_time, step_overhead))
        latency = Q(max(ct, mt) + et, "s") + step_overhead
        bound = "compute" if ct >= mt + et and ct >= ot else ("memory" if mt + et >= ot else "overhead")
        samples_s = batch / latency
        tokens_s = None if cnn else tokens / latency
        r |= {"latency_s": latency, "bound": bound, "achieved_flop_per_s": flop / latency,
              "mfu": flop / (latency * peak), "samples_per_s": samples_s, "tokens_per_s": tokens_s,
              "energy_per_step_j": None if tdp is None else tdp * latency,
              "samples_per_j": None if tdp is None else samples_s / tdp,
              "tokens_per_j": None if tdp is None or tokens_s is None else tokens_s / tdp}
    else:
        r |= dict.fromkeys(["latency_s", "achieved_flop_per_s", "mfu", "samples_per_s",
                            "tokens_per_s", "energy_per_step_j", "samples_per_j", "tokens_per_j"])
        r["bound"] = "capacity"  # issue 11: a step that does not fit is bound by memory capacity

    r |= {
        "peak_flop_per_s": peak, "memory_bandwidth_bytes_per_s": bandwidth, "memory_capacity_bytes": capacity,
        "tdp_w": tdp, "eta_compute": Q(eta, ""), "launch_overhead_per_kernel_s": LAUNCH_COST,
        "params_computed": mr.total, "tokens_per_step": tokens, "step_flop": flop,
        "compute_time_s": compute_time, "ridge_point_flop_per_byte": peak / bandwidth,
        "ridge_point_at_eta_flop_per_byte": achievable / bandwidth,
        "arithmetic_intensity_flop_per_byte": intensity,
        "attainable_flop_per_s": min(achievable.m_as(U("FLOP/s")), (intensity * bandwidth).m_as(U("FLOP/s"))),
        "weight_bytes": weights, "kv_cache_bytes": kv_cache, "activation_memory_bytes": act_mem,
        "optimizer_state_bytes": optimizer, "memory_footprint_bytes": footprint,
        "memory_headroom_bytes": headroom, "is_feasible": feasible, "weight_traffic_bytes": weight_traffic,
        "kv_traffic_bytes": kv_traffic, "activation_traffic_bytes": act_traffic, "bytes_moved": moved,
        "memory_time_s": memory_time, "kernel_launches": launches, "launch_overhead_s": overhead,
        "elementwise_traffic_bytes": ew_bytes, "elementwise_time_s": ew_time,
    }
    r["attainable_flop_per_s"] = Q(r["attainable_flop_per_s"], "FLOP/s")
    return r


def magnitude(value: Any, unit: str | None) -> Any:
    if value is None or unit is None:
        return value
    return float(value.m_as(U(unit)))


def agrees(expected: Any, got: Any) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, (bool, str)) or isinstance(got, (bool, str)):
        return type(expected) is type(got) and expected == got
    if expected == 0 or got == 0:
        return expected == got
    return math.isclose(expected, got, rel_tol=REL_TOL, abs_tol=0.0)


# -- the expected configuration space -------------------------------------------------------

def expected_keys(c: dict) -> dict[tuple, dict]:
    """Every row the spec should produce, minus the documented drops (no peak or bandwidth
    for the dtype, seq_len beyond the model's context, no efficiency profile)."""
    keys = {}
    for hw_name in HARDWARE:
        hw = c["hardware"][hw_name]
        for dtype in DTYPES:
            prec = c["precisions"][dtype]
            if hw[prec["peak_column"]] is None or hw["memory_bandwidth_bytes_per_s"] is None:
                continue
            for workload in WORKLOADS:
                eta = eta_for(c["profiles"], workload, hw["family"], dtype)
                if eta is None:
                    continue
                for model_name in MODELS:
                    m = c["models"][model_name]
                    cnn = m["model_type"] == "cnn"
                    seqs = [None] if cnn else [s for s in SEQ_LENS if s <= m["max_context_tokens"]]
                    for step in STEPS_OF[(m["model_type"], workload)]:
                        for batch in BATCHES:
                            for seq in seqs:
                                keys[(hw_name, model_name, workload, step, dtype, batch, seq)] = {
                                    "eta": eta}
    return keys


def test_sweep_produces_exactly_the_expected_rows(frame: pl.DataFrame, catalogs: dict) -> None:
    got = [tuple(r) for r in frame.select(KEY).iter_rows()]
    assert len(got) == len(set(got)), "duplicate configuration rows in the sweep"
    expected = set(expected_keys(catalogs))
    missing, extra = sorted(expected - set(got), key=str), sorted(set(got) - expected, key=str)
    assert not missing and not extra, f"missing rows: {missing[:5]}; unexpected rows: {extra[:5]}"


def test_reference_rows_agree_with_vectorized_columns(frame: pl.DataFrame, catalogs: dict) -> None:
    missing_columns = [c for c in COMPARED if c not in frame.columns]
    assert not missing_columns, f"sweep lacks columns {missing_columns}"
    assert set(REQUIRED) <= set(COMPARED)
    etas = expected_keys(catalogs)
    refs = {name: model_ref(catalogs["models"][name]) for name in MODELS}
    mismatches: list[str] = []
    compared, feasible = 0, set()
    for row in frame.select(*KEY, *COMPARED).iter_rows(named=True):
        key = tuple(row[k] for k in KEY)
        hw_name, model_name, workload, step, dtype, batch, seq = key
        if key not in etas:
            continue  # reported by the row-set test
        model = catalogs["models"][model_name] | {"_convs": catalogs["convs"].get(model_name)}
        want = reference_row(catalogs["hardware"][hw_name], model, refs[model_name],
                             catalogs["precisions"][dtype], etas[key]["eta"], workload, step, batch, seq)
        for column, unit in COMPARED.items():
            expected = magnitude(want[column], unit)
            if not agrees(expected, row[column]):
                mismatches.append(f"{key} {column}: expected {expected!r}, got {row[column]!r}")
        compared += 1
        feasible.add(want["is_feasible"])
    assert not mismatches, (f"{len(mismatches)} mismatches over {compared} rows; first ones:\n"
                            + "\n".join(mismatches[:25]))
    assert compared >= 100, f"only {compared} rows compared"
    assert feasible == {True, False}, "the compared rows should include feasible and infeasible ones"


def test_compared_rows_cover_every_kind_of_step(frame: pl.DataFrame) -> None:
    kinds = set(frame.select("model_type", "step").unique().iter_rows())
    assert kinds == {("cnn", "forward"), ("cnn", "train"), ("encoder", "forward"), ("encoder", "train"),
                     ("decoder", "prefill"), ("decoder", "decode"), ("decoder", "train")}
    assert set(frame["bound"].drop_nulls().unique()) >= {"compute", "memory"}


def test_mi300x_node_rows_keep_the_profile_eta_and_say_so():
    """BERT-Large batch 1 at 384 tokens, fp16: MI300X's GEMMs at the profile η (its fit's 256 x 256 tile is
    outside the node study's NODE_MAX_FIT_TILE_AREA), so compute time = FLOPs / (peak x η); H100 SXM's at the fit."""
    from pipeline.studies.node import LARGE_TILE_BASIS

    mi = pipeline.evaluate("BERT-Large", "MI300X", seq_len=384).row(0, named=True)
    h100 = pipeline.evaluate("BERT-Large", "H100 SXM5 80GB", seq_len=384).row(0, named=True)
    assert mi["efficiency_basis"] == LARGE_TILE_BASIS and h100["efficiency_basis"] == "kernel fit"
    assert mi["compute_time_s"] == pytest.approx(mi["step_flop"] / (mi["peak_flop_per_s"] * mi["eta_compute"]),
                                                 rel=1e-12)
    assert h100["compute_time_s"] != pytest.approx(h100["step_flop"] / (h100["peak_flop_per_s"] * h100["eta_compute"]),
                                                   rel=1e-3)
