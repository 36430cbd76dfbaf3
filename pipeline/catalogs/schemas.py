"""Pandera schemas of the catalogs: the single source of each column's unit.

Every column is required; ``nullable=True`` marks the ones whose values may be null
(unpublished). Column annotations never use ``Optional``: pandera reads that as
"the column may be absent".

Units live in ``Field(metadata={"unit": ...})`` and are mirrored in the Parquet field
metadata (key ``unit``); values are stored in the unit the column name states
(``_bytes``, ``_bytes_per_s``, ``_flop_per_s``, ``_w``).
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa

from pipeline.catalogs import model_patterns as pattern
from pipeline.catalogs.carbon_methods import DESCRIPTION, METHODS
from pipeline.catalogs.conv_layer_schema import ConvLayerSchema
from pipeline.catalogs.efficiency_schema import EfficiencyProfileSchema
from pipeline.catalogs.fields import Provenance, count, finite, flag, quantity, text, url
from pipeline.catalogs.kernel_schema import KERNEL_METRICS, KernelEfficiencySchema
from pipeline.catalogs.expert_schema import POOL_METRICS
from pipeline.catalogs.quantization_schema import QuantizationRowColumns
from pipeline.catalogs.speculative_schema import SPECULATIVE_METRICS
from pipeline.catalogs.workload_schema import WorkloadSchema

PEAK_COLUMNS = ["peak_fp32_flop_per_s", "peak_tf32_flop_per_s", "peak_fp16_flop_per_s", "peak_bf16_flop_per_s",
                "peak_fp8_flop_per_s", "peak_int8_flop_per_s", "peak_fp4_flop_per_s"]


class HardwareSchema(Provenance):
    """One row per accelerator (the "Silicon Zoo"). Peaks are dense, never sparse."""

    name: str = text("accelerator name", unique=True)
    vendor: str = text("manufacturer")
    family: str = text("architecture family, matched by efficiency profiles")
    category: str = text("market segment",
                         isin=["datacenter", "workstation", "edge", "mobile", "cpu"])
    release_year: int = count("year of release", ge=1990, unit="")
    peak_fp32_flop_per_s: float = quantity("FLOP/s", "dense FP32 peak", nullable=True)
    peak_tf32_flop_per_s: float = quantity("FLOP/s", "dense TF32 matrix peak", nullable=True)
    peak_fp16_flop_per_s: float = quantity("FLOP/s", "dense FP16 matrix peak", nullable=True)
    peak_bf16_flop_per_s: float = quantity("FLOP/s", "dense BF16 matrix peak", nullable=True)
    peak_fp8_flop_per_s: float = quantity("FLOP/s", "dense FP8 matrix peak", nullable=True)
    peak_int8_flop_per_s: float = quantity(
        "FLOP/s", "dense INT8 peak (one int8 op counted as one FLOP)", nullable=True)
    peak_fp4_flop_per_s: float = quantity("FLOP/s", "dense FP4 matrix peak", nullable=True)
    memory_capacity_bytes: float = quantity(
        "B", "device memory as built, in the unit the vendor means: HBM, GDDR and LPDDR are built in binary "
        "sizes, so a datasheet '80 GB' of HBM is 80 GiB (registry_data/research/usable_memory.csv)")
    usable_memory_bytes: float = quantity(
        "B", "device memory total the driver or runtime reports (nvidia-smi, rocm-smi/rocminfo, torch, XLA, "
        "Metal), <= memory_capacity_bytes; null: no cited report, and the model uses memory_capacity_bytes "
        "(no cited driver-overhead rule)", nullable=True)
    usable_memory_source_url: str = url("the public log or page showing usable_memory_bytes")
    memory_bandwidth_bytes_per_s: float = quantity(
        "B/s", "device memory bandwidth (null: unpublished; such rows are dropped)", nullable=True)
    sram_bytes: float = quantity("B", "on-chip SRAM / last-level cache", nullable=True)
    scaleup_link_bandwidth_bytes_per_s: float = quantity(
        "B/s", "scale-up link (NVLink/ICI/...) bandwidth per direction per device", nullable=True)
    scaleup_link_latency_s: float = quantity(
        "s", "per-step latency alpha of the scale-up link (collective library cost model)", nullable=True)
    scaleup_domain_size: int = count("devices in one scale-up domain (1: none)")
    scaleup_pcie_ranks_per_socket: int = count(
        "devices of a scale-up domain joined by PCIe alone under one CPU socket (null: not a PCIe domain)",
        nullable=True)
    scaleup_socket_bandwidth_bytes_per_s: float = quantity(
        "B/s", "per-direction bandwidth of the CPU interconnect (UPI/xGMI) a PCIe domain's ring crosses between "
        "sockets (null: none)", nullable=True)
    host_link_bandwidth_bytes_per_s: float = quantity(
        "B/s", "host link bandwidth per direction", nullable=True)
    tdp_w: float = quantity("W", "thermal design / max board power", nullable=True)
    sm_clock_hz: float = quantity(
        "Hz", "SM clock the datasheet's dense int8 peak is quoted at: peak / (SMs x int8 ops a clock per SM) "
        "(registry_data/research/r-accwire2); null: not derivable (a graphed step then prices today's form)",
        nullable=True)
    sm_clock_source_url: str = url("the datasheet whose int8 peak sm_clock_hz derives from")
    sm_count: int = count("streaming multiprocessors of an SM-clocked part: a graphed step's GEMMs without a kernel "
                          "fit run the fit's default form on them (registry_data/research/r-accwire3)", nullable=True)
    sm_count_source_url: str = url("where the SM count is stated (datasheet, device query or spec table)")
    _finite = finite(r"^(peak_.*|.*_bytes|.*_bytes_per_s|.*_latency_s|tdp_w|sm_clock_hz)$")

    class Config:
        name = "hardware"


class ModelSchema(Provenance):
    """One row per workload. CNN rows carry per-sample FLOPs; transformer rows the architecture."""

    name: str = text("model name", unique=True)
    family: str = text("model family")
    model_type: str = text("architecture class", isin=["cnn", "encoder", "decoder"])
    is_moe: bool = flag("mixture of experts")
    release_year: int = count("year of release", ge=1990)
    params_published: float = quantity("param", "published total parameter count")
    params_source_url: str = pa.Field(str_matches=r"^https?://\S+$",
                                      metadata={"description": "source of params_published"})
    n_layers: int = count("weight layers (CNN) or transformer blocks")
    forward_flop_per_sample: float = quantity(
        "FLOP", "forward FLOPs per sample (2 x MACs), CNN", nullable=True)
    activation_elements_per_sample: float = quantity(
        "elem", "sum of layer output elements per sample, CNN", nullable=True)
    input_resolution_px: int = count("input image side, CNN", nullable=True)
    d_model: int = count("hidden size", nullable=True)
    n_heads: int = count("attention (query) heads", nullable=True)
    n_kv_heads: int = count("key/value heads (GQA/MQA)", nullable=True)
    head_dim: int = count("query/key head dimension", nullable=True)
    ffn_dim: int = count("dense MLP intermediate size", nullable=True)
    is_gated_mlp: bool = flag("three-matrix gated MLP (SwiGLU/GeGLU)", nullable=True)
    vocab_size: int = count("vocabulary size", nullable=True)
    is_tied_embeddings: bool = flag("LM head shares the input embedding", nullable=True)
    max_context_tokens: int = count("maximum context", nullable=True, unit="tok")
    position_embedding: str = text(  # relative: Transformer-XL encodings (Dai et al. 2019), as in Gopher
        "position encoding", nullable=True, isin=["learned", "rope", "alibi", "relative", "none"])
    has_linear_bias: bool = flag("linear layers have biases", nullable=True)
    norm_type: str = text("normalisation (CNNs: batchnorm where every convolution is followed by one)", nullable=True,
                          isin=["layernorm", "rmsnorm", "batchnorm"])
    n_experts: int = count("routed experts per MoE layer", nullable=True)
    n_experts_per_token: int = count("routed experts per token", nullable=True)
    n_shared_experts: int = count("always-active shared experts", nullable=True, ge=0)
    expert_ffn_dim: int = count("expert MLP intermediate size", nullable=True)
    n_dense_layers: int = count("layers with a dense MLP (MoE: all but the routed-expert layers)", nullable=True, ge=0)
    q_lora_rank: int = count("MLA query compression rank", nullable=True)
    kv_lora_rank: int = count("MLA key/value latent rank", nullable=True)
    qk_rope_head_dim: int = count("MLA decoupled RoPE head dim", nullable=True)
    v_head_dim: int = count("value head dim (MLA)", nullable=True)
    sliding_window_tokens: int = pattern.SLIDING_WINDOW_TOKENS  # the pattern columns: pipeline.catalogs.model_patterns
    sliding_window_layers: int = pattern.SLIDING_WINDOW_LAYERS
    kv_shared_layers: int = pattern.KV_SHARED_LAYERS
    moe_layer_interval: int = pattern.MOE_LAYER_INTERVAL
    quantized_layers: str = pattern.QUANTIZED_LAYERS
    _finite = finite(r"^(params_published|forward_flop_per_sample|activation_elements_per_sample)$")

    class Config:
        name = "models"


class PrecisionSchema(Provenance):
    name: str = text("numeric format", unique=True)
    bytes_per_element: float = quantity("B/elem", "storage size of one element")
    peak_column: str = text("hardware peak column this format computes at (null: storage only)",
                            nullable=True, isin=PEAK_COLUMNS)
    _finite = finite(r"^bytes_per_element$")

    class Config:
        name = "precisions"


class ClusterSchema(Provenance):
    """One row per named training cluster from a public description: its node type, its
    scale-out fabric, storage and reliability (denormalised: one row says it all)."""

    name: str = text("cluster name", unique=True)
    accelerator: str = text("accelerator (a hardware catalog name)")
    accelerators_per_node: int = count("accelerators per node (TPU: chips per host)")
    nodes: int = count("nodes in the cluster")
    scaleup_domain_size: int = count("accelerators in one scale-up (NVLink/ICI/IF) domain")
    fabric: str = text("scale-out fabric")
    nic_bandwidth_bits_per_s: float = quantity("bit/s", "scale-out bandwidth per NIC", nullable=True)
    nics_per_node: int = count("scale-out NICs per node", nullable=True)
    scaleout_latency_s: float = quantity("s", "per-message latency of the scale-out network", nullable=True)
    oversubscription_ratio: float = quantity("", "scale-out oversubscription (1: non-blocking)", nullable=True,
                                             ge=1)
    checkpoint_storage_bandwidth_bytes_per_s: float = quantity("B/s", "aggregate storage bandwidth",
                                                               nullable=True)
    node_mtbf_s: float = quantity("s", "mean time between failures of one node", nullable=True)
    node_mtbf_is_estimate: bool = flag("node_mtbf_s is an estimate, not a published figure", nullable=True)
    _finite = finite(r"^(.*_bits_per_s|.*_bytes_per_s|.*_latency_s|node_mtbf_s|oversubscription_ratio)$")

    class Config:
        name = "clusters"


class RegionSchema(Provenance):
    """One row per grid region (country, grid operator, US state or cloud region): what a kWh
    emits and costs there, and how much facility overhead and water a datacenter adds.
    ``source_url`` is the carbon intensity's source; PUE, WUE and price carry their own."""

    name: str = text("region name (the sweep's region axis)", unique=True)
    kind: str = text("what the row describes", isin=["country", "grid", "state", "cloud"])
    country: str = text("ISO 3166-1 alpha-2 country code")
    carbon_intensity_g_per_kwh: float = quantity("gCO2e/kWh", "grid carbon intensity (location-based)", ge=0)
    carbon_intensity_year: int = count("year the intensity is for", ge=1990)
    carbon_method: str = text(DESCRIPTION, nullable=True, isin=list(METHODS))  # pipeline/catalogs/carbon_methods.py
    carbon_method_source_url: str = url("the data provider's methodology page stating carbon_method")
    pue: float = quantity("", "datacenter power usage effectiveness (facility / IT energy)", ge=1)
    pue_is_estimate: bool = flag("pue is a regional or industry average, not this operator's figure")
    pue_source_url: str = pa.Field(str_matches=r"^https?://\S+$", metadata={"description": "source of pue"})
    wue_l_per_kwh: float = quantity("L/kWh", "water usage effectiveness (site water / IT energy)", nullable=True,
                                    ge=0)
    wue_source_url: str = url("source of wue_l_per_kwh")
    electricity_price_usd_per_kwh: float = quantity("USD/kWh", "industrial electricity price", nullable=True)
    electricity_price_year: int = count("year of the price", ge=1990, nullable=True)
    electricity_price_source_url: str = url("source of the electricity price")
    price_currency: str = text("currency the price was published in (converted to USD)", nullable=True)
    usd_per_unit_of_currency: float = quantity("", "exchange rate used: USD per unit of price_currency",
                                               nullable=True)
    exchange_rate_date: dt.date = pa.Field(nullable=True, metadata={"description": "date of the exchange rate"})
    _finite = finite(r"^(carbon_intensity_g_per_kwh|pue|wue_l_per_kwh|electricity_price_usd_per_kwh|"
                     r"usd_per_unit_of_currency)$")

    class Config:
        name = "regions"


