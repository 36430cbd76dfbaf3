"""Studies: a configuration space, the walls that apply to it, and an output schema.

The output schema (pandera) is written by hand and is the contract of the output
table: names, dtypes, units and value ranges. ``check_plan`` holds a built plan to its
names, dtypes and units before any row is computed; ``check_values`` holds computed rows
to its ranges. Every number with a unit (a time, an energy, bytes, FLOPs, money, a count)
is non-negative, fractions lie in [0, 1], and a column that leaves such a range by design
says why (``by_design``; all of them: ``pipeline.studies.columns.BY_DESIGN``).
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipeline.errors import InputError, Problem
from pipeline.formulas import Plan
from pipeline.units import unit, unit_str

NON_NEGATIVE = (0.0, None)
FRACTION = (0.0, 1.0)

# Why a column leaves the range of its kind (``result(by_design=...)``).
HEADROOM = "negative when the configuration does not fit: by how much it does not"
ELASTICITY = "a slope d log(time) / d log(input): negative where more of the input shortens the time"
UTILIZATION = "above 1 when demand exceeds what is supplied: the queue or the input pipeline falls behind"
SCALING = "above 1 when the layout beats the one-node reference (its per-GPU throughput is higher)"


def result(unit_: str | None, description: str, source: str = "", *, nullable: bool = True,
           within: tuple[float, float | None] | None = NON_NEGATIVE, by_design: str | None = None):
    """An output column: its unit (None for text/boolean), what it is, and the formula's source.
    A number (a unit) must lie ``within`` (low, high; None: no bound), non-negative unless
    said otherwise; ``by_design``: why it may leave the range of its kind."""
    meta = {"description": description, "source": source}
    low = high = None
    if unit_ is not None:
        meta["unit"] = unit_
        if within is not None:
            low, high = within
            meta["within"] = [low, high]
    if by_design is not None:
        meta["by_design"] = by_design
    return pa.Field(nullable=nullable, ge=low, le=high, metadata=meta)


def fraction(description: str, source: str = "", *, nullable: bool = True):
    """A share of a whole, in [0, 1]: efficiencies, utilisations of a peak, probabilities."""
    return result("", description, source, nullable=nullable, within=FRACTION)


def elasticity(description: str, source: str = "wall 21"):
    """d log(time) / d log(input): any sign."""
    return result("", description, source, within=None, by_design=ELASTICITY)


def headroom(description: str, source: str):
    """Capacity left in bytes: negative when the configuration does not fit."""
    return result("B", description, source, within=None, by_design=HEADROOM)


def demand_ratio(description: str, source: str):
    """Demand / supply: non-negative, above 1 when the supply falls behind."""
    return result("", description, source, by_design=UTILIZATION)


def schema_columns(schema: type[pa.DataFrameModel]) -> dict[str, dict]:
    """Column -> {"unit", "description", "source", "dtype", "within", "by_design"} from an output schema."""
    out = {}
    for name, col in schema.to_schema().columns.items():
        meta = col.metadata or {}
        out[name] = {"unit": meta.get("unit"), "description": meta.get("description", ""),
                     "source": meta.get("source", ""), "dtype": str(col.dtype),
                     "within": meta.get("within"), "by_design": meta.get("by_design")}
    return out


def check_values(frame: pl.DataFrame, schema: type[pa.DataFrameModel]) -> None:
    """Every value of ``frame`` within the range its schema declares; all columns out of range
    are reported at once, each with its first offending row (a formula or catalog fault)."""
    declared = schema_columns(schema)
    try:
        schema.validate(frame.select(list(declared)), lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.group_by("column", maintain_order=True).first()
        order = {c: i for i, c in enumerate(declared)}
        problems = []
        for r in sorted(cases.iter_rows(named=True), key=lambda r: order.get(r["column"], -1)):
            within = (declared.get(r["column"]) or {}).get("within")
            expected = r["check"] if within is None else (
                f">= {within[0]:g}" if within[1] is None else f"in [{within[0]:g}, {within[1]:g}]")
            row = None if r["index"] is None else r["index"] + 1
            problems.append(Problem(row, r["column"], f"got {r['failure_case']}, expected {expected}"))
        raise InputError(f"output schema {schema.Config.name!r}", problems) from None


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
        if isinstance(dtypes[name], pl.Enum) and spec["dtype"] == "Categorical":  # a writer's fixed categories
            got_dtype = "Categorical"  # (``pipeline.runs.typed.text_enums``): the same texts
        if got_dtype != spec["dtype"] and not (spec["dtype"] == "Float64" and got_dtype == "Null"):
            problems.append(Problem(None, name, f"dtype {got_dtype}, schema says {spec['dtype']}"))
    if problems:
        raise InputError(f"output schema {schema.Config.name!r}", problems)
