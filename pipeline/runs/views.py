"""Reading a narrow run (``pipeline.runs.narrow``) with the wide table's columns: the SELECT of its
study view in ``results.duckdb`` and the same join in polars (``scan_run``: ``mlsys runs diff``,
tests). A run written before the narrow fact table (no dimension tables) reads as written. A study's query-time
columns (``QUERY_TIME``, written nowhere) are computed by its formulas: in SQL in the view (``formulas.compile_sql``),
in polars in ``scan_run``, from the same inputs."""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import formulas
from pipeline.runs.narrow import (DUCKDB_TYPES, ID_TERMS, POLARS_TYPES, derived_formulas, derived_plan,
                                  dictionary_units, dimension_path, field_units, is_narrow, join_keys)
from pipeline.scalar_sql import column, literal
from pipeline.runs.partitions import part_files, scan_parts, study_glob
from pipeline.runs.typed import KEY_AXES, PARTITION_KEY, config_id_sql, id_from_terms, output_dictionary


class _Fields(dict):
    """A Parquet file's columns: name -> Arrow type, iterating as its fields (``field_units``)."""

    def __init__(self, schema: pa.Schema) -> None:
        super().__init__((f.name, f.type) for f in schema)
        self.schema = schema


def _fields(path: Path | str) -> _Fields:
    return _Fields(pq.read_schema(path))


def _once(reads: dict | None, key: tuple, build):
    """``build()`` once per ``key`` in ``reads`` (one database's views read the same run: its fact and dimension
    tables' schemas and join keys, read once for the study view, its memory view and its keys view: the serving
    bench's three SELECTs ~0.066 CPU s cold, r-srv3m); every call without ``reads``."""
    if reads is None:
        return build()
    if key not in reads:
        reads[key] = build()
    return reads[key]


def fact_fields(root: Path, study: str) -> _Fields:
    """The columns of a run's fact table: its first part's, and the partition key, text, which the parts do not
    hold (``partitions.scan_parts``; a run written before holds it)."""
    schema = pq.read_schema(part_files(root, study)[0])
    key = PARTITION_KEY[study]
    return _Fields(schema if key in schema.names else schema.append(pa.field(key, pa.string())))


# A volatile column in the innermost level of the node view, read by nothing (the view's last SELECT leaves it out, so
# DuckDB's unused-column pass drops it before anything runs). DuckDB 2's partial aggregate pushdown first fuses every
# projection between an aggregate and a join into the aggregate's expressions
# (``PartialAggregatePushdown::FuseInterveningProjections``) unless one holds a volatile expression: node's shared
# terms (memory_time_s three times under latency_s and again under bound) are then copied into each use, inside CASE
# branches its common-subexpression pass leaves alone. Fenced, each level's term is computed once: design_space_map
# 0.80 -> 0.64 CPU s on the node bench's run, the same rows. Node only: serving's fits (0.26 -> 0.30) and
# training's fastest_layouts (0.54 -> 1.02) are slower fenced (CHANGELOG nodeq2).
FENCE, FENCE_NAME, FENCED = "random()", "__unfused", ("node",)