class AcceleratorCostSchema(Provenance):
    """One row per accelerator: what owning one costs and emits beyond its energy."""

    accelerator: str = text("a hardware catalog name", unique=True)
    list_price_usd: float = quantity("USD", "purchase price of one accelerator", nullable=True)
    list_price_year: int = count("year of the price", ge=1990, nullable=True)
    list_price_is_estimate: bool = flag("list_price_usd is an estimate (analyst/reseller), not a list price",
                                        nullable=True)
    node_price_usd: float = quantity("USD", "purchase price of one node (server with its accelerators)",
                                     nullable=True)
    accelerators_per_node: int = count("accelerators in the priced node", nullable=True)
    node_price_is_estimate: bool = flag("node_price_usd is an analyst or press estimate, not a list price",
                                        nullable=True)
    idle_power_w: float = quantity("W", "power of an idle accelerator", nullable=True)
    idle_power_is_estimate: bool = flag("idle_power_w is an estimate", nullable=True)
    embodied_co2e_kg: float = quantity("kgCO2e", "manufacturing emissions of one accelerator (cradle to gate)",
                                       nullable=True)
    embodied_is_estimate: bool = flag("embodied_co2e_kg is an estimate", nullable=True)
    as_of: dt.date = pa.Field(nullable=True, metadata={"description": "date the row's prices apply (the source's date; "
                              "only a month stated: its first day; a list and a node price of different dates: the "
                              "older); null when the row has no price, or in a registry made before the column"})
    _finite = finite(r"^(list_price_usd|node_price_usd|idle_power_w|embodied_co2e_kg)$")

    class Config:
        name = "accelerator_costs"


