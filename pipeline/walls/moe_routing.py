"""The routing kernels of an MoE layer (issue 12): the work a mixture-of-experts MLP runs on one
device besides its expert GEMMs, which a dense MLP does not.

A dense MLP is three kernels (``operators.OPERATOR_KERNELS``: the gate/up GEMM, SiLU-and-mul,
the down GEMM). An MoE layer runs the same three as grouped GEMMs over the local experts and
around them, in both serving stacks:

- TensorRT-LLM, ``CutlassMoeFCRunner::runMoe`` (cpp/tensorrt_llm/kernels/mixtureOfExperts/
  moe_kernels.cu): ``topkGatingSoftmaxKernelLauncher``, a CUB radix sort of the expert ids
  (``sorter_.run``), ``computeTotalRowsBeforeExpert``, ``expandInputRowsKernelLauncher`` (copies
  each token's row to its k expert slots), GEMM 1, ``doGatedActivation``, GEMM 2,
  ``finalizeMoeRoutingKernelLauncher`` (the k rows of a token, scaled by their router weights,
  summed back into one), after the router's own Linear;
- vLLM, ``fused_experts`` (vllm/model_executor/layers/fused_moe/fused_moe.py): ``topk_softmax``,
  ``moe_align_block_size``, the two ``fused_moe_kernel`` GEMMs (gathering rows by index) with
  ``silu_and_mul`` between them, ``moe_sum`` over ``intermediate_cache3`` [t, k, d], after the
  router's Linear.

The framework decides the pipeline (the efficiency profiles' ``moe_row_copy``, ``pipeline.studies.efficiency``):
- copy (TensorRT-LLM; the DeepGEMM paths of SGLang and vLLM, ``ep_scatter``): 6 kernels (router GEMM, top-k
  gating, the CUB sort, the experts' first-row offsets, the row copy, the combine) and 5k·t·d elements at the
  hidden state's width on top of the MLP operator's;
- gather (vLLM's Triton ``fused_experts``): 5 kernels (router GEMM, ``topk_softmax``, ``moe_align_block_size``'s
  ``moe_align_block_size_kernel`` and ``count_and_sort_expert_tokens_kernel`` (csrc/moe/moe_align_sum_kernels.cu;
  one fused kernel instead when t·k < 1024 and E <= 64, not modelled), ``moe_sum``) and 3k·t·d: no copy (2k·t·d
  less), GEMM 1 still reads k rows per token (``offs_token // top_k``).
These kernels are memory-bound and run between the GEMMs (they never overlap them), so their time adds to the
layer's: Hockney's α–β form (``kernel_calls.memory_kernels_time_s``), α the fixed time of one memory-bound kernel
(``memory_latency_s``). The router GEMM's weights and FLOPs are already in the MLP operator
(``router_params_per_layer``); its launch is counted here.

Tensor parallelism of the experts (TensorRT-LLM's moe_tp, vLLM's default) shards N and K of
every expert, so every rank routes and combines all of the step's tokens at the full d_model:
the tokens are ``{p}_tokens``, not / tp. Models without routed experts have none of this.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, where
from pipeline.walls.kernel_calls import memory_kernels_time_s
from pipeline.walls.quantities import ELEM_PER_TOKEN
from pipeline.walls.registries import define_serving
from pipeline.walls.serving import PHASES

# TensorRT-LLM runMoe: router GEMM, selectExpertsForTokens, sortAndScanSoftmaxOutput (CUB sort, first-row
# offsets), expandInputRowsKernelLauncher, finalizeMoeRoutingKernelLauncher (the GEMMs and activation: the MLP)
MOE_ROUTING_KERNELS = 6.0
# vLLM fused_experts (Triton): router GEMM, topk_softmax, moe_align_block_size (2 kernels), moe_sum
MOE_GATHER_KERNELS = 5.0
ROUTED_ROW_TRIPS = 5.0  # x k·t·d: GEMM 2's rows out, the combine's in, the copy's in and out, GEMM 1's (k-1)/k
GATHER_ROW_TRIPS = 3.0  # x k·t·d: as above without the copy's two


def moe_routing_bytes(tokens: UExpr, k: UExpr, d_model: UExpr, bytes_per_element: UExpr,
                      moe_row_copy: Plain) -> UExpr:
    """Bytes the routing adds per MoE layer on one device: (2k + 1)·t·d elements (GEMM 2's k rows per token
    written, then read by the combine, which writes t·d) + (k - 1)·t·d (GEMM 1 reads k rows per token where the
    MLP operator counts one) = 3k·t·d where GEMM 1 gathers the rows by index (vLLM's Triton path); + 2k·t·d
    where the rows are first copied to expert order (reads and writes k rows per token): 5k·t·d."""
    trips = where(moe_row_copy, ROUTED_ROW_TRIPS, GATHER_ROW_TRIPS)
    return trips * k.fill_null(0.0) * tokens * d_model * ELEM_PER_TOKEN * bytes_per_element


def moe_routing_time_s(n_experts: UExpr, n_layers: UExpr, dense_layer_share: UExpr, nbytes: UExpr,
                       bandwidth: UExpr, eta_memory: UExpr, latency: UExpr, moe_row_copy: Plain) -> UExpr:
    """The routing kernels of a pass: MoE layers x (n α + bytes / (bandwidth x eta_memory)), n 6 with the row
    copy, 5 without; 0 for a model without routed experts."""
    kernels = where(moe_row_copy, MOE_ROUTING_KERNELS, MOE_GATHER_KERNELS)
    per_layer = memory_kernels_time_s(nbytes, bandwidth, eta_memory, kernels, latency)
    return where(n_experts.is_not_null(), n_layers * (1.0 - dense_layer_share) * per_layer, 0)


def moe_routing_bandwidth_time_s(n_experts: UExpr, n_layers: UExpr, dense_layer_share: UExpr, nbytes: UExpr,
                                 bandwidth: UExpr, eta_memory: UExpr) -> UExpr:
    """The part of the routing kernels' time that scales with 1 / bandwidth (without their α): wall
    21's memory-bandwidth elasticity (``serving_sensitivity``)."""
    per_layer = (nbytes / (bandwidth * eta_memory)).to("s")
    return where(n_experts.is_not_null(), n_layers * (1.0 - dense_layer_share) * per_layer, 0)


define_serving("decode_moe_routing_bandwidth_time_s", ["n_experts", "n_layers", "dense_layer_share",
                                                       "decode_moe_routing_bytes", "memory_bandwidth_bytes_per_s",
                                                       "eta_memory"], moe_routing_bandwidth_time_s)

for _p in PHASES:
    define_serving(f"{_p}_moe_routing_bytes", [f"{_p}_tokens", "n_experts_per_token", "d_model",
                                               "hidden_state_bytes_per_element", "moe_row_copy"], moe_routing_bytes)
    define_serving(f"{_p}_moe_routing_time_s", ["n_experts", "n_layers", "dense_layer_share",
                                                f"{_p}_moe_routing_bytes", "memory_bandwidth_bytes_per_s",
                                                "eta_memory", "memory_latency_s", "moe_row_copy"], moe_routing_time_s)
