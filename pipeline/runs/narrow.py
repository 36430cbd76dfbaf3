"""The narrow fact table (issue 15 item 1): a run writes per configuration only its keys and the
values that vary per row; what depends on one side of the space only goes to two small
dimension tables, joined back by the views of ``results.duckdb``:

    study=<study>/<key>=<accelerator>/part-NNNNN.parquet   the fact table: run_id, the key axes
                         (``typed.KEY_AXES``) that identify the rows of the dimension tables (every
                         hardware-side one, the model side's ``model_join_keys``), the partition key and
                         every output column computed per row (config_id too when a key axis is in
                         neither dimension table)
    dimensions/<study>-hardware.parquet   one row per hardware-side row (accelerator or cluster x
                         precisions x workload x region): its output columns (vendor, peak FLOP/s,
                         eta, knobs ...), keyed by the side's key axes
    dimensions/<study>-model.parquet      one row per model-side row (model x the study's model
                         axes): its output columns (model_type, params ...), keyed by its key axes

Each dimension table also holds ``config_id_terms``: the sum of its key axes' config_id terms
(``typed.id_terms``; the key axes NULL on every row count on the hardware side). Every key axis is a
key of one of the two tables, so a row's config_id is splitmix64 of the two sums' sum (mod 2**64):
the views compute it in SQL (``typed.config_id_sql``) and ``scan_run`` in polars; the fact table
does not store it (a 64-bit hash does not compress: 8 B of a node row's 51).

A column is a dimension column when the study's plan passes it through from that side unchanged
(``formulas.plan`` reads a column its input frame has, never recomputes it), so the view reads the
very value the wide table held. The join is on the side's key axes, NULL equal to NULL (a CNN's
``seq_len``), the fewest that identify its rows (``minimal_keys``; a model-side key axis the fact table
does not need for that is read from the model table): values, not a row's position, so the parts an
incremental rerun reuses join the new run's dimension tables (its partition inputs hash the model keys
the parts hold); the key columns cost ~0.01-0.05 B/row in the fact table (few values, long
runs), a 64-bit hash per side cost 0.4-5.6 (its values barely repeat within one accelerator's
partition). Columns NULL on every row of the run
(``<study>.null_columns``: the operations columns without a region axis, ...) are written nowhere:
the view gives them as typed NULLs. The fact table stores every Float64 value column as Float32
(``FLOAT32_NOTE``); the view casts it back to DOUBLE, so the views, the column dictionary and
``mlsys columns`` show the columns, dtypes and order of the wide table.

A study's ``QUERY_TIME`` columns (derived, cheap in SQL) are written nowhere (``Layout.derived``): the view
computes them from the joined row by the study's formulas rendered as SQL (``formulas.compile_sql``), ``scan_run``
by the same formulas in polars; the side columns those formulas read that are not outputs are kept in the
dimension tables (``Layout.hidden``, their unit in the field metadata) and left out of the views.
"""

from __future__ import annotations

import functools
import operator
import threading
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.runs.typed import KEY_AXES, PARTITION_KEY, arrow_schema, id_terms, integral, output_dictionary
from pipeline import formulas
from pipeline.studies import per_key, schema_columns
from pipeline.units import unit, unit_str

DIMENSIONS = "dimensions"
ID_TERMS = "config_id_terms"  # a dimension table's sum of its key axes' config_id terms (UInt64)
FLOAT32_NOTE = ("every Float64 column of the fact table except the key axes is stored as Float32 (24-bit "
                "significand: relative rounding <= 6e-8, far below any model's error); the views cast it back")
DUCKDB_TYPES = {"Float64": "DOUBLE", "Int64": "BIGINT", "Categorical": "VARCHAR", "String": "VARCHAR",
                "Boolean": "BOOLEAN"}
POLARS_TYPES = {"Float64": pl.Float64, "Int64": pl.Int64, "Categorical": pl.Categorical, "String": pl.String,
                "Boolean": pl.Boolean}


