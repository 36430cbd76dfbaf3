"""The spec settings every row of a hardware side carries as a column (a study lists the ones it reads in its
own ``KNOBS``; ``pipeline.studies.sides.hardware_side`` adds them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipeline.spec import SweepSpec
from pipeline.walls.quantities import DP_SGD_STEP_MULTIPLIER


@dataclass(frozen=True)
class Knob:
    """A spec setting every row of a hardware side carries as a column."""
    unit: str | None  # None: a flag
    value: Callable[[SweepSpec], object]


# NVFP4 (Transformer Engine NVFP4Tensor): 4-bit E2M1 values and one E4M3 scale per 16-element block (the fp32
# per-tensor scale is negligible), 0.5 + 1/16 B per element; the MLPerf v5.1 NeMo LoRA FP4 recipe replaces each
# frozen TE linear weight by one holding both the row-wise and the column-wise copy (training_results_v5.1
# NVIDIA/benchmarks/llama2_70b_lora/implementations/nemo/custom_callbacks.py lines 128 and 165-169), so 2 x 0.5625
NVFP4_BYTES_PER_PARAM = 2 * (4 / 8 + 8 / (16 * 8))
FP8_BYTES_PER_PARAM = 1.0  # NeMo fp8_params / Megatron-Core fp8_param: Float8Tensor weights
BF16_BYTES_PER_PARAM = 2.0


def working_weight_bytes(training) -> float:
    """Bytes per base weight on the GPU: NVFP4 (``fp4_params``), FP8 (``fp8_params``) or 16-bit."""
    if training.fp4_params:
        return NVFP4_BYTES_PER_PARAM
    return FP8_BYTES_PER_PARAM if training.fp8_params else BF16_BYTES_PER_PARAM


KNOBS = {
    "kernels_per_transformer_layer": Knob("", lambda s: float(s.software.kernels_per_transformer_layer)),
    "kernels_per_cnn_layer": Knob("", lambda s: float(s.software.kernels_per_cnn_layer)),
    "synthesis_target_fraction": Knob("", lambda s: s.analysis.synthesis_target_fraction),
    "host_cores_per_node": Knob("", lambda s: float(s.data.host_cores_per_node)),
    "accelerators_per_node": Knob("", lambda s: float(s.data.accelerators_per_node)),
    "data_parallel_devices": Knob("", lambda s: float(s.data.devices)),
    "optimizer_sharded": Knob(None, lambda s: s.data.optimizer_sharded),
    "step_multiplier": Knob("", lambda s: 1.0),  # serving: one pass per step
    # null: the physical reserve (walls/training_reserve); the share only under training.memory_reserve = "fraction"
    "memory_reserve_fraction": Knob("", lambda s: s.training.memory_reserve_fraction
                                    if s.training.memory_reserve == "fraction" else None),
    "expandable_segments": Knob(None, lambda s: s.training.allocator == "expandable_segments"),
    "dequant_overhead_fraction": Knob("", lambda s: s.serving.dequant_overhead_fraction),
    "allow_weight_streaming": Knob(None, lambda s: s.serving.weight_streaming),
    "kv_block_tokens": Knob("tok", lambda s: float(s.serving.kv_block_tokens)),
    "kv_read_per_query_head": Knob(None, lambda s: s.serving.kv_read_per_query_head),
    "scheduler_steps": Knob("", lambda s: float(s.serving.scheduler_steps)),
    "weight_effective_bits": Knob("bit/param", lambda s: s.serving.weight_effective_bits),  # None: one dtype
    "activation_bytes_per_element": Knob("B/elem", lambda s: 2.0),  # training: 16-bit activations
    "gradient_bytes_per_param": Knob("B/param", lambda s: s.training.gradient_bytes_per_param),
    "dp_overlap_fraction": Knob("", lambda s: s.training.dp_overlap_fraction),
    "flash_attention": Knob(None, lambda s: s.training.flash_attention),
    "dropout": Knob(None, lambda s: s.training.dropout),
    "lm_head_on_last_stage": Knob(None, lambda s: s.training.lm_head_on_last_stage),
    "mtp_layers": Knob("", lambda s: float(s.training.mtp_layers)),
    "working_weight_bytes_per_param": Knob("B/param", lambda s: working_weight_bytes(s.training)),
    "fp8_dot_product_attention": Knob(None, lambda s: s.training.fp8_dot_product_attention),
    "activation_func_fp8_input_store": Knob(None, lambda s: s.training.activation_func_fp8_input_store),
    "gradient_accumulation_fusion": Knob(None, lambda s: s.training.gradient_accumulation_fusion),
    "cpu_offloading_num_layers": Knob("", lambda s: float(s.training.cpu_offloading_num_layers)),
    "cross_entropy_loss_fusion": Knob(None, lambda s: s.training.cross_entropy_loss_fusion),
    "embedding_and_loss_in_pipeline_split": Knob(None, lambda s: s.training.embedding_and_loss_in_pipeline_split),
    "dp_sgd_step_multiplier": Knob("", lambda s: DP_SGD_STEP_MULTIPLIER[s.training.dp_sgd]),
    "train_tokens_budget": Knob("tok", lambda s: s.training.train_tokens),
    "restart_time_s": Knob("s", lambda s: s.training.restart_time_s),
}


def knob_column(value: object, unit_: str | None) -> pl.Expr:
    return pl.lit(value) if unit_ is None else pl.lit(value, dtype=pl.Float64)
