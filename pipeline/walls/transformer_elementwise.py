"""Wall 2 for the node study's transformer training step: its element-wise kernels (norms, residual adds with
their dropout, the MLP's activation), memory-bound passes in series with the GEMMs.

The node study's ``memory_time_s`` counts each operator's inputs and outputs once (forward) or three times
(train) and overlaps them with the GEMMs (max(compute, memory)); the kernels between the GEMMs are passes of
their own that do next to no arithmetic, so their bytes over the HBM bandwidth add to the step like a CNN's
batch-norm and activation passes (``pipeline.walls.memory.elementwise_traffic_bytes``). One layer's count is the
training study's (``pipeline.walls.training_traffic.layer_elementwise_bytes_per_microbatch``: Korthikanti et al.
2022 §4.1 over Megatron-LM's fused kernels), on one device (no context or sequence parallelism, no recomputation)
with fused attention (the scores stay in the kernel).

Dropout: an encoder pre-trains with it, a decoder here without. BERT uses "a dropout probability of 0.1 on all
layers" (Devlin et al. 2019, arXiv:1810.04805, App. A.2), and so does the MLPerf Training BERT that the measured
rows run: NVIDIA's implementation (mlcommons/training_results_v3.1 NVIDIA/benchmarks/bert/implementations/pytorch/
modeling.py, read through its copy kkkjj-d/training_results_v3_1 at 2951799) keeps ``hidden_dropout_prob`` 0.1
and runs it in training as ``jit_dropout_add`` (dropout + residual add, nvFuser) before each ``BertLayerNorm``,
with ``bias_gelu`` in its own kernel after the FC1 GEMM: the passes counted here. Decoder pre-training
recipes leave dropout out (the training study's default, ``[training] dropout = false``).

fp8 training (Transformer Engine's ``fp8_autocast``, as NVIDIA's MLPerf BERT runs it): the GEMMs run in fp8, the
element-wise kernels keep their 16-bit tensors, and cast kernels feed the GEMMs (``fp8_cast_traffic_bytes``).
The element-wise count came from helper nodeacc (registry_data/research/r-nodeacc/), the fp8 part from bertfp8
(registry_data/research/r-bertfp8/).
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import E, Plain, UExpr, lit, where
from pipeline.walls.quantities import ELEM_PER_TOKEN
from pipeline.walls.training_traffic import layer_elementwise_bytes_per_microbatch


# Under fp8_autocast Transformer Engine keeps the norms' and dropout-adds' tensors in bf16 (te_layers.py: layernorm_fwd
# and dropout_add_fwd take and return the bf16 activations; only GEMM operands are cast).
BF16_ACTIVATION = lit(2.0, "B/elem")
FP8_CAST_BYTE = lit(1.0, "B/elem")  # the byte counts below are per element


@column
def trains_with_dropout(model_type: Plain) -> Plain:
    """Whether a training step runs dropout after its attention and MLP: encoders (BERT's pre-training)."""
    return model_type == "encoder"


@column
def transformer_elementwise_traffic_bytes(is_transformer: Plain, step: Plain, n_layers: UExpr, seq_len: UExpr,
                                          batch: UExpr, d_model: UExpr, n_heads: UExpr, mlp_width_per_device: UExpr,
                                          is_gated_mlp: Plain, tp: UExpr, trains_with_dropout: Plain,
                                          bytes_per_element: UExpr, compute_dtype: Plain) -> UExpr:
    """Bytes a transformer training step's element-wise kernels move on the device, every layer (0 for CNNs and
    at inference, where TensorRT fuses the norms into their neighbours)."""
    layer = layer_elementwise_bytes_per_microbatch(
        seq_len, lit(1.0, ""), batch, d_model, n_heads, mlp_width_per_device, is_gated_mlp, tp, E.lit("none"),
        E.lit(False), E.lit(True), trains_with_dropout, where(compute_dtype == "fp8", BF16_ACTIVATION, bytes_per_element))
    return where(is_transformer & (step == "train"), n_layers * layer, 0).fill_null(0.0)


# Transformer Engine's fp8 casts (NVIDIA's MLPerf BERT, te_layers.py; training_results_v4.0 6fe9543 h200_ngc23.09_pytorch
# for Hopper, v5.0 0fdc28f nyx_n1_ngc25.04_pytorch for Blackwell): before each fp8 GEMM the operands a 16-bit kernel
# left behind are cast to fp8 (read 2 B, write 1 B an element). Before Blackwell cuBLAS runs fp8 GEMMs in the TN layout
# only, so those operands are also written transposed (``fp8_cast_transpose_fused``, ``fp8_transpose``: 1 B more to
# write, and a transpose of an fp8 tensor reads 1 B and writes 1 B); TE's ``supports_fp8_transposes()`` (compute
# capability >= 10, transformer_engine/pytorch/csrc/util.cpp) drops them on Blackwell. Per token of one layer, h =
# d_model, f = the MLP width; FC2's input comes fp8 out of the FC1 GEMM's GELU epilogue, and FC1's dGELU cast is fused
# into the dGELU pass counted above (same bytes), so neither adds a pass:
#   Hopper, fp8 fused attention (``FusedAttnBackend["FP8"]``: context and dQKV come out fp8): QKV and FC1 inputs
#     cast+transpose 2 x 4h; proj and FC2 output gradients cast+transpose 2 x 4h; context transposed 2h, dQKV
#     transposed 6h, GELU output transposed 2f                                           = 24h + 2f bytes
#   Blackwell, bf16 flash attention (its configs set USE_FLASH_ATTENTION=1): QKV input, context and FC1 input cast
#     3 x 3h; proj and FC2 output gradients cast 2 x 3h; dQKV (3h, bf16) cast 9h          = 24h bytes
# Any other accelerator training in fp8 is priced as Hopper (cast and transpose).
CAST_BYTES_PER_HIDDEN, HOPPER_CAST_BYTES_PER_MLP = 24.0, 2.0


@column
def fp8_cast_traffic_bytes(is_transformer: Plain, step: Plain, compute_dtype: Plain, family: Plain, n_layers: UExpr,
                           seq_len: UExpr, batch: UExpr, d_model: UExpr, mlp_width_per_device: UExpr) -> UExpr:
    """Bytes Transformer Engine's fp8 cast (and, before Blackwell, transpose) kernels move in a training step; 0
    outside fp8 training."""
    transposes = where(family == "nvidia-blackwell", 0.0, HOPPER_CAST_BYTES_PER_MLP * mlp_width_per_device)
    per_token = (CAST_BYTES_PER_HIDDEN * d_model * ELEM_PER_TOKEN + transposes) * FP8_CAST_BYTE
    fp8_train = is_transformer & (step == "train") & (compute_dtype == "fp8")
    return where(fp8_train, (n_layers * seq_len * batch * per_token).to("B"), 0).fill_null(0.0)
