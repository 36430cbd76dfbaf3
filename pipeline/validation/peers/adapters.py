"""Each measurement row as a request for each peer tool, through our catalogs' dimensions and
the configuration our validation builds for the row (``measurement_spec``), or why the tool
cannot express it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import polars as pl

from pipeline.catalogs.load import Catalogs
from pipeline.report.format import cell, quantity
from pipeline.validation.accuracy import OOM
from pipeline.validation.predict import measurement_spec
from pipeline.validation.serving_rows import MEANS, Datasets

TOOLS = ("mlsysim", "llm-analysis")
MLSYSIM_PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4")  # mlsysim.core.units.PRECISION_MAP
LLM_ANALYSIS_BITS = {"fp16": 16, "bf16": 16, "fp8": 8, "int8": 8, "fp4": 4, "int4": 4}  # GEMMs of 4, 8 or 16 bits
LLM_ANALYSIS_DEFAULT_INTER_NODE_GB_S = 200  # GPUConfig's default (200 Gb/s HDR, as the tool writes it)
RECOMPUTE = {"full": "FULL", "selective": "SELECTIVE", "none": "NONE"}


class CannotExpress(Exception):
    """The tool has no input or output for what the row measured."""


@dataclass
class Job:
    """One row for one tool: the runner's request and what we need to read its answer."""
    name: str
    tool: str
    request: dict | None = None
    notes: list[str] = field(default_factory=list)
    reason: str | None = None  # why the tool cannot express the row
    row: dict | None = None
    axes: dict | None = None
    study: str | None = None


# -- catalog look-ups ----------------------------------------------------------------------------

def _by_name(frame: pl.DataFrame, name: str | None) -> dict | None:
    hit = frame.filter(pl.col("name") == name)
    return hit.row(0, named=True) if hit.height else None


def _peaks(catalogs: Catalogs, hw: dict) -> dict[str, float]:
    """Dense peak FLOP/s per precision name the hardware catalog states for ``hw``."""
    out = {}
    for p in catalogs.precisions.iter_rows(named=True):
        column = p["peak_column"]
        if column and hw.get(column):
            out[p["name"]] = float(hw[column])
    return out


def _model_note(m: dict) -> str:
    if m["model_type"] == "cnn":
        return (f"model {m['name']}: {quantity(m['params_published'], 'params', 4)}, "
                f"{quantity(m['forward_flop_per_sample'], 'FLOP/sample', 4)}")
    return (f"model {m['name']}: L={m['n_layers']} d={m['d_model']} heads={m['n_heads']}/{m['n_kv_heads']} "
            f"ffn={m['ffn_dim']}{' gated' if m['is_gated_mlp'] else ''} vocab={m['vocab_size']}")


def _hw_note(hw: dict, dtype: str, peak: float) -> str:
    return (f"hardware {hw['name']}: {quantity(peak, 'FLOP/s', 4)} {dtype}, "
            f"{quantity(hw['memory_bandwidth_bytes_per_s'], 'B/s', 4)}, "
            f"{quantity(hw['memory_capacity_bytes'], 'B', 4)}")


def _active_params(m: dict) -> float:
    """MoE parameters one token uses: all but the unrouted experts of the MoE layers."""
    per_expert = (3 if m["is_gated_mlp"] else 2) * m["d_model"] * m["expert_ffn_dim"]
    moe_layers = m["n_layers"] - (m["n_dense_layers"] or 0)
    return m["params_published"] - moe_layers * (m["n_experts"] - m["n_experts_per_token"]) * per_expert


def _layout(r: dict, axes: dict) -> tuple[int, int, int]:
    tp, pp = axes["tp"][0], axes["pp"][0]
    dp = axes["dp"][0] if "dp" in axes else axes["gpus"][0] // (tp * pp)
    return tp, pp, dp


# -- MLSys·im ------------------------------------------------------------------------------------