class CloudPriceSchema(Provenance):
    """One row per published cloud offer: price per accelerator-hour."""

    accelerator: str = text("a hardware catalog name")
    cloud: str = text("provider")
    instance: str = text("instance or SKU name")
    pricing: str = text("purchase option", isin=["on-demand", "reserved-1y", "reserved-3y", "spot"])
    cloud_region: str = text("the provider's region the price is for")
    usd_per_accelerator_hour: float = quantity("USD/h", "price of one accelerator for one hour")
    price_year: int = count("year of the price", ge=2015)
    as_of: dt.date = pa.Field(nullable=True, metadata={"description": "date the price applies (the source's date, else "
                              "the day it was read); null only in a registry made before the column (ADDED_COLUMNS)"})
    _finite = finite(r"^usd_per_accelerator_hour$")

    class Config:
        name = "cloud_prices"
        unique = ["accelerator", "cloud", "instance", "pricing", "cloud_region"]  # noqa: RUF012 (pandera API)


class StorageSchema(Provenance):
    """One row per storage tier a training or inference job reads its data from (wall 8)."""

    name: str = text("storage system or tier", unique=True)
    kind: str = text("tier", isin=["local nvme", "parallel file system", "network file system", "object storage"])
    read_bandwidth_bytes_per_s: float = quantity("B/s", "sequential read bandwidth available to one node (client)")
    latency_s: float = quantity("s", "time to first byte of a read", nullable=True)
    _finite = finite(r"^(read_bandwidth_bytes_per_s|latency_s)$")

    class Config:
        name = "storage"