def view_source(run_dir: Path | str, base: str, study: str, folder: str | None = None,
                only: Collection[str] | None = None, reads: dict | None = None) -> str | None:
    """The SELECT of a narrow run's study view, the columns of the wide table in its order and
    dtypes (``base``: the run folder as the view names it, "" or an absolute path ending in /; ``folder``: a table
    macro's parameter that names it instead, ``sql_path``; ``only``: those of the columns alone, with the query-time
    levels they need, ``memory_source``; ``reads``: what the run's files gave a SELECT before, ``_once``); None for
    a run written wide."""
    root = Path(base) if base else Path(run_dir)
    if not is_narrow(root, study):
        return None
    fact, hardware, model = run_fields(root, study, reads)
    key = PARTITION_KEY[study]
    derived = query_time(study, fact, hardware, model)
    columns = output_dictionary().filter(pl.col("study") == study).select("column_name", "dtype").rows()
    if only is not None:
        columns = [(n, d) for n, d in columns if n in only]
    select = []
    for name, dtype in columns:
        if name == "config_id" and name not in fact and ID_TERMS in hardware and ID_TERMS in model:
            terms = f'h."{ID_TERMS}"::UHUGEINT + m."{ID_TERMS}"::UHUGEINT'
            select.append(f'{config_id_sql(terms)} AS "config_id"')
        elif name in hardware and name not in fact:
            select.append(f'h."{name}"')
        elif name not in derived:
            select.append(row_column(name, dtype, key, fact, model))

    source = (f"{fact_source(base, study, folder)} "
              f"{dimension_join(root, base, study, 'hardware', 'h', fact, hardware, folder, reads)} "
              f"{dimension_join(root, base, study, 'model', 'm', fact, model, folder, reads)}")
    asked = derived if only is None else [c for c in derived if c in only]
    if not asked:
        return f"SELECT {', '.join(select)} {source}"
    # the query-time columns: the formulas' SQL level by level over the joined row (the dimension tables' other
    # columns are the formulas' inputs there), then the wide table's columns in order
    shown = {name for name, _ in columns}
    select += [f'{alias}."{c}"' for alias, side in (("h", hardware), ("m", model)) for c in side
               if c not in shown and c != ID_TERMS] + ([f"{FENCE} AS {column(FENCE_NAME)}"] if study in FENCED else [])
    plan = derived_plan(study, asked, available(study, fact, hardware, model, derived))
    sql = f"SELECT {', '.join(select)} {source}"
    for level in plan.levels:
        sql = f"SELECT *, {', '.join(f'{e} AS {column(n)}' for n, e in level)} FROM ({sql})"
    # a derived column in the dictionary's dtype (training's tokens_per_step multiplies two integral axes: BIGINT)
    return f"SELECT {', '.join(cast_derived(n, d, derived) for n, d in columns)} FROM ({sql})"


def run_fields(root: Path, study: str, reads: dict | None = None) -> tuple[_Fields, _Fields, _Fields]:
    """The columns of a narrow run's fact table and of its hardware and model dimension tables (``_once``)."""
    return _once(reads, ("fields", str(root), study), lambda: (fact_fields(root, study), *(
        _fields(dimension_path(f"{root}/", study, s)) for s in ("hardware", "model"))))


def row_column(name: str, dtype: str, key: str, fact: dict, model: dict) -> str:
    """Column ``name`` of a narrow run's joined row (fact ``f``, model table ``m``) in the dictionary's ``dtype``:
    the fact table's (Float32 values and the partition key cast), else the model table's, else a typed NULL."""
    if name in fact:
        cast = fact[name] == pa.float32() or name == key
        return f'CAST(f."{name}" AS {DUCKDB_TYPES[dtype]}) AS "{name}"' if cast else f'f."{name}"'
    return f'm."{name}"' if name in model else f'CAST(NULL AS {DUCKDB_TYPES[dtype]}) AS "{name}"'


def sql_path(base: str, relative: str, folder: str | None = None) -> str:
    """A file of a run as SQL text: ``base`` + ``relative`` quoted, or with ``folder`` (a table macro's parameter
    naming the run folder) ``folder || 'relative'``. DuckDB (>= 1.4) binds a table macro's SELECT when it is created
    unless it reads a parameter it cannot resolve then, as a table function's argument (duckdb/duckdb#19196,
    #13671): the serving view's ~87 kB SELECT is then bound when its view is created, not a second time before
    (``database.create_database``: CREATE MACRO 0.101 -> 0.053 CPU s; r-srvspd3)."""
    return literal(f"{base}{relative}") if folder is None else f"{folder} || {literal(relative)}"


