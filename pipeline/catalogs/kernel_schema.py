"""Pandera schema of the GEMM kernel-efficiency catalog (registry_data/kernel_efficiency.parquet), and
the columns of a kernel row of the measurements catalog (issue 12 item 6)."""

from __future__ import annotations

from pipeline.catalogs.fields import Provenance, count, finite, flag, quantity, text


class KernelEfficiencySchema(Provenance):
    """GEMM kernel efficiency per (hardware, precision): the shape model of pipeline.walls.gemm
    (and the attention model of pipeline.walls.attention_kernel, attention_fit; the measured
    memory-bandwidth fraction, bandwidth_fit)
    fitted to published kernel microbenchmarks by pipeline.validation.gemm_fit (never to the
    end-to-end measurement rows). ``efficiency_basis`` says whether matmul operators use it
    ("kernel fit") or keep the efficiency profile's η ("profile η": no kernel data or unit count)."""

    hardware: str = text("a hardware catalog name")
    precision: str = text("compute precision (a precisions catalog name)")
    efficiency_basis: str = text("what sets the matmul operators' η; \"attention fit\": a row of one more attention "
                                 "kernel alone (its GEMM columns null), for runs that name it", isin=["kernel fit",
                                                                                       "profile η", "attention fit"])
    units: float = quantity("", "SMs (NVIDIA) or CUs (AMD) a GEMM's tiles run on", nullable=True)
    tile_m: float = quantity("", "rows of C per CTA tile", nullable=True)
    tile_n: float = quantity("", "columns of C per CTA tile", nullable=True)
    ceiling: float = quantity("", "best-shape fraction of peak (MAMF / the model's shape factor there)",
                              nullable=True, le=1)
    best_fraction: float = quantity("", "best measured fraction of peak of any shape (the MAMF row; the median of "
                                    "the MAMF rows without one): the cap of the shape model", nullable=True, le=1)
    ceiling_source: str = text("where the ceiling comes from", nullable=True)
    sustained_fraction: float = quantity("", "share of the ceiling and best_fraction a GEMM holds at the power-capped "
                                         "clock under sustained load (MSMF / peak / best_fraction, research/r-srv2; "
                                         "null: no sustained measurement, 1)", nullable=True, gt=0, le=1)
    sustained_source: str = text("where sustained_fraction comes from", nullable=True)
    k_half: float = quantity("", "K at which a tile's K loop runs at half speed", nullable=True)
    fit_rows: int = count("shaped kernel rows the fit used")
    fit_sources: int = count("sources (repositories) of those rows")
    heldout_median_abs_error: float = quantity("", "median |error| of GEMM time, leave-one-source-out", ge=0)
    in_sample_median_abs_error: float = quantity("", "median |error| of GEMM time on the fitted rows", ge=0)
    attention_ceiling: float = quantity("", "best fused attention kernel's fraction of peak at saturation "
                                        "(pipeline.walls.attention_kernel)", nullable=True, le=1)
    attention_kernel: str = text("the kernel the attention ceiling is fitted to (a measurement's or a spec's "
                                 "attention_kernel picks an \"attention fit\" row by it)", nullable=True)
    attention_s_half: float = quantity("", "mean keys per query at which the K loop runs at half speed",
                                       nullable=True)
    attention_d_half: float = quantity("", "head dimension at which the matmul share is one half", nullable=True)
    attention_fit_rows: int = count("attention kernel rows the fit used")
    attention_fit_sources: int = count("sources of those rows")
    attention_heldout_median_abs_error: float = quantity("", "median |error| of attention time, "
                                                         "leave-one-source-out", ge=0)
    attention_in_sample_median_abs_error: float = quantity("", "median |error| of attention time in sample", ge=0)
    memory_fraction: float = quantity("", "measured fraction of peak memory bandwidth of streaming kernels",
                                      nullable=True, le=1)
    memory_fraction_rows: float = quantity("", "bandwidth benchmark rows behind memory_fraction", nullable=True)
    memory_fraction_source: str = text("first source of memory_fraction", nullable=True)
    memory_latency_s: float = quantity("s", "fixed time of one memory-bound kernel, α of t = α + bytes / β "
                                       "(pipeline.validation.latency_fit)", nullable=True, ge=0)
    memory_latency_rows: float = quantity("", "GEMM kernel rows behind memory_latency_s", nullable=True)
    memory_latency_source: str = text("the rows and sources of memory_latency_s", nullable=True)
    attention_latency_s: float = quantity("s", "fixed time of one decode-attention call, α of t = α + bytes / β "
                                          "(pipeline.validation.decode_attention_fit)", nullable=True, ge=0)
    attention_latency_rows: float = quantity("", "decode-attention kernel rows behind attention_latency_s",
                                             nullable=True)
    attention_latency_source: str = text("the rows and sources of attention_latency_s", nullable=True)
    training_attention_time_ratio: float = quantity(
        "", "measured fused-attention time of one training layer (fwd + recomputed fwd + bwd) at this precision over "
        "the family's reference device (the one its training profile eta was measured on) at bf16, same shape, x "
        "their bf16 peaks' ratio (walls.training_compute; null: 1)", nullable=True, gt=0)
    training_attention_time_ratio_source: str = text("the kernel tables behind training_attention_time_ratio",
                                                     nullable=True)
    _finite = finite(r"^(units|tile_m|tile_n|ceiling|best_fraction|sustained_fraction|k_half"
                     r"|attention_(ceiling|s_half|d_half)|training_attention_time_ratio"
                     r"|memory_fraction|memory_latency_s|attention_latency_s|\w+_error)$")

    class Config:
        name = "kernel_efficiency"
        unique = ["hardware", "precision", "attention_kernel"]  # noqa: RUF012 (pandera API)


