"""Run a sweep's partitions as tasks on Dask distributed (issue 15 item 6): ``mlsys sweep
--executor dask [--scheduler ADDRESS]``.

A task computes whole partitions (``study=<study>/<key>=<accelerator>``, ``pipeline.runs.partitions``):
consecutive accelerators of a worker's share of the sweep, at most ``TASK_ROWS`` configurations in all
(``task_groups``; one accelerator may make a larger task, never a split one). The driver sends each task the spec
restricted to its accelerators (``partition_spec``) and the catalogs (scattered once to every
worker); the task builds only its partitions' space (``task_space``: their hardware side; for
training only the layouts that keep the rules of the layout alone and that some cluster of those
accelerators can hold, filtered before the cross product with the models), streams it to Parquet
in chunks of ``sizing.CHUNK_ROWS`` exactly as the local executor does (``partitions.write_study``)
into a scratch folder of its own, and renames the partition folders into the run. A task writes its
fact parts only: the dimension tables are the driver's, written once after the tasks, from a plan of
no row (``planned_rows=False``: it builds no per-key table). So a task's
memory is bounded by its partitions' space and one chunk, not by the sweep: it does not grow with
the number of accelerators or clusters (it does with the models and axes: the model side is whole
in every task). Filtering the layouts first halves the peak of building the training bench space
(10.8 M rows: 1,482 -> 733 MB). A task's fixed cost (building its space, building and
checking the study's plan) is ~2 s of a 3 s task on training's bench spec, hence one task per worker, not one per
chunk: a task's memory grows with its space (training: its clusters' layouts, at most the sweep's model side), not
with its rows (it writes them a chunk at a time), and the training bench's
(6.7 M rows, 2 workers) 6 tasks of about a chunk -> 2 took 27 -> 20 CPU s, worker peak RSS 690-820 -> 580-670 MB.

Results equal the local executor's: the same rows (``config_id``) and values, each partition's rows
in the same order; only where an accelerator's rows are cut into ``part-NNNNN`` files may differ
(the local executor's chunks span accelerators). The run's manifest (rows, drops, partition
inputs) is the driver's, as for a local run; incremental reuse (``skip``) works the same.

Without a scheduler address the executor starts a ``distributed.LocalCluster`` of worker
processes started with ``spawn`` (never ``fork``: polars' thread pool does not survive a fork).
With one (``tcp://host:8786``, e.g. a dask-jobqueue ``SLURMCluster``'s) the workers must import
the same ``pipeline`` version and see the run folder and the catalog folder on a shared file system.

``dask[distributed]`` is an optional extra (``pip install 'mlsys-pipeline[dask]'``), imported only here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import polars as pl

from pipeline.catalogs.load import Catalogs
from pipeline.errors import InputError, Problem
from pipeline.runs import narrow, partitions, sizing
from pipeline.runs.prepared import STUDIES, Prepared
from pipeline.runs.typed import PARTITION_KEY
from pipeline.spec import SweepSpec

EXECUTORS = ("local", "dask")
SCRATCH = ".dask"  # inside the run being written: one folder per task, removed when the task is done
# configurations a task holds at most (before the pair rules): it writes them a chunk at a time, so this bounds not
# its memory but the work one failure loses and how late the first parts arrive
TASK_ROWS = 8 * sizing.CHUNK_ROWS
INSTALL = "pip install 'mlsys-pipeline[dask]' (or pip install 'dask[distributed]')"


def require():
    """The ``distributed`` module, or a clear error saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise InputError("sweep", [Problem(None, "--executor", "dask needs Dask distributed, which is not "
                                                               f"installed: {INSTALL}")]) from None
    return distributed