def fact_source(base: str, study: str, folder: str | None = None) -> str:
    """The FROM clause of a study's fact parts under ``base`` (alias ``f``; ``folder``: ``sql_path``'s), its
    partition key from the Hive path."""
    key = PARTITION_KEY[study]
    return (f"FROM read_parquet({sql_path(base, study_glob(study), folder)}, hive_partitioning = true, "
            f"hive_types = {{'study': VARCHAR, '{key}': VARCHAR}}) f")


def keys_view(study: str) -> str:
    """The view of a study's key axes (``keys_source``)."""
    return f"{study}_keys"


def key_columns(study: str) -> list[tuple[str, str]]:
    """The study's key axes (name, dtype) in its view's order."""
    rows = output_dictionary().filter(pl.col("study") == study).select("column_name", "dtype").rows()
    return [(n, d) for n, d in rows if n in KEY_AXES[study]]


def keys_over_view(study: str) -> str:
    """``keys_view``'s SELECT over the study view (a run written wide or before the view)."""
    return f"SELECT {', '.join(column(n) for n, _ in key_columns(study))} FROM {study}"


def keys_source(run_dir: Path | str, base: str, study: str, reads: dict | None = None) -> str:
    """The SELECT of ``keys_view``: each row of the study view with its key axes alone (``KEY_AXES``; the same
    values, dtypes and order), for a query that reads nothing else (the range or count of an axis). A narrow run's
    from the fact parts and, for the keys they leave out (``narrow.minimal_keys``), the model table: one LEFT JOIN,
    which DuckDB (>= 1.5) drops from a query that reads none of its columns. The study view joins the hardware table
    too, and DuckDB drops only the top join of a chain (CHANGELOG fitsq): one stays, over every fact row. A run
    written wide, or with a key the hardware table holds and the parts do not (no run of the three studies): the
    study view's key columns. ``reads``: ``view_source``'s."""
    columns = key_columns(study)
    root = Path(base) if base else Path(run_dir)
    if not is_narrow(root, study):
        return keys_over_view(study)
    fact, hardware, model = run_fields(root, study, reads)
    if any(n in hardware and n not in fact for n, _ in columns):
        return keys_over_view(study)
    joined = {n: t for n, t in model.items() if n in KEY_AXES[study] and n not in fact}
    join = dimension_join(root, base, study, "model", "m", fact, joined, reads=reads) if joined else ""
    select = ", ".join(row_column(n, d, PARTITION_KEY[study], fact, joined) for n, d in columns)
    return f"SELECT {select} {fact_source(base, study)} {join}"


# The memory view's columns besides the key axes: a layout's devices and its memory breakdown (what fits reads).
MEMORY_TERMS = {"serving": ("ep", "devices_per_replica", "fits_in_hbm", "weights_per_device_bytes", "kv_cache_bytes",
                            "kv_cache_bytes_per_device", "activation_bytes_per_device", "memory_limit_bytes",
                            "memory_reserve_bytes", "memory_per_device_bytes", "memory_headroom_bytes")}


def memory_view(study: str) -> str:
    """The view of a study's key axes and memory terms (``memory_source``)."""
    return f"{study}_memory"


def memory_columns(study: str) -> list[str]:
    """``memory_view``'s columns: the key axes and ``MEMORY_TERMS``, in the study view's order."""
    rows = output_dictionary().filter(pl.col("study") == study).get_column("column_name").to_list()
    return [n for n in rows if n in KEY_AXES[study] or n in MEMORY_TERMS[study]]


# The columns of a study's lengths table (``lengths_view``): serving's (prompt_len, output_len) pairs.
LENGTHS = {"serving": ("prompt_len", "output_len")}


def lengths_view(study: str) -> str:
    """The table (or, in a run written before it or a published database, the view) of the distinct pairs of a study's
    ``LENGTHS`` in its rows: what fits reads for the run's longest context (``runs.write``)."""
    return f"{study}_lengths"


