"""A checkpoint whose linear layers mix weight formats layer by layer (NVIDIA ModelOpt's AutoQuantize:
``mtq.auto_quantize(model, constraints={"effective_bits": b}, quantization_formats=[NVFP4, FP8, None])``, None
keeping a layer in 16 bits; mlcommons/inference_results_v5.1 @965182b0 closed/NVIDIA/code/mixtral-8x7b/modelopt/
quantize.py), priced as one term: the linear layers' weight bytes and GEMM time x b / bits(weight_dtype).

Why one factor covers any split: with parameter shares a, f, h in 4, 8 and 16 bits, 4a + 8f + 16h = b. Each
layer's weights take its format's bits, and its GEMM its format's tensor rate, FP4 : FP8 : FP16 = 2 : 1 : 1/2 of
dense FLOP/s on Blackwell and FP8 : FP16 = 1 : 1/2 on Hopper (the hardware catalog's peaks), so a GEMM's time is
proportional to its format's bits too: the mix takes (4a + 8f + 16h) / 8 = b / 8 of the all-FP8 bytes and time,
whatever the split (registry_data/research/r-moemix2). The row's weight_dtype is the reference format (its bits
and its peak); the norms and the LM head (16-bit, ``operators.end_weight_bytes_per_param``) keep theirs.

Attention's matmuls (QK^T and PV over the KV cache) run at their kernel's precision, not the GEMMs' (r-dsr1d):
the slower of the compute dtype's and the KV cache's, and never faster than FP8's, for no attention kernel
multiplies in FP4. TensorRT-LLM (NVIDIA/TensorRT-LLM @38134b13, cpp/tensorrt_llm/thop/attentionOp.cpp, the op's
setup) runs context FMHA in FP8 where the KV cache is FP8 and context FMHA is paged (``mFP8ContextFMHA``), MLA's
context in FP8 on sm 90/100/103/120 with an FP8 KV cache (``mFP8ContextMLA``) and MLA's generation with FP8 Q and KV
(``mFP8GenerationMLA = hasFp8KvCache()``), else in the model's 16-bit dtype; an NVFP4 KV cache is read by the FP8
kernels. NVIDIA's MLPerf v5.1 DeepSeek-R1 runs: NVFP4 weights, ``kv_cache_dtype: 'fp8'``, ``use_fp8_context_fmha``
(mlcommons/inference_results_v5.1 @965182b0 closed/NVIDIA/configs/B200-SXM-180GBx8/Offline/deepseek-r1.py:30, 54).
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, maximum, where
from pipeline.walls.kernel_calls import gemm_eta_compute
from pipeline.walls.operators import weight_bytes_per_param
from pipeline.walls.quantities import ELEM_PER_PARAM
from pipeline.walls.registries import define_serving, serving_column


@serving_column
def weight_bits_scale(weight_effective_bits: UExpr, weight_bytes_per_element: UExpr) -> UExpr:
    """The mix's bits per linear-layer weight over weight_dtype's, b / bits(weight_dtype) (1: no mix stated)."""
    return (weight_effective_bits / (weight_bytes_per_element * ELEM_PER_PARAM)).to("").fill_null(1.0)


def mixed_weight_bytes_per_param(weight_bytes_per_element: UExpr, weight_bits_scale: UExpr) -> UExpr:
    """A linear-layer weight's bytes under the mix: weight_dtype's x b / bits(weight_dtype)."""
    return weight_bytes_per_param(weight_bytes_per_element) * weight_bits_scale


# serving's linear layers (the operators, resident weights, KV capacity) read the mix's bytes
define_serving("weight_bytes_per_param", ["weight_bytes_per_element", "weight_bits_scale"],
               mixed_weight_bytes_per_param)


@serving_column
def linear_peak_flop_per_s(peak_flop_per_s: UExpr, weight_bits_scale: UExpr) -> UExpr:
    """The QKV, O and MLP GEMMs' peak under the mix: weight_dtype's reference peak / (b / bits(weight_dtype)), so a
    GEMM of the mix takes b / bits(weight_dtype) of the reference format's compute time."""
    return peak_flop_per_s / weight_bits_scale


