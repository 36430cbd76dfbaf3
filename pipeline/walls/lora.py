"""LoRA serving (issue 16 item 5): many fine-tuned adapters served on one base model. An adapted
matrix W (d_in x d_out) computes x W + (x A) B with A: d_in x r and B: r x d_out (Hu et al. 2021,
"LoRA: Low-Rank Adaptation of Large Language Models", arXiv 2106.09685, §4.1, eq. 3). Punica's SGMV
kernel and S-LoRA's MBGMM kernels run every sequence of a batch through its own adapter in one
batched launch, without merging the adapters into the base weights (Chen et al. 2024, "Punica:
Multi-Tenant LoRA Serving", MLSys, arXiv 2310.18547, §3-4; Sheng et al. 2024, "S-LoRA: Serving
Thousands of Concurrent LoRA Adapters", MLSys, arXiv 2311.03285, §4-5).

The adapted matrices are the four attention projections W_q, W_k, W_v, W_o (the set LoRA's §7.1,
Table 5 studies), per layer sum (d_in + d_out) = 4 d + 2 H d_h + 2 H_kv d_h (MLA models are counted
with their head shapes, first order). With rank r and n resident adapters:
- memory: n x r x sum(d_in + d_out) elements per layer, at the compute dtype (vLLM's ``lora_dtype``
  "auto" is the base model's), sharded over tp like S-LoRA's tensor-parallel LoRA (§5) and over the
  pipeline stages' layers; every adapter is resident (S-LoRA's unified paging to host memory is not
  modelled);
- work per pass and layer: 2 r sum(d_in + d_out) FLOPs per token (shrink x A and expand (x A) B,
  one multiply-accumulate each), and the weights of the adapters the pass touches read once,
  min(n, sequences) of them (each sequence uses one adapter; the batch's requests are spread over
  the resident adapters), on the roofline of this hardware (the profile's efficiencies);
- rank 0 (the default) adds nothing: every row is as without LoRA.
"""

from __future__ import annotations

from pipeline.units import UExpr, minimum
from pipeline.walls.kernel_calls import roofline_time_s
from pipeline.walls.operators import FLOP_PER_MAC
from pipeline.walls.quantities import ELEM_PER_PARAM, PARAM, TOKEN
from pipeline.walls.registries import define_serving, serving_column


@serving_column
def lora_dims_per_layer(d_model: UExpr, n_heads: UExpr, n_kv_heads: UExpr, head_dim: UExpr) -> UExpr:
    """Sum of d_in + d_out over W_q (d -> H d_h), W_k and W_v (d -> H_kv d_h) and W_o (H d_h -> d)."""
    return 4.0 * d_model + 2.0 * n_heads * head_dim + 2.0 * n_kv_heads * head_dim


@serving_column
def lora_params_per_adapter(lora_rank: UExpr, lora_dims_per_layer: UExpr, n_layers: UExpr) -> UExpr:
    """Weights of one adapter over all layers: L x r x sum(d_in + d_out) (A and B, LoRA §4.1)."""
    return n_layers * lora_rank * lora_dims_per_layer * PARAM


@serving_column
def lora_bytes_per_device(lora_adapters: UExpr, lora_rank: UExpr, lora_dims_per_layer: UExpr,
                          layers_per_stage: UExpr, tp: UExpr, bytes_per_element: UExpr) -> UExpr:
    """The n resident adapters' share on one device: n x r x sum(d_in + d_out) x the stage's layers / tp,
    at the compute dtype's bytes."""
    elements = lora_adapters * lora_rank * lora_dims_per_layer * layers_per_stage / tp * PARAM * ELEM_PER_PARAM
    return elements * bytes_per_element


def _lora_pass(p: str) -> None:
    """``{p}_lora_time_s``: the LoRA kernels of one pass of phase ``p`` over all L layers (0 at rank 0)."""

    def lora_time(tokens, sequences, rank, adapters, dims, tp, n_layers, bpe, peak, eta_c, bw, eta_m):
        elements = rank * dims / tp * PARAM * ELEM_PER_PARAM  # one adapter's A and B per layer and device
        flop = FLOP_PER_MAC * (tokens / TOKEN) * rank * dims / tp
        nbytes = minimum(adapters, sequences) * elements * bpe
        return n_layers * roofline_time_s(flop, nbytes, peak, eta_c, bw, eta_m)

    define_serving(f"{p}_lora_time_s", [f"{p}_tokens", f"{p}_sequences", "lora_rank", "lora_adapters",
                                        "lora_dims_per_layer", "tp", "n_layers", "bytes_per_element",
                                        "peak_flop_per_s", "eta_compute", "memory_bandwidth_bytes_per_s",
                                        "eta_memory"], lora_time)


for _phase in ("prefill", "decode"):
    _lora_pass(_phase)
