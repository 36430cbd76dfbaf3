"""Columns added to a catalog after registries were made with it (issue 13 item 9): a user
registry (or CSV) written before a column existed still loads, the column read as null with a
note saying so and how to fill it, instead of being rejected as "missing column"."""

from __future__ import annotations

import sys

import polars as pl

# the models catalog's pattern columns (pipeline.catalogs.model_patterns, which declares them; named here so
# that loading a cached registry imports no pandera)
PATTERN_COLUMNS = ("sliding_window_tokens", "sliding_window_layers", "kv_shared_layers", "moe_layer_interval")
# the models catalog's checkpoint column (also declared in pipeline.catalogs.model_patterns)
CHECKPOINT_COLUMNS = ("quantized_layers",)

# table -> column -> (dtype, since when, what to do); only nullable columns belong here
CARBON = ("the carbon intensity's method is unknown; `mlsys catalog migrate DIR` fills it where source_url is a "
          "bundled provider's file; else fill it (export, edit, import) to compare regions within one method")
ADDED_COLUMNS: dict[str, dict[str, tuple[pl.DataType, str, str]]] = {
    "cloud_prices": {"as_of": (pl.Date(), "2026-12-03", "the date each price applies; `mlsys catalog stale` cannot "
                                                        "date a null one. `mlsys catalog migrate DIR` sets it to "
                                                        "last_verified; or fill it (export, add the column, import)")},
    "accelerator_costs": {"as_of": (pl.Date(), "2026-12-03", "the date each list or node price applies; `mlsys "
                                                             "catalog stale` cannot date a null one. No default: "
                                                             "fill it from the price's source (export, add the "
                                                             "column, import)")},
    "models": {c: (pl.Int64(), "2026-12-03", "no attention or MoE layer pattern: every layer attends globally, "
                                               "caches its own K/V, and every layer but n_dense_layers is MoE "
                                               "(pipeline.catalogs.model_patterns)") for c in PATTERN_COLUMNS}
    | {"quantized_layers": (pl.String(), "2026-12-07", "no published checkpoint's quantized layers stated: the "
                                                       "serving weight_dtype covers every decoder linear layer")},
    "efficiency_profiles": {c: (dtype, "2026-12-03", "the framework's window KV cache is not stated: a less specific "
                                                     "profile's, else windows applied") for c, dtype in
                            (("window_kv_cache", pl.Boolean()), ("window_kv_source_url", pl.String()))}
    | {c: (dtype, "2026-12-05", "the framework's MoE routing is not stated: a less specific profile's, else rows "
                                "copied to expert order (TensorRT-LLM's runMoe)") for c, dtype in
       (("moe_row_copy", pl.Boolean()), ("moe_routing_source_url", pl.String()))}
    | {c: (dtype, "2026-12-07", "no grouped MoE GEMM tile stated: the kernel model's 64-row floor") for c, dtype in
       (("moe_tile_m", pl.Float64()), ("moe_tile_max_tokens", pl.Float64()), ("moe_tile_source_url", pl.String()))}
    | {c: (pl.String(), "2026-12-07", "no framework states a model whose attention reads its window apart from the "
                                     "KV cache: reads follow window_kv_cache")
       for c in ("window_attention_models", "window_attention_source_url")}
    | {"framework_eta_multiplier": (pl.Float64(), "2026-12-03", "no calibrated framework multiplier: the kernels "
                                                                "run as the kernel catalog measured them (1)")}
    | {c: (dtype, "2026-12-06", "no graphed batch-1 engines stated: every step launches its kernels eagerly")
       for c, dtype in (("graphed_models", pl.String()), ("graph_kernels_per_transformer_layer", pl.Float64()),
                        ("graph_kernels_per_step", pl.Float64()), ("graph_engine_source_url", pl.String()))}
    | {c: (dtype, "2026-12-07", "no eager prefill host cost stated: prefill pays the eager launch cost per kernel")
       for c, dtype in (("prefill_eager_host_per_kernel_s", pl.Float64()), ("prefill_host_source_url", pl.String()))},
    "hardware": {c: (dtype, "2026-12-06", "no SM clock: a graphed batch-1 step prices today's eager form")
                 for c, dtype in (("sm_clock_hz", pl.Float64()), ("sm_clock_source_url", pl.String()))}
    | {c: (dtype, "2026-12-06", "no SM count: a graphed step without a kernel fit keeps the profile η")
       for c, dtype in (("sm_count", pl.Int64()), ("sm_count_source_url", pl.String()))},
    "workloads": {"aliases": (pl.String(), "2026-12-03", "no measurement dataset string maps to the workload "
                                                         "but its name")},
    "measurements": {"statistic": (pl.String(), "2026-12-03", "each latency is read as the mean over requests; "
                                                             "state p50, p90 or p99 where the source gives a "
                                                             "percentile")}
    | {c: (dtype, "2026-12-03", "no speculative decoding stated") for c, dtype in
       (("spec_draft_tokens", pl.Int64()), ("spec_acceptance", pl.Float64()), ("draft_model", pl.String()))}
    | {"mtp_layers": (pl.Int64(), "2026-12-03", "no multi-token prediction modules stated (0)")}
    | {"redundant_experts": (pl.Int64(), "2026-12-03", "no redundant experts stated")}
    | {"kv_read_per_query_head": (pl.Boolean(), "2026-12-04", "decode reads each K/V head once per GQA group "
                                                              "(XQA, FlashAttention)")}
    | {"scheduler_steps": (pl.Int64(), "2026-12-05", "one decode step per scheduler call (vLLM's default)")}
    | {"max_num_tokens": (pl.Int64(), "2026-12-06", "no runtime token budget stated: the framework profile's "
                                                    "prefill_chunk_tokens")}
    | {"kv_dtype": (pl.String(), "2026-12-07", "no KV cache precision stated: the compute precision's (FP8 under "
                                           "fp4 compute)")}
    | {"adp_balancing_timeout_iters": (pl.Int64(), "2026-12-07", "no attention-DP balancing stated: prompts join "
                                                                 "the next iteration")}
    | {"weight_effective_bits": (pl.Float64(), "2026-12-06", "no per-layer format mix stated: every linear layer "
                                                            "in weight_dtype")}
    | {"fp4_params": (pl.Boolean(), "2026-12-07", "no NVFP4 working weights stated: 16-bit or FP8 (fp8_params)")}
    | {"gradient_accumulation_fusion": (pl.Boolean(), "2026-12-03", "gradient accumulation fused into the "
                                                                     "weight-gradient GEMMs (the default)")}
    | {"cpu_offloading_num_layers": (pl.Int64(), "2026-12-03", "no activations offloaded to host memory (0)"),
       "cross_entropy_loss_fusion": (pl.Boolean(), "2026-12-03", "unfused loss, fp32 logits (the default)"),
       "embedding_and_loss_in_pipeline_split": (pl.Boolean(), "2026-12-03", "layers alone split over the "
                                                                            "pipeline (the default)"),
       "allocator": (pl.String(), "2026-12-03", "PyTorch's caching allocator (the default)")}
    | {"attention_kernel": (pl.String(), "2026-12-07", "no attention kernel stated: the catalog's attention fit")},
    "kernel_efficiency": {c: (dtype, "2026-12-03", "no sustained (power-capped) matmul measurement: a study's GEMMs "
                                                   "run at the microbenchmarks' ceiling (r-srv2)")
                          for c, dtype in (("sustained_fraction", pl.Float64()), ("sustained_source", pl.String()))}
    | {c: (dtype, "2026-12-07", "no measured training attention time ratio: the fused attention core at the "
                                "training profile's eta of the bf16 peak (1)")
       for c, dtype in (("training_attention_time_ratio", pl.Float64()),
                        ("training_attention_time_ratio_source", pl.String()))},
    "regions": {"carbon_method": (pl.String(), "2026-12-03", CARBON),
                "carbon_method_source_url": (pl.String(), "2026-12-03", CARBON)},
}
QUALITY = (pl.String(), "2026-12-03", "unknown whether source_url is primary or secondary; `mlsys catalog migrate "
                                      "DIR` fills it by the domain rule of pipeline/catalogs/quality.py")
# every table has source_url (schemas.Provenance), so every one has source_quality (not imported from schemas:
# loading cached catalogs must not import pandera; a test checks this is every table)
for _table in ("hardware", "models", "precisions", "efficiency_profiles", "clusters", "regions", "accelerator_costs",
               "cloud_prices", "measurements", "storage", "host_pipelines", "workloads", "kernel_efficiency",
               "conv_layers"):
    ADDED_COLUMNS.setdefault(_table, {})["source_quality"] = QUALITY


def lacks(table: str, columns) -> dict[str, tuple[pl.DataType, str, str]]:
    """The added columns of ``table`` not among ``columns`` (a frame's or a file's)."""
    return {c: spec for c, spec in ADDED_COLUMNS.get(table, {}).items() if c not in columns}


def add_missing(df: pl.DataFrame, table: str, source: str) -> pl.DataFrame:
    """``df`` with every added column it lacks as a null column, each announced by a note on stderr."""
    missing = lacks(table, df.columns)
    for column, (_, since, what) in missing.items():
        sys.stderr.write(f"note: {source}: no column {column!r} (added {since}); read as null: {what}\n")
    return df.with_columns(pl.lit(None, dtype).alias(c) for c, (dtype, _, _) in missing.items())
