"""The training study's output table (one row per cluster x compute_dtype x model x seq_len x layout): its
columns with units, meanings and sources, checked by pandera, and the columns a run computes at query time only."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipeline.studies import SCALING, demand_ratio, elasticity, fraction, headroom, result
from pipeline.studies.operations import COMMON, with_operations

class TrainingCoreSchema(pa.DataFrameModel):
    cluster: pl.Categorical = result(None, "named cluster", "clusters catalog", nullable=False)
    accelerator: pl.Categorical = result(None, "the cluster's accelerator", "clusters catalog", nullable=False)
    model: pl.Categorical = result(None, "decoder model", "models catalog", nullable=False)
    compute_dtype: pl.Categorical = result(None, "precision of the matmuls", "sweep axis", nullable=False)
    seq_len: int = result("tok", "tokens per sequence", "sweep axis", nullable=False)
    gpus: float = result("", "GPUs of the job: dp x tp x pp x cp", "sweep axis", nullable=False)
    dp: float = result("", "data-parallel ranks (EP groups are formed inside them)", "sweep axis", nullable=False)
    tp: float = result("", "tensor-parallel ranks", "sweep axis", nullable=False)
    pp: float = result("", "pipeline stages", "sweep axis", nullable=False)
    cp: float = result("", "context-parallel ranks", "sweep axis", nullable=False)
    ep: float = result("", "expert-parallel ranks (MoE)", "sweep axis", nullable=False)
    microbatch: float = result("", "sequences per microbatch", "sweep axis", nullable=False)
    global_batch: float = result("", "sequences per step", "sweep axis", nullable=False)
    num_microbatches: float = result("", "microbatches per data-parallel rank per step", "global / (dp x micro)",
                                     nullable=False)
    virtual_stages: float = result("", "model chunks per GPU (interleaved schedule)", "sweep axis", nullable=False)
    zero_stage: float = result("", "ZeRO stage (3 = FSDP)", "sweep axis", nullable=False)
    recompute: pl.Categorical = result(None, "activation recomputation: none, selective, projections, full",
                                       "sweep axis", nullable=False)
    sequence_parallel: bool = result(None, "sequence parallelism with TP", "sweep axis", nullable=False)
    lora_rank: float = result("", "LoRA rank r of the adapters trained on a frozen base (0: every weight "
                              "trains)", "sweep axis; Hu et al. 2021", nullable=False)
    peak_flop_per_s: float = result("FLOP/s", "dense peak at compute_dtype", "hardware catalog")
    eta_compute: float = fraction("achieved fraction of peak FLOP/s", "efficiency profile")
    efficiency_basis: pl.Categorical = result(
        None, "what sets a dense transformer's weight-matmul η (attention, norms and MoE models keep the "
        "profile's): kernel fit (GEMM shape model), profile η or override η", "kernel_efficiency catalog")
    eta_link: float = fraction("achieved fraction of link bandwidth", "efficiency profile")
    comm_basis: pl.Categorical = result(None, "what sets the TP all-reduce within a scale-up domain: the "
                                        "collectives catalog's fit (fabric, sources) or link x eta_link",
                                        "collectives catalog", nullable=False)
    params_computed: float = result("param", "total weights", "layer-by-layer count")
    params_per_gpu: float = result("param", "weights on the fullest GPU before ZeRO sharding", "layout")
    trainable_params_per_gpu: float = result("param", "weights with gradients and optimizer state: all, or the "
                                             "LoRA adapters", "layout; Hu et al. 2021 §4.2")
    weight_bytes_per_gpu: float = result("B", "16-bit working weights", "Rajbhandari et al. 2020")
    gradient_bytes_per_gpu: float = result("B", "gradients", "Rajbhandari et al. 2020")
    optimizer_bytes_per_gpu: float = result("B", "fp32 master weights and Adam moments", "Rajbhandari et al. 2020")
    activation_bytes_per_gpu: float = result("B", "stored activations of the microbatches in flight + logits",
                                             "Korthikanti et al. 2022")
    memory_limit_bytes: float = result("B", "usable device memory: the driver-reported total, else the as-built "
                                       "capacity", "hardware catalog usable_memory_bytes")
    memory_reserve_bytes: float = result("B", "CUDA context, NCCL buffers and allocator fragmentation (or "
                                         "memory_reserve_fraction x memory_limit_bytes)", "walls/training_reserve")
    memory_per_gpu_bytes: float = result("B", "sum of the above", "wall 2")
    memory_headroom_bytes: float = headroom("memory_limit_bytes - memory_per_gpu_bytes", "wall 2")
    is_feasible: bool = result(None, "the layout fits in GPU memory", "wall 2", nullable=False)
    infeasible_reason: pl.Categorical = result(None, "why not", "wall 2")
    compute_time_s: float = result("s", "matmuls and recomputation of the busiest stage", "wall 1")
    tp_comm_time_s: float = result("s", "tensor-parallel all-reduces", "wall 14: ring")
    cp_comm_time_s: float = result("s", "context-parallel K/V all-gathers", "wall 14: ring")
    ep_comm_time_s: float = result("s", "expert-parallel all-to-alls", "wall 14: pairwise exchange")
    pipeline_bubble_time_s: float = result("s", "idle pipeline: (p-1)/v microbatch times", "Narayanan et al. 2021")
    pipeline_bubble_fraction: float = fraction("(p-1)/(v m + p - 1)", "Narayanan et al. 2021")
    pp_p2p_time_s: float = result("s", "pipeline point-to-point sends", "wall 14")
    scaleout_bandwidth_per_gpu_bytes_per_s: float = result("B/s", "the node's NICs per GPU / oversubscription",
                                                           "wall 10")
    dp_allreduce_time_s: float = result("s", "gradient all-reduce (hierarchical)", "wall 14: NCCL")
    dp_exposed_time_s: float = result("s", "gradient all-reduce not overlapped", "spec: dp_overlap_fraction")
    communication_time_s: float = result("s", "all exposed collectives and sends", "wall 14")
    dp_sgd_step_multiplier: float = result("", "DP-SGD step-time multiplier (training.dp_sgd)",
                                           "wall 20: Bu et al. 2023; Beltran et al. 2024")
    data_bytes_per_s_per_node: float = result("B/s", "input data each node reads", "wall 8")
    storage_utilization: float = demand_ratio("read bandwidth demanded / supplied (training.storage)", "wall 8")
    host_utilization: float = demand_ratio("CPU cores the input pipeline needs / cores per node", "wall 9")
    input_utilization: float = demand_ratio("the busier of storage and host; > 1 stretches the step", "walls 8, 9")
    step_time_s: float = result("s", "one training step x the DP-SGD multiplier, stretched by a slow input "
                                "pipeline (null: does not fit)", "walls 8, 9, 14, 20")
    bound: pl.Categorical = result(None, "binding term: compute, network, bubble, input pipeline or capacity "
                                   "(does not fit); words: pipeline.walls.bounds", "largest time term")
    tokens_per_step: float = result("tok", "global_batch x seq_len", "definition")
    tokens_per_s: float = result("tok/s", "training throughput, whole job", "wall 14")
    samples_per_s: float = result("1/s", "sequences per second, whole job: global_batch / step_time_s", "wall 14")
    model_flop_per_step: float = result("FLOP", "6PD + attention, per step", "PaLM App. B")
    hardware_flop_per_step: float = result("FLOP", "model FLOPs + recomputation", "Narayanan et al. 2021")
    mfu: float = fraction("model FLOPs utilisation", "PaLM App. B")
    hfu: float = fraction("hardware FLOPs utilisation", "Narayanan et al. 2021")
    scaling_efficiency: float = result("", "per-GPU throughput vs the same model on one node", "this model",
                                       by_design=SCALING)
    train_tokens: float = result("tok", "token budget (spec, else Chinchilla-optimal)", "wall 11")
    chinchilla_tokens: float = result("tok", "compute-optimal tokens for the model size", "Hoffmann et al. 2022")
    training_compute_flop: float = result("FLOP", "C = 6 N D", "wall 11")
    time_to_train_ideal_s: float = result("s", "train_tokens / tokens_per_s, no failures", "wall 11")
    cluster_mtbf_s: float = result("s", "node MTBF / nodes used", "wall 15")
    node_mtbf_is_estimate: bool = result(None, "the node MTBF is an estimate, not published", "clusters catalog")
    checkpoint_bytes: float = result("B", "weights + optimizer state", "wall 19")
    checkpoint_write_time_s: float = result("s", "checkpoint / storage bandwidth", "wall 19")
    checkpoint_interval_s: float = result("s", "Young-Daly optimum sqrt(2 delta M)", "Young 1974; Daly 2006")
    goodput: float = fraction("useful fraction of wall-clock time", "walls 15, 19")
    time_to_train_s: float = result("s", "time to train with checkpoints and failures", "walls 11, 15, 19")
    expected_failures: float = result("", "node failures during the run", "wall 15")
    elasticity_peak_flop_per_s: float = elasticity("d log step time / d log peak FLOP/s (= eta_compute's)")
    elasticity_network_speed: float = elasticity("d log step time / d log the speed of every link (alpha and "
                                                 "beta together)")
    elasticity_global_batch: float = elasticity("d log step time / d log global batch at a fixed layout")
    elasticity_seq_len: float = elasticity("d log step time / d log sequence length")

    class Config:
        name = "training"
        strict = True


PER_RUN = {
    "facility_energy_per_step_kwh": ("kWh", "facility energy of one step", "wall 18"),
    "energy_per_run_mwh": ("MWh", "facility energy of the whole run", "wall 18"),
    "co2e_per_run_t": ("tCO2e", "operational + embodied CO2e of the run", "wall 18"),
    "water_per_run_kl": ("kL", "site water of the run", "wall 18"),
    "cloud_cost_per_run_usd": ("USD", "rented cost of the run", "wall 17"),
    "owned_cost_per_run_usd": ("USD", "owned cost of the run", "wall 17"),
}
SCHEMA = with_operations(TrainingCoreSchema, PER_RUN)
OUTPUTS = list(SCHEMA.to_schema().columns)
OPERATIONS = [*COMMON, *PER_RUN]
# Columns a run writes nowhere (issue 15 item 1; as ``node.QUERY_TIME``): the views of results.duckdb and
# ``pipeline.runs.scan_run`` compute them by the same formulas (SQL there, polars here). Plain chains only, from the
# layout, the dimension tables and the written times: the memory terms (``is_feasible`` stays written: a query's
# filter is pushed into the scan), the FLOP and token counts, MFU / HFU, the run's length, failures and checkpoints.
QUERY_TIME = ["params_per_gpu", "trainable_params_per_gpu", "weight_bytes_per_gpu", "gradient_bytes_per_gpu",
              "optimizer_bytes_per_gpu", "activation_bytes_per_gpu", "memory_limit_bytes", "memory_reserve_bytes",
              "memory_per_gpu_bytes", "memory_headroom_bytes", "infeasible_reason", "pipeline_bubble_fraction",
              "scaleout_bandwidth_per_gpu_bytes_per_s", "tokens_per_step", "tokens_per_s", "samples_per_s",
              "model_flop_per_step", "hardware_flop_per_step", "mfu", "hfu", "train_tokens", "chinchilla_tokens",
              "training_compute_flop", "time_to_train_ideal_s", "cluster_mtbf_s", "checkpoint_bytes",
              "checkpoint_write_time_s", "checkpoint_interval_s", "goodput", "time_to_train_s", "expected_failures"]
