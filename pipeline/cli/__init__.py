"""The ``mlsys`` command line. Heavy modules (polars, pint, pandera, duckdb) load inside
each command, so ``mlsys --help`` answers at once."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  help="mlsys: a first-order analytical model of ML systems, swept over whole catalogs.")
catalog_app = typer.Typer(no_args_is_help=True, help="Check, list, show, export and import the catalogs.")
app.add_typer(catalog_app, name="catalog")

RegistryOpt = Annotated[Path | None, typer.Option(
    "--registry", help="User catalog directory (default: $MLSYS_REGISTRY, else the bundled catalogs).")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Output directory (default: the spec's, outputs/).")]


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=200 if not sys.stdout.isatty() else None)


def _format(value, unit: str | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        text = f"{value:.4g}" if (value == 0 or 1e-3 <= abs(value) < 1e6) else f"{value:.4e}"
    else:
        text = str(value)
    return f"{text} {unit}" if unit else text


def _print_frame(frame, title: str | None = None, units: dict | None = None, limit: int | None = None) -> None:
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for c in frame.columns:
        u = (units or {}).get(c)
        table.add_column(f"{c}\n({u})" if u else c, overflow="fold")
    rows = frame.rows() if limit is None else frame.head(limit).rows()
    for row in rows:
        table.add_row(*(_format(v) for v in row))
    console = _console()
    console.print(table)
    if limit is not None and frame.height > limit:
        console.print(f"({frame.height - limit} more rows)")


def _units_of(study: str = "node") -> dict[str, str | None]:
    """Output column -> unit, from the study's schema."""
    from pipeline.studies.columns import STUDIES
    from pipeline.studies import schema_columns

    return {c: s["unit"] for c, s in schema_columns(STUDIES[study]).items()}


# -- sweep ----------------------------------------------------------------------------

@app.command()
def sweep(
    spec: Annotated[Path | None, typer.Option(
        "--spec", help="Sweep spec (TOML), or a packaged one by name (default, serving, training).")] = None,
    out: OutOpt = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print rows, time and disk estimates; write nothing.")] = False,
    registry: RegistryOpt = None,
    show_map: Annotated[bool, typer.Option("--map/--no-map", help="Print the design-space map at the end.")] = True,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help='What-if: table.column="value unit" (repeatable), as in [overrides] of the spec.')] = None,
) -> None:
    """Sweep the configuration space of a spec and stream the results to Parquet."""
    from dataclasses import replace

    from pipeline import runs
    from pipeline.catalogs.overrides import parse as parse_overrides
    from pipeline.spec import load_spec

    console = _console()
    loaded = load_spec(spec)
    if set_:
        loaded = replace(loaded, overrides=loaded.overrides | parse_overrides(set_))
    prepared = runs.prepare(loaded, registry)
    est = runs.estimate(prepared)
    dropped = ", ".join(f"{n:,} ({r})" for r, n in est["dropped"].items()) or "none"
    console.print(f"study {prepared.spec.study}: {est['rows']:,} configurations; dropped: {dropped}")
    if dry_run:
        console.print(f"estimate: ~{est['estimated_seconds']} s, ~{est['estimated_bytes'] / 1e6:,.0f} MB "
                      f"on disk. Nothing written (--dry-run).")
        return
    with runs.progress_bar(est["rows"], enabled=sys.stderr.isatty()) as advance:
        run_dir = runs.run(prepared, out, on_chunk=advance)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    study = manifest["study"]
    rate = manifest["rows"][study] / max(manifest["wall_time_s"], 1e-9)
    console.print(f"wrote {manifest['rows'][study]:,} rows in {manifest['wall_time_s']:.2f} s "
                  f"({rate:,.0f} rows/s)")
    if show_map and study == "node":
        _print_map(run_dir)
    elif show_map and study == "training":
        _print_training_map(run_dir)
    elif show_map:
        from pipeline.runs.database import run_query

        fits = run_query("fits", run_dir).select("model", "hardware", "weight_dtype", "kv_dtype", "context_tokens",
                                                  "devices", "tp", "pp")
        _print_frame(fits, title="fewest devices that hold each model with its KV cache (batch 1)", limit=30)
    hint = {"node": "mlsys query shortlist --param model='Llama 3 8B'",
            "training": "mlsys query parallelism_ranking --param model='Llama 3.1 70B'"}.get(
        study, "mlsys query max_batch --param model='Llama 3 8B'")
    console.print(f"\nresults:  {run_dir}/{study}/*.parquet\nmanifest: {run_dir}/manifest.json\n"
                  f"duckdb:   {run_dir}/results.duckdb   (try: {hint})")


