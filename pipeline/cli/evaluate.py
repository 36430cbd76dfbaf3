"""``mlsys evaluate``: one configuration of the node, serving or training study, or its
22-wall scorecard; a headline first (feasible, times, throughput, bound), then every column."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated

import typer

from pipeline.cli.options import RegistryOpt, SetOpt
from pipeline.cli.output import console, echo_json, print_pairs, print_table, units_of
from pipeline.errors import InputError, Problem

STUDIES = ("node", "serving", "training", "kernel")
SPECULATION = ("spec_draft_tokens", "spec_acceptance", "draft_model")  # one serving row only, not the scorecard
ONE_ROW = (*SPECULATION, "ep", "cluster")  # serving options the scorecard (--all-walls) does not read
SERVING_ONLY = ("tp", "pp", "prompt_len", "output_len", "weight_dtype", "kv_dtype", "precision", "reasoning_tokens",
                "request_rate", "replicas", "dataset", "prefix_hit_rate", "lora_rank", "lora_adapters", *SPECULATION)
COMMON = ("model", "study", "compute_dtype", "framework", "as_json", "registry")
CARD = ("all_walls", "wall", "markdown", "region", "target_fraction")  # the scorecard of any study but kernel
READS = {  # the options each study reads; any other given is an error, never silently ignored
    "node": (*COMMON, *CARD, "hardware", "batch", "seq_len", "workload", "step", "efficiency", "set_"),
    "serving": (*COMMON, *CARD, *SERVING_ONLY, "hardware", "batch", "efficiency", "weight_streaming", "ep", "cluster",
                "set_"),
    "training": (*COMMON, *CARD, "cluster", "gpus", "dp", "tp", "pp", "cp", "ep", "microbatch", "global_batch",
                 "seq_len", "virtual_stages", "zero_stage", "recompute", "sequence_parallel", "efficiency",
                 "dp_overlap", "flash_attention", "train_tokens", "storage", "data_pipeline", "set_"),
    "kernel": (*COMMON, "op", "shape", "hardware", "cluster", "workload"),
}
TRAINING_KNOBS = {"flash_attention": "flash_attention", "dp_overlap": "dp_overlap_fraction",
                  "train_tokens": "train_tokens", "storage": "storage", "data_pipeline": "data_pipeline"}


def evaluate(
    context: typer.Context,
    model: Annotated[str | None, typer.Option(
        "--model", help="Model name from the catalog (every study but kernel).")] = None,
    hardware: Annotated[str | None, typer.Option(
        "--hardware", help="Accelerator name from the catalog (node and serving studies).")] = None,
    study: Annotated[str | None, typer.Option(
        "--study", help="node, serving, training or kernel (default: kernel if --op is given, serving if a "
                        "serving option is, training if --cluster is (serving with --hardware), else node).")] = None,
    op: Annotated[str | None, typer.Option(
        "--op", help="Kernel: gemm, attention, all_reduce, all_gather, reduce_scatter or all_to_all.")] = None,
    shape: Annotated[list[str] | None, typer.Option(
        "--shape", help="Kernel: field=value[,...]: m, n, k (gemm); batch, heads, kv_heads, head_dim, q_len, "
                        "kv_len, causal (attention); message_bytes (nccl-tests size), ranks (collectives).")] = None,
    batch: Annotated[int, typer.Option("--batch")] = 1,
    compute_dtype: Annotated[str | None, typer.Option(
        "--compute-dtype", help="Default fp16 (node, serving), bf16 (training).")] = None,
    seq_len: Annotated[int, typer.Option("--seq-len", help="Tokens (prompt for prefill, context for decode).")] = 2048,
    workload: Annotated[str, typer.Option("--workload", help="inference or training")] = "inference",
    step: Annotated[str | None, typer.Option("--step", help="forward, prefill, decode or train (default: all)")] = None,
    efficiency: Annotated[float | None, typer.Option(
        "--efficiency", help="Override eta_compute (0-1]: a constant η on every operator.")] = None,
    framework: Annotated[str, typer.Option("--framework", help="Efficiency profile framework.")] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="JSON: column -> value, plus a units object.")] = False,
    tp: Annotated[int | None, typer.Option("--tp", help="Serving: tensor-parallel devices.")] = None,
    pp: Annotated[int | None, typer.Option("--pp", help="Serving: pipeline stages.")] = None,
    prompt_len: Annotated[int | None, typer.Option("--prompt-len", help="Serving: prompt tokens.")] = None,
    output_len: Annotated[int | None, typer.Option("--output-len", help="Serving: generated tokens.")] = None,
    weight_dtype: Annotated[str | None, typer.Option("--weight-dtype", help="Serving: weight storage.")] = None,
    kv_dtype: Annotated[str | None, typer.Option("--kv-dtype", help="Serving: KV-cache storage.")] = None,
    precision: Annotated[str | None, typer.Option(
        "--precision", help="Serving: compute, weight and KV dtypes at once.")] = None,
    weight_streaming: Annotated[bool, typer.Option(
        "--weight-streaming", help="Serving: stream weights that do not fit over the host link.")] = False,
    reasoning_tokens: Annotated[int | None, typer.Option(
        "--reasoning-tokens", help="Serving: thinking tokens decoded before the answer.")] = None,
    request_rate: Annotated[float | None, typer.Option(
        "--request-rate", help="Serving: requests/s; adds P50/P99 TTFT under load.")] = None,
    replicas: Annotated[int | None, typer.Option("--replicas", help="Serving: replicas sharing the load.")] = None,
    dataset: Annotated[str | None, typer.Option(
        "--dataset", help="Serving: a workloads catalog name; its mean lengths set --prompt-len and "
                          "--output-len.")] = None,
    spec_draft_tokens: Annotated[int | None, typer.Option(
        "--spec-draft-tokens", help="Serving: speculative decoding, draft tokens per verification step k.")] = None,
    spec_acceptance: Annotated[float | None, typer.Option(
        "--spec-acceptance", help="Serving: per-token acceptance rate of the drafter, 0-1 (from its paper).")] = None,
    draft_model: Annotated[str | None, typer.Option(
        "--draft-model", help="Serving: draft model from the catalog (default: MTP/EAGLE-style heads).")] = None,
    prefix_hit_rate: Annotated[float | None, typer.Option(
        "--prefix-hit-rate", help="Serving: share of each prompt already in the prefix cache, 0 <= h < 1.")] = None,
    lora_rank: Annotated[int | None, typer.Option(
        "--lora-rank", help="Serving: rank of the LoRA adapters (0: none).")] = None,
    lora_adapters: Annotated[int | None, typer.Option(
        "--lora-adapters", help="Serving: LoRA adapters resident on the deployment.")] = None,
    cluster: Annotated[str | None, typer.Option("--cluster", help="Training: cluster name from the catalog. Serving: "
                                                "the cluster whose scale-out links the nodes of a layout beyond one "
                                                "scale-up domain (default: the accelerator's reference "
                                                "cluster).")] = None,
    gpus: Annotated[int | None, typer.Option("--gpus", help="Training: GPUs (= dp x tp x pp x cp).")] = None,
    dp: Annotated[int | None, typer.Option("--dp", help="Training: data-parallel ranks.")] = None,
    cp: Annotated[int, typer.Option("--cp", help="Training: context-parallel ranks.")] = 1,
    ep: Annotated[int, typer.Option("--ep", help="Training and serving: expert-parallel ranks (MoE).")] = 1,
    microbatch: Annotated[int, typer.Option("--microbatch", help="Training: sequences per microbatch.")] = 1,
    global_batch: Annotated[int | None, typer.Option(
        "--global-batch", help="Training: sequences per step (default dp x microbatch x 8 x pp).")] = None,
    virtual_stages: Annotated[int, typer.Option(
        "--virtual-stages", help="Training: model chunks per GPU (interleaved 1F1B).")] = 1,
    zero_stage: Annotated[int, typer.Option("--zero", help="Training: ZeRO stage 0-3 (3 = FSDP).")] = 1,
    recompute: Annotated[str, typer.Option(
        "--recompute", help="Training: none, selective, projections (MaxText save_dot_except_*) or full.")
    ] = "selective",
    sequence_parallel: Annotated[bool | None, typer.Option(
        "--sequence-parallel/--no-sequence-parallel", help="Training: default on when tp > 1.")] = None,
    dp_overlap: Annotated[float | None, typer.Option(
        "--dp-overlap", help="Training: fraction of the gradient all-reduce hidden by the backward pass.")] = None,
    flash_attention: Annotated[bool, typer.Option(
        "--flash-attention/--no-flash-attention", help="Training: attention scores never stored.")] = True,
    train_tokens: Annotated[float | None, typer.Option(
        "--train-tokens", help="Training: token budget (default Chinchilla-optimal).")] = None,
    all_walls: Annotated[bool, typer.Option(
        "--all-walls", help="The 22-wall scorecard of the configuration (with --json or --markdown).")] = False,
    wall: Annotated[list[str] | None, typer.Option(
        "--wall", help="With --all-walls: only these walls (number or name; repeatable).")] = None,
    markdown: Annotated[bool, typer.Option("--markdown", help="With --all-walls: a Markdown table.")] = False,
    region: Annotated[str | None, typer.Option(
        "--region", help="With --all-walls: the region for cost and carbon (default United States).")] = None,
    target_fraction: Annotated[float, typer.Option(
        "--target-fraction", help="With --all-walls: wall 22's target as a fraction of the predicted time.")] = 0.8,
    set_: SetOpt = None,
    storage: Annotated[str | None, typer.Option("--storage", help="Training: storage catalog name (wall 8).")] = None,
    data_pipeline: Annotated[str | None, typer.Option(
        "--data-pipeline", help="Training: host_pipelines catalog name (wall 9).")] = None,
    registry: RegistryOpt = None,
) -> None:
    """One configuration through the sweep's expressions, every column with its unit.

    Any serving option (--tp, --pp, --prompt-len, --output-len, --weight-dtype, --kv-dtype,
    --precision, --reasoning-tokens, --request-rate, --replicas, --dataset, --spec-draft-tokens,
    --spec-acceptance, --draft-model) evaluates the serving study,
    with its per-operator breakdown. ``--study kernel --op gemm --shape m=8192,n=8192,k=8192`` predicts
    one kernel call alone (a GEMM, an attention call or a collective, --cluster for its fabric).
    """
    o = SimpleNamespace(**locals())
    o.what_if = what_if(o.set_)
    o.study = pick_study(o)
    unread_options(context, o.study, o.all_walls)
    if o.all_walls:
        show_scorecard(o)
    else:
        SHOW[o.study](o)


def what_if(sets: list[str] | None) -> dict[str, str]:
    """``--set table.column=value`` as the overrides the API takes; every bad one reported at once."""
    from pipeline.catalogs.overrides import parse as parse_overrides

    parse_overrides(sets)
    return {item.partition("=")[0].strip(): item.partition("=")[2].strip() for item in sets or []}


def pick_study(o: SimpleNamespace) -> str:
    """The study asked for, or the one the options imply; with the name it needs (hardware or cluster)."""
    study = o.study
    if study is None:
        serving = any(getattr(o, k) is not None for k in SERVING_ONLY) or o.weight_streaming
        study = ("kernel" if o.op is not None else "training" if o.cluster is not None and o.hardware is None
                 else "serving" if serving or o.cluster is not None else "node")  # --cluster with --hardware: serving
    if study not in STUDIES:
        raise InputError("evaluate", [Problem(None, "--study", f"got {study!r}, expected {', '.join(STUDIES)}")])
    if study == "kernel":
        return study
    if o.model is None:
        raise InputError("evaluate", [Problem(None, "--model", f"required by the {study} study")])
    if o.dataset is not None:
        both = [f"--{k.replace('_', '-')}" for k in ("prompt_len", "output_len") if getattr(o, k) is not None]
        if both:
            raise InputError("evaluate", [Problem(None, "--dataset", "sets the prompt and output lengths from "
                                                  f"the workloads catalog's means; remove {', '.join(both)}")])
    flag, value = ("--cluster", o.cluster) if study == "training" else ("--hardware", o.hardware)
    if value is None:
        raise InputError("evaluate", [Problem(None, flag, f"required by the {study} study")])
    return study


def unread_options(context: typer.Context, study: str, all_walls: bool) -> None:
    """Options given on the command line that ``study`` (or the one-row answer, without
    --all-walls) does not read: an error naming them."""
    sources = {p.name: context.get_parameter_source(p.name) for p in context.command.params}
    given = [p for p in context.command.params
             if getattr(sources[p.name], "name", "DEFAULT") in ("COMMANDLINE", "ENVIRONMENT", "PROMPT")]
    problems = [Problem(None, "/".join(p.opts), f"not read by the {study} study; remove it"
                        + (" or give --study" if study == "node" else "")) for p in given if p.name not in READS[study]]
    problems += [Problem(None, "/".join(p.opts), "only with --all-walls") for p in given
                 if p.name in CARD[1:] and p.name in READS[study] and not all_walls]
    problems += [Problem(None, "/".join(p.opts), "not read by the scorecard (--all-walls); remove it") for p in given
                 if p.name in (ONE_ROW if study == "serving" else SPECULATION) and all_walls]
    if problems:
        raise InputError("evaluate", problems)


def given(value, default):
    """The option's value, or ``default`` when it was not given (0 is a value: the API rejects it)."""
    return default if value is None else value