def lengths_over_keys(study: str) -> str:
    """``lengths_view``'s SELECT over the keys view: exact for any run, at the cost of a scan of every row (the
    serving bench's run: 3.26 M rows grouped into 12 pairs, ~0.05 of fits' ~0.2 CPU s)."""
    names = ", ".join(map(column, LENGTHS[study]))
    return f"SELECT {names} FROM {keys_view(study)} GROUP BY {names}"


def column_views(study: str) -> list[str]:
    """A study's views of a few of its columns: its ``keys_view``, and its ``memory_view`` and ``lengths_view`` where
    it has them."""
    return [keys_view(study), *([memory_view(study)] if study in MEMORY_TERMS else []),
            *([lengths_view(study)] if study in LENGTHS else [])]


def column_view_over_view(study: str, name: str) -> str:
    """The SELECT of ``column_views``' ``name`` over the study view (a run written wide or before the view)."""
    return {keys_view(study): keys_over_view, memory_view(study): memory_over_view,
            lengths_view(study): lengths_over_keys}[name](study)


def memory_over_view(study: str) -> str:
    """``memory_view``'s SELECT over the study view (a run written wide or before the view)."""
    return f"SELECT {', '.join(map(column, memory_columns(study)))} FROM {study}"


def memory_source(run_dir: Path | str, base: str, study: str, reads: dict | None = None) -> str:
    """The SELECT of ``memory_view``: each row of the study view with its key axes and memory terms alone (the same
    values, dtypes and order), the study view's join with the query-time levels those terms need only. DuckDB binds a
    view's whole SELECT for every query that reads it (serving's 15 levels of 37 query-time columns, ~90 kB: 0.05-0.06
    CPU s, twice for a query through the client's relation), before it drops the columns the query does not read: fits
    over this view (7 levels, ~16 kB) took 0.15 s of wall instead of 0.28 on the serving bench's run (r-srvfix). A run
    written wide: the study view's columns. ``reads``: ``view_source``'s."""
    return view_source(run_dir, base, study, only=frozenset(memory_columns(study)), reads=reads) or memory_over_view(
        study)


def dimension_join(root: Path, base: str, study: str, side: str, alias: str, fact: dict, columns: dict,
                   folder: str | None = None, reads: dict | None = None) -> str:
    """The LEFT JOIN of the ``side`` dimension table (its ``columns``) on its join keys, NULL equal to NULL. When
    no key is NULL in the table, the table is read grouped by its keys (one row each already: ``any_value`` is
    its value) and joined with ``=``: DuckDB (>= 1.5, "join elimination", duckdb/duckdb#18043) then drops the join
    from a query that reads none of its columns (training's ``fastest_layouts`` subquery, ``max(gpus)``, joined
    3.9 M fact rows with the model table for nothing); DuckDB 1.1 reads the same rows by the same join. ``folder``:
    ``sql_path``'s; ``reads``: ``view_source``'s (the keys and their NULLs read once)."""
    path = dimension_path(f"{root}/", study, side)
    keys, nulls = _once(reads, ("join", path, tuple(fact)), lambda: _join_keys_nulls(path, study, side, fact))
    table = f"read_parquet({sql_path(base, dimension_path('', study, side), folder)})"
    if nulls:  # a CNN's seq_len
        return f"LEFT JOIN {table} {alias} ON " + " AND ".join(
            f'f."{c}" IS NOT DISTINCT FROM {alias}."{c}"' for c in keys)
    group = ", ".join(f'"{c}"' for c in keys)
    values = "".join(f', any_value("{c}") AS "{c}"' for c in columns if c not in keys)
    return (f"LEFT JOIN (SELECT {group}{values} FROM {table} GROUP BY {group}) {alias} ON "
            + " AND ".join(f'f."{c}" = {alias}."{c}"' for c in keys))


def _join_keys_nulls(path: str, study: str, side: str, fact: dict) -> tuple[list[str], int]:
    """``join_keys`` and the NULLs among those keys in the dimension table at ``path``."""
    keys = join_keys(path, study, side, fact)
    return keys, pl.scan_parquet(path).select(pl.sum_horizontal(pl.col(keys).null_count())).collect().item()