def _print_training_map(run_dir: Path) -> None:
    """The fastest feasible layout of each model at the run's largest GPU count, per cluster."""
    import duckdb
    import polars as pl

    from pipeline.runs.database import connect

    con = connect(run_dir)
    try:
        best = pl.from_arrow(con.sql("""
            select model, cluster, gpus, compute_dtype,
                   format('DP{} TP{} PP{} v{} mb{} Z{} {}', dp::int, tp::int, pp::int, virtual_stages::int,
                          microbatch::int, zero_stage::int, recompute) as layout,
                   round(step_time_s, 2) as step_s, round(mfu, 3) as mfu, bound
            from training
            where is_feasible and gpus = (select max(gpus) from training where is_feasible)
            qualify row_number() over (partition by model order by step_time_s) = 1
            order by model""").to_arrow_table())
    except duckdb.Error:
        return
    finally:
        con.close()
    _print_frame(best, title="fastest feasible layout of each model at the largest GPU count (any cluster)")
    _console().print("per cluster and GPU count: mlsys query parallelism_ranking --param model=... ; "
                     "mlsys query scaling_curve --param model=...")


def _print_map(run_dir: Path) -> None:
    """The design-space map as a grid: models down, batch across, fastest accelerator in each cell."""
    import polars as pl

    from pipeline.runs.database import run_query

    full = run_query("design_space_map", run_dir)
    inference = full.filter(pl.col("workload") == "inference", pl.col("step").is_in(["forward", "decode"]))
    seq = inference.filter(pl.col("seq_len").is_not_null())["seq_len"]
    if seq.len():
        pick = 2048 if (seq == 2048).any() else int(seq.min())
        inference = inference.filter(pl.col("seq_len").is_null() | (pl.col("seq_len") == pick))
    cells = inference.with_columns(cell=pl.format("{} {}\n{} ms, {}", "fastest_hardware", "fastest_compute_dtype",
                                                  (pl.col("fastest_latency_s") * 1e3).round_sig_figs(3),
                                                  "fastest_bound"))
    grid = cells.pivot(on="batch", index=["model", "step"], values="cell", sort_columns=True).sort("model")
    grid = grid.rename({c: f"batch {c}" for c in grid.columns if c not in ("model", "step")})
    context = f" (decoders: one decode step at a {pick}-token context)" if seq.len() else ""
    _print_frame(grid, title=f"Design-space map: fastest feasible accelerator for inference{context}")
    _console().print(f"full map (all workloads, steps, lengths, and the most efficient accelerator): "
                     f"mlsys query design_space_map --run {run_dir.name}")


# -- evaluate ---------------------------------------------------------------------------