@dataclass(frozen=True)
class Layout:
    """Where each output column of a run goes."""
    study: str
    fact: tuple[str, ...]  # output columns per row (key axes, partition key: its folder's name), schema order
    float32: frozenset[str]  # those of ``fact`` stored as Float32
    dimensions: dict[str, tuple[str, ...]]  # "hardware" / "model" -> its output columns (keys included)
    keys: dict[str, tuple[str, ...]]  # "hardware" / "model" -> the key axes its rows are joined on
    nulls: tuple[str, ...]  # output columns NULL on every row (written nowhere)
    # "hardware" / "model" -> the key axes whose config_id terms that side's table sums (ID_TERMS);
    # empty: config_id is written in the fact table (a key axis that is in neither table)
    id_terms: dict[str, tuple[str, ...]]
    # output columns the views compute at query time from the study's formulas (``derived_columns``),
    # written nowhere, and each side's non-output columns their formulas read (kept in its dimension table)
    derived: tuple[str, ...] = ()
    hidden: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _sides(prepared) -> tuple[list[str], set[str], list[str], list[str]]:
    """The declared output columns of ``prepared``'s study, those NULL on every row, and each side's."""
    space = prepared.space
    declared = list(schema_columns(prepared.study.SCHEMA))
    nulls = set(prepared.study.null_columns(space))
    live = [c for c in declared if c not in nulls]
    keyed = set(KEY_AXES[prepared.spec.study])
    hardware = [c for c in live if c in space.hardware_side.columns]
    return declared, nulls, hardware, [c for c in live if c in space.model_side.columns and (
        c not in hardware or c in keyed)]


_JOIN_KEYS_LOCK = threading.Lock()  # ``model_join_keys``' cache entry, built by one thread


def model_join_keys(prepared) -> list[str]:
    """The model-side key axes a fact row of ``prepared``'s run holds (``minimal_keys`` of the model side's); once
    per space (``per_key.cached``: a run asks twice, its partition inputs and its layout; ~0.3 CPU s on training's
    187,350-row bench model side)."""
    def keys() -> list[str]:
        *_, model = _sides(prepared)
        return minimal_keys(prepared.space.model_side, [c for c in model if c in KEY_AXES[prepared.spec.study]])
    with _JOIN_KEYS_LOCK:  # a run asks from two threads at once (partition inputs, layout): computed once, not twice
        return list(per_key.cached("model_join_keys", (prepared.space,), keys))


def layout(prepared, dtypes: dict[str, pl.DataType] | None, model_keys: list[str] | None = None) -> Layout:
    """The layout of ``prepared``'s run; ``dtypes``: the plan's output dtypes (None: ``float32`` is left empty, the
    rest is the same: what the dimension tables need, known before the plan is built); ``model_keys``: the model-side
    key axes the fact table holds (default ``model_join_keys``; a Dask task is given its driver's: its own space's
    model side may be cut). The other model-side key axes are read from the model dimension table."""
    name, space = prepared.spec.study, prepared.space
    declared, nulls, hardware, model = _sides(prepared)
    live = [c for c in declared if c not in nulls]
    keyed = set(KEY_AXES[name])
    key = PARTITION_KEY[name]
    derived = [c for c in getattr(prepared.study, "QUERY_TIME", ()) if c in live and c not in keyed
               and c not in hardware + model]
    joined = model_join_keys(prepared) if model_keys is None else model_keys
    fact = [c for c in live if (c == key or c in keyed or c not in hardware + model) and c not in derived
            and (c in hardware or c not in model or c in joined)]
    read = formulas.inputs_used({c: None for c in fact + hardware + model + list(nulls)} | space.units, derived,
                                getattr(prepared.study, "FORMULAS", formulas.REGISTRY)) if derived else set()
    hidden = {s: tuple(c for c in side.columns if c in read and c not in dims)
              for s, side, dims in (("hardware", space.hardware_side, hardware), ("model", space.model_side, model))}
    keys = {"hardware": tuple(c for c in hardware if c in keyed), "model": tuple(c for c in model if c in keyed)}
    float32 = frozenset(() if dtypes is None else (c for c in fact if dtypes[c] == pl.Float64 and c not in keyed))
    terms = {"hardware": tuple(c for c in KEY_AXES[name] if c in keys["hardware"] or c in nulls)}
    terms["model"] = tuple(c for c in KEY_AXES[name] if c in keys["model"] and c not in terms["hardware"])
    if set(KEY_AXES[name]) - {*terms["hardware"], *terms["model"]}:
        terms = {}
    return Layout(name, tuple(fact), float32, {"hardware": tuple(hardware), "model": tuple(model)}, keys,
                  tuple(c for c in declared if c in nulls), terms, tuple(derived), hidden)