def training_knobs(o: SimpleNamespace) -> dict:
    return {key: getattr(o, opt) for opt, key in TRAINING_KNOBS.items() if getattr(o, opt) is not None}


def efficiency(o: SimpleNamespace) -> dict:
    return {"framework": o.framework} | ({} if o.efficiency is None else {"eta_compute": o.efficiency})


# -- one row ----------------------------------------------------------------------------------

def show_node(o: SimpleNamespace) -> None:
    import pipeline
    from pipeline.report.headline import headline

    compute_dtype = o.compute_dtype or "fp16"
    frame = pipeline.evaluate(model=o.model, hardware=o.hardware, batch=o.batch, compute_dtype=compute_dtype,
                              seq_len=o.seq_len, workload=o.workload, step=o.step, efficiency=o.efficiency,
                              framework=o.framework, registry=o.registry, overrides=o.what_if)
    units = units_of("node")
    if o.as_json:
        objects = [dict(row) | {"units": {c: units.get(c) for c in frame.columns}}
                   for row in frame.iter_rows(named=True)]
        echo_json(objects[0] if len(objects) == 1 else objects)
        return
    for row in frame.iter_rows(named=True):
        console().print(headline("node", row, units), markup=False)
    print_pairs(f"{frame['model'][0]} on {frame['hardware'][0]}: batch {o.batch}, {compute_dtype}, {o.workload}",
                [(c, units.get(c) or "", frame[c].to_list()) for c in frame.columns], frame["step"].to_list())


