"""Efficiencies per (workload, framework, hardware family, precision), from the efficiency profiles.

Three efficiencies derate three datasheet figures: ``eta_compute`` (peak FLOP/s, the
seed's η), ``eta_memory`` (memory bandwidth) and ``eta_link`` (scale-up link bandwidth).
For each, the most specific profile row that states it wins: an exact framework counts
4, an exact hardware family 2, an exact precision 1; rows for framework "any" (the
seed's "Any") match every framework, and the "default" rows match everything but score
-1, so they win only when nothing else matches. Ties go to the profile name that sorts
first. η is the midpoint of the row's range; the row's name and citation travel with it.
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.names import list_items
from pipeline.errors import InputError, Problem

WILDCARD = ("any", "default")
KEYS = ["workload", "family", "compute_dtype"]


def _best(keys: pl.DataFrame, profiles: pl.DataFrame, framework: str, kind: str) -> pl.DataFrame:
    low, high = f"eta_{kind}_low", f"eta_{kind}_high"
    source = "eta_source" if kind == "compute" else f"eta_{kind}_source"
    return _most_specific(keys, profiles, framework, low, [low, high],
                          pl.format("{}: {} ({})", "profile", "source", "source_url").alias(source))


def _most_specific(keys: pl.DataFrame, profiles: pl.DataFrame, framework: str, stated: str, values: list[str],
                   source: pl.Expr) -> pl.DataFrame:
    """Per key, ``values`` and ``source`` of the most specific profile row where ``stated`` is not null (one lazy
    query: called once per hardware side and term, ~10 eager steps each cost ~0.2 s of a 250-row validation)."""
    source_name = source.meta.output_name()
    p = profiles.lazy().filter(pl.col(stated).is_not_null()).select(
        "workload", "framework", "hardware_family", pl.col("precision").alias("profile_precision"),
        *values, source,
    )
    candidates = keys.lazy().select(KEYS).unique().join(p, on="workload", how="inner").filter(
        ((pl.col("framework") == framework) | pl.col("framework").is_in(WILDCARD))
        & ((pl.col("hardware_family") == pl.col("family")) | (pl.col("hardware_family") == "any"))
        & ((pl.col("profile_precision") == pl.col("compute_dtype")) | (pl.col("profile_precision") == "any"))
    ).with_columns(
        score=4 * ((pl.col("framework") == framework) & ~pl.col("framework").is_in(WILDCARD)).cast(pl.Int32)
        + 2 * (pl.col("hardware_family") == pl.col("family")).cast(pl.Int32)
        + (pl.col("profile_precision") == pl.col("compute_dtype")).cast(pl.Int32)
        - (pl.col("framework") == "default").cast(pl.Int32)
    )
    return (candidates.sort(["score", source_name], descending=[True, False])
            .unique(subset=KEYS, keep="first", maintain_order=True)
            .select(*KEYS, *values, source_name).collect(engine="in-memory"))


def eta_table(keys: pl.DataFrame, profiles: pl.DataFrame, framework: str,
              overrides: dict[str, float | None] | None = None,
              kinds: tuple[str, ...] = ("compute",)) -> pl.DataFrame:
    """Add ``eta_<kind>`` (+ ``_low``, ``_high`` and its source) to each (workload, family,
    compute_dtype) row of ``keys``, for each kind in ``kinds``; an override sets every row."""
    overrides = overrides or {}
    out = keys
    for kind in kinds:
        low, high = f"eta_{kind}_low", f"eta_{kind}_high"
        source = "eta_source" if kind == "compute" else f"eta_{kind}_source"
        value = overrides.get(kind)
        if value is not None:
            out = out.with_columns(pl.lit(value).alias(low), pl.lit(value).alias(high),
                                   pl.lit(f"spec override (efficiency.eta_{kind})").alias(source))
        else:
            out = out.join(_best(keys, profiles, framework, kind), on=KEYS, how="left")
        out = out.with_columns(((pl.col(low) + pl.col(high)) / 2).alias(f"eta_{kind}"))
    return out


def memory_fraction_table(keys: pl.DataFrame, profiles: pl.DataFrame, framework: str,
                          override: float | None = None) -> pl.DataFrame:
    """Add the framework's memory fraction to each (workload, family, compute_dtype) row of
    ``keys``: ``memory_fraction``, ``memory_fraction_of_free`` (true: a share of the memory left
    after weights and activations, TensorRT-LLM's KV cache; false: of the usable total, vLLM's
    gpu_memory_utilization) and ``memory_fraction_source``, from the most specific profile row
    that states one (as for η). ``override`` (the spec's serving.memory_fraction) sets every
    row, as a share of the total."""
    if override is not None:
        return keys.with_columns(memory_fraction=pl.lit(override), memory_fraction_of_free=pl.lit(False),
                                 memory_fraction_source=pl.lit("spec override (serving.memory_fraction)"))
    best = _most_specific(keys, profiles, framework, "memory_fraction", ["memory_fraction", "memory_fraction_of"],
                          pl.format("{}: {} of {} memory ({})", "profile", "memory_fraction", "memory_fraction_of",
                                    "memory_fraction_source_url").alias("memory_fraction_source"))
    return keys.join(best, on=KEYS, how="left").with_columns(
        memory_fraction_of_free=pl.col("memory_fraction_of") == "free").drop("memory_fraction_of")


# Framework behaviour (issue 12 item 3): each term a sweep can ask for, the profile columns it brings
# (the first one is the figure a row must state), the column citing it and the fill where no row
# states it (None: the 'default' rows state it, so no fill is needed).
FRAMEWORK_TERMS = {
    "launch_overhead_per_kernel_s": (["launch_overhead_per_kernel_s"], "launch_source_url", None),
    "prefill_chunk_tokens": (["prefill_chunk_tokens"], "chunk_source_url", None),
    "decode_cuda_graphs": (["decode_cuda_graphs", "graph_launch_s", "graph_launch_per_kernel_s"], "graph_source_url",
                           {"decode_cuda_graphs": False, "graph_launch_s": 0.0, "graph_launch_per_kernel_s": 0.0}),
    "scheduler_overhead_per_iteration_s": (["scheduler_overhead_per_iteration_s"], "scheduler_source_url",
                                           {"scheduler_overhead_per_iteration_s": 0.0}),
    # an eager prefill's host cost per kernel (pipeline.walls.serving); none stated: the launch cost alone
    "prefill_eager_host_per_kernel_s": (["prefill_eager_host_per_kernel_s"], "prefill_host_source_url",
                                        {"prefill_eager_host_per_kernel_s": 0.0}),
    # the framework's own P2P all-reduce (pipeline.catalogs.custom_allreduce); none: NCCL only
    "custom_allreduce_max_bytes": (["custom_allreduce_max_bytes", "custom_allreduce_max_ranks"],
                                   "custom_allreduce_source_url",
                                   {"custom_allreduce_max_bytes": 0.0, "custom_allreduce_max_ranks": 0.0}),
    # a model's sliding windows applied to the KV cache (pipeline.walls.attention_pattern); none stated: applied
    "window_kv_cache": (["window_kv_cache"], "window_kv_source_url", {"window_kv_cache": True}),
    # the models whose window the attention kernel applies to its reads whatever the cache keeps; none stated: none
    "window_attention_models": (["window_attention_models"], "window_attention_source_url", None),
    # an MoE layer's rows copied to expert order before GEMM 1 (pipeline.walls.moe_routing); none stated: copied
    "moe_row_copy": (["moe_row_copy"], "moe_routing_source_url", {"moe_row_copy": True}),
    # the M tile of the grouped MoE GEMM the framework's shipped config states (pipeline.walls.expert_parallel
    # ``moe_tile_m``); none stated: 0, the kernel model's tile
    "moe_tile_m": (["moe_tile_m", "moe_tile_max_tokens"], "moe_tile_source_url",
                   {"moe_tile_m": 0.0, "moe_tile_max_tokens": 0.0}),
    # the kernels of an engine replayed as one CUDA graph (pipeline.walls.graph_latency); none stated: none graphed
    "graph_kernels_per_transformer_layer": (["graph_kernels_per_transformer_layer", "graph_kernels_per_step"],
                                            "graph_engine_source_url", None),
}
# Terms that are the framework's software behaviour whatever the hardware: a row of the framework states them
# for every hardware family (a profile of TensorRT-LLM on A100 says how TensorRT-LLM caches K/V on an L40S too).
FRAMEWORK_WIDE = {"window_kv_cache", "window_attention_models", "moe_row_copy", "graph_kernels_per_transformer_layer"}
FRAMEWORK_UNITS = {"launch_overhead_per_kernel_s": "s", "prefill_chunk_tokens": "tok", "decode_cuda_graphs": None,
                   "graph_launch_s": "s", "graph_launch_per_kernel_s": "s", "scheduler_overhead_per_iteration_s": "s",
                   "prefill_eager_host_per_kernel_s": "s",
                   "custom_allreduce_max_bytes": "B", "custom_allreduce_max_ranks": "", "window_kv_cache": None,
                   "moe_row_copy": None, "graph_kernels_per_transformer_layer": "", "graph_kernels_per_step": "",
                   "window_attention_models": None, "moe_tile_m": "", "moe_tile_max_tokens": "tok"}


def framework_source(term: str) -> str:
    """The column naming the profile row (and its citation) that set ``term``."""
    return f"{term}_source"


def framework_table(keys: pl.DataFrame, profiles: pl.DataFrame, framework: str, terms: list[str],
                    overrides: dict[str, float | None] | None = None) -> pl.DataFrame:
    """Add each framework term of ``terms`` (``FRAMEWORK_TERMS``) to each (workload, family,
    compute_dtype) row of ``keys``, with its source, from the most specific profile row that
    states it (as for η). An override (the spec's software.launch_overhead_per_kernel_s,
    serving.prefill_chunk_tokens) sets every row; graphs and scheduler default to none and 0
    where no row states them."""
    overrides = overrides or {}
    out = keys
    for term in terms:
        values, url, fill = FRAMEWORK_TERMS[term]
        source = framework_source(term)
        if overrides.get(term) is not None:
            out = out.with_columns(pl.lit(overrides[term], dtype=pl.Float64).alias(term),
                                   pl.lit(f"spec override ({term})").alias(source))
            continue
        rows = profiles.with_columns(hardware_family=pl.lit("any")) if term in FRAMEWORK_WIDE else profiles
        best = _most_specific(keys, rows, framework, values[0], values,
                              pl.format("{}: {}", "profile", url).alias(source))
        out = out.join(best, on=KEYS, how="left")
        if fill:
            out = out.with_columns(*[pl.col(c).fill_null(v) for c, v in fill.items()],
                                   pl.col(source).fill_null(pl.lit("no profile states it")))
    return out


def multiplier_table(keys: pl.DataFrame, profiles: pl.DataFrame, framework: str) -> pl.DataFrame:
    """Add ``framework_eta_multiplier`` (the framework's speed on every kernel relative to the kernel
    catalog, fitted by ``mlsys calibrate``) to each (workload, family, compute_dtype) row of ``keys``:
    the most specific profile row's that states one, else 1."""
    if "framework_eta_multiplier" not in profiles.columns:
        return keys.with_columns(framework_eta_multiplier=pl.lit(1.0))
    best = _most_specific(keys, profiles, framework, "framework_eta_multiplier", ["framework_eta_multiplier"],
                          pl.col("profile").alias("multiplier_profile"))
    return keys.join(best.drop("multiplier_profile"), on=KEYS, how="left").with_columns(
        pl.col("framework_eta_multiplier").fill_null(1.0))


def graphed_models(profiles: pl.DataFrame, framework: str | None = None) -> list[str]:
    """The models whose batch-1 engines ``framework`` replays as one CUDA graph: the ``graphed_models`` of the
    framework's own profile rows (a framework-wide behaviour, as ``FRAMEWORK_WIDE``; none for 'default' / 'any').
    ``framework`` None: the one set every framework that graphs states (the node study's model side holds one set
    for every framework of a validation group; two different sets are an error)."""
    return _named_models(profiles, "graphed_models", framework)


def window_attention_models(profiles: pl.DataFrame) -> list[str]:
    """The models whose own code, in the frameworks whose profiles name them (``window_attention_models``), passes
    the model's sliding window to the attention kernel whatever the KV cache keeps: one set for every framework that
    states one (a validation group's frameworks share one model side, as ``graphed_models``); two sets are an error."""
    return _named_models(profiles, "window_attention_models", None)


def _named_models(profiles: pl.DataFrame, column: str, framework: str | None) -> list[str]:
    """The comma-separated model names of a profile ``column`` (``framework``'s rows, or every framework's, which
    must then name one set: a model side holds one)."""
    if column not in profiles.columns:
        return []
    named = profiles.filter(pl.col(column).is_not_null())
    named = named if framework is None else named.filter(pl.col("framework") == framework)
    sets = {fw: frozenset(list_items(cell)) for fw, cell in named.select("framework", column).iter_rows()}
    if len(set(sets.values())) > 1:
        raise InputError("efficiency_profiles", [Problem(None, column, f"frameworks state different models in "
                                                         f"{column} ({sets}); the model side holds one set")])
    return sorted(next(iter(sets.values()), frozenset()))


def with_window_attention(shaped: pl.DataFrame, units: dict, profiles: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """The shaped models with ``window_attention_model``: the model is one of ``window_attention_models``
    (``pipeline.walls.attention_pattern.window_read_share`` applies it under the frameworks that state it)."""
    names = window_attention_models(profiles)
    flag = pl.col("model").cast(pl.String).is_in(names).alias("window_attention_model")
    return shaped.with_columns(flag), units | {"window_attention_model": None}