@app.command()
def evaluate(
    model: Annotated[str, typer.Option("--model", help="Model name from the catalog.")],
    hardware: Annotated[str | None, typer.Option(
        "--hardware", help="Accelerator name from the catalog (node and serving studies).")] = None,
    study: Annotated[str | None, typer.Option(
        "--study", help="node, serving or training (default: serving if a serving option is given, "
                        "training if --cluster is, else node).")] = None,
    batch: Annotated[int, typer.Option("--batch")] = 1,
    compute_dtype: Annotated[str | None, typer.Option(
        "--compute-dtype", help="Default fp16 (node, serving), bf16 (training).")] = None,
    seq_len: Annotated[int, typer.Option("--seq-len", help="Tokens (prompt for prefill, context for decode).")] = 2048,
    workload: Annotated[str, typer.Option("--workload", help="inference or training")] = "inference",
    step: Annotated[str | None, typer.Option("--step", help="forward, prefill, decode or train (default: all)")] = None,
    efficiency: Annotated[float | None, typer.Option("--efficiency", help="Override eta_compute (0-1].")] = None,
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
    cluster: Annotated[str | None, typer.Option("--cluster", help="Training: cluster name from the catalog.")] = None,
    gpus: Annotated[int | None, typer.Option("--gpus", help="Training: GPUs (= dp x tp x pp x cp).")] = None,
    dp: Annotated[int | None, typer.Option("--dp", help="Training: data-parallel ranks.")] = None,
    cp: Annotated[int, typer.Option("--cp", help="Training: context-parallel ranks.")] = 1,
    ep: Annotated[int, typer.Option("--ep", help="Training: expert-parallel ranks (MoE).")] = 1,
    microbatch: Annotated[int, typer.Option("--microbatch", help="Training: sequences per microbatch.")] = 1,
    global_batch: Annotated[int | None, typer.Option(
        "--global-batch", help="Training: sequences per step (default dp x microbatch x 8 x pp).")] = None,
    virtual_stages: Annotated[int, typer.Option(
        "--virtual-stages", help="Training: model chunks per GPU (interleaved 1F1B).")] = 1,
    zero_stage: Annotated[int, typer.Option("--zero", help="Training: ZeRO stage 0-3 (3 = FSDP).")] = 1,
    recompute: Annotated[str, typer.Option("--recompute", help="Training: none, selective or full.")] = "selective",
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
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help='What-if: table.column="value unit", e.g. hardware.memory_bandwidth_bytes_per_s="4 TB/s" '
                      "(repeatable; every row of the column).")] = None,
    storage: Annotated[str | None, typer.Option("--storage", help="Training: storage catalog name (wall 8).")] = None,
    data_pipeline: Annotated[str | None, typer.Option(
        "--data-pipeline", help="Training: host_pipelines catalog name (wall 9).")] = None,
    registry: RegistryOpt = None,
) -> None:
    """One configuration through the sweep's expressions, every column with its unit.

    Any serving option (--tp, --pp, --prompt-len, --output-len, --weight-dtype, --kv-dtype,
    --precision, --reasoning-tokens, --request-rate, --replicas) evaluates the serving study,
    with its per-operator breakdown.
    """
    import pipeline
    from pipeline.errors import InputError, Problem
    from pipeline.catalogs.overrides import parse as parse_overrides

    parse_overrides(set_)  # every bad --set reported at once, before anything runs
    what_if = {item.partition("=")[0].strip(): item.partition("=")[2].strip() for item in set_ or []}
    serving_opts = (prompt_len, output_len, weight_dtype, kv_dtype, precision, reasoning_tokens,
                    request_rate, replicas)
    if study is None:
        study = ("training" if cluster is not None else
                 "serving" if any(v is not None for v in (tp, pp, *serving_opts)) or weight_streaming else "node")
    if study not in ("node", "serving", "training"):
        raise InputError("evaluate", [Problem(None, "--study", f"got {study!r}, expected node, serving or training")])
    needed = [("--cluster", cluster)] if study == "training" else [("--hardware", hardware)]
    missing = [Problem(None, flag, f"required by the {study} study") for flag, value in needed if value is None]
    if missing:
        raise InputError("evaluate", missing)
    knobs = {"flash_attention": flash_attention, "dp_overlap_fraction": dp_overlap, "train_tokens": train_tokens,
             "storage": storage, "data_pipeline": data_pipeline}
    knobs = {k: v for k, v in knobs.items() if v is not None}
    if all_walls:
        configuration = {"model": model}
        if study == "training":
            configuration |= {"cluster": cluster, "gpus": gpus, "dp": dp, "tp": tp, "pp": pp, "cp": cp, "ep": ep,
                              "microbatch": microbatch, "global_batch": global_batch, "seq_len": seq_len,
                              "virtual_stages": virtual_stages, "zero_stage": zero_stage, "recompute": recompute,
                              "compute_dtype": compute_dtype or "bf16", "training": knobs}
            if gpus is not None and dp is not None:
                configuration.pop("gpus")
        elif study == "serving":
            configuration |= {"hardware": hardware, "tp": tp, "pp": pp, "batch": batch, "prompt_len": prompt_len,
                              "output_len": output_len, "reasoning_tokens": reasoning_tokens,
                              "request_rate": request_rate, "replicas": replicas}
            configuration |= ({"precision": precision} if precision else
                              {"compute_dtype": compute_dtype or "fp16", "weight_dtype": weight_dtype,
                               "kv_dtype": kv_dtype})
        else:
            configuration |= {"hardware": hardware, "batch": batch, "seq_len": seq_len, "workload": workload,
                              "compute_dtype": compute_dtype or "fp16"}
        if efficiency is not None or framework != "default":
            configuration["efficiency"] = {"framework": framework} | (
                {} if efficiency is None else {"eta_compute": efficiency})
        if what_if:
            configuration["overrides"] = what_if
        _print_scorecard(study, configuration, wall, as_json, markdown, region, target_fraction, registry)
        return
    if study == "training":
        frame = pipeline.evaluate_training(
            model=model, cluster=cluster, gpus=gpus, dp=dp, tp=1 if tp is None else tp, pp=1 if pp is None else pp,
            cp=cp, ep=ep, microbatch=microbatch, global_batch=global_batch, seq_len=seq_len,
            compute_dtype=compute_dtype or "bf16", virtual_stages=virtual_stages, zero_stage=zero_stage,
            recompute=recompute, sequence_parallel=sequence_parallel, efficiency=efficiency, framework=framework,
            training=knobs, registry=registry, overrides=what_if)
        r = frame.row(0, named=True)
        _print_columns(frame, "training", as_json,
                       f"{model} on {cluster}: {r['gpus']:g} GPUs = DP {r['dp']:g} x TP {r['tp']:g} x PP {r['pp']:g}"
                       f" x CP {r['cp']:g}, {r['compute_dtype']}, step-time breakdown")
        return
    compute_dtype = compute_dtype or "fp16"
    if study == "serving":
        frame = pipeline.evaluate_serving(
            model=model, hardware=hardware, batch=batch, tp=1 if tp is None else tp, pp=1 if pp is None else pp,
            prompt_len=2048 if prompt_len is None else prompt_len,
            output_len=256 if output_len is None else output_len, precision=precision, compute_dtype=compute_dtype,
            weight_dtype=weight_dtype, kv_dtype=kv_dtype, efficiency=efficiency, framework=framework,
            weight_streaming=weight_streaming, reasoning_tokens=0 if reasoning_tokens is None else reasoning_tokens,
            request_rate=request_rate, replicas=1 if replicas is None else replicas, registry=registry,
            overrides=what_if)
        _print_serving(frame, as_json, f"{model} on {frame['tp'][0]:g}x{frame['pp'][0]:g} {hardware}: batch {batch}")
        return
    frame = pipeline.evaluate(model=model, hardware=hardware, batch=batch, compute_dtype=compute_dtype,
                              seq_len=seq_len, workload=workload, step=step, efficiency=efficiency,
                              framework=framework, registry=registry, overrides=what_if)
    units = _units_of()
    if as_json:
        objects = [dict(row) | {"units": {c: units.get(c) for c in frame.columns}}
                   for row in frame.iter_rows(named=True)]
        typer.echo(json.dumps(objects[0] if len(objects) == 1 else objects, indent=2, default=str))
        return
    from rich.table import Table

    table = Table(title=f"{model} on {hardware}: batch {batch}, {compute_dtype}, {workload}")
    table.add_column("column")
    table.add_column("unit")
    steps = frame["step"].to_list()
    for s in steps:
        table.add_column(s, justify="right")
    for c in frame.columns:
        table.add_row(c, units.get(c) or "", *(_format(v) for v in frame[c].to_list()))
    _console().print(table)