def show_serving(o: SimpleNamespace) -> None:
    import pipeline

    frame = pipeline.evaluate_serving(
        model=o.model, hardware=o.hardware, batch=o.batch, tp=given(o.tp, 1), pp=given(o.pp, 1),
        prompt_len=2048 if o.prompt_len is None else o.prompt_len,
        output_len=256 if o.output_len is None else o.output_len, precision=o.precision,
        compute_dtype=o.compute_dtype or "fp16", weight_dtype=o.weight_dtype, kv_dtype=o.kv_dtype,
        efficiency=o.efficiency, framework=o.framework, weight_streaming=o.weight_streaming,
        reasoning_tokens=given(o.reasoning_tokens, 0), request_rate=o.request_rate,
        replicas=given(o.replicas, 1), dataset=o.dataset, spec_draft_tokens=given(o.spec_draft_tokens, 0),
        spec_acceptance=o.spec_acceptance, draft_model=o.draft_model, prefix_hit_rate=given(o.prefix_hit_rate, 0.0),
        lora_rank=given(o.lora_rank, 0), lora_adapters=given(o.lora_adapters, 1), ep=o.ep, cluster=o.cluster,
        registry=o.registry, overrides=o.what_if)
    title = f"{frame['model'][0]} on {frame['tp'][0]:g}x{frame['pp'][0]:g} {frame['hardware'][0]}: batch {o.batch}"
    if not show_row(frame, "serving", o.as_json, title):
        print_operators(frame.row(0, named=True))


