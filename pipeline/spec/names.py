"""The catalog names a spec gives, as people type them, resolved to the catalogs' own names by
``pipeline.catalogs.names`` (case, spaces and punctuation ignored; an ambiguous name is an error
listing its candidates). Every entry point that takes a user's spec resolves it here first
(``pipeline.runs.prepare``, ``pipeline.studies.single.answer``); validation's measurement rows
never come through here and stay strict. Unknown names are left as typed for the studies' name
checks, which report them all with suggestions."""

from __future__ import annotations

import dataclasses

from pipeline.catalogs.load import Catalogs
from pipeline.catalogs.names import resolve_all
from pipeline.spec import SweepSpec

AXES = {"hardware": "hardware", "model": "models", "distill_to": "models", "compute_dtype": "precisions",
        "weight_dtype": "precisions", "kv_dtype": "precisions", "region": "regions", "dataset": "workloads",
        "cluster": "clusters"}  # spec axis -> the catalog its names come from
DATA = {"storage": "storage", "data_pipeline": "host_pipelines"}  # [training] / [data] key -> catalog
# and efficiency.framework: an efficiency_profiles framework, or "default"


def resolve_names(spec: SweepSpec, catalogs: Catalogs) -> SweepSpec:
    """``spec`` with every catalog name it gives replaced by the catalog's spelling."""
    section = "training" if spec.study == "training" else "data"
    given = [(f"axes.{axis}", name, table) for axis, table in AXES.items() for name in getattr(spec.axes, axis) or ()]
    given += [(f"{section}.{key}", getattr(spec.data, key), table) for key, table in DATA.items()
              if getattr(spec.data, key) is not None]
    given.append(("efficiency.framework", spec.efficiency.framework, "efficiency_profiles"))
    known = {t: catalogs.table(t)["name"].to_list() for t in {table for _, _, table in given} - {"efficiency_profiles"}}
    known["efficiency_profiles"] = sorted({*catalogs.efficiency_profiles["framework"].to_list(), "default"})
    items = [(column, name, known[table]) for column, name, table in given]
    if all(name in names for _, name, names in items):
        return spec
    resolved = iter(resolve_all(items, spec.source))
    axes = {axis: tuple(next(resolved) for _ in values) for axis in AXES
            if (values := getattr(spec.axes, axis)) is not None}
    data = {key: next(resolved) for key in DATA if getattr(spec.data, key) is not None}
    return dataclasses.replace(spec, axes=dataclasses.replace(spec.axes, **axes),
                               data=dataclasses.replace(spec.data, **data),
                               efficiency=dataclasses.replace(spec.efficiency, framework=next(resolved)))