def _print_scorecard(study: str, configuration: dict, walls: list[str] | None, as_json: bool, as_markdown: bool,
                     region: str | None, target_fraction: float, registry) -> None:
    from pipeline.report import scorecard

    wanted = scorecard.wall_numbers(walls) if walls else None
    if study == "training" and configuration.get("global_batch") is None:
        dp_size = configuration.get("dp") or max(1, (configuration.get("gpus") or 1) // (
            configuration["tp"] * configuration["pp"] * configuration["cp"]))
        configuration["global_batch"] = dp_size * configuration["microbatch"] * 8 * configuration["pp"]
    card = scorecard.scorecard(study, target_fraction, region or "United States", registry,
                               **{k: v for k, v in configuration.items() if v is not None})
    card = [w for w in card if wanted is None or w.number in wanted]
    if as_json:
        typer.echo(json.dumps([w.as_dict() for w in card], indent=2, default=str))
    elif as_markdown:
        typer.echo(scorecard.markdown(card))
    else:
        from rich.table import Table

        table = Table(title=f"22-wall scorecard: {study} study")
        for name in ("wall", "name", "domain", "binds", "key figures", "why"):
            table.add_column(name)
        for w in card:
            figures = "\n".join(f"{c} = {scorecard._short(v)}{(' ' + u) if u else ''}" for c, v, u in w.figures)
            table.add_row(str(w.number), w.name, w.domain, {True: "yes", False: "no", None: "–"}[w.binds],
                          figures or "–", w.explanation)
        _console().print(table)