def dimension_path(root: Path | str, study: str, side: str) -> str:
    return f"{root}{DIMENSIONS}/{study}-{side}.parquet"


def dimension_frames(prepared, shape: Layout, texts: dict[str, int]) -> dict[str, pl.DataFrame]:
    """The two dimension tables of a run: each side's output columns, one row per key."""
    out = {}
    for side, frame in (("hardware", prepared.space.hardware_side), ("model", prepared.space.model_side)):
        rows = integral(frame.select(*shape.dimensions[side], *shape.hidden.get(side, ())), shape.study)
        keys = list(shape.keys[side])
        # rows whose keys are distinct are distinct: only a side with repeated keys pays for ``unique`` (0.2-0.3 CPU
        # s on training's 187,350-row bench model side, whose keys are distinct)
        distinct = bool(keys) and rows.select(keys).n_unique() == rows.height
        if keys and not distinct:
            rows = rows.unique(maintain_order=True)
            distinct = rows.select(keys).n_unique() == rows.height
        if not distinct:
            raise ValueError(f"{shape.study} {side} side: its key axes {keys} do not identify its rows")
        if shape.id_terms:  # the key axes NULL on every row (written nowhere) are summed as NULLs here
            names = shape.id_terms[side]
            nulls = {c: pl.lit(None, pl.String) for c in names if c not in rows.columns}
            rows = id_terms(rows.with_columns(**nulls), names, texts, alias=ID_TERMS).drop(list(nulls))
        out[side] = rows
    return out


def write_dimensions(prepared, shape: Layout, texts: dict[str, int], run_dir: Path, options: dict) -> None:
    """Write the two dimension tables with the fact parts' Parquet ``options`` (``partitions.parquet_options``; each
    table's own schema). polars' writer, not pyarrow's: pyarrow's first use in a process faults its allocator's
    (mimalloc's) memory in as huge pages; in the training bench's run this call took 0.35-0.44 CPU s with pyarrow,
    0.22-0.27 with polars (CHANGELOG wpath2)."""
    folder = run_dir / DIMENSIONS
    folder.mkdir(exist_ok=True)
    declared = schema_columns(prepared.study.SCHEMA)
    hidden = {c: unit_str(u) for c, u in prepared.space.units.items() if u is not None}  # derived columns' inputs
    for side, frame in dimension_frames(prepared, shape, texts).items():
        schema = arrow_schema(frame.lazy(), hidden | {c: d["unit"] for c, d in declared.items()},
                              {c: d["description"] for c, d in declared.items()})
        frame.write_parquet(dimension_path(f"{run_dir}/", shape.study, side), **options | {"arrow_schema": schema})


def field_units(fields) -> dict:
    """The units of a Parquet file's columns (``pa.Schema``) as the formulas read them: a number's from its
    field metadata (none: dimensionless), None for text and booleans."""
    return {f.name: unit((f.metadata or {}).get(b"unit", b"").decode())
            if pa.types.is_integer(f.type) or pa.types.is_floating(f.type) else None for f in fields}


def dictionary_units(study: str) -> dict:
    """The units of ``study``'s output columns as the formulas read them (None: text, booleans): a copy of the ones
    parsed once a process (the column dictionary is fixed; a database's study and memory views each read them)."""
    return dict(_dictionary_units(study))


@functools.cache
def _dictionary_units(study: str) -> dict:
    rows = output_dictionary().filter(pl.col("study") == study).select("column_name", "unit", "dtype").rows()
    return {c: unit(u or "") if d in ("Float64", "Int64") else None for c, u, d in rows}


def derived_formulas(study: str) -> dict:
    """The formula registry of ``study``'s query-time columns."""
    from pipeline.runs.prepared import STUDIES

    return getattr(STUDIES[study], "FORMULAS", formulas.REGISTRY)


def derived_plan(study: str, derived, available: dict) -> formulas.SqlPlan:
    """The study's query-time columns ``derived`` as SQL, from the columns ``available`` (column -> unit)."""
    return formulas.compile_sql(available, tuple(derived), derived_formulas(study))


