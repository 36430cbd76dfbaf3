"""The efficiency_profiles catalog's schema (split from ``schemas.py``, which holds the table list)."""

from __future__ import annotations

from pipeline.catalogs import model_patterns as pattern
from pipeline.catalogs.fields import Provenance, finite, flag, quantity, text, url


class EfficiencyProfileSchema(Provenance):
    """The seed's framework-calibrated efficiency table, one row per hardware family."""

    profile: str = text("profile name")
    workload: str = text("workload kind", isin=["training", "inference"])
    precision: str = text("precision the profile was measured at")
    framework: str = text("software stack")
    hardware_family: str = text("hardware family the row applies to ('any' for all)")
    eta_compute_low: float = quantity("", "low end of the achieved fraction of peak FLOP/s (null: not stated, a "
                                      "less specific row's, as a framework-behaviour-only row)", nullable=True, le=1)
    eta_compute_high: float = quantity("", "high end of the achieved fraction of peak FLOP/s", nullable=True, le=1)
    eta_memory_low: float = quantity(
        "", "low end of the achieved fraction of datasheet memory bandwidth (null: not stated)", nullable=True, le=1)
    eta_memory_high: float = quantity("", "high end of eta_memory", nullable=True, le=1)
    eta_link_low: float = quantity(
        "", "low end of the achieved fraction of scale-up link bandwidth (null: not stated)", nullable=True, le=1)
    eta_link_high: float = quantity("", "high end of eta_link", nullable=True, le=1)
    framework_eta_multiplier: float = quantity(
        "", "the framework's speed on every kernel relative to the kernel catalog's microbenchmarks (GEMM shape "
        "model, measured streaming bandwidth, memory kernels' fixed time), fitted by mlsys calibrate; null: 1",
        nullable=True, gt=0)
    source: str = text("citation")
    memory_fraction: float = quantity(
        "", "share of device memory the framework takes by default (vLLM gpu_memory_utilization, TensorRT-LLM "
        "free_gpu_memory_fraction); null: not stated (training rows: the spec's memory_reserve_fraction)",
        nullable=True, le=1)
    memory_fraction_of: str = text(
        "what memory_fraction is a share of: 'total' (usable device memory: vLLM) or 'free' (what is left "
        "after weights and activations: TensorRT-LLM's KV cache)", nullable=True, isin=["total", "free"])
    memory_fraction_source_url: str = url("the framework documentation stating memory_fraction's default")
    # Framework behaviour (issue 12 item 3): null = not stated, a less specific row (in the end
    # 'default') states it; each figure cites its *_source_url (versions and derivations: notes).
    launch_overhead_per_kernel_s: float = quantity("s", "host cost of one eager kernel launch", nullable=True)
    launch_source_url: str = url("the measurement behind launch_overhead_per_kernel_s")
    decode_cuda_graphs: bool = flag("decode replays CUDA/HIP graphs by default", nullable=True)
    graph_launch_s: float = quantity("s", "host cost of one graph replay, fixed part", nullable=True, ge=0)
    graph_launch_per_kernel_s: float = quantity("s", "host cost of one graph replay per kernel node", nullable=True,
                                                ge=0)
    graph_source_url: str = url("the framework documentation stating decode_cuda_graphs")
    prefill_eager_host_per_kernel_s: float = quantity(
        "s", "host cost per kernel (the model's kernels_per_transformer_layer count) of a prefill the framework runs "
        "eagerly by default, without prefill CUDA graphs (Python/PyTorch dispatch and launch); null: not stated "
        "(the eager launch cost launch_overhead_per_kernel_s)", nullable=True, ge=0)
    prefill_host_source_url: str = url("the measurement behind prefill_eager_host_per_kernel_s")
    scheduler_overhead_per_iteration_s: float = quantity(
        "s", "CPU scheduling time on the critical path of each decode iteration", nullable=True, ge=0)
    scheduler_source_url: str = url("the source of scheduler_overhead_per_iteration_s")
    prefill_chunk_tokens: float = quantity("tok", "default chunked-prefill size / max batched tokens", nullable=True)
    chunk_source_url: str = url("the framework source stating prefill_chunk_tokens' default")
    custom_allreduce_max_bytes: float = quantity(
        "B", "largest all-reduce message the framework's own P2P all-reduce takes within a node (vLLM "
        "custom_all_reduce max_size, TensorRT-LLM workspace); null: NCCL only", nullable=True, gt=0)
    custom_allreduce_max_ranks: float = quantity("", "most ranks that custom all-reduce supports", nullable=True,
                                                 ge=2)
    custom_allreduce_source_url: str = url("the framework source stating the custom all-reduce limits")
    window_kv_cache: bool = flag(pattern.WINDOW_KV_CACHE, nullable=True)
    window_kv_source_url: str = url("the framework source stating window_kv_cache")
    window_attention_models: str = text(pattern.WINDOW_ATTENTION_MODELS, nullable=True)
    window_attention_source_url: str = url("the framework source stating window_attention_models")
    moe_row_copy: bool = flag("an MoE layer copies each token's row to its k experts' slots before the expert GEMMs "
                              "(TensorRT-LLM's runMoe); false: the grouped GEMM gathers rows by index (vLLM's Triton "
                              "fused_moe); null: not stated (a less specific row's, else copied)", nullable=True)
    moe_routing_source_url: str = url("the framework source stating moe_row_copy")
    moe_tile_m: float = quantity("", "BLOCK_SIZE_M (rows) the framework's shipped grouped MoE GEMM config states for "
                                 "a call of at most moe_tile_max_tokens tokens (SGLang's fused_moe_triton JSON); "
                                 "null: not stated (the kernel model's tile)", nullable=True, gt=0)
    moe_tile_max_tokens: float = quantity("tok", "the most tokens of one grouped GEMM call that run moe_tile_m",
                                          nullable=True, gt=0)
    moe_tile_source_url: str = url("the framework file stating moe_tile_m")
    graphed_models: str = text("models (comma-separated catalog names) whose batch-1 engines the framework replays "
                               "as one CUDA graph (NVIDIA's MLPerf harness: use_graphs); null: none", nullable=True)
    graph_kernels_per_transformer_layer: float = quantity(
        "", "kernels a transformer layer of a graphed engine runs (TensorRT's BERT int8: 7)", nullable=True)
    graph_kernels_per_step: float = quantity("", "a graphed engine's kernels outside its layers (embedding, head)",
                                             nullable=True, ge=0)
    graph_engine_source_url: str = url("the framework source stating graphed_models and the graphed kernel counts")
    _finite = finite(r"^(eta_\w+_(low|high)|framework_eta_multiplier|memory_fraction|launch_overhead_per_kernel_s"
                     r"|graph_launch\w*|graph_kernels\w*|prefill_eager_host_per_kernel_s"
                     r"|scheduler_overhead_per_iteration_s|prefill_chunk_tokens|custom_allreduce_max_\w+"
                     r"|moe_tile_m\w*)$")

    class Config:
        name = "efficiency_profiles"
        unique = ["workload", "precision", "framework", "hardware_family"]  # noqa: RUF012 (pandera API)
