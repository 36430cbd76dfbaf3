"""Reading a narrow run (``pipeline.runs.narrow``) with the wide table's columns: the SELECT of its
study view in ``results.duckdb`` and the same join in polars (``scan_run``: ``mlsys runs diff``,
tests). A run written before the narrow fact table (no dimension tables) reads as written."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.runs.narrow import DUCKDB_TYPES, ID_TERMS, POLARS_TYPES, dimension_path, is_narrow
from pipeline.runs.partitions import part_files, study_glob
from pipeline.runs.typed import KEY_AXES, PARTITION_KEY, config_id_sql, id_from_terms, output_dictionary


def _columns(path: Path | str) -> dict[str, pa.DataType]:
    return {f.name: f.type for f in pq.read_schema(path)}


def view_source(run_dir: Path | str, base: str, study: str) -> str | None:
    """The SELECT of a narrow run's study view, the columns of the wide table in its order and
    dtypes (``base``: the run folder as the view names it, "" or an absolute path ending in /);
    None for a run written wide."""
    root = Path(base) if base else Path(run_dir)
    if not is_narrow(root, study):
        return None
    files = part_files(root, study)
    fact = _columns(files[0])
    hardware, model = (_columns(dimension_path(f"{root}/", study, s)) for s in ("hardware", "model"))
    key = PARTITION_KEY[study]
    select = []
    for name, dtype in output_dictionary().filter(pl.col("study") == study).select("column_name", "dtype").rows():
        if name == "config_id" and name not in fact and ID_TERMS in hardware and ID_TERMS in model:
            terms = f'h."{ID_TERMS}"::UHUGEINT + m."{ID_TERMS}"::UHUGEINT'
            select.append(f'{config_id_sql(terms)} AS "config_id"')
        elif name in fact:
            cast = fact[name] == pa.float32() or name == key
            select.append(f'CAST(f."{name}" AS {DUCKDB_TYPES[dtype]}) AS "{name}"' if cast else f'f."{name}"')
        elif name in hardware:
            select.append(f'h."{name}"')
        elif name in model:
            select.append(f'm."{name}"')
        else:
            select.append(f'CAST(NULL AS {DUCKDB_TYPES[dtype]}) AS "{name}"')

    def on(alias: str, columns: dict) -> str:  # the dimension's key axes, NULL equal to NULL
        return " AND ".join(f'f."{c}" IS NOT DISTINCT FROM {alias}."{c}"' for c in columns if c in KEY_AXES[study])

    return (f"SELECT {', '.join(select)} FROM read_parquet('{base}{study_glob(study)}', hive_partitioning = true, "
            f"hive_types = {{'study': VARCHAR, '{key}': VARCHAR}}) f "
            f"LEFT JOIN read_parquet('{dimension_path(base, study, 'hardware')}') h ON {on('h', hardware)} "
            f"LEFT JOIN read_parquet('{dimension_path(base, study, 'model')}') m ON {on('m', model)}")


def wide_scan(run_dir: Path | str, study: str) -> pl.LazyFrame:
    """The rows of a narrow run as the view shows them, in polars: the fact parts joined with the
    dimension tables, Float32 values as Float64, NULL columns typed (``mlsys runs diff``)."""
    root = Path(run_dir)
    fact = pl.scan_parquet(part_files(root, study), hive_partitioning=False)
    names = fact.collect_schema()
    joined = fact
    for side in ("hardware", "model"):
        dim = pl.scan_parquet(dimension_path(f"{root}/", study, side))
        keys = [c for c in dim.collect_schema() if c in KEY_AXES[study]]
        keep = [c for c in dim.collect_schema() if c not in names or c in keys]
        dim = dim.select(keep).rename({ID_TERMS: f"{ID_TERMS}_{side}"}, strict=False)
        joined = joined.join(dim, on=keys, how="left", nulls_equal=True, maintain_order="left")
    present = joined.collect_schema()
    if "config_id" not in present and f"{ID_TERMS}_hardware" in present:  # derived, as the view does
        joined = id_from_terms(joined.with_columns(config_id=pl.col(f"{ID_TERMS}_hardware") + pl.col(
            f"{ID_TERMS}_model")))
        present = joined.collect_schema()
    dictionary = output_dictionary().filter(pl.col("study") == study).select("column_name", "dtype").rows()
    return joined.select(
        pl.col(c).cast(POLARS_TYPES[d]) if c in present else pl.lit(None, POLARS_TYPES[d]).alias(c)
        for c, d in dictionary)


def scan_run(run_dir: Path | str, study: str | None = None) -> pl.LazyFrame:
    """A run's rows with the columns of its view: a narrow run's fact table joined with its
    dimension tables (``wide_scan``), a run written wide as written."""
    study = study or json.loads((Path(run_dir) / "manifest.json").read_text())["study"]
    if is_narrow(run_dir, study):
        return wide_scan(run_dir, study)
    return pl.scan_parquet(part_files(Path(run_dir), study), hive_partitioning=False)