def minimal_keys(rows: pl.DataFrame, keys: list[str]) -> list[str]:
    """``keys`` less each one (last first) without which the others still tell the distinct ``keys`` of ``rows``
    apart (NULL equal to NULL); at least one is kept. A fact row holds the keys of one row of each dimension table
    (the study's join made it from those two rows), so these fewer keys find the same row: on serving's bench spec
    the model side's 22 key axes come down to 6 (an axis constant in the run, or one the others determine, is left
    out; the fact table does not write it, the view reads it from the dimension table), and its view's joins on the
    fewest keys scanned in 0.13 CPU s instead of 0.25 (CHANGELOG wspeed)."""
    if not keys:
        return []
    varying = [c for c in keys if rows.get_column(c).n_unique() > 1]  # constant axes first, cheaply
    kept = varying or keys[:1]
    # a tuple's 64-bit hash: the wrapping sum of its columns' hashes, each column hashed once with its own seed
    # (training's bench model side, 10 varying keys: this function 0.23-0.25 CPU s, 0.28-0.32 with ``hash_rows`` of
    # each trial's columns)
    hashed = {c: rows.get_column(c).hash(seed=i) for i, c in enumerate(kept)}

    def distinct(columns: list[str]) -> int:
        return functools.reduce(operator.add, (hashed[c] for c in columns)).n_unique()

    whole = distinct(kept)
    for column in reversed(list(kept)):
        trial = [c for c in kept if c != column]
        if trial and distinct(trial) == whole:
            kept = trial
    # exact, once: a hash collision must not make a key look redundant; ``kept`` telling every row apart tells the
    # distinct ``keys`` apart without counting those (training's bench model side: 0.08-0.10 -> ~0.04 CPU s)
    found = rows.select(kept).n_unique()
    return kept if found == rows.height or found == rows.select(keys).n_unique() else list(keys)


def join_keys(path: Path | str, study: str, side: str, fact) -> list[str]:
    """The key axes a fact table with columns ``fact`` is joined on with the ``side`` dimension table at ``path``:
    those both hold, for the hardware side its fewest (``minimal_keys``; the model side's the writer chose)."""
    keys = [c for c in pq.read_schema(path).names if c in KEY_AXES[study] and c in fact]
    return minimal_keys(pl.read_parquet(path, columns=keys), keys) if side == "hardware" else keys


def is_narrow(run_dir: Path | str, study: str) -> bool:
    return Path(dimension_path(f"{run_dir}/", study, "hardware")).exists()


def stored(frame: pl.DataFrame, prepared) -> pl.DataFrame:
    """``frame`` (rows of ``prepared``'s plan) with the values a narrow run stores: each column of
    the fact table's Float32 ones rounded to Float32 and read back as Float64, as the views read it, and the
    query-time columns computed from those by the study's formulas, as the views compute them."""
    plan = prepared.study.build(prepared.space, prepared.space.hardware_side.head(0))
    shape = layout(prepared, plan.frame.collect_schema())
    rounded = frame.with_columns(pl.col(c).cast(pl.Float32).cast(pl.Float64) for c in frame.columns
                                 if c in shape.float32)
    if not shape.derived:
        return rounded
    joined = rounded.lazy().with_row_index("__row")
    for side, rows in (("hardware", prepared.space.hardware_side), ("model", prepared.space.model_side)):
        keys = list(shape.keys[side])
        extra = rows.select(*keys, *shape.hidden[side]).unique(keys, maintain_order=True)
        # a key's text, as Float64 first where numeric: the run writes integral axes (tp, pp, ...) as Int64
        text = [(pl.col(k).cast(pl.Float64) if rows.schema[k].is_numeric() else pl.col(k)).cast(pl.String)
                for k in keys]
        joined = joined.join(extra.lazy().with_columns(e.alias(f"{k}__key") for e, k in zip(text, keys)).drop(keys),
                             left_on=text, right_on=[f"{k}__key" for k in keys],
                             how="left", nulls_equal=True, maintain_order="left")
    units = {c: u for c, u in (prepared.space.units | dict(plan.units)).items() if c not in shape.derived}
    computed = formulas.plan(joined, units, shape.derived, derived_formulas(shape.study), keep=True).frame
    return rounded.with_columns(computed.sort("__row").select(shape.derived).collect())