@serving_column
def sixteen_bit_peak_flop_per_s(peak_flop_per_s: UExpr, peak_bf16_flop_per_s: UExpr,
                                peak_fp16_flop_per_s: UExpr) -> UExpr:
    """The 16-bit peak: bf16's, else fp16's; the compute dtype's if the catalog has neither."""
    return where(peak_bf16_flop_per_s.is_not_null(), peak_bf16_flop_per_s,
                 where(peak_fp16_flop_per_s.is_not_null(), peak_fp16_flop_per_s, peak_flop_per_s))


def attention_kernel_bytes_per_element(bytes_per_element: UExpr, kv_bytes_per_element: UExpr) -> UExpr:
    """The element width attention's matmuls run at: the KV cache's kernel (16 bits over a 16-bit or wider cache, 8
    over an FP8 or NVFP4 one), never narrower than the compute dtype. The one rule for attention's precision:
    ``attention_peak_flop_per_s`` prices its peak and ``studies.kernels.attention_dtype`` names its kernel row."""
    kv_kernel = where(kv_bytes_per_element >= lit(2.0, "B/elem"), lit(2.0, "B/elem"), lit(1.0, "B/elem"))
    return maximum(bytes_per_element, kv_kernel)


@serving_column
def attention_peak_flop_per_s(peak_flop_per_s: UExpr, bytes_per_element: UExpr, kv_bytes_per_element: UExpr,
                              sixteen_bit_peak_flop_per_s: UExpr, peak_fp8_flop_per_s: UExpr) -> UExpr:
    """Attention's peak: the compute dtype's where its kernel (``attention_kernel_bytes_per_element``) is as wide,
    else the kernel's: the 16-bit peak, or FP8's (the compute dtype's where the catalog has no FP8 peak). FP4 compute
    over an FP8 cache: FP8's, half of FP4's on B200 (4.5 of 9 PFLOP/s dense)."""
    kernel = attention_kernel_bytes_per_element(bytes_per_element, kv_bytes_per_element)
    fp8 = where(peak_fp8_flop_per_s.is_not_null(), peak_fp8_flop_per_s, peak_flop_per_s)
    return where(kernel <= bytes_per_element, peak_flop_per_s,
                 where(kernel >= lit(2.0, "B/elem"), sixteen_bit_peak_flop_per_s, fp8))


@serving_column
def mla_projections_at_16_bits(is_mla: Plain, weight_bytes_per_element: UExpr) -> Plain:
    """Whether MLA's attention projections (q_a and kv_a, q_b, kv_b) stay 16-bit beside 4-bit weights: ModelOpt's
    DeepSeek NVFP4 recipe disables the ``*attn*`` quantizers unless asked (NVIDIA/TensorRT-Model-Optimizer
    examples/deepseek/ptq.py, ``mla_quant`` None) and writes them BF16 (quantize_to_nvfp4.py); NVIDIA's MLPerf v5.1 run
    excludes ``self_attn.fused_a``, ``q_b_proj``, ``kv_b_proj`` of every layer (closed/NVIDIA/code/deepseek-r1/tensorrt/
    hf_quant_config.json, mlcommons/inference_results_v5.1 @965182b0), o_proj not. DeepSeek's FP8 checkpoints keep them
    FP8 (the rule is for 4-bit weights only)."""
    return is_mla & (weight_bytes_per_element < lit(1.0, "B/elem"))


