"""``mlsys sweep``: sweep a spec's configuration space to Parquet, then print a map of it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import ExecutorOpt, OutOpt, RegistryOpt, SchedulerOpt, SetOpt, WorkersOpt, executor_context
from pipeline.cli.output import console, print_frame
from pipeline.errors import InputError

HINTS = {"node": "mlsys query shortlist --param model='Llama 3 8B'",
         "training": "mlsys query parallelism_ranking --param model='Llama 3.1 70B'",
         "serving": "mlsys query max_batch --param model='Llama 3 8B'"}


def sweep(
    spec: Annotated[Path | None, typer.Option(
        "--spec", help="Sweep spec (TOML), or a packaged one by name (default, serving, serving_cost, training, "
                        "training_regions: pipeline/spec/specs/).")] = None,
    out: OutOpt = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print rows, time and disk estimates; write nothing.")] = False,
    registry: RegistryOpt = None,
    show_map: Annotated[bool, typer.Option("--map/--no-map", help="Print the design-space map at the end.")] = True,
    set_: SetOpt = None,
    max_rows: Annotated[int | None, typer.Option(
        "--max-rows", min=1, help="Refuse a sweep of more configurations (default: about ten minutes of "
                                  "sweeping on this machine).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Sweep even beyond --max-rows or the free disk.")] = False,
    publish: Annotated[bool, typer.Option(
        "--publish/--no-publish", help="Make the run the current one of its study (<out>/current).")] = True,
    reuse: Annotated[bool, typer.Option(
        "--reuse", help="Reuse the partitions of the newest run of the study under --out whose inputs "
                        "(catalog rows, spec, code) did not change; compute only the others.")] = False,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
) -> None:
    """Sweep the configuration space of a spec and stream the results to Parquet."""
    from dataclasses import replace

    from pipeline import runs
    from pipeline.catalogs.overrides import parse as parse_overrides
    from pipeline.runs.incremental import latest_run
    from pipeline.spec import load_spec

    where = executor_context(executor, scheduler, workers)  # checked now, entered (a cluster started) to write
    loaded = load_spec(spec)
    if set_:
        loaded = replace(loaded, overrides=loaded.overrides | parse_overrides(set_))
    prepared = runs.prepare(loaded, registry)
    est = runs.estimate(prepared)
    dropped = ", ".join(f"{n:,} ({r})" for r, n in est["dropped"].items()) or "none"
    console().print(f"study {prepared.spec.study}: {est['rows']:,} configurations; dropped: {dropped}")
    refused = runs.refusals(est, out or loaded.output.dir, max_rows)
    if dry_run:
        console().print(f"estimate: ~{est['estimated_seconds']} s, ~{est['estimated_bytes'] / 1e6:,.0f} MB "
                        f"on disk. Nothing written (--dry-run).")
        for problem in refused:
            console().print(f"a sweep would be refused without --force: {problem.render()}", markup=False)
        return
    if refused and not force:
        raise InputError("sweep (nothing written)", refused)
    with where as executor_, runs.progress_bar(est["rows"], enabled=sys.stderr.isatty()) as advance:
        earlier = latest_run(out or loaded.output.dir, prepared.spec.study) if reuse else None
        run_dir = runs.run(prepared, out, on_chunk=advance, publish=publish, reuse_from=earlier, executor=executor_)
    study = report_run(run_dir)
    if show_map:
        MAPS[study](run_dir)
    current = f"\ncurrent:  {run_dir.parent / 'current'}/results.duckdb   (opens from anywhere)" if publish else ""
    console().print(f"\nresults:  {run_dir}/{runs.study_glob(study)}\nmanifest: {run_dir}/manifest.json\n"
                    f"duckdb:   {run_dir}/results.duckdb   (try: {HINTS[study]}){current}")


def report_run(run_dir: Path) -> str:
    """Print the rows written and their rate; the run's study."""
    manifest = json.loads((run_dir / "manifest.json").read_text())
    study = manifest["study"]
    rate = manifest["rows"][study] / max(manifest["wall_time_s"], 1e-9)
    console().print(f"wrote {manifest['rows'][study]:,} rows in {manifest['wall_time_s']:.2f} s "
                    f"({rate:,.0f} rows/s)")
    if manifest.get("reused", {}).get("from"):
        r = manifest["reused"]
        console().print(f"reused {len(r['partitions'])} partitions of {r['from']}, computed "
                        f"{len(r['recomputed'])}: {', '.join(r['recomputed'][:10]) or 'none'}", markup=False)
    for column, n in manifest.get("out_of_range", {}).items():  # a formula or catalog fault: say it loudly
        console().print(f"[bold red]warning:[/] {n:,} rows with {column} outside its physical range "
                        f"(mlsys columns {column})")
    return study


def print_node_map(run_dir: Path) -> None:
    """The design-space map as a grid: models down, accelerator groups across, the fastest of each group
    at batch 1 in each cell (or the fewest devices that hold a model too large for one)."""
    from pipeline.report.vendor_map import vendor_map

    grid, context = vendor_map(run_dir)
    where = f"; decoders: one decode step at a {context}-token context" if context else ""
    print_frame(grid, title=f"Design-space map: fastest feasible accelerator of each group for inference "
                            f"(batch 1{where})")
    console().print(f"other batches, steps and the most efficient accelerator: mlsys query design_space_map "
                    f"--run {run_dir.name}; per accelerator: mlsys query model_accelerator_map --param batch=8")


def print_training_map(run_dir: Path) -> None:
    """The fastest feasible layout of each model at the run's largest GPU count, on any cluster."""
    import pipeline

    best = pipeline.query("fastest_layouts", run=run_dir)
    print_frame(best, title="fastest feasible layout of each model at the largest GPU count (any cluster)")
    console().print("per cluster and GPU count: mlsys query parallelism_ranking --param model=... ; "
                    "mlsys query scaling_curve --param model=...")


def print_serving_map(run_dir: Path) -> None:
    """The fewest devices that hold each model with its KV cache."""
    import pipeline

    fits = pipeline.query("fits", run=run_dir).select("model", "hardware", "weight_dtype", "kv_dtype",
                                                      "context_tokens", "devices", "tp", "pp")
    print_frame(fits, title="fewest devices that hold each model with its KV cache (batch 1)", limit=30)


MAPS = {"node": print_node_map, "training": print_training_map, "serving": print_serving_map}