class HostPipelineSchema(Provenance):
    """One row per input pipeline: what one sample weighs in storage and how fast one host CPU core
    prepares it (wall 9)."""

    name: str = text("pipeline name", unique=True)
    model_type: str = text("the models it feeds", isin=["cnn", "encoder", "decoder"])
    dataset: str = text("dataset the figures are for")
    bytes_per_sample: float = quantity("B", "stored bytes of one sample (image file, or one sequence's text)")
    samples_per_s_per_core: float = quantity("1/s", "samples one CPU core decodes and transforms per second")
    _finite = finite(r"^(bytes_per_sample|samples_per_s_per_core)$")

    class Config:
        name = "host_pipelines"


METRICS = {  # metric -> (study, unit of the value): what a measurement states and the column predicting it
    "latency_s": ("node", "s"), "samples_per_s": ("node", "1/s"), "tokens_per_s_per_device": ("serving", "tok/s"),
    "ttft_s": ("serving", "s"), "itl_s": ("serving", "s"), "tokens_per_s": ("serving", "tok/s"),
    "step_time_s": ("training", "s"), "training_tokens_per_s": ("training", "tok/s"), "mfu": ("training", ""),
    "hfu": ("training", ""), "time_to_train_s": ("training", "s"),
    **KERNEL_METRICS,  # one kernel call alone (issue 12 item 6)
    **SPECULATIVE_METRICS,  # speculative decoding's speedup at the row's spec_* settings (issue 16 item 7)
    **POOL_METRICS,  # a prefill-only or decode-only worker's throughput per GPU (issue 16 item 2)
    "oom_training": ("training", ""), "oom_serving": ("serving", ""),  # published out of memory (test_feasible)
}