def show_training(o: SimpleNamespace) -> None:
    import pipeline

    frame = pipeline.evaluate_training(
        model=o.model, cluster=o.cluster, gpus=o.gpus, dp=o.dp, tp=given(o.tp, 1), pp=given(o.pp, 1), cp=o.cp, ep=o.ep,
        microbatch=o.microbatch, global_batch=o.global_batch, seq_len=o.seq_len,
        compute_dtype=o.compute_dtype or "bf16", virtual_stages=o.virtual_stages, zero_stage=o.zero_stage,
        recompute=o.recompute, sequence_parallel=o.sequence_parallel, efficiency=o.efficiency,
        framework=o.framework, training=training_knobs(o), registry=o.registry, overrides=o.what_if)
    r = frame.row(0, named=True)
    show_row(frame, "training", o.as_json, f"{r['model']} on {r['cluster']}: {r['gpus']:g} GPUs = DP {r['dp']:g} x "
                                           f"TP {r['tp']:g} x PP {r['pp']:g} x CP {r['cp']:g}, {r['compute_dtype']}, "
                                           "step-time breakdown")


def show_kernel(o: SimpleNamespace) -> None:
    from pipeline.cli.kernel import show_kernel as show

    show(o)


SHOW = {"node": show_node, "serving": show_serving, "training": show_training, "kernel": show_kernel}