def _print_columns(frame, study: str, as_json: bool, title: str) -> bool:
    """One row as column | unit | value (or JSON with a units object); True if printed as JSON."""
    from rich.table import Table

    units = _units_of(study)
    row = frame.row(0, named=True)
    if as_json:
        typer.echo(json.dumps(row | {"units": {c: units.get(c) or _breakdown_unit(c) for c in frame.columns}},
                   indent=2, default=str))
        return True
    table = Table(title=title)
    for name in ("column", "unit", "value"):
        table.add_column(name, justify="right" if name == "value" else "left")
    for c, u in units.items():
        table.add_row(c, u or "", _format(row[c]))
    _console().print(table)
    return False


def _print_serving(frame, as_json: bool, title: str) -> None:
    from rich.table import Table

    from pipeline.walls.serving import OPERATORS, PHASES

    if _print_columns(frame, "serving", as_json, title):
        return
    row = frame.row(0, named=True)
    ops = Table(title="per-operator roofline, per device (layer operators: one layer; lm_head: once per pass)")
    ops.add_column("operator")
    for p in PHASES:
        for part, unit in (("FLOP", "FLOP"), ("bytes", "B"), ("time", "s"), ("bound", "")):
            ops.add_column(f"{p} {part}" + (f" ({unit})" if unit else ""), justify="right")
    for op in (*OPERATORS, "lm_head"):
        ops.add_row(op, *(_format(row[f"{p}_{op}_{k}"]) for p in PHASES for k in ("flop", "bytes", "time_s", "bound")))
    _console().print(ops)


def _breakdown_unit(column: str) -> str | None:
    for suffix, unit in (("_flop", "FLOP"), ("_bytes", "B"), ("_time_s", "s")):
        if column.endswith(suffix):
            return unit
    return None


# -- query and columns ----------------------------------------------------------------------

@app.command()
def query(
    name: Annotated[str | None, typer.Argument(help="Query name (a file in sql/); omit to list them.")] = None,
    run: Annotated[str | None, typer.Option("--run", help="Run id or directory (default: newest).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Where runs live.")] = Path("outputs"),
    param: Annotated[list[str] | None, typer.Option("--param", help="k=v, bound as a query parameter.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, parquet or json")] = "table",
    output: Annotated[Path | None, typer.Option("--output", help="Write to this file (required for parquet).")] = None,
) -> None:
    """Run a named SQL query (sql/NAME.sql) against a run's results."""
    from pipeline.runs import database as q
    from pipeline.errors import Problem

    if name is None:
        for n in q.query_names():
            params = q.query_params((q.sql_dir() / f"{n}.sql").read_text())
            typer.echo(f"{n}  " + " ".join(f"{k}={v if v is not None else '<required>'}" for k, v in params.items()))
        return
    if fmt not in ("table", "csv", "parquet", "json"):
        raise InputError("query", [Problem(None, "--format", f"got {fmt!r}, expected table, csv, parquet or json")])
    params = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError("query", [Problem(None, "--param", f"got {item!r}, expected key=value")])
        params[key.strip()] = value.strip().strip("'\"")
    frame = q.run_query(name, q.resolve_run(run, out), params)
    if fmt == "parquet":
        if output is None:
            raise InputError("query", [Problem(None, "--output", "required with --format parquet")])
        frame.write_parquet(output)
    elif fmt == "csv":
        frame.write_csv(output) if output else typer.echo(frame.write_csv(), nl=False)
    elif fmt == "json":
        text = json.dumps(frame.to_dicts(), indent=2, default=str)
        output.write_text(text) if output else typer.echo(text)
    else:
        _print_frame(frame, title=name, units=_units_of())


