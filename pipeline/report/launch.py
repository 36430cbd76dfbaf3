"""Launch settings for a deployment of ``mlsys serve-plan``: the command lines of vLLM, SGLang and
TensorRT-LLM that run it, each flag from the framework's documentation page (``FRAMEWORKS``),
for the framework version named there.

A worker is a dict of the candidate's columns with its pool's prefix removed (``tp``, ``pp``,
``batch``, ``kv_dtype``, ``memory_fraction`` ...; ``ep`` where the serving rows carry it).
Settings that follow from the model: max running sequences = the worker's batch (on a prefill
worker the prompts one pass takes, within the chunked-prefill budget); max batched tokens = what
one iteration of an attention group computes: its share of the batch's prompts on a prefill
worker (ceil(batch / (ep / tp)) prompts with expert parallelism, else all), one token per sequence
(x (k + 1) verified tokens when speculating) on a decode worker, and both on an aggregated one
(an arriving prompt joins the decode batch: wall 7).
"""

from __future__ import annotations

import json
import math

FRAMEWORKS = {
    "vLLM": {"version": "0.12.0", "docs": {
        "engine": "https://docs.vllm.ai/en/v0.12.0/configuration/engine_args/",
        "disaggregated": "https://docs.vllm.ai/en/v0.12.0/features/nixl_connector_usage/",
        "speculative": "https://docs.vllm.ai/en/v0.12.0/features/spec_decode/"}},
    "SGLang": {"version": "0.5", "docs": {
        "engine": "https://docs.sglang.io/advanced_features/server_arguments.html",
        "disaggregated": "https://docs.sglang.io/advanced_features/pd_disaggregation.html",
        "speculative": "https://docs.sglang.io/advanced_features/speculative_decoding.html"}},
    "TensorRT-LLM": {"version": "1.0", "docs": {
        "engine": "https://nvidia.github.io/TensorRT-LLM/commands/trtllm-serve/trtllm-serve.html",
        "disaggregated": "https://nvidia.github.io/TensorRT-LLM/advanced/disaggregated-service.html",
        "speculative": "https://nvidia.github.io/TensorRT-LLM/advanced/speculative-decoding.html"}},
}


def fraction_of_total(worker: dict) -> float:
    """The share of device memory the server takes (vLLM's gpu_memory_utilization, SGLang's
    mem_fraction_static): the row's memory_fraction, or, where it is a share of the memory free
    after weights and activations (TensorRT-LLM's), (W + A + f x (M - W - A)) / M."""
    f = worker["memory_fraction"]
    if not worker.get("memory_fraction_of_free"):
        return f
    used = worker["weights_per_device_bytes"] + worker["activation_bytes_per_device"]
    return (used + f * (worker["memory_limit_bytes"] - used)) / worker["memory_limit_bytes"]


def fraction_of_free(worker: dict) -> float:
    """TensorRT-LLM's kv_cache_free_gpu_memory_fraction from a share of the total:
    (f x M - W - A) / (M - W - A), within [0, 1]."""
    if worker.get("memory_fraction_of_free"):
        return worker["memory_fraction"]
    used = worker["weights_per_device_bytes"] + worker["activation_bytes_per_device"]
    free = worker["memory_limit_bytes"] - used
    return min(max((worker["memory_fraction"] * worker["memory_limit_bytes"] - used) / free, 0.0), 1.0) if free > 0 \
        else 0.0


def batched_tokens(worker: dict, role: str, prompt_len: int) -> int:
    """Tokens one iteration computes (module docstring)."""
    verified = 1 + int(worker.get("spec_draft_tokens") or 0)
    decode = int(worker["batch"]) * verified
    groups = _size(worker, "ep") / _size(worker, "tp") if _size(worker, "ep") > 1 else 1
    prompts = math.ceil(int(worker["batch"]) / groups)
    return {"prefill": prompt_len * prompts, "decode": decode, "aggregated": prompt_len + decode}[role]


def _redundant(worker: dict) -> int:
    """The worker's redundant expert slots (0: none, or not a column of its rows)."""
    value = worker.get("redundant_experts")
    return 0 if value is None or (isinstance(value, float) and math.isnan(value)) else int(value)


def _size(worker: dict, name: str) -> int:
    value = worker.get(name)
    return 1 if value is None or (isinstance(value, float) and math.isnan(value)) else int(value)