def cast_derived(name: str, dtype: str, derived: list[str]) -> str:
    return f"CAST({column(name)} AS DOUBLE) AS {column(name)}" if name in derived and dtype == "Float64" else column(
        name)


def query_time(study: str, fact: dict, hardware: dict, model: dict) -> list[str]:
    """The study's query-time columns that a run writes nowhere (a run written before keeps them in its fact
    table and reads them as written)."""
    from pipeline.runs.prepared import STUDIES

    return [c for c in getattr(STUDIES[study], "QUERY_TIME", ()) if c not in fact and c not in hardware
            and c not in model]


def available(study: str, fact: dict, hardware: dict, model: dict, derived: list[str]) -> dict:
    """Every column of a narrow run's joined row with its unit, as the query-time formulas read it."""
    units = dictionary_units(study)
    out = {c: u for c, u in units.items() if c not in derived}
    for fields in (hardware, model, fact):
        out |= {c: u for c, u in field_units(fields.schema).items() if c not in units and c != ID_TERMS}
    return out


def wide_scan(run_dir: Path | str, study: str) -> pl.LazyFrame:
    """The rows of a narrow run as the view shows them, in polars: the fact parts joined with the
    dimension tables, Float32 values as Float64, NULL columns typed (``mlsys runs diff``)."""
    root = Path(run_dir)
    fact = scan_parts(root, study)
    names = fact.collect_schema()
    joined = fact
    for side in ("hardware", "model"):
        dim = pl.scan_parquet(dimension_path(f"{root}/", study, side))
        keys = join_keys(dimension_path(f"{root}/", study, side), study, side, names)
        keep = [c for c in dim.collect_schema() if c not in names or c in keys]
        dim = dim.select(keep).rename({ID_TERMS: f"{ID_TERMS}_{side}"}, strict=False)
        joined = joined.join(dim, on=keys, how="left", nulls_equal=True, maintain_order="left")
    present = joined.collect_schema()
    if "config_id" not in present and f"{ID_TERMS}_hardware" in present:  # derived, as the view does
        joined = id_from_terms(joined.with_columns(config_id=pl.col(f"{ID_TERMS}_hardware") + pl.col(
            f"{ID_TERMS}_model")))
        present = joined.collect_schema()
    dictionary = output_dictionary().filter(pl.col("study") == study).select("column_name", "dtype").rows()
    fields = {"fact": fact_fields(root, study)} | {s: _fields(dimension_path(f"{root}/", study, s))
                                                   for s in ("hardware", "model")}
    derived = query_time(study, *fields.values())
    if derived:  # the query-time columns, by the same formulas in polars, from the values as the view reads them
        units = available(study, *fields.values(), derived)
        floats = [c for c, d in dictionary if d == "Float64" and c in present]
        joined = joined.with_columns(pl.col(c).cast(pl.Float64) for c in floats).with_columns(
            pl.lit(None, POLARS_TYPES[d]).alias(c) for c, d in dictionary if c not in present and c not in derived)
        joined = formulas.plan(joined, units, derived, derived_formulas(study), keep=True).frame
        present = joined.collect_schema()
    return joined.select(
        pl.col(c).cast(POLARS_TYPES[d]) if c in present else pl.lit(None, POLARS_TYPES[d]).alias(c)
        for c, d in dictionary)


def scan_run(run_dir: Path | str, study: str | None = None) -> pl.LazyFrame:
    """A run's rows with the columns of its view: a narrow run's fact table joined with its
    dimension tables (``wide_scan``), a run written wide as written."""
    study = study or json.loads((Path(run_dir) / "manifest.json").read_text())["study"]
    if is_narrow(run_dir, study):
        return wide_scan(run_dir, study)
    return scan_parts(run_dir, study)
