"""A serving row's own lengths as a row of the workloads catalog, so rows that differ only by them share one
space (``pipeline.validation.grouping``) instead of one space each.

A serving row that names a dataset and states one of its lengths (MLPerf rows give the run's own generated
tokens per sample) runs at the dataset's other mean and the stated length (``serving_rows.resolve``), which
the spec carries as a what-if override of the workloads catalog (``workloads.output_tokens_mean``). An override
sets its column on every row of the table for the whole space (``pipeline.catalogs.overrides.apply``), so rows
with different stated lengths could not share a space: the 250 rows ``mlsys bench --validate`` draws made 21
groups of one to five rows out of them. Here each such row names instead a copy of its dataset's catalog row with
the override applied (the same ``overrides.parse`` and the same cast as ``overrides.apply``), under a name of its
own; the serving study reads a dataset only through its catalog row (``pipeline.studies.serving_lengths``: the
mean lengths, rounded, and the spread), so each row's configuration is the one its own override gave, and the
rows share the space of their study, framework and axes. A row that states both lengths names a workloads row of
them too (their means, no spread: what the study's prompt_len x output_len axes give, null spread), so rows with
and without a dataset share one space as well.
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs import overrides
from pipeline.errors import InputError

TABLE = "workloads"


def stated_name(dataset: str, changed: dict[str, float]) -> str:
    """The name of ``dataset``'s catalog row with the ``changed`` columns (column -> value in its unit)."""
    return dataset + "".join(f" @ {column}={value:g}" for column, value in sorted(changed.items()))


def fold_stated_lengths(specs: dict[int, dict], workloads: pl.DataFrame) -> tuple[dict[int, dict], pl.DataFrame]:
    """``specs`` with each serving spec's workloads overrides folded into a workloads row of its own (named by
    ``stated_name``), and the workloads catalog with those rows appended. A spec whose override does not parse
    keeps it (its group then says why, as before)."""
    added: dict[str, pl.DataFrame] = {}
    out = dict(specs)
    for i, spec in specs.items():
        own = {k: v for k, v in spec.get("overrides", {}).items() if k.startswith(TABLE + ".")}
        if spec.get("study") != "serving" or not own or len(spec["axes"].get("dataset", [])) != 1:
            continue
        try:
            values = overrides.parse(own, "overrides")
        except InputError:
            continue
        dataset = spec["axes"]["dataset"][0]
        changed = {key.partition(".")[2]: value for key, value in values.items()}
        name = stated_name(dataset, changed)
        if name not in added:
            row = workloads.filter(pl.col("name") == dataset)
            added[name] = row.with_columns(*(pl.lit(v, dtype=row.schema[c]).alias(c) for c, v in changed.items()),
                                           pl.lit(name, dtype=row.schema["name"]).alias("name"),
                                           pl.lit(None, dtype=row.schema["aliases"]).alias("aliases"))
        rest = {k: v for k, v in spec["overrides"].items() if k not in own}
        out[i] = {k: v for k, v in spec.items() if k != "overrides"} | {"axes": spec["axes"] | {"dataset": [name]}} | (
            {"overrides": rest} if rest else {})
    for i, spec in out.items():  # a row that states both lengths: a workloads row of its own too
        if spec.get("study") != "serving" or "dataset" in spec["axes"] or "prompt_len" not in spec["axes"]:
            continue
        (prompt,), (output,) = spec["axes"]["prompt_len"], spec["axes"]["output_len"]
        name = f"prompt_len={prompt} output_len={output}"
        if name not in added:
            stated = {"name": [name], "input_tokens_mean": [float(prompt)], "output_tokens_mean": [float(output)]}
            added[name] = pl.DataFrame(stated).select(pl.col(c).cast(t) if c in stated else pl.lit(None, t).alias(c)
                                                      for c, t in workloads.schema.items())
        axes = {}
        for k, v in spec["axes"].items():  # the lengths' place in the axes (a group's axes keep their order)
            if k == "prompt_len":
                axes["dataset"] = [name]
            elif k != "output_len":
                axes[k] = v
        out[i] = spec | {"axes": axes}
    return out, (pl.concat([workloads, *added.values()]) if added else workloads)