def _mlsysim(job: Job, catalogs: Catalogs, model: dict, hw: dict, cluster: dict | None,
             tp_as_one_device: bool) -> dict:
    axes, study = job.axes, job.study
    dtype = axes["compute_dtype"][0]
    weight = axes.get("weight_dtype", [dtype])[0]
    if dtype not in MLSYSIM_PRECISIONS:
        raise CannotExpress(f"precision {dtype} (the tool knows {', '.join(MLSYSIM_PRECISIONS)})")
    if weight != dtype:
        raise CannotExpress(f"{weight} weights with {dtype} compute (the tool takes one precision for both)")
    peaks = {k: v for k, v in _peaks(catalogs, hw).items() if k in MLSYSIM_PRECISIONS}
    if dtype not in peaks:
        raise CannotExpress(f"no {dtype} peak for {hw['name']} in our hardware catalog")
    default = peaks.get("fp16") or peaks.get("bf16") or peaks[dtype]
    hardware = {"name": hw["name"], "release_year": hw["release_year"], "peak_flops": default,
                "precision_flops": peaks, "memory_bytes": hw["memory_capacity_bytes"],
                "memory_bandwidth": hw["memory_bandwidth_bytes_per_s"],
                "host_link": hw["host_link_bandwidth_bytes_per_s"],
                "scaleup_link": hw["scaleup_link_bandwidth_bytes_per_s"],
                "scaleup_latency": hw["scaleup_link_latency_s"], "tdp_w": hw["tdp_w"]}
    job.notes += [_model_note(model), _hw_note(hw, dtype, peaks[dtype])]
    request = {"tool": "mlsysim", "call": study, "precision": dtype, "hardware": hardware}
    if model["model_type"] == "cnn":
        if study != "node":
            raise CannotExpress("a CNN outside a single-node forward pass")
        request["model"] = {"kind": "cnn", "name": model["name"], "architecture": "CNN",
                            "parameters": model["params_published"],
                            "inference_flops": model["forward_flop_per_sample"], "layers": model["n_layers"]}
    else:
        spec = {"kind": "transformer", "name": model["name"], "architecture": "Transformer",
                "parameters": model["params_published"], "layers": model["n_layers"], "hidden_dim": model["d_model"],
                "heads": model["n_heads"], "kv_heads": model["n_kv_heads"], "head_dim": model["head_dim"],
                "kv_lora_rank": model["kv_lora_rank"], "qk_rope_head_dim": model["qk_rope_head_dim"],
                "vocab_size": model["vocab_size"], "context_length": model["max_context_tokens"]}
        active = model["params_published"]
        if model["is_moe"]:
            active = _active_params(model)
            spec |= {"kind": "sparse", "active_parameters": active, "experts": model["n_experts"],
                     "active_experts_per_token": model["n_experts_per_token"]}
            job.notes.append(f"MoE: active params {cell(active, 4)} from the catalog's expert dimensions")
        if study == "node":
            seq = axes["seq_len"][0]
            spec["inference_flops"] = 2 * active * seq
            job.notes.append(f"node: one forward of {seq} tokens given as inference_flops = 2·params·{seq} "
                             "(the tool's 2P per token; Engine.solve has no sequence length)")
        request["model"] = spec
    if study == "serving":
        tp, pp = axes["tp"][0], axes["pp"][0]
        if tp * pp > 1:
            if not tp_as_one_device:
                raise CannotExpress(f"tp x pp = {tp * pp} (ServingModel serves from one device; no tensor or "
                                    "pipeline parallel serving)")
            n = tp * pp
            hardware |= {"name": f"{n} x {hw['name']}", "peak_flops": default * n,
                         "precision_flops": {k: v * n for k, v in peaks.items()},
                         "memory_bytes": hw["memory_capacity_bytes"] * n,
                         "memory_bandwidth": hw["memory_bandwidth_bytes_per_s"] * n}
            job.notes.append(f"tp x pp = {n} modelled as one device with {n}x peak, bandwidth and memory "
                             "(our mapping, not a feature of the tool)")
        prompt, output = axes["prompt_len"][0], axes["output_len"][0]
        request |= {"ttft_seq_len": prompt, "itl_seq_len": prompt + output // 2, "fit_seq_len": prompt + output}
        job.notes.append(f"serving: TTFT at seq_len {prompt}, ITL at the mean context {prompt + output // 2}, "
                         f"memory check at {prompt + output}")
        if job.row["metric"].startswith("tokens_per_s"):
            job.notes.append("throughput = batch x output / (TTFT + (output - 1) x ITL), as ours")
    if study == "training":
        request |= _mlsysim_fleet(job, hw, cluster)
    return request


def _mlsysim_fleet(job: Job, hw: dict, cluster: dict | None) -> dict:
    r, axes = job.row, job.axes
    if cluster is None:
        raise CannotExpress("a training run without a cluster (the fleet's network)")
    tp, pp, dp = _layout(r, axes)
    n = tp * pp * dp
    domain = cluster["scaleup_domain_size"] or hw["scaleup_domain_size"] or cluster["accelerators_per_node"]
    per_node = min(domain, n)
    if n % per_node:
        raise CannotExpress(f"{n} accelerators in nodes of {per_node} (the fleet must be whole nodes)")
    if hw["scaleup_link_bandwidth_bytes_per_s"] is None:
        raise CannotExpress(f"{hw['name']} has no scale-up link bandwidth in our catalog")
    nodes = n // per_node
    nic = cluster["nic_bandwidth_bits_per_s"]
    if nic is None and nodes > 1:
        raise CannotExpress(f"cluster {cluster['name']!r} has no scale-out NIC bandwidth in our catalog")
    global_batch, micro = axes["global_batch"][0], axes["microbatch"][0]
    recompute = axes["recompute"][0]
    job.notes += [
        f"fleet: {nodes} nodes x {per_node} (node = the scale-up domain), intra-node "
        f"{quantity(hw['scaleup_link_bandwidth_bytes_per_s'], 'B/s', 4)}, fabric "
        + (f"{quantity(nic, 'bit/s', 4)} per NIC" if nic else "unused (one node)"),
        f"dp={dp} tp={tp} pp={pp}, {max(1, global_batch // (dp * micro))} microbatches, ZeRO-1",
        f"recompute {recompute} -> activation_recomputation={recompute == 'full'}"
        + ("" if recompute == "full" else " (the tool's memory then assumes selective; it has no 'none')"),
        "MFU/HFU = the node profile's x scaling efficiency (communication and bubble included)"]
    return {"fleet": {"accelerators_per_node": per_node, "nodes": nodes,
                      "intra_node_bw": hw["scaleup_link_bandwidth_bytes_per_s"],
                      "fabric_bits_per_s": nic or hw["scaleup_link_bandwidth_bytes_per_s"] * 8,
                      "fabric_latency": cluster["scaleout_latency_s"],
                      "oversubscription": cluster["oversubscription_ratio"]},
            "parallel": {"tp_size": tp, "pp_size": pp, "microbatch_count": max(1, global_batch // (dp * micro)),
                         "zero_stage": axes["zero_stage"][0], "activation_recomputation": recompute == "full",
                         "seq_len": axes["seq_len"][0]}}


# -- llm-analysis --------------------------------------------------------------------------------

def _llm_analysis(job: Job, catalogs: Catalogs, model: dict, hw: dict, cluster: dict | None) -> dict:
    r, axes, study = job.row, job.axes, job.study
    if model["model_type"] not in ("decoder", "encoder"):
        raise CannotExpress(f"a {model['model_type']} model (the tool models transformers only)")
    if r["metric"] in ("mfu", "hfu"):
        raise CannotExpress(f"{r['metric']} (FLOP efficiency is an input of the tool, default 1.0, "
                            "and it reports no utilization)")
    if model["kv_lora_rank"] is not None:
        raise CannotExpress("multi-head latent attention (its KV cache would be that of plain attention)")
    if model["is_moe"] and (model["n_shared_experts"] or model["n_dense_layers"]):
        raise CannotExpress("shared experts or dense-FFN layers in an MoE model")
    dtype = axes["compute_dtype"][0]
    weight = axes.get("weight_dtype", [dtype])[0]
    for d in (dtype, weight):
        if d not in LLM_ANALYSIS_BITS:
            raise CannotExpress(f"precision {d} (the tool's GEMMs are 4, 8 or 16 bit)")
    peaks = _peaks(catalogs, hw)
    if dtype not in peaks:
        raise CannotExpress(f"no {dtype} peak for {hw['name']} in our hardware catalog")
    sixteen = peaks[dtype] if LLM_ANALYSIS_BITS[dtype] == 16 else peaks.get("fp16") or peaks.get("bf16")
    if sixteen is None:
        raise CannotExpress(f"no 16-bit peak for {hw['name']} in our hardware catalog (a required input)")
    eight = peaks[dtype] if LLM_ANALYSIS_BITS[dtype] == 8 else peaks.get("int8") or peaks.get("fp8")
    four = peaks[dtype] if LLM_ANALYSIS_BITS[dtype] == 4 else peaks.get("fp4")
    link = hw["scaleup_link_bandwidth_bytes_per_s"] or hw["host_link_bandwidth_bytes_per_s"]
    nic = cluster["nic_bandwidth_bits_per_s"] if cluster else None
    gpu = {"name": hw["name"], "mem_per_GPU_in_GB": hw["memory_capacity_bytes"] / 2**30,
           "hbm_bandwidth_in_GB_per_sec": hw["memory_bandwidth_bytes_per_s"] / 1e9,
           "intra_node_bandwidth_in_GB_per_sec": (link or 1e9) / 1e9,
           "intra_node_min_message_latency": hw["scaleup_link_latency_s"] or 0.0,
           "peak_fp16_TFLOPS": sixteen / 1e12, "peak_i8_TFLOPS": None if eight is None else eight / 1e12,
           "peak_i4_TFLOPS": None if four is None else four / 1e12,
           "inter_node_bandwidth_in_GB_per_sec": nic / 8e9 if nic else LLM_ANALYSIS_DEFAULT_INTER_NODE_GB_S}
    ffn = model["expert_ffn_dim"] if model["is_moe"] else model["ffn_dim"]
    ffn_embed = ffn * 3 // 2 if model["is_gated_mlp"] else ffn
    config = {"name": model["name"], "num_layers": model["n_layers"], "n_head": model["n_heads"],
              "hidden_dim": model["d_model"], "vocab_size": model["vocab_size"],
              "max_seq_len": model["max_context_tokens"], "num_key_value_heads": model["n_kv_heads"],
              "ffn_embed_dim": ffn_embed, "expansion_ratio": ffn_embed / model["d_model"],
              "model_type": model["family"]}
    if model["is_moe"]:
        config |= {"moe_num_experts": model["n_experts"], "moe_top_k": model["n_experts_per_token"]}
    job.notes += [_model_note(model), _hw_note(hw, dtype, peaks[dtype]),
                  f"dtype w{LLM_ANALYSIS_BITS[weight]}a{LLM_ANALYSIS_BITS[dtype]}; memory "
                  f"{cell(gpu['mem_per_GPU_in_GB'], 4)} of the tool's GB (x 1024^3 B)"]
    if model["is_gated_mlp"]:
        job.notes.append(f"gated MLP: ffn_embed_dim = 1.5 x {ffn} = {ffn_embed} (the tool counts two FFN matrices; "
                         "its own Llama configs do the same)")
    if model["head_dim"] and model["head_dim"] * model["n_heads"] != model["d_model"]:
        job.notes.append(f"the tool assumes head_dim = d/heads = {cell(model['d_model'] / model['n_heads'], 4)} "
                         f"(catalog: {model['head_dim']})")
    if model["model_type"] == "encoder":
        job.notes.append("encoder run as the tool's decoder forward (LM-head logits over every token included)")
    request = {"tool": "llm-analysis", "call": study, "model": config, "gpu": gpu,
               "dtype": {"name": f"w{LLM_ANALYSIS_BITS[weight]}a{LLM_ANALYSIS_BITS[dtype]}",
                         "weight_bits": LLM_ANALYSIS_BITS[weight], "activation_bits": LLM_ANALYSIS_BITS[dtype],
                         "embedding_bits": LLM_ANALYSIS_BITS[weight]}}
    if study == "node":
        request |= {"parallel": {}, "seq_len": axes["seq_len"][0]}
        job.notes.append(f"node: latency = the tool's prefill latency of {axes['seq_len'][0]} tokens")
    elif study == "serving":
        tp, pp = axes["tp"][0], axes["pp"][0]
        request |= {"parallel": {"tp_size": tp, "pp_size": pp}, "prompt_len": axes["prompt_len"][0],
                    "output_len": axes["output_len"][0]}
        job.notes.append(f"tp={tp} pp={pp}; ITL = decode latency with the KV cache at prompt + output")
        if r["metric"].startswith("tokens_per_s"):
            job.notes.append("throughput = batch x output / the tool's total latency (prefill + output x decode)")
        if pp > 1:
            job.notes.append("pp > 1: the tool's latencies cover one stage's layers")
    else:
        tp, pp, dp = _layout(r, axes)
        recompute = axes["recompute"][0]
        if recompute not in RECOMPUTE:
            raise CannotExpress(f"recompute {recompute!r}: the tool knows {', '.join(RECOMPUTE)}")
        request |= {"parallel": {"tp_size": tp, "pp_size": pp, "dp_size": dp}, "seq_len": axes["seq_len"][0],
                    "microbatch": axes["microbatch"][0], "recompute": RECOMPUTE[recompute],
                    "zero_stage": axes["zero_stage"][0], "gated_mlp": bool(model["is_gated_mlp"])}
        job.notes.append(f"dp={dp} tp={tp} pp={pp} microbatch {axes['microbatch'][0]}, recompute {recompute}, "
                         "ZeRO-1; step time = FLOPs / (devices x peak x efficiency): no communication, no bubble")
    return request



def dataset_lengths(raw: dict, datasets: Datasets) -> dict[str, list[int]]:
    """Fixed prompt_len and output_len for a spec that names a dataset: its catalog means, a length the row
    states (the spec's ``overrides``, e.g. 'workloads.output_tokens_mean': '129 tok') taking precedence."""
    means = datasets.means[raw["axes"]["dataset"][0]] | {
        key.removeprefix("workloads."): float(value.split()[0]) for key, value in raw.get("overrides", {}).items()}
    return {length: [round(means[mean])] for length, mean in MEANS.items()}


# -- requests ----------------------------------------------------------------------------------------

def jobs(rows: pl.DataFrame, catalogs: Catalogs, efficiency: dict[str, float] | None,
          tp_as_one_device: bool) -> list[Job]:
    """One job per row and tool: the runner's request, or why the tool cannot express the row."""
    out = []
    datasets = Datasets.of(catalogs.workloads, catalogs.models)
    for r in rows.iter_rows(named=True):
        raw, why = measurement_spec(r, datasets)
        for tool in TOOLS:
            job = Job(r["name"], tool, row=r)
            out.append(job)
            if raw is None:
                job.reason = f"the row does not define a configuration: {why}"
                continue
            if "dataset" in raw["axes"]:
                raw["axes"] = raw["axes"] | dataset_lengths(raw, datasets)
                job.notes.append(f"lengths: the mean prompt and output of dataset {raw['axes']['dataset'][0]} "
                                 "(the row's own stated length first), rounded: the tools take fixed lengths")
            job.axes, job.study = raw["axes"], raw.get("study", "node")
            if job.study == "node" and job.axes.get("workload") == ["training"]:
                job.reason = "a training row's samples/s: the tools' node call is one inference forward pass"
                continue
            model = _by_name(catalogs.models, r["model"])
            cluster = _by_name(catalogs.clusters, job.axes["cluster"][0]) if "cluster" in job.axes else None
            hw = _by_name(catalogs.hardware, cluster["accelerator"] if cluster else r["hardware"])
            if model is None or hw is None:
                job.reason = "model or hardware not in our catalogs"
                continue
            if r["metric"] == "time_to_train_s":
                job.reason = "time to train (the row states no token budget)"
                continue
            if r["metric"] in OOM:
                job.reason = "published as out of memory: a feasibility check (tests/validation/test_feasible.py)"
                continue
            try:
                if tool == "mlsysim":
                    request = _mlsysim(job, catalogs, model, hw, cluster, tp_as_one_device)
                else:
                    request = _llm_analysis(job, catalogs, model, hw, cluster)
            except CannotExpress as exc:
                job.reason, job.notes = str(exc), []
                continue
            eta = (efficiency or {}).get(r["name"])
            if eta is not None and not math.isnan(eta):
                request["efficiency"] = eta
                job.notes.append(f"efficiency {cell(eta)} (ours)")
            else:
                job.notes.append("efficiency: the tool's default" + (" (0.5 of peak FLOP/s)" if tool == "mlsysim"
                                                                     else " (1.0 of peak FLOP/s and of HBM)"))
            batches = job.axes.get("batch") or job.axes.get("global_batch")
            request |= {"id": len(out) - 1, "name": r["name"], "batches": list(batches)}
            job.request = request
    return out
