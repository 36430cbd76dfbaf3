"""The spec's [axes]: the lists whose cross product is the sweep. Every study reads the common
axes; the serving and training studies add their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from pipeline.spec.check import FLAG, NAME, Rule, Table, fraction, integer, one_of, positive

WORKLOADS = ("inference", "training")
RECOMPUTE = ("none", "selective", "projections", "full")  # projections: MaxText save_dot_except_* (training_memory)
COMMON_AXES = ("hardware", "model", "compute_dtype", "batch", "seq_len", "workload", "region")
SERVING_AXES = ("weight_dtype", "kv_dtype", "precision", "tp", "pp", "prompt_len", "output_len",
                "reasoning_tokens", "request_rate", "replicas", "concurrency", "prune_ratio", "distill_to", "dataset",
                "spec_draft_tokens", "spec_acceptance", "draft_model", "prefix_hit_rate", "lora_rank", "lora_adapters",
                "ep", "cluster",  # expert parallelism and multi-node serving (pipeline.walls.expert_parallel)
                "redundant_experts",  # EPLB's replicated expert slots (pipeline.walls.expert_parallel)
                "prefill_workers", "decode_workers")  # disaggregated prefill/decode (walls.disaggregated_serving)
SPECULATION = ("spec_draft_tokens", "spec_acceptance", "draft_model")  # speculative decoding (serving)
TRAINING_AXES = ("cluster", "gpus", "dp", "tp", "pp", "cp", "ep", "microbatch", "global_batch", "virtual_stages",
                 "zero_stage", "recompute", "sequence_parallel", "lora_rank")  # lora_rank: pipeline.walls.training_lora
# Documented maxima of the axes (README, "The sweep spec"), far beyond any system of 2026 and small
# enough that no product of them overflows 64-bit integers in a formula (tokens x batch x bytes):
MAX_BATCH = 2**20  # 1,048,576 sequences or samples in one step
MAX_TOKENS = 2**24  # 16,777,216 tokens of sequence, prompt, output or reasoning
MAX_DEVICES = 2**20  # 1,048,576 accelerators (gpus, dp, tp, pp, cp, ep)
MAX_DRAFT_TOKENS = 64  # speculative decoding: drafts of 1-8 tokens are published (Leviathan et al. 2023, EAGLE)
MAX_LORA_RANK = 4096  # LoRA ranks of 1-64 are studied (Hu et al. 2021, Table 6), S-LoRA serves up to 128
BATCH = integer(1, MAX_BATCH)
TOKENS = integer(1, MAX_TOKENS)
DEVICES = integer(1, MAX_DEVICES)


def axis(default: tuple | None, rule: Rule, all_ok: bool = False) -> Any:
    """A key of [axes]: its default values and the rule each value must pass;
    ``all_ok``: "all" (the default, None) takes every row of the catalog."""
    return field(default=default, metadata={"rule": rule, "all_ok": all_ok})


@dataclass(frozen=True)
class Axes:
    # every study
    hardware: tuple[str, ...] | None = axis(None, NAME, all_ok=True)  # None: all
    model: tuple[str, ...] | None = axis(None, NAME, all_ok=True)
    compute_dtype: tuple[str, ...] = axis(("fp16",), NAME)
    batch: tuple[int, ...] = axis((1,), BATCH)
    seq_len: tuple[int, ...] = axis((2048,), TOKENS)
    workload: tuple[str, ...] = axis(("inference",), one_of(*WORKLOADS))
    region: tuple[str, ...] | None = axis(None, NAME)  # walls 16-18; None: no region axis, operations null
    # serving: weights and KV cache may be stored narrower than compute (None: = compute_dtype)
    weight_dtype: tuple[str, ...] | None = axis(None, NAME)
    kv_dtype: tuple[str, ...] | None = axis(None, NAME)
    precision_tied: bool = False  # axes.precision: weight, KV and compute share one dtype per row
    tp: tuple[int, ...] = axis((1,), DEVICES)  # serving and training
    pp: tuple[int, ...] = axis((1,), DEVICES)  # serving and training
    prompt_len: tuple[int, ...] = axis((2048,), TOKENS)
    output_len: tuple[int, ...] = axis((256,), TOKENS)
    reasoning_tokens: tuple[int, ...] = axis((0,), integer(0, MAX_TOKENS))  # wall 12: thinking tokens before the answer
    request_rate: tuple[float, ...] | None = axis(None, positive())  # wall 7: requests/s; None: offline
    replicas: tuple[int, ...] = axis((1,), DEVICES)  # wall 7: tp x pp copies sharing requests
    concurrency: tuple[int, ...] | None = axis(None, integer(1, MAX_BATCH))  # wall 7 closed loop: users; None: open
    prune_ratio: tuple[float, ...] = axis((0.0,), fraction())  # wall 13: share of every layer matrix removed
    distill_to: tuple[str, ...] | None = axis(None, NAME)  # wall 13: smaller models standing in for larger ones
    dataset: tuple[str, ...] | None = axis(None, NAME)  # workloads catalog names: their means set the lengths
    # speculative decoding (pipeline.walls.speculative): draft length k (0: off), per-token acceptance rate and
    # the draft model (None: MTP/EAGLE-style heads, one layer of the target per draft token)
    spec_draft_tokens: tuple[int, ...] = axis((0,), integer(0, MAX_DRAFT_TOKENS))
    spec_acceptance: tuple[float, ...] = axis((0.0,), fraction(high_open=False))
    draft_model: tuple[str, ...] | None = axis(None, NAME)
    # prefix caching (pipeline.walls.prefix_cache): share of each prompt already in the KV cache, [0, 1)
    prefix_hit_rate: tuple[float, ...] = axis((0.0,), fraction())
    # LoRA serving (pipeline.walls.lora): adapter rank (0: off) and adapters resident on the deployment
    lora_rank: tuple[int, ...] = axis((0,), integer(0, MAX_LORA_RANK))
    lora_adapters: tuple[int, ...] = axis((1,), integer(1, MAX_BATCH))
    # disaggregated prefill/decode (pipeline.walls.disaggregated_serving): x prefill and y decode workers of the
    # row's layout; 0 and 0: aggregated
    prefill_workers: tuple[int, ...] = axis((0,), integer(0, MAX_DEVICES))
    decode_workers: tuple[int, ...] = axis((0,), integer(0, MAX_DEVICES))
    # expert parallelism: redundant expert slots (EPLB replicas of hot experts) over the ep ranks; 0: none
    redundant_experts: tuple[int, ...] = axis((0,), integer(0, MAX_DEVICES))
    # training
    cluster: tuple[str, ...] | None = axis(None, NAME, all_ok=True)  # None: all (serving: the reference cluster)
    gpus: tuple[int, ...] | None = axis((8, 64, 512, 4096), DEVICES)  # None: gpus = dp x tp x pp x cp
    dp: tuple[int, ...] | None = axis(None, DEVICES)  # None: dp = gpus / (tp x pp x cp)
    cp: tuple[int, ...] = axis((1,), DEVICES)
    ep: tuple[int, ...] = axis((1,), DEVICES)
    microbatch: tuple[int, ...] = axis((1,), BATCH)
    global_batch: tuple[int, ...] = axis((1024,), integer(1, MAX_BATCH * 64))
    virtual_stages: tuple[int, ...] = axis((1,), integer(1, 1024))
    zero_stage: tuple[int, ...] = axis((1,), one_of(0, 1, 2, 3, note=" (3 = FSDP)"))
    recompute: tuple[str, ...] = axis(("selective",), one_of(*RECOMPUTE))
    sequence_parallel: tuple[bool, ...] = axis((True,), FLAG)


def known_axes(study: str) -> tuple[str, ...]:
    """The [axes] keys a study reads."""
    extra = {"serving": SERVING_AXES, "training": TRAINING_AXES}.get(study, ())
    return COMMON_AXES + extra


def read_axes(table: Table, study: str) -> Axes:
    """[axes] for ``study``: each list checked value by value; ``precision`` sets the compute,
    weight and KV dtypes at once; ``gpus`` or ``dp`` sets the data-parallel size."""
    known = known_axes(study)
    values = {f.name: table.values(f.name, f.metadata["rule"], f.default, f.metadata["all_ok"])
              for f in fields(Axes) if f.name in known}
    axes = Axes(**values)
    if study == "serving" and "precision" in table:
        both = [k for k in ("weight_dtype", "kv_dtype", "compute_dtype") if k in table.raw]
        if both:
            table.checker.bad("axes.precision",
                              f"sets weight, KV and compute dtypes; remove axes.{', axes.'.join(both)}")
        tied = table.values("precision", NAME, ())
        axes = replace(axes, compute_dtype=tied, weight_dtype=tied, kv_dtype=tied, precision_tied=True)
    if study == "serving" and "dataset" in table:
        both = [k for k in ("prompt_len", "output_len") if k in table.raw]
        if both:
            table.checker.bad("axes.dataset", "sets prompt_len and output_len from the workloads catalog's means; "
                                              f"remove axes.{', axes.'.join(both)}")
    if study == "serving" and "concurrency" in table and "request_rate" in table:
        table.checker.bad("axes.concurrency", "a closed loop of users sets its own request rate (wall 7 solves it); "
                                              "give axes.concurrency or axes.request_rate, not both")
    if study == "serving" and any(k > 0 for k in axes.spec_draft_tokens) and "spec_acceptance" not in table:
        table.checker.bad("axes.spec_acceptance", "speculative decoding (axes.spec_draft_tokens > 0) needs the "
                                                  "per-token acceptance rate of the drafter, from its paper")
    if study == "training":
        if "gpus" in table and "dp" in table:
            table.checker.bad("axes.dp", "give axes.gpus (dp = gpus / (tp x pp x cp)) or axes.dp "
                                         "(gpus = dp x tp x pp x cp), not both")
        axes = replace(axes, workload=("training",), gpus=None if "dp" in table else axes.gpus)
    return axes