@app.command()
def columns(
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    study: Annotated[str | None, typer.Option("--study", help="node, serving or training (default: all)")] = None,
) -> None:
    """The column dictionary: every output column's unit, description and formula source."""
    import polars as pl

    from pipeline.studies.columns import STUDIES, column_dictionary
    from pipeline.errors import Problem

    frame = column_dictionary()
    if study is not None:
        if study not in STUDIES:
            raise InputError("columns", [Problem(None, "--study", f"got {study!r}, expected one of "
                                                               f"{', '.join(STUDIES)}")])
        frame = frame.filter(pl.col("study") == study)
    if fmt == "csv":
        typer.echo(frame.write_csv(), nl=False)
    elif fmt == "json":
        typer.echo(json.dumps(frame.to_dicts(), indent=2))
    else:
        _print_frame(frame, title="column dictionary")


# -- catalog ------------------------------------------------------------------------------

@catalog_app.command("check")
def catalog_check(registry: RegistryOpt = None) -> None:
    """Validate every catalog (schema, units, provenance); exit 2 on the first bad table."""
    from pipeline.catalogs.load import load_catalogs

    cats = load_catalogs(registry)
    for table, path in cats.paths.items():
        typer.echo(f"ok  {table:<20} {cats.table(table).height:>4} rows  {path}")


@catalog_app.command("list")
def catalog_list(
    table: Annotated[str | None, typer.Argument(
        help="hardware, models, precisions, efficiency_profiles, clusters, regions, accelerator_costs or "
             "cloud_prices")] = None,
    registry: RegistryOpt = None,
) -> None:
    """List the tables, or the rows of one table."""
    from pipeline.catalogs.io import catalog_path, read_catalog
    from pipeline.catalogs.schemas import CATALOGS

    if table is None:
        for t in CATALOGS:
            typer.echo(f"{t:<20} {read_catalog(t, registry).height:>4} rows  {catalog_path(t, registry)}")
        return
    frame = read_catalog(table, registry)
    keep = {"hardware": ["name", "vendor", "family", "category", "release_year", "memory_capacity_bytes",
                         "memory_bandwidth_bytes_per_s", "peak_bf16_flop_per_s"],
            "models": ["name", "family", "model_type", "is_moe", "params_published", "n_layers"],
            "precisions": ["name", "bytes_per_element", "peak_column"],
            "efficiency_profiles": ["profile", "workload", "framework", "hardware_family",
                                    "eta_compute_low", "eta_compute_high"],
            "clusters": ["name", "accelerator", "nodes", "accelerators_per_node", "fabric",
                         "nic_bandwidth_bits_per_s", "nics_per_node", "node_mtbf_s"],
            "regions": ["name", "kind", "country", "carbon_intensity_g_per_kwh", "carbon_intensity_year", "pue",
                        "wue_l_per_kwh", "electricity_price_usd_per_kwh"],
            "accelerator_costs": ["accelerator", "list_price_usd", "list_price_year", "node_price_usd",
                                  "accelerators_per_node", "idle_power_w", "embodied_co2e_kg"],
            "cloud_prices": ["accelerator", "cloud", "instance", "pricing", "cloud_region",
                             "usd_per_accelerator_hour", "price_year"],
            "measurements": ["name", "metric", "value", "model", "hardware", "devices", "compute_dtype",
                             "scenario", "batch"],
            "storage": ["name", "kind", "read_bandwidth_bytes_per_s", "latency_s"],
            "host_pipelines": ["name", "model_type", "dataset", "bytes_per_sample", "samples_per_s_per_core"],
            }.get(table, list(frame.columns))
    from pipeline.catalogs.io import schema_units

    _print_frame(frame.select(keep), title=table, units=schema_units(table))