@contextmanager
def dask_executor(scheduler: str | None = None, workers: int | None = None) -> Iterator[DaskExecutor]:
    """An executor on the Dask scheduler at ``scheduler``, else on a new LocalCluster of ``workers``
    processes (default: one per core) started with spawn, each given its share of the cores for
    polars; closed on exit."""
    distributed = require()
    import dask

    with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}):
        if scheduler:
            try:
                client = distributed.Client(scheduler, timeout="30s")
            except (OSError, TimeoutError) as exc:
                raise InputError("sweep", [Problem(None, "--scheduler", f"cannot reach the Dask scheduler at "
                                                                        f"{scheduler}: {exc}")]) from None
            with client:
                yield DaskExecutor(client)
            return
        n = workers or os.cpu_count() or 1
        threads = str(max(1, (os.cpu_count() or 1) // n))
        with distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                      env={"POLARS_MAX_THREADS": threads}) as cluster, \
                distributed.Client(cluster) as client:
            yield DaskExecutor(client)


class DaskExecutor:
    """``partitions.write_study`` with the partitions computed as tasks of ``client``
    (``pipeline.runs.run(..., executor=...)``)."""

    def __init__(self, client) -> None:
        self.client = client

    def __call__(self, prepared: Prepared, run_dir: Path, rid: str, on_part: Callable[[list[Path]], None],
                 skip: frozenset[str] = frozenset()) -> dict:
        return write_study(prepared, run_dir, rid, on_part, skip, self.client)


def write_study(prepared: Prepared, run_dir: Path, rid: str, on_part: Callable[[list[Path]], None],
                skip: frozenset[str], client, rows_per_task: int | None = None) -> dict:
    """As ``partitions.write_study``, the partitions not in ``skip`` grouped into tasks
    (``task_groups``); ``on_part`` gets each task's files as it finishes. Returns the output
    columns' units."""
    distributed = require()
    name = prepared.spec.study
    (run_dir / partitions.study_folder(name)).mkdir(exist_ok=True)
    (run_dir / SCRATCH).mkdir()
    where = Path(run_dir).resolve()  # workers elsewhere have another working directory: absolute paths
    paths = {table: Path(path).resolve() for table, path in prepared.catalogs.paths.items()}
    catalogs = client.scatter(replace(prepared.catalogs, paths=paths), broadcast=True, hash=False)
    workers = len(client.scheduler_info().get("workers", {}))
    futures = []
    keys = narrow.model_join_keys(prepared)  # the fact table's model-side keys are the whole sweep's, not a task's
    for index, values in enumerate(task_groups(prepared, skip, rows_per_task, workers)):
        spec = partition_spec(prepared, values)
        if spec is not None:  # None: every row of these partitions is dropped
            futures.append(client.submit(write_partitions, spec, catalogs, values, str(where), rid, index, keys,
                                         key=f"mlsys-{rid}-{name}-{index:05d}", pure=False))
    try:
        for future in distributed.as_completed(futures):
            on_part([run_dir / Path(f).relative_to(where) for f in future.result()])
    finally:
        client.cancel(futures)
    (run_dir / SCRATCH).rmdir()
    # the dimension tables, the plan's units; and, when no partition wrote a row, the empty part that keeps the schema
    every = frozenset(prepared.space.hardware_side[PARTITION_KEY[name]].cast(pl.String).drop_nulls().to_list())
    return partitions.write_study(prepared, run_dir, rid, lambda files, recorded=None: None, every, planned_rows=False)


def task_groups(prepared: Prepared, skip: frozenset[str] = frozenset(), rows_per_task: int | None = None,
                workers: int = 0) -> list[tuple[str, ...]]:
    """The partitions (accelerators, in name order) not in ``skip``, cut into consecutive groups of
    about ``rows_per_task`` configurations each (default ``TASK_ROWS``; at most a ``workers``-th of
    the sweep, so that every worker gets work and pays a task's fixed cost once; a partition is
    never split). Rows are counted before the pair rules (an upper bound)."""
    name = prepared.spec.study
    key = pl.col(PARTITION_KEY[name]).cast(pl.String)
    space = prepared.space
    per_workload = space.model_side.group_by(pl.col("workload").cast(pl.String)).len()
    rows = (space.hardware_side.select(key.alias("_key"), pl.col("workload").cast(pl.String))
            .join(per_workload, on="workload", how="left").group_by("_key").agg(pl.col("len").fill_null(0).sum())
            .filter(pl.col("_key").is_not_null() & ~pl.col("_key").is_in(sorted(skip))).sort("_key"))
    target = rows_per_task or TASK_ROWS
    if workers and rows.height:
        target = min(target, max(1, -(-int(rows["len"].sum()) // workers)))
    groups, current, held = [], [], 0
    for value, n in rows.iter_rows():
        current.append(value)
        held += n
        if held >= target:
            groups.append(tuple(current))
            current, held = [], 0
    return [*groups, tuple(current)] if current else groups


def write_partitions(spec: SweepSpec, catalogs: Catalogs, values: tuple[str, ...], run_dir: str, rid: str,
                     index: int, model_keys: list[str] | None = None) -> list[str]:
    """The task: build the space of ``spec`` (its partitions' only), write it into a scratch folder
    of the run and move each partition folder into place; returns their files. ``model_keys``: the model-side
    key axes the fact table holds (``narrow.model_join_keys`` of the driver's space)."""
    run, study = Path(run_dir), spec.study
    scratch = run / SCRATCH / f"{index:05d}"
    scratch.mkdir()  # not parents: a run removed after a failure is not created again
    prepared = Prepared(spec, catalogs, task_space(catalogs, spec))
    partitions.write_study(prepared, scratch, rid, lambda files, recorded=None: None, model_keys=model_keys,
                           dimension_tables=False)  # the driver's, written once
    files = []
    for value in values:
        folder = partitions.partition_folder(study, value)
        source, target = (scratch / partitions.study_folder(study) / folder,
                          run / partitions.study_folder(study) / folder)
        if source.is_dir():
            source.rename(target)
            files += sorted(target.glob("*.parquet"))
    shutil.rmtree(scratch)
    return [str(f) for f in files]


def task_space(catalogs: Catalogs, spec: SweepSpec):
    """The space a task builds: the study's, for training with the layouts filtered first."""
    if spec.study == "training":
        return STUDIES["training"].build_space(catalogs, spec, layouts_first=True)
    return STUDIES[spec.study].build_space(catalogs, spec)


def partition_spec(prepared: Prepared, values: tuple[str, ...]) -> SweepSpec | None:
    """The spec of a task's partitions: the hardware axis (training: the clusters' accelerator)
    reduced to ``values``, and for training the layout axes reduced to the values of the layouts
    that some cluster of ``values`` can hold (``layout_axes``); None when they hold none."""
    spec = prepared.spec
    axes = replace(spec.axes, hardware=values)
    if spec.study == "training":
        narrowed = layout_axes(prepared, values)
        if narrowed is None:
            return None
        axes = replace(axes, **narrowed)
    return replace(spec, axes=axes)


def layout_axes(prepared: Prepared, accelerators: tuple[str, ...]) -> dict[str, tuple] | None:
    """Each layout axis of a training spec reduced to the values that occur in a layout passing the
    pair rules (cluster size, scale-up domain, links) on at least one cluster row of
    ``accelerators``: the layouts are filtered before the cross product with the models. What is
    removed fails a pair rule on every cluster of the partition, so the rows are unchanged."""
    from pipeline.studies import training

    spec = prepared.spec
    rules = training.pair_rules(spec)
    layouts = training.layouts(spec)
    hw = prepared.space.hardware_side.filter(pl.col(PARTITION_KEY["training"]).cast(pl.String).is_in(accelerators))
    names = {n for rule in rules for n in rule.bad.meta.root_names()}
    clusters = hw.select(sorted((names & set(hw.columns)) - set(layouts.columns))).unique()
    kept = clusters.join(layouts, how="cross").filter(pl.all_horizontal(~rule.verdict() for rule in rules))
    if kept.height == 0:
        return None
    narrowed = {}
    for name in layouts.columns:
        values = getattr(spec.axes, name, None)
        if values is not None:
            present = set(kept[name].unique().to_list())
            narrowed[name] = tuple(v for v in values if v in present)
    return narrowed
