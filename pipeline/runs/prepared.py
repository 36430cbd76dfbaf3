"""A sweep made ready to run: its spec, the catalogs it reads and its (lazy) configuration space."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.catalogs.load import Catalogs, load_catalogs
from pipeline.errors import InputError, Problem
from pipeline.spec import SweepSpec
from pipeline.spec.axes import known_axes
from pipeline.spec.names import resolve_names
from pipeline.studies import node, serving, training
from pipeline.studies.sides import Space

STUDIES = {"node": node, "serving": serving, "training": training}  # each: build_space, build, SCHEMA, OUTPUTS
MAX_SIDE_ROWS = 5_000_000  # configurations per accelerator row that a spec may build in memory
HARDWARE_SIDE_AXES = ("hardware", "cluster", "compute_dtype", "workload", "region")
CATALOG_AXES = {"hardware": "hardware", "model": "models", "cluster": "clusters"}  # "all": every row


@dataclass(frozen=True)
class Prepared:
    spec: SweepSpec
    catalogs: Catalogs
    space: Space

    @property
    def rows(self) -> int:
        return self.space.rows

    @property
    def study(self):
        return STUDIES[self.spec.study]


def upper_bound(spec: SweepSpec, catalogs: Catalogs) -> tuple[int, int]:
    """(configurations, configurations per hardware-side row) before any drop: the product of the
    axes' lengths ("all" counts the catalog's rows), computed without building anything."""
    total = per_hardware = 1
    for name in known_axes(spec.study):
        if spec.axes.precision_tied and name in ("weight_dtype", "kv_dtype"):
            continue
        values = getattr(spec.axes, name, None)
        n = len(values) if values is not None else (
            catalogs.table(CATALOG_AXES[name]).height if name in CATALOG_AXES else 1)
        total *= n
        per_hardware *= 1 if name in HARDWARE_SIDE_AXES else n
    return total, per_hardware


def check_buildable(spec: SweepSpec, catalogs: Catalogs) -> None:
    """Refuse, before building anything, a spec whose model side cannot be held in memory."""
    total, per_hardware = upper_bound(spec, catalogs)
    if per_hardware > MAX_SIDE_ROWS:
        raise InputError("spec", [Problem(None, "axes", f"make up to {per_hardware:,} configurations per accelerator "
                                                        f"and precision ({total:,} in all), more than the "
                                                        f"{MAX_SIDE_ROWS:,} a sweep builds in memory; split the "
                                                        "sweep into several specs")])


def prepare(spec: SweepSpec, registry: str | Path | None = None) -> Prepared:
    """Load catalogs and build the (lazy) configuration space; resolves the names the spec gives
    as people type them (``pipeline.spec.names``) and checks every one."""
    catalogs = load_catalogs(registry)
    check_buildable(spec, catalogs)
    spec = resolve_names(spec, catalogs)
    if spec.overrides:  # what-if: every row of the overridden columns
        from pipeline.catalogs import overrides

        catalogs = overrides.apply(catalogs, spec.overrides)
    return Prepared(spec, catalogs, STUDIES[spec.study].build_space(catalogs, spec))


def collect(prepared: Prepared) -> pl.DataFrame:
    """The whole result in memory (for the Python API and small sweeps)."""
    return prepared.study.build(prepared.space).frame.collect()