@catalog_app.command("show")
def catalog_show(name: Annotated[str, typer.Argument(help="A hardware, model, precision or cluster name.")],
                 registry: RegistryOpt = None) -> None:
    """Every column of one catalog row, with units and provenance."""
    import polars as pl

    from pipeline.catalogs.io import read_catalog, schema_units
    from pipeline.errors import UnknownNameError

    known = []
    for table in ("hardware", "models", "precisions", "clusters"):
        frame = read_catalog(table, registry)
        known += frame["name"].to_list()
        row = frame.filter(pl.col("name") == name)
        if row.height:
            from rich.table import Table

            units = schema_units(table)
            out = Table(title=f"{table}: {name}")
            out.add_column("column")
            out.add_column("value", overflow="fold")
            out.add_column("unit")
            for c, v in row.row(0, named=True).items():
                out.add_row(c, _format(v), units.get(c) or "")
            _console().print(out)
            return
    raise UnknownNameError("catalog", [(None, name, known)])


@catalog_app.command("export")
def catalog_export(csv: Annotated[Path, typer.Option("--csv", help="Directory for <table>.csv files.")],
                   table: Annotated[str | None, typer.Option("--table", help="One table (default: all).")] = None,
                   registry: RegistryOpt = None) -> None:
    """Write catalogs as CSV with units in the header ("memory_bandwidth_bytes_per_s [B/s]")."""
    from pipeline.catalogs.io import export_csv
    from pipeline.catalogs.schemas import CATALOGS

    for t in [table] if table else list(CATALOGS):
        typer.echo(export_csv(t, csv, registry))