@serving_column
def attention_projections_at_16_bits(quantized_layers: Plain, weight_bytes_per_element: UExpr) -> Plain:
    """Whether attention's QKV and O projections stay BF16 beside 4-bit weights because the published checkpoint
    quantizes the routed experts only (models catalog ``quantized_layers`` 'experts'). GPT-OSS: config.json
    ``quantization_config`` mxfp4 with ``modules_to_not_convert`` self_attn, mlp.router, embed_tokens, lm_head
    (huggingface.co/openai/gpt-oss-120b); TensorRT-LLM keeps attn.qkv and attn.out unquantized for an mxfp4
    checkpoint (NVIDIA/TensorRT-LLM @008e0af8 tensorrt_llm/_torch/model_config.py, load_hf_quant_config
    ``default_exclude``); AMD's MLPerf v6.0 Quark checkpoint excludes ``*self_attn*`` and ``*router*``
    (closed/AMD/setup/gpt-oss-120b/dataset_and_model/prepare_model.sh)."""
    return (quantized_layers == "experts").fill_null(False) & (weight_bytes_per_element < lit(1.0, "B/elem"))


@serving_column
def qkv_at_16_bits(mla_projections_at_16_bits: Plain, attention_projections_at_16_bits: Plain) -> Plain:
    """Whether the QKV projection runs at 16 bits: MLA's beside NVFP4 weights, or a checkpoint's BF16 attention."""
    return mla_projections_at_16_bits | attention_projections_at_16_bits


def sixteen_bit_weight_bytes(at_16_bits: Plain, weight_bytes_per_param: UExpr) -> UExpr:
    """A projection's weight bytes: 2 B where it stays 16-bit, else the linear layers'."""
    return where(at_16_bits, lit(2.0, "B/param"), weight_bytes_per_param)


def sixteen_bit_peak(at_16_bits: Plain, linear_peak_flop_per_s: UExpr, sixteen_bit_peak_flop_per_s: UExpr) -> UExpr:
    """A projection's peak: the 16-bit one where it stays 16-bit, else the linear layers'."""
    return where(at_16_bits, sixteen_bit_peak_flop_per_s, linear_peak_flop_per_s)


# the QKV projection (MLA's or a BF16-attention checkpoint's) and the O projection (a BF16-attention checkpoint's)
for _op, _flag in (("qkv", "qkv_at_16_bits"), ("o", "attention_projections_at_16_bits")):
    define_serving(f"{_op}_weight_bytes_per_param", [_flag, "weight_bytes_per_param"], sixteen_bit_weight_bytes)
    define_serving(f"{_op}_peak_flop_per_s", [_flag, "linear_peak_flop_per_s", "sixteen_bit_peak_flop_per_s"],
                   sixteen_bit_peak)


# A 16-bit projection's η: the GEMM shape model on the hardware's 16-bit kernel fit (``studies.kernels``'
# sixteen_bit_gemm_* columns, the catalog's bf16 row), not the 4-bit one's; else the projection's own.
SIXTEEN_BIT_GEMM = [f"sixteen_bit_gemm_{c}"
                    for c in ("units", "tile_m", "tile_n", "ceiling", "k_half", "best_fraction")]


def priced_eta_compute(m: UExpr, n: UExpr, k: UExpr, units: UExpr, tile_m: UExpr, tile_n: UExpr, ceiling: UExpr,
                       k_half: UExpr, best_fraction: UExpr, multiplier: UExpr, eta_compute: UExpr,
                       at_16_bits: Plain, own_eta_compute: UExpr) -> UExpr:
    sixteen = gemm_eta_compute(m, n, k, units, tile_m, tile_n, ceiling, k_half, best_fraction, multiplier, eta_compute)
    return where(at_16_bits, sixteen, own_eta_compute)


for _p in ("prefill", "decode"):
    for _op, _flag in (("qkv_proj", "qkv_at_16_bits"), ("o_proj", "attention_projections_at_16_bits")):
        define_serving(f"{_p}_{_op}_priced_eta_compute",
                       [*(f"{_p}_{_op}_gemm_{d}" for d in "mnk"), *SIXTEEN_BIT_GEMM, "framework_eta_multiplier",
                        "eta_compute", _flag, f"{_p}_{_op}_eta_compute"], priced_eta_compute)