def show_row(frame, study: str, as_json: bool, title: str) -> bool:
    """One row: the headline, then column | unit | value (or JSON with a units object); True if JSON."""
    from pipeline.report.headline import headline

    units = units_of(study)
    row = frame.row(0, named=True)
    if as_json:
        echo_json(row | {"units": {c: units.get(c) or breakdown_unit(c) for c in frame.columns}})
        return True
    console().print(headline(study, row, units), markup=False)
    print_pairs(title, [(c, u or "", [row[c]]) for c, u in units.items()], ["value"])
    return False


def print_operators(row: dict) -> None:
    """The serving study's per-operator roofline of prefill and decode."""
    from pipeline.cli.output import add_columns, new_table
    from pipeline.report.format import quantity
    from pipeline.walls.serving import OPERATORS, PHASES

    parts = (("FLOP", "flop", "FLOP"), ("bytes", "bytes", "B"), ("time", "time_s", "s"), ("bound", "bound", None))
    names = ["operator", *(f"{p} {part}" for p in PHASES for part, _, _ in parts)]
    rows = [[op, *(quantity(row[f"{p}_{op}_{key}"], unit) for p in PHASES for _, key, unit in parts)]
            for op in (*OPERATORS, "lm_head")]
    table = new_table("per-operator roofline, per device (layer operators: one layer; lm_head: once per pass)")
    by_column = [list(c) for c in zip(*rows, strict=True)]
    is_text = [True, *(unit is None for _ in PHASES for _, _, unit in parts)]
    add_columns(table, names, [[] if t else c for c, t in zip(by_column, is_text, strict=True)], is_text)
    for cells in rows:
        table.add_row(*cells)
    print_table(table)


