"""The storage precision of a serving row's KV cache, which the measurements catalog does not state (issue 12,
hwerr; research registry_data/research/r-hwerr/README.md).

A row's KV cache is kept at its compute precision, except an NVFP4 row's: NVIDIA's FP4 checkpoints keep K and V
in FP8. ModelOpt, which makes them (nvidia/Llama-3.3-70B-Instruct-FP4's model card: "quantized with
nvidia-modelopt v0.23.0"), quantizes the KV cache to FP8 unless told otherwise: ``--kv_cache_qformat``, default
"fp8", "Specify KV cache quantization format, default to fp8 if not provided", in
https://github.com/NVIDIA/TensorRT-Model-Optimizer/blob/42bb0236e34a11b5fb3860369fa0c68e14c784a0/examples/llm_ptq/hf_ptq.py
and NVIDIA's MLPerf Inference harness sets ``kv_cache_dtype: 'fp8'`` in its Blackwell fp4 configurations
(``BlackwellOfflineGPUBaseConfig``, ``BlackwellServerGPUBaseConfig`` likewise) in
https://github.com/mlcommons/inference_results_v5.0/blob/6069beb24b7a0a352f2ea8e76989fa16cd47c76e/closed/NVIDIA/configs/llama2-70b/Offline/__init__.py
(v5.0; v5.1's configurations are not in the corpora). A row that states another KV precision (an FP4 KV cache,
TensorRT-LLM's "NVFP4 KV Cache", an explicit ModelOpt option; a 16-bit cache beside NVFP4 weights) carries it in the
measurements column ``kv_dtype``, which ``serving_rows`` reads before this default.
"""

from __future__ import annotations

KV_DTYPE_OF_COMPUTE = {"fp4": "fp8"}  # compute precision -> KV cache precision, where they differ


def kv_cache_dtype(compute_dtype: str) -> str:
    """The KV cache precision a row of this compute precision ran with (KV_DTYPE_OF_COMPUTE, else the same)."""
    return KV_DTYPE_OF_COMPUTE.get(compute_dtype, compute_dtype)