# Metrics of one kernel call alone (the kernel study, pipeline.studies.operator): metric -> (study, unit).
KERNEL_METRICS = {
    "gemm_time_s": ("kernel", "s"), "gemm_flop_per_s": ("kernel", "FLOP/s"), "attention_time_s": ("kernel", "s"),
    "attention_flop_per_s": ("kernel", "FLOP/s"), "collective_time_s": ("kernel", "s"),
    "collective_busbw_bytes_per_s": ("kernel", "B/s"),
}
KERNEL_OPS = ["gemm", "attention", "all_reduce", "all_gather", "reduce_scatter", "all_to_all"]
KERNEL_COLUMNS = ("kernel_op", "gemm_m", "gemm_n", "gemm_k", "heads", "kv_heads", "head_dim", "kv_len", "causal",
                  "message_bytes", "ranks")


class KernelRowColumns(Provenance):
    """What a kernel row of the measurements catalog states: one GEMM, attention call or
    collective (null on every other row). Attention also uses the row's batch (sequences) and
    seq_len (query tokens)."""

    kernel_op: str = text("the kernel call of a kernel row", nullable=True, isin=KERNEL_OPS)
    gemm_m: int = count("GEMM rows M of C[M,N] = A[M,K].B[K,N]", nullable=True)
    gemm_n: int = count("GEMM columns N", nullable=True)
    gemm_k: int = count("GEMM inner dimension K", nullable=True)
    heads: int = count("attention query heads", nullable=True)
    kv_heads: int = count("attention key/value heads", nullable=True)
    head_dim: int = count("attention head dimension", nullable=True)
    kv_len: int = count("attention key/value tokens (null: seq_len)", nullable=True, unit="tok")
    causal: bool = flag("causal attention mask", nullable=True)
    message_bytes: float = quantity("B", "collective message: nccl-tests' size column", nullable=True)
    ranks: int = count("ranks of the collective", nullable=True)


RUN_COLUMNS = ("requests",)