class MeasurementSchema(QuantizationRowColumns):
    """One published measurement with the whole configuration that predicts it. ``source_url``
    is the measurement's source; ``source_location`` the table, figure or log line. A kernel
    row (one GEMM, attention call or collective) states its shape in the KernelRowColumns (RunColumns: ``requests``)."""

    name: str = text("measurement id", unique=True)
    metric: str = text("what was measured", isin=list(METRICS))
    value: float = pa.Field(gt=0, metadata={"description": "the measured value, in ``unit``"})
    value_low: float = pa.Field(nullable=True, gt=0, metadata={"description": "low end of a published range"})
    value_high: float = pa.Field(nullable=True, gt=0, metadata={"description": "high end of a published range"})
    unit: str = text("unit of value, value_low and value_high (pint syntax: ms, 1/s, tok/s; % or 1 for a fraction)")
    model: str = text("a models catalog name (null: a kernel row)", nullable=True)
    hardware: str = text("a hardware catalog name")
    cluster: str = text("a clusters catalog name (training rows)", nullable=True)
    devices: int = count("accelerators the measurement ran on")
    compute_dtype: str = text("precision of compute")
    weight_dtype: str = text("precision of weights (serving; default compute_dtype)", nullable=True)
    framework: str = text("software stack (an efficiency profile framework, or 'default')")
    scenario: str = text("how the load was applied", isin=["single-stream", "offline", "server", "training",
                                                                   "microbenchmark"])
    batch: int = count("batch (node: samples; serving: concurrent sequences; training: global sequences; "
                       "null: unpublished, the prediction takes the largest feasible batch)", nullable=True)
    seq_len: int = count("sequence length (node, training)", nullable=True, unit="tok")
    prompt_len: int = count("prompt tokens (serving)", nullable=True, unit="tok")
    output_len: int = count("generated tokens (serving)", nullable=True, unit="tok")
    tp: int = count("tensor-parallel size", nullable=True)
    pp: int = count("pipeline stages", nullable=True)
    dp: int = count("data-parallel size (training)", nullable=True)
    microbatch: int = count("sequences per microbatch (training)", nullable=True)
    recompute: str = text("activation recomputation", nullable=True, isin=["none", "selective", "projections", "full"])
    # What the publication states beyond TP/PP/DP (issue 12): null = not stated, the study's default.
    cp: int = count("context-parallel size (training; null: 1)", nullable=True)
    ep: int = count("expert-parallel size (training, MoE; null: 1)", nullable=True)
    trained: str = text("which weights the run trains (training): 'all' (pre-training, full fine-tuning) or 'lora' "
                        "(low-rank adapters on a frozen base; null: all)", nullable=True, isin=["all", "lora"])
    zero_stage: int = pa.Field(nullable=True, ge=0, le=3, metadata={
        "unit": "", "description": "ZeRO stage of the data-parallel sharding (training; 3 = FSDP full sharding, "
                                   "2 = optimizer states and gradients; null: 1, a distributed optimizer)"})
    virtual_stages: int = count("interleaved (virtual) pipeline stages per device (training; null: 1)", nullable=True)
    sequence_parallel: bool = flag("Megatron sequence parallelism (training; null: on when tp > 1)", nullable=True)
    kv_cache: str = text("KV-cache layout (serving): 'paged' (blocks sized by the framework's memory fraction) or "
                         "'contiguous' (each sequence's whole context reserved at build)", nullable=True,
                         isin=["paged", "contiguous"])
    dataset: str = text("dataset the requests or samples came from (serving, node)", nullable=True)
    concurrency: int = count("concurrent requests the load generator kept in flight (serving)", nullable=True)
    request_rate: float = quantity("1/s", "offered requests per second, QPS (serving, server scenario)",
                                   nullable=True)
    statistic: str = text("which statistic of the per-request distribution value is (ttft_s, itl_s, latency_s; null: "
                          "mean)", nullable=True, isin=["mean", "p50", "p90", "p99"])
    source_location: str = text("table, figure, log file or line in the source")
    _finite = finite(r"^(value(_low|_high)?|request_rate|message_bytes)$")

    class Config:
        name = "measurements"


CATALOGS: dict[str, type[pa.DataFrameModel]] = {s.Config.name: s for s in (  # table name -> schema, in load order
    HardwareSchema, ModelSchema, PrecisionSchema, EfficiencyProfileSchema, ClusterSchema, RegionSchema,
    AcceleratorCostSchema, CloudPriceSchema, MeasurementSchema, StorageSchema, HostPipelineSchema, WorkloadSchema,
    KernelEfficiencySchema, ConvLayerSchema)}