def vllm(model_path: str, worker: dict, role: str, prompt_len: int) -> str:
    w = worker
    flags = [f"vllm serve {model_path}", f"--tensor-parallel-size {_size(w, 'tp')}",
             f"--pipeline-parallel-size {_size(w, 'pp')}"]
    if _size(w, "ep") > 1:
        flags.append("--enable-expert-parallel")
    if (r := _redundant(w)) > 0:  # vLLM EPLBConfig.num_redundant_experts (api/vllm/config/parallel)
        flags.append(f"--enable-eplb --eplb-config '{json.dumps({'num_redundant_experts': r})}'")
    flags += [f"--max-num-seqs {int(w['batch'])}",
              f"--max-num-batched-tokens {batched_tokens(w, role, prompt_len)}",
              f"--gpu-memory-utilization {fraction_of_total(w):.2f}"]
    if str(w.get("kv_dtype")) == "fp8":
        flags.append("--kv-cache-dtype fp8")
    if int(w.get("spec_draft_tokens") or 0) > 0:
        spec = {"num_speculative_tokens": int(w["spec_draft_tokens"])}
        spec |= {"model": w["draft_model"]} if w.get("draft_model") else {"method": "eagle"}
        flags.append(f"--speculative-config '{json.dumps(spec)}'")
    if role != "aggregated":
        flags.append("--kv-transfer-config '{\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_both\"}'")
    return " \\\n    ".join(flags)


def sglang(model_path: str, worker: dict, role: str, prompt_len: int) -> str:
    w = worker
    flags = [f"python -m sglang.launch_server --model-path {model_path}", f"--tp-size {_size(w, 'tp')}",
             f"--pp-size {_size(w, 'pp')}"]
    if _size(w, "ep") > 1:
        flags.append(f"--ep-size {_size(w, 'ep')}")
    if (r := _redundant(w)) > 0:  # EPLB slots (sgl-project/sglang issue 6017's decode command)
        flags.append(f"--ep-num-redundant-experts {r}")
    flags += [f"--max-running-requests {int(w['batch'])}",
              f"--chunked-prefill-size {batched_tokens(w, role, prompt_len)}",
              f"--mem-fraction-static {fraction_of_total(w):.2f}"]
    if str(w.get("kv_dtype")) == "fp8":
        flags.append("--kv-cache-dtype fp8_e4m3")
    k = int(w.get("spec_draft_tokens") or 0)
    if k > 0:
        algorithm = f"STANDALONE --speculative-draft-model-path {w['draft_model']}" if w.get("draft_model") else "EAGLE"
        flags.append(f"--speculative-algorithm {algorithm} --speculative-num-steps {k} "
                     f"--speculative-eagle-topk 1 --speculative-num-draft-tokens {k + 1}")
    if role != "aggregated":
        flags.append(f"--disaggregation-mode {role}")
    return " \\\n    ".join(flags)


def tensorrt_llm(model_path: str, worker: dict, role: str, prompt_len: int) -> str:
    w = worker
    flags = [f"trtllm-serve {model_path}", f"--tp_size {_size(w, 'tp')}", f"--pp_size {_size(w, 'pp')}"]
    if _size(w, "ep") > 1:
        flags.append(f"--ep_size {_size(w, 'ep')}")
    flags += [f"--max_batch_size {int(w['batch'])}", f"--max_num_tokens {batched_tokens(w, role, prompt_len)}",
              f"--kv_cache_free_gpu_memory_fraction {fraction_of_free(w):.2f}"]
    head = (f"# the {'context' if role == 'prefill' else 'generation'} servers of `trtllm-serve disaggregated -c "
            "disagg.yaml` run these settings\n" if role != "aggregated" else "")
    k = int(w.get("spec_draft_tokens") or 0)
    if k > 0:  # speculative_config goes in the LLM API options file
        kind = f"DraftTarget, speculative_model_dir: {w['draft_model']}" if w.get("draft_model") else "Eagle"
        head += f"# spec.yaml: speculative_config: {{decoding_type: {kind}, max_draft_len: {k}}}\n"
        flags.append("--extra_llm_api_options spec.yaml")
    return head + " \\\n    ".join(flags)


LAUNCHERS = {"vLLM": vllm, "SGLang": sglang, "TensorRT-LLM": tensorrt_llm}


def launch_lines(model_path: str, workers: list[tuple[str, int, dict]], prompt_len: int) -> list[str]:
    """Command lines for every framework, one per worker kind: ``workers`` are (role, count, worker)
    with role aggregated, prefill or decode."""
    lines = []
    for name, launcher in LAUNCHERS.items():
        fw = FRAMEWORKS[name]
        lines.append(f"# {name} {fw['version']} (flags: {', '.join(fw['docs'].values())})")
        for role, count, worker in workers:
            lines.append(f"# {count} x {role} worker")
            lines.append(launcher(model_path, worker, role, prompt_len))
    return lines