class RunColumns(KernelRowColumns):
    """What a serving row states about its finite run (null on every other row)."""

    requests: int = count("requests the benchmark sent in a finite run (serving; a burst at an unbounded rate "
                          "needs it: its TTFT is the queue of those requests)", nullable=True)


TRAINING_RUN_COLUMNS = ("flash_attention", "dropout", "lm_head_on_last_stage", "mtp_layers", "fp8_params", "fp4_params",
                        "fp8_dot_product_attention", "activation_func_fp8_input_store", "gradient_accumulation_fusion",
                        "cpu_offloading_num_layers", "cross_entropy_loss_fusion",
                        "embedding_and_loss_in_pipeline_split", "allocator")


class TrainingRunColumns(RunColumns):
    """What a training row states about its kernels and pipeline split (null: the spec's [training]
    default; pipeline.walls.training_traffic and training_compute read them)."""

    flash_attention: bool = flag("fused attention that never writes the scores (training; null: true)", nullable=True)
    dropout: bool = flag("dropout in the layers (training; null: false)", nullable=True)
    lm_head_on_last_stage: bool = flag("L/p layers per stage and the LM head on the last, Megatron-LM's split "
                                       "(training; null: false, stages balanced around the head)", nullable=True)
    mtp_layers: int = count("multi-token prediction modules trained (DeepSeek-V3 §2.2), whole on the last pipeline "
                            "stage (training; null: 0)", nullable=True, ge=0)
    # the FP8 storage a NeMo / Megatron-Core recipe states (its config keys, pipeline.walls.training_memory)
    fp8_params: bool = flag("working weights held in FP8, 1 B/param (NeMo fp8_params / Megatron-Core fp8_param; "
                            "training; null: false, 16-bit)", nullable=True)
    fp4_params: bool = flag("frozen weights held pre-quantized in NVFP4, row- and column-wise, 1.125 B/param "
                            "(MLPerf v5.1 NeMo LoRA PRE_QUANTIZED_MODEL; training; null: false)", nullable=True)
    fp8_dot_product_attention: bool = flag("Q, K, V and the attention output saved in FP8 for the attention backward "
                                           "(NeMo fp8_dot_product_attention; training; null: false)", nullable=True)
    activation_func_fp8_input_store: bool = flag("the MLP activation's input (FC1's output) saved in FP8 "
                                                 "(Megatron-Core activation_func_fp8_input_store; training; null: "
                                                 "false)", nullable=True)
    gradient_accumulation_fusion: bool = flag("weight-gradient GEMMs accumulate into the gradient buffer, no "
                                              "separate add per microbatch (training; null: true)", nullable=True)
    # the memory a Megatron-Core recipe saves (its config keys, pipeline.walls.training_ranks)
    cpu_offloading_num_layers: int = count("layers whose activations live in host memory (Megatron-Core "
                                           "cpu_offloading_num_layers; training; null: 0)", nullable=True, ge=0)
    cross_entropy_loss_fusion: bool = flag("fused loss, 16-bit logits kept instead of an fp32 copy (Megatron-Core "
                                           "cross_entropy_loss_fusion; training; null: false)", nullable=True)
    embedding_and_loss_in_pipeline_split: bool = flag("the embedding and the loss take a layer slot each in the "
                                                      "pipeline split (Megatron-Core account_for_embedding/loss_in_"
                                                      "pipeline_split; training; null: false)", nullable=True)
    # the allocator a launcher sets (PYTORCH_CUDA_ALLOC_CONF, pipeline.walls.training_reserve)
    allocator: str = text("PyTorch's CUDA allocator: caching, or expandable_segments (PYTORCH_CUDA_ALLOC_CONF="
                          "expandable_segments:True; training; null: caching)", nullable=True,
                          isin=["caching", "expandable_segments"])
    attention_kernel: str = text("the fused attention kernel the run's framework calls, a kernel_efficiency "
                                 "attention_kernel with an \"attention fit\" row (node-study rows; null: the catalog's "
                                 "fit of the row's hardware and precision)", nullable=True)