def breakdown_unit(column: str) -> str | None:
    for suffix, unit in (("_flop", "FLOP"), ("_bytes", "B"), ("_time_s", "s")):
        if column.endswith(suffix):
            return unit
    return None


# -- the scorecard --------------------------------------------------------------------------------

def scorecard_configuration(o: SimpleNamespace) -> dict:
    """The study's axes as single values, and its knobs, for ``pipeline.report.scorecard.card``."""
    from pipeline.api import data_parallel, default_global_batch

    configuration = {"model": o.model}
    if o.study == "training":
        tp, pp = given(o.tp, 1), given(o.pp, 1)
        global_batch = o.global_batch if o.global_batch is not None else default_global_batch(
            data_parallel(o.gpus, o.dp, tp, pp, o.cp), o.microbatch, pp)
        configuration |= {"cluster": o.cluster, "gpus": None if o.dp is not None else o.gpus, "dp": o.dp,
                          "tp": tp, "pp": pp, "cp": o.cp, "ep": o.ep, "microbatch": o.microbatch,
                          "global_batch": global_batch, "seq_len": o.seq_len, "virtual_stages": o.virtual_stages,
                          "zero_stage": o.zero_stage, "recompute": o.recompute,
                          "sequence_parallel": tp > 1 if o.sequence_parallel is None else o.sequence_parallel,
                          "compute_dtype": o.compute_dtype or "bf16", "training": training_knobs(o)}
    elif o.study == "serving":
        configuration |= {"hardware": o.hardware, "tp": o.tp, "pp": o.pp, "batch": o.batch,
                          "prompt_len": o.prompt_len, "output_len": o.output_len,
                          "reasoning_tokens": o.reasoning_tokens, "request_rate": o.request_rate,
                          "replicas": o.replicas, "dataset": o.dataset, "prefix_hit_rate": o.prefix_hit_rate,
                          "lora_rank": o.lora_rank, "lora_adapters": o.lora_adapters}
        configuration |= ({"precision": o.precision} if o.precision else
                          {"compute_dtype": o.compute_dtype or "fp16", "weight_dtype": o.weight_dtype,
                           "kv_dtype": o.kv_dtype})
    else:
        configuration |= {"hardware": o.hardware, "batch": o.batch, "seq_len": o.seq_len, "workload": o.workload,
                          "compute_dtype": o.compute_dtype or "fp16"}
    if o.efficiency is not None or o.framework != "default":
        configuration["efficiency"] = efficiency(o)
    if o.what_if:
        configuration["overrides"] = o.what_if
    return {k: v for k, v in configuration.items() if v is not None}


def show_scorecard(o: SimpleNamespace) -> None:
    from pipeline.report import scorecard
    from pipeline.report.headline import headline

    wanted = scorecard.wall_numbers(o.wall) if o.wall else None
    card = scorecard.card(o.study, o.target_fraction, o.region or "United States", o.registry,
                          **scorecard_configuration(o))
    walls = [w for w in card.walls if wanted is None or w.number in wanted]
    line = headline(o.study, card.row, card.units)
    if o.as_json:
        echo_json([w.as_dict() for w in walls])
    elif o.markdown:
        typer.echo(scorecard.markdown(walls, line))
    else:
        console().print(line, markup=False)
        table = new_card_table(o.study)
        for w in walls:
            table.add_row(str(w.number), w.name, w.domain, scorecard.BINDS[w.binds],
                          "\n".join(scorecard.figures(w)) or "–", w.explanation)
        print_table(table)


def new_card_table(study: str):
    from pipeline.cli.output import new_table

    table = new_table(f"22-wall scorecard: {study} study")
    for name in ("wall", "name", "domain", "binds"):
        table.add_column(name, no_wrap=True)
    table.add_column("key figures", no_wrap=True)  # one figure per line: a number is never split
    table.add_column("why", overflow="fold")
    return table


