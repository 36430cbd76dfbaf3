"""Studies: a configuration space, the walls that apply to it, and an output schema.

The output schema (pandera) is written by hand and is the contract of the output
table: names, dtypes and units. ``check_plan`` holds a built plan to it before any
row is computed.
"""

from __future__ import annotations

import pandera.polars as pa

from pipeline.errors import InputError, Problem
from pipeline.formulas import Plan
from pipeline.units import unit, unit_str


def result(unit_: str | None, description: str, source: str = "", *, nullable: bool = True):
    """An output column: its unit (None for text/boolean), what it is, and the formula's source."""
    meta = {"description": description, "source": source}
    if unit_ is not None:
        meta["unit"] = unit_
    return pa.Field(nullable=nullable, metadata=meta)


def schema_columns(schema: type[pa.DataFrameModel]) -> dict[str, dict]:
    """Column -> {"unit", "description", "source", "dtype"} from an output schema."""
    out = {}
    for name, col in schema.to_schema().columns.items():
        meta = col.metadata or {}
        out[name] = {"unit": meta.get("unit"), "description": meta.get("description", ""),
                     "source": meta.get("source", ""), "dtype": str(col.dtype)}
    return out


def check_plan(plan: Plan, schema: type[pa.DataFrameModel]) -> None:
    """Every output column's computed unit and dtype must equal its hand-written schema."""
    problems = []
    declared = schema_columns(schema)
    if list(plan.units) != list(declared):
        problems.append(Problem(None, None, f"columns {list(plan.units)} differ from the schema's "
                                            f"{list(declared)}"))
    dtypes = plan.frame.collect_schema()
    for name, spec in declared.items():
        if name not in plan.units:
            continue
        computed = plan.units[name]
        if (computed is None) != (spec["unit"] is None) or (
                computed is not None and computed != unit(spec["unit"])):
            got = "none" if computed is None else repr(unit_str(computed))
            problems.append(Problem(None, name, f"formula yields unit {got}, schema says {spec['unit']!r}"))
        got_dtype = str(dtypes[name])
        if got_dtype != spec["dtype"] and not (spec["dtype"] == "Float64" and got_dtype == "Null"):
            problems.append(Problem(None, name, f"dtype {got_dtype}, schema says {spec['dtype']}"))
    if problems:
        raise InputError(f"output schema {schema.Config.name!r}", problems)
