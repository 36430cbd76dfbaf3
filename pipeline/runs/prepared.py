"""A sweep made ready to run: its spec, the catalogs it reads and its (lazy) configuration space."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.catalogs.load import Catalogs, load_catalogs
from pipeline.spec import SweepSpec
from pipeline.spec.names import resolve_names
from pipeline.studies import node, serving, training
from pipeline.studies.sides import Space

STUDIES = {"node": node, "serving": serving, "training": training}  # each: build_space, build, SCHEMA, OUTPUTS


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


def prepare(spec: SweepSpec, registry: str | Path | None = None) -> Prepared:
    """Load catalogs and build the (lazy) configuration space; resolves the names the spec gives
    as people type them (``pipeline.spec.names``) and checks every one."""
    catalogs = load_catalogs(registry)
    spec = resolve_names(spec, catalogs)
    if spec.overrides:  # what-if: every row of the overridden columns
        from pipeline.catalogs import overrides

        catalogs = overrides.apply(catalogs, spec.overrides)
    return Prepared(spec, catalogs, STUDIES[spec.study].build_space(catalogs, spec))


def collect(prepared: Prepared) -> pl.DataFrame:
    """The whole result in memory (for the Python API and small sweeps)."""
    return prepared.study.build(prepared.space).frame.collect()