@catalog_app.command("import")
def catalog_import(
    csv: Annotated[Path | None, typer.Option("--csv", help="A CSV export, edited (<table>.csv).")] = None,
    table: Annotated[str | None, typer.Option("--table", help="With --csv: table (default: the file's stem).")] = None,
    hf_config: Annotated[Path | None, typer.Option(
        "--hf-config", help="A local Hugging Face config.json: add (or replace, by name) a models row.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="With --hf-config: the model's catalog name.")] = None,
    source_url: Annotated[str | None, typer.Option(
        "--source-url", help="With --hf-config: where the config comes from (provenance).")] = None,
    params_published: Annotated[int | None, typer.Option(
        "--params-published", help="With --hf-config: exact published parameter count; must be within 2% "
                                   "of the count computed from the config (default: the computed count).")] = None,
    params_source_url: Annotated[str | None, typer.Option(
        "--params-source-url", help="With --hf-config: source of the published count (default: --source-url).")] = None,
    family: Annotated[str | None, typer.Option(
        "--family", help="With --hf-config: model family (default: the config's model_type).")] = None,
    release_year: Annotated[int | None, typer.Option(
        "--release-year", help="With --hf-config: year of release.")] = None,
    registry: RegistryOpt = None,
) -> None:
    """Import a whole CSV table (--csv), or one model from a Hugging Face config.json (--hf-config).

    Either way the whole table is validated and nothing is written if anything is wrong.
    """
    from pipeline.errors import Problem

    hf_only = {"--name": name, "--source-url": source_url, "--params-published": params_published,
               "--params-source-url": params_source_url, "--family": family, "--release-year": release_year}
    if (csv is None) == (hf_config is None):
        raise InputError("catalog import", [Problem(None, "--csv/--hf-config", "expected exactly one of them")])
    if csv is not None:
        extra = [o for o, v in hf_only.items() if v is not None]
        if extra:
            raise InputError("catalog import", [Problem(None, o, "only with --hf-config") for o in extra])
        from pipeline.catalogs.io import import_csv

        typer.echo(f"wrote {import_csv(csv, table, registry)}")
        return
    problems = [Problem(None, o, "required with --hf-config")
                for o in ("--name", "--source-url", "--release-year") if hf_only[o] is None]
    if table is not None:
        problems.append(Problem(None, "--table", "only with --csv (--hf-config writes the models table)"))
    if problems:
        raise InputError("catalog import", problems)
    from pipeline.catalogs.hf_config import import_hf_config

    path, row = import_hf_config(hf_config, name=name, source_url=source_url, release_year=release_year,
                                 params_published=params_published, params_source_url=params_source_url,
                                 family=family, registry=registry)
    typer.echo(f"wrote {path}: {row['name']!r} ({row['family']}, {row['model_type']}"
               f"{', MoE' if row['is_moe'] else ''}), params_published {row['params_published']:,.0f}")
    typer.echo(f"notes: {row['notes']}")


# -- bench --------------------------------------------------------------------------------

@app.command()
def validate(
    measured: Annotated[Path | None, typer.Option(
        "--measured", help="CSV of measurements (the measurements catalog's columns); default: the catalog.")] = None,
    out: OutOpt = None,
    registry: RegistryOpt = None,
    peers: Annotated[str | None, typer.Option(
        "--peers", help="Python with mlsysim 0.3.0 and llm-analysis 0.2.2 installed: add their errors and speed "
                        "on the same rows to the report (see pipeline/peers.py).")] = None,
) -> None:
    """Predict published measurements, calibrate eta, and write a validation report."""
    from pipeline import validation

    console = _console()
    run_dir, left_out = validation.run(measured, out or "outputs", registry, peers)
    console.print((run_dir / "report.md").read_text().split("\n## Calibration")[0], markup=False)
    for p in left_out:
        _console(stderr=True).print(f"left out: {p.render()}", markup=False)
    console.print(f"report:      {run_dir}/report.md (and scatter.svg)\n"
                  f"predictions: {run_dir}/validation.parquet\n"
                  f"calibrated:  {run_dir}/fitted_profiles.csv  (mlsys catalog import --csv ... merges them)\n"
                  f"query:       mlsys query validation_report --run {run_dir}")


@app.command()
def calibrate(
    measured: Annotated[Path | None, typer.Option(
        "--measured", help="CSV of measurements; default: the measurements catalog.")] = None,
    out: OutOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Fit eta per (workload, framework, hardware family, precision) to measurements, with
    leave-one-out cross-validated error; writes fitted efficiency profiles."""
    import polars as pl

    from pipeline import validation

    run_dir, _ = validation.run(measured, out or "outputs", registry)
    fitted = pl.read_parquet(run_dir / "calibration.parquet").drop("sources")
    _print_frame(fitted, title="fitted eta_compute (LOO range = the fits leaving one measurement out)")
    table = pl.read_parquet(run_dir / "validation.parquet").filter(pl.col("cv_abs_error_pct").is_not_null())
    summary = table.group_by("metric").agg(pl.len().alias("rows"),
                                           pl.col("abs_error_pct").median().alias("median_abs_error_pct_profile"),
                                           pl.col("fit_abs_error_pct").median().alias("median_abs_error_pct_fit"),
                                           pl.col("cv_abs_error_pct").median().alias("median_abs_error_pct_cv"))
    _print_frame(summary.sort("metric"), title="median absolute error % by metric")
    _console().print(f"fitted profiles: {run_dir}/fitted_profiles.csv")


report_app = typer.Typer(help="Render reports of earlier runs.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("validation")
def report_validation(
    run: Annotated[Path | None, typer.Option("--run", help="A validation run directory (default: newest).")] = None,
    out: OutOpt = None,
) -> None:
    """Print the validation report (Markdown) of a validation run."""
    from pipeline import validation

    run_dir = run or validation.latest(out or "outputs")
    typer.echo((Path(run_dir) / "report.md").read_text())


@app.command()
def bench(
    rows: Annotated[int, typer.Option("--rows", help="Approximate configurations to sweep.")] = 10_000_000,
    out: Annotated[Path | None, typer.Option("--out", help="Scratch directory (default: a temp dir, removed).")] = None,
    study: Annotated[str, typer.Option("--study", help="node, serving or training")] = "node",
) -> None:
    """Benchmark: sweep a synthetic spec end to end and report rows/s and peak RSS."""
    from pipeline.bench import run_benchmark

    for line in run_benchmark(rows, out, study):
        typer.echo(line)


def main() -> None:
    """Console entry point: input errors print their message and exit with code 2."""
    try:
        app()
    except InputError as exc:
        _console(stderr=True).print(f"error: {exc}", markup=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
