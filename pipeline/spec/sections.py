"""The spec's knob tables, one typed section each: [filters], [efficiency], [software], [serving],
[training], [data], [operations], [analysis], [output].

Each setting declares its default and its rule (``pipeline.spec.check``); ``read`` checks a table
against them, so a key's range is written once, next to the field it fills.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any

from pipeline.spec.check import (
    FLAG,
    NAME,
    Expected,
    Rule,
    Table,
    fraction,
    integer,
    name,
    non_negative,
    number,
    one_of,
    positive,
)
from pipeline.walls.expert_parallel import EXPERT_IMBALANCE_DEFAULT, EXPERT_IMBALANCE_REDUNDANT_DEFAULT
from pipeline.walls.quantities import DP_SGD_STEP_MULTIPLIER
from pipeline.walls.training_reserve import ALLOCATORS

DP_SGD = tuple(DP_SGD_STEP_MULTIPLIER)  # the methods wall 20 has a step multiplier for
PRICING = ("on-demand", "reserved-1y", "reserved-3y", "spot")
MEMORY_RESERVES = ("physical", "fraction")
COMPRESSIONS = ("lz4", "zstd", "snappy", "uncompressed")
# The level a codec writes at, where it has one and polars' default is not it (``[output] compression``): zstd at 1,
# not 3 (issue 15, wcodec: ~2 ns less per Float32 value written, the parts 13-30 % larger, all three studies far
# under their disk targets). The level changes the bytes of a part, never a value; the run id ignores it.
COMPRESSION_LEVELS = {"zstd": 1}
HARDWARE_FILTERS = ("vendor", "family", "category", "name")
MODEL_FILTERS = ("family", "model_type", "name")
CATALOG_NAME = name("a catalog name")


def setting(default: Any, rule: Rule) -> Any:
    """A key of a spec table: its default and the rule its value must pass."""
    return field(default=default, metadata={"rule": rule})


def keys(section: type) -> tuple[str, ...]:
    """The table keys a section reads, in declaration order."""
    return tuple(f.name for f in fields(section) if "rule" in f.metadata)


def read(section: type, table: Table, only: tuple[str, ...] | None = None) -> Any:
    """The section filled from ``table`` (defaults for absent keys); ``only``: the keys this
    study reads (the others keep their defaults)."""
    return section(**{f.name: table.value(f.name, f.metadata["rule"], f.default) for f in fields(section)
                      if "rule" in f.metadata and (only is None or f.name in only)})


def _directory(value: Any) -> str:
    if not isinstance(value, (str, os.PathLike)) or not str(value):
        raise Expected("a directory")
    return str(value)


@dataclass(frozen=True)
class Efficiency:
    """η: a framework's profile, or one value that overrides every row (each in (0, 1]).
    ``compute_model``: "kernel" gives the matmul operators the GEMM shape model of the
    kernel_efficiency catalog where its basis is "kernel fit" (issue 12), "profile" the
    profile's η everywhere (default per study: ``pipeline.spec.COMPUTE_MODEL``); an ``eta_compute``
    override is a constant η on every operator."""
    framework: str = setting("default", NAME)
    eta_compute: float | None = setting(None, positive(1.0))
    compute_model: str = setting("profile", one_of("kernel", "profile"))
    eta_memory: float | None = setting(None, positive(1.0))  # serving
    eta_link: float | None = setting(None, positive(1.0))  # serving, training
    # node study: the fused attention kernel the framework calls, a kernel_efficiency "attention fit" row's
    # attention_kernel (pipeline.studies.kernels.named_attention_kernel); None: the catalog's default fit
    attention_kernel: str | None = setting(None, NAME)


@dataclass(frozen=True)
class Software:
    """Launch overhead: kernels per layer x time per launch. ``launch_overhead_per_kernel_s``
    overrides the framework's eager launch cost from the efficiency profiles (None: the
    profile's; the 'default' framework's is 4 µs)."""
    kernels_per_transformer_layer: int = setting(11, integer())
    kernels_per_cnn_layer: int = setting(1, integer())
    launch_overhead_per_kernel_s: float | None = setting(None, positive())


@dataclass(frozen=True)
class Serving:
    """The serving study's memory and kernel knobs. ``memory_fraction``: the share of usable
    device memory the server may take (weights + KV cache + activations), overriding the
    framework's documented default from the efficiency profiles (None: that default, e.g.
    vLLM's gpu_memory_utilization 0.9 of the total, TensorRT-LLM's 0.9 of the free memory).
    ``prefill_chunk_tokens`` likewise overrides the framework's default chunked-prefill size /
    max batched tokens (the 'default' framework's is 8192)."""
    memory_fraction: float | None = setting(None, positive(1.0))
    kv_block_tokens: int = setting(16, integer())
    weight_streaming: bool = setting(False, FLAG)
    dequant_overhead_fraction: float = setting(0.30, number(0, 10, low_open=False))
    prefill_chunk_tokens: int | None = setting(None, integer())  # None: the framework's default (profiles)
    # busiest EP rank's expert load / the mean (pipeline.walls.expert_parallel; 1: perfectly balanced)
    expert_imbalance: float = setting(EXPERT_IMBALANCE_DEFAULT, number(1, 64, low_open=False))
    # the same once EPLB places redundant experts (axes.redundant_experts > 0; TensorRT-LLM blog 4, Table 1)
    expert_imbalance_redundant: float = setting(EXPERT_IMBALANCE_REDUNDANT_DEFAULT, number(1, 64, low_open=False))
    # two microbatches hide the EP all-to-all behind computation (DeepSeek-V3 §3.4; pipeline.walls.expert_parallel)
    dual_batch_overlap: bool = setting(False, FLAG)
    # attention-DP groups run their prompts' contexts in different iterations, each stalling the others' decode
    # (TensorRT-LLM tech blog 10's baseline scheduler under varied lengths: pipeline.walls.expert_parallel); off:
    # aligned, as the static batch prices them (ADP balance; same-length requests admitted together)
    attention_dp_unaligned: bool = setting(False, FLAG)
    # decode streams each KV head once per query head it serves, not once per GQA group (TensorRT-LLM before
    # 0.7's masked MHA: pipeline.walls.operators.decode_kv_reads)
    kv_read_per_query_head: bool = setting(False, FLAG)
    # decode steps per scheduler call, new requests joining between blocks of them (vLLM's num_scheduler_steps:
    # pipeline.walls.multi_step; 1: every step)
    scheduler_steps: int = setting(1, integer(1, 64))
    # mean bits per linear-layer weight of a per-layer format mix (ModelOpt AutoQuantize's effective_bits): the
    # linear layers' GEMM time and weight bytes x bits / bits(weight_dtype) (pipeline.walls.mixed_precision; None:
    # every linear layer in weight_dtype)
    weight_effective_bits: float | None = setting(None, positive(32))


@dataclass(frozen=True)
class Training:
    """The training study's knobs (the input pipeline's are in ``Data``, read from the same table)."""
    dp_overlap_fraction: float = setting(0.0, fraction(high_open=False))
    # the training memory's reserve (walls/training_reserve): "physical" (CUDA context, NCCL buffers, the allocator's
    # fragmentation) or "fraction", memory_reserve_fraction of the usable memory; a spec that sets a share other
    # than 0.10 without memory_reserve gets "fraction" (pipeline.spec.parse_spec)
    memory_reserve: str = setting("physical", one_of(*MEMORY_RESERVES))
    memory_reserve_fraction: float = setting(0.10, fraction())
    allocator: str = setting("caching", one_of(*ALLOCATORS))  # PyTorch's caching allocator, or expandable_segments
    flash_attention: bool = setting(True, FLAG)
    dropout: bool = setting(False, FLAG)
    lm_head_on_last_stage: bool = setting(False, FLAG)  # true: Megatron-LM's default split (walls/training_compute)
    mtp_layers: int = setting(0, integer(0))  # multi-token prediction modules on the last stage (DeepSeek-V3 §2.2)
    fp8_params: bool = setting(False, FLAG)  # FP8 working weights (walls/training_memory)
    fp4_params: bool = setting(False, FLAG)  # NVFP4 frozen weights, row- and column-wise (studies/knobs)
    fp8_dot_product_attention: bool = setting(False, FLAG)  # Q, K, V, O saved in FP8
    activation_func_fp8_input_store: bool = setting(False, FLAG)  # the MLP activation's input saved in FP8
    # false: autograd adds each microbatch's weight gradient to the buffer (walls/training_traffic)
    gradient_accumulation_fusion: bool = setting(True, FLAG)
    # layers whose activations live in host memory, the fused loss's 16-bit logits, the embedding and the loss
    # as a layer slot each in the pipeline split (Megatron-Core's names; walls/training_ranks)
    cpu_offloading_num_layers: int = setting(0, integer(0))
    cross_entropy_loss_fusion: bool = setting(False, FLAG)
    embedding_and_loss_in_pipeline_split: bool = setting(False, FLAG)
    dp_sgd: str = setting("none", one_of(*DP_SGD))  # wall 20
    gradient_bytes_per_param: float = setting(2.0, positive(8.0))
    pp_balance_tolerance: float = setting(0.10, fraction(high_open=False))
    tp_across_domains: bool = setting(False, FLAG)
    train_tokens: float | None = setting(None, positive())  # None: Chinchilla-optimal for each model
    restart_time_s: float = setting(0.0, non_negative("a number of seconds"))


@dataclass(frozen=True)
class Data:
    """Walls 8 and 9's inputs: the node study reads them from [data], the training study from [training]."""
    storage: str | None = setting(None, CATALOG_NAME)  # a storage catalog name (None: not checked)
    data_pipeline: str | None = setting(None, CATALOG_NAME)  # a host_pipelines catalog name
    host_cores_per_node: int = setting(112, integer())  # DGX H100: 2x Xeon Platinum 8480C, 56 cores each
    accelerators_per_node: int = setting(8, integer())  # node study: the node one accelerator shares
    # node study, training: the data-parallel devices the global batch is split over (the gradient all-reduce's
    # ranks), the cluster whose scale-out NICs carry it beyond a scale-up domain, and whether the optimizer state
    # is sharded over a node's GPUs (walls/node_data_parallel)
    devices: int = setting(1, integer())
    cluster: str | None = setting(None, CATALOG_NAME)
    optimizer_sharded: bool = setting(False, FLAG)


TRAINING_DATA_KEYS = ("storage", "data_pipeline", "host_cores_per_node")  # [training] keys that fill Data


@dataclass(frozen=True)
class Operations:
    """Walls 16-18 (any study with a region axis)."""
    pricing: str = setting("on-demand", one_of(*PRICING))
    cloud: str = setting("any", name('a provider name or "any"'))  # "any": the cheapest offer
    service_life_years: float = setting(5.0, positive())
    depreciation_years: float = setting(5.0, positive())
    maintenance_fraction_per_year: float = setting(0.0, non_negative())
    facility_capex_multiplier: float = setting(0.0, non_negative())
    tco_horizon_years: float = setting(5.0, positive())
    shared_utilization: float | None = setting(None, fraction())
    service_time_cv: float = setting(1.0, non_negative())


@dataclass(frozen=True)
class Analysis:
    synthesis_target_fraction: float = setting(0.8, positive())  # wall 22: target / predicted latency


@dataclass(frozen=True)
class Output:
    dir: str = setting("outputs", Rule("directories", _directory))
    # zstd (at COMPRESSION_LEVELS' level 1): ~30 % smaller than lz4 (7.5 vs 10.6 B/row, training bench) for a few
    # percent more CPU (issue 15's disk target). The run id hashes the codec as lz4 whatever it is
    # (pipeline.runs.manifest.identity), so specs keep the ids they had under lz4.
    compression: str = setting("zstd", one_of(*COMPRESSIONS))


@dataclass(frozen=True)
class Filters:
    """Keep catalog rows whose column is in the list (an empty list keeps every row)."""
    hardware: dict[str, tuple[str, ...]] = field(default_factory=dict)
    model: dict[str, tuple[str, ...]] = field(default_factory=dict)


def read_filters(table: Table) -> Filters:
    return Filters(**{kind: _filter(table, kind, allowed)
                      for kind, allowed in (("hardware", HARDWARE_FILTERS), ("model", MODEL_FILTERS))})


def _filter(table: Table, kind: str, allowed: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    raw, key = table.raw.get(kind, {}), table.key(kind)
    if not isinstance(raw, dict):
        table.checker.bad(key, f"got {raw!r}, expected a table of column = [values]")
        return {}
    out = {}
    for column, values in raw.items():
        if column not in allowed:
            table.checker.bad(f"{key}.{column}", f"unknown filter column; expected one of {', '.join(allowed)}")
        elif values != []:
            out[column] = Table(table.checker, raw, key, tuple(raw)).values(column, NAME, ())
    return out
