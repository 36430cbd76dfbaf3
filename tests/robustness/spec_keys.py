"""One bad value (-1, or [-1] on an axis) for each key of a sweep spec, in the study that reads it.
The keys come from the spec's own declarations (``keys(section)``, ``known_axes(study)``), so a new
key gets its case; a new table fails ``test_every_spec_table_has_cases``."""

from __future__ import annotations

import json

from pipeline.spec import OPERATIONS_KNOBS, TABLES, TRAINING_KNOBS
from pipeline.spec.axes import known_axes
from pipeline.spec.sections import Analysis, Data, Output, Serving, Software, keys
from tests.robustness.harness import Case, Ctx
from tests.robustness.options import CLUSTER

BASE = {
    "node": {"axes": {"hardware": ["T4"], "model": ["ResNet-50"], "batch": [1]}},
    "serving": {"study": "serving", "axes": {"hardware": ["H100 SXM5 80GB"], "model": ["Llama 2 7B"]}},
    "training": {"study": "training", "axes": {"cluster": [CLUSTER], "model": ["Llama 2 7B"], "gpus": [8]}},
}
ETA = {"node": ("framework", "eta_compute", "compute_model"),
       "serving": ("framework", "eta_compute", "compute_model", "eta_memory", "eta_link"),
       "training": ("framework", "eta_compute", "compute_model", "eta_link")}


def keys_by_study() -> list[tuple[str, str, str]]:
    """(study, table, key): every key a study reads ("" for a top-level key)."""
    out = [("node", "", "study"), ("node", "", "overrides"), ("node", "", "bogus_table"),
           ("node", "filters", "hardware"), ("node", "filters", "model"), ("node", "software", "bogus_key")]
    for study in BASE:
        out += [(study, "axes", k) for k in known_axes(study)]
        out += [(study, "efficiency", k) for k in ETA[study]]
    out += [("serving", "axes", "precision")]
    out += [("node", "software", k) for k in keys(Software)]
    out += [("node", "output", k) for k in keys(Output)]
    out += [("node", "operations", k) for k in OPERATIONS_KNOBS]
    out += [("node", "analysis", k) for k in keys(Analysis)]
    out += [("node", "data", k) for k in keys(Data)]
    out += [("serving", "serving", k) for k in keys(Serving)]
    out += [("training", "training", k) for k in TRAINING_KNOBS]
    return out


def toml(spec: dict) -> str:
    top = [f"{k} = {json.dumps(v)}" for k, v in spec.items() if not isinstance(v, dict)]
    tables = [f"[{k}]\n" + "\n".join(f"{kk} = {json.dumps(vv)}" for kk, vv in v.items())
              for k, v in spec.items() if isinstance(v, dict)]
    return "\n".join(top) + "\n" + "\n".join(tables) + "\n"


def bad_spec(study: str, table: str, key: str) -> dict:
    spec = json.loads(json.dumps(BASE[study]))
    if table == "":
        spec[key] = -1
    else:
        section = spec.setdefault(table, {})
        section[key] = [-1] if table == "axes" else -1
        if table == "axes" and study == "training" and key == "dp":
            del section["gpus"]
    return spec


def the_cases() -> list[Case]:
    out = []
    for study, table, key in keys_by_study():
        named = f"{table}.{key}" if table else key
        spec = toml(bad_spec(study, table, key))

        def run(ctx: Ctx, spec=spec):
            path = ctx.write("spec.toml", spec)
            return ctx.mlsys("sweep", "--spec", path, "--dry-run")

        out.append(Case(f"spec keys: {study}", f"{named} = -1", run, 2, (named,)))
    return out


def tables_covered() -> set[str]:
    return {t or k for _, t, k in keys_by_study()} - {"bogus_table"}


