"""Reading, validating and writing catalogs: Parquet with unit metadata, CSV with unit headers.

Every check reports every bad cell at once, by table, 1-based row number and column.
Writes are atomic (temporary file, then rename), so a rejected import writes nothing.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pandera.polars as pa
import polars as pl

from pipeline.catalogs import plausible, text_cells
from pipeline.catalogs.added_columns import add_missing
from pipeline.catalogs.paths import catalog_file, check_registry, registry_dir
from pipeline.catalogs.schemas import CATALOGS
from pipeline.errors import InputError, Problem
from pipeline.units import DimensionalityError, factor, unit, ureg


def catalog_path(table: str, registry: str | Path | None = None) -> Path:
    """A table in the user registry, falling back to the bundled one when absent there."""
    _check_table(table)
    return catalog_file(table, registry)


def _check_table(table: str) -> None:
    if table not in CATALOGS:
        from pipeline.errors import UnknownNameError

        raise UnknownNameError("catalog table", [(None, table, sorted(CATALOGS))])


def schema_units(table: str) -> dict[str, str | None]:
    """Column -> unit string ("" dimensionless) for numeric columns, None for text/bool/date."""
    out = {}
    for name, col in CATALOGS[table].to_schema().columns.items():
        out[name] = (col.metadata or {}).get("unit")
    return out


# -- validation --------------------------------------------------------------

_CHECK_TEXT = [
    (re.compile(r"^(duplicate key .*)$"), "{0}"),
    (re.compile(r"greater_than\((.+)\)"), "expected > {0}"),
    (re.compile(r"greater_than_or_equal_to\((.+)\)"), "expected >= {0}"),
    (re.compile(r"less_than_or_equal_to\((.+)\)"), "expected <= {0}"),
    (re.compile(r"str_length\(.*\)"), "expected non-empty text"),
    (re.compile(r"str_matches\(.*\)"), "expected an http(s) URL"),
    (re.compile(r"isin\((.+)\)"), "expected one of {0}"),
    (re.compile(r"field_uniqueness|unique"), "duplicate value; expected unique"),
    (re.compile(r"not_nullable"), "expected a value, got null"),
    (re.compile(r"finite"), "expected a finite number (not NaN or infinity)"),
    (re.compile(r"coerce_dtype"), "cannot be read as the schema's type"),
    (re.compile(r"dtype\('?(\w+)'?\)"), "expected type {0}"),
    (re.compile(r"column_in_schema"), "unknown column; not in the schema"),
    (re.compile(r"column_in_dataframe"), "missing column"),
]


def _describe_check(check: str) -> str:
    for pattern, template in _CHECK_TEXT:
        m = pattern.search(check)
        if m:
            return template.format(*m.groups())
    return f"fails check {check}"


def _uncoercible_column(df: pl.DataFrame, table: str, idx: int, case: object) -> str:
    declared = {name: col.dtype for name, col in CATALOGS[table].to_schema().columns.items()}
    differ = [c for c in df.columns if c in declared and str(df[c].dtype) != str(declared[c])]
    exact = [c for c in differ if str(df[c][idx]) == str(case) or (case is None and df[c][idx] is None)]
    return ", ".join(exact or differ) or table


def _pandera_problems(df: pl.DataFrame, exc: pa.errors.SchemaErrors, table: str) -> list[Problem]:
    units = schema_units(table)
    labels = df["name"].to_list() if "name" in df.columns else None
    problems = []
    for rec in exc.failure_cases.iter_rows(named=True):
        idx, column, check, case = rec.get("index"), rec.get("column"), str(rec.get("check")), rec.get("failure_case")
        if rec.get("schema_context") == "DataFrameSchema" and check == "column_in_schema":
            column, case = case, None
        elif rec.get("schema_context") == "DataFrameSchema" and check == "column_in_dataframe":
            column, case = case, None
        elif check.startswith("coerce_dtype") and column == table and idx is not None:
            # a frame-level coercion failure names the table, not the column: name the column(s) whose declared
            # type differs from the frame's and whose cell in this row is the failing value
            column = _uncoercible_column(df, table, int(idx), case)
        elif check == "multiple_fields_uniqueness":
            key = CATALOGS[table].Config.unique
            values = ", ".join(str(df[k][int(idx)]) for k in key) if idx is not None else ""
            column, case = ", ".join(key), None
            check = f"duplicate key ({values}); expected each ({column}) once"
        u = units.get(column) if column else None
        unit_note = f" ({u})" if u else ""
        got = "" if case is None or idx is None else f"got {case}, "
        row = None if idx is None else int(idx) + 1
        label = labels[int(idx)] if labels is not None and idx is not None and int(idx) < len(labels) else None
        problems.append(Problem(row, column, f"{got}{_describe_check(check)}{unit_note}", label))
    return problems


# Each framework-behaviour figure of the efficiency profiles and the column citing it.
FRAMEWORK_SOURCES = [("launch_overhead_per_kernel_s", "launch_source_url"), ("decode_cuda_graphs", "graph_source_url"),
                     ("scheduler_overhead_per_iteration_s", "scheduler_source_url"),
                     ("prefill_eager_host_per_kernel_s", "prefill_host_source_url"),
                     ("prefill_chunk_tokens", "chunk_source_url"),
                     ("custom_allreduce_max_bytes", "custom_allreduce_source_url"),
                     ("custom_allreduce_max_ranks", "custom_allreduce_source_url"),
                     ("window_kv_cache", "window_kv_source_url"), ("moe_row_copy", "moe_routing_source_url"),
                     ("moe_tile_m", "moe_tile_source_url"), ("moe_tile_max_tokens", "moe_tile_source_url"),
                     ("window_attention_models", "window_attention_source_url")]


def _row_rules(table: str) -> list[tuple[str, pl.Expr, str]]:
    """Cross-column rules pandera's per-column checks cannot state: (column, bad_when, expected)."""
    if table == "models":
        transformer = pl.col("model_type") != "cnn"
        rules = [(c, transformer & pl.col(c).is_null(), "expected a value for a transformer model")
                 for c in ("d_model", "n_heads", "n_kv_heads", "head_dim", "ffn_dim", "is_gated_mlp",
                           "vocab_size", "is_tied_embeddings", "max_context_tokens",
                           "position_embedding", "has_linear_bias", "norm_type", "n_dense_layers")]
        rules += [(c, ~transformer & pl.col(c).is_null(), "expected a value for a CNN")
                  for c in ("forward_flop_per_sample", "activation_elements_per_sample",
                            "input_resolution_px")]
        rules += [(c, pl.col("is_moe") & pl.col(c).is_null(), "expected a value for an MoE model")
                  for c in ("n_experts", "n_experts_per_token", "n_shared_experts", "expert_ffn_dim")]
        rules += [
            ("n_kv_heads", (pl.col("n_heads") % pl.col("n_kv_heads")) != 0,
             "expected a divisor of n_heads"),
            ("n_dense_layers", pl.col("n_dense_layers") > pl.col("n_layers"), "expected <= n_layers"),
            ("n_experts_per_token", pl.col("n_experts_per_token") > pl.col("n_experts"),
             "expected <= n_experts"),
            ("n_dense_layers", ~pl.col("is_moe") & (pl.col("n_dense_layers") != pl.col("n_layers")),
             "expected n_dense_layers == n_layers for a dense model"),
            ("sliding_window_layers", pl.col("sliding_window_layers") > pl.col("n_layers"), "expected <= n_layers"),
            ("sliding_window_layers", pl.col("sliding_window_layers").is_not_null()
             & pl.col("sliding_window_tokens").is_null(), "expected sliding_window_tokens with it"),
            ("kv_shared_layers", pl.col("kv_shared_layers") >= pl.col("n_layers"), "expected < n_layers"),
            ("quantized_layers", (pl.col("quantized_layers") == "experts") & ~pl.col("is_moe"),
             "expected an MoE model"),
            ("moe_layer_interval", pl.col("moe_layer_interval").is_not_null() & (
                pl.col("n_dense_layers") != pl.col("n_layers") - pl.col("n_layers") // pl.col("moe_layer_interval")),
             "expected n_dense_layers == n_layers - floor(n_layers / moe_layer_interval)"),
        ]
        return rules
    if table == "hardware":
        return [
            ("usable_memory_bytes", pl.col("usable_memory_bytes") > pl.col("memory_capacity_bytes"),
             "expected <= memory_capacity_bytes (a driver cannot report more than is built)"),
            ("usable_memory_source_url",
             pl.col("usable_memory_bytes").is_null() != pl.col("usable_memory_source_url").is_null(),
             "expected usable_memory_bytes and usable_memory_source_url both set or both null")]
    if table == "efficiency_profiles":
        fraction = ["memory_fraction", "memory_fraction_of", "memory_fraction_source_url"]
        return [rule for kind in ("compute", "memory", "link") for rule in [
            (f"eta_{kind}_high", pl.col(f"eta_{kind}_high") < pl.col(f"eta_{kind}_low"),
             f"expected >= eta_{kind}_low"),
            (f"eta_{kind}_high", pl.col(f"eta_{kind}_high").is_null() != pl.col(f"eta_{kind}_low").is_null(),
             f"expected eta_{kind}_low and eta_{kind}_high both set or both null")]] + [
            (c, pl.col(c).is_null() != pl.col("memory_fraction").is_null(),
             "expected memory_fraction, memory_fraction_of and memory_fraction_source_url all set or all null")
            for c in fraction[1:]] + [
            (c, pl.col(c).is_null() != pl.col(stated).is_null(), f"expected {stated} and {c} both set or both null")
            for stated, c in FRAMEWORK_SOURCES] + [
            ("graph_launch_s", pl.col("decode_cuda_graphs").fill_null(False)
             & (pl.col("graph_launch_s").is_null() | pl.col("graph_launch_per_kernel_s").is_null()),
             "expected graph_launch_s and graph_launch_per_kernel_s where decode_cuda_graphs is true")]
    if table == "kernel_efficiency":
        return [("training_attention_time_ratio_source", pl.col("training_attention_time_ratio").is_not_null()
                 & pl.col("training_attention_time_ratio_source").is_null(), "expected a source where "
                 "training_attention_time_ratio is set")]
    if table == "workloads":
        return _workload_rules()
    return []


def _workload_rules() -> list[tuple[str, pl.Expr, str]]:
    """Percentiles in order (p50 <= p90 <= p99 <= max, the mean within the range) where published,
    generations within the cap, and a fixed ISL/OSL stating both lengths."""
    rules = []
    for side in ("input", "output"):
        stats = [f"{side}_tokens_{s}" for s in ("p50", "p90", "p99", "max")]
        for i, high in enumerate(stats[1:], start=1):
            for low in stats[:i]:  # every published lower percentile, not only the adjacent one
                rules.append((high, pl.col(high) < pl.col(low), f"expected >= {low}"))
        rules.append((f"{side}_tokens_mean", pl.col(f"{side}_tokens_mean") > pl.col(f"{side}_tokens_max"),
                      f"expected <= {side}_tokens_max"))
    rules.append(("output_tokens_max", pl.col("output_tokens_max") > pl.col("output_cap_tokens"),
                  "expected <= output_cap_tokens (a generation cannot exceed its cap)"))
    rules += [(c, (pl.col("kind") == "fixed") & pl.col(c).is_null(), "expected a value for a fixed ISL/OSL")
              for c in ("input_tokens_mean", "output_tokens_mean")]
    return rules


def validate(df: pl.DataFrame, table: str, source: str | None = None) -> pl.DataFrame:
    """Validate a whole table; raise one ``InputError`` listing every bad cell."""
    _check_table(table)
    source = source or f"catalog {table!r}"
    df = add_missing(df, table, source)  # a registry made before a column was added still loads (issue 13 item 9)
    missing = [c for c in CATALOGS[table].to_schema().columns if c not in df.columns]
    if missing:  # every column is required, even where its values may be null
        raise InputError(source, [Problem(None, c, "missing column") for c in missing])
    try:
        out = CATALOGS[table].validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:  # with every text cell that is bad too: all at once
        problems = _pandera_problems(df, exc, table)
        seen = {(p.row, p.column) for p in problems}
        problems += [p for p in text_cells.problems(df) if (p.row, p.column) not in seen]
        raise InputError(source, sorted(problems, key=lambda p: (p.row or 0, p.column or ""))) from None
    problems = plausible.problems(out, table) + text_cells.problems(out)
    labels = out["name"].to_list() if "name" in out.columns else [None] * out.height
    for column, bad_when, expected in _row_rules(table):
        bad = out.with_row_index("_i").filter(bad_when.fill_null(False))
        for i, value in zip(bad["_i"].to_list(), bad[column].to_list(), strict=False):
            problems.append(Problem(i + 1, column, f"got {value}, {expected}", labels[i]))
    if problems:
        raise InputError(source, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    return out


# -- Parquet -------------------------------------------------------------------

def read_catalog(table: str, registry: str | Path | None = None) -> pl.DataFrame:
    """Read one catalog, check its Parquet unit metadata against the schema, validate it."""
    import pyarrow.parquet as pq  # pyarrow only where Parquet metadata is read or written

    check_registry(registry, tuple(CATALOGS))  # a mistyped --registry is an error, not the bundled catalogs
    path = catalog_path(table, registry)
    if not path.exists():
        raise InputError(f"catalog {table!r}", [Problem(None, None, f"file not found: {path}")])
    try:
        arrow = pq.read_table(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError: truncated, empty, not Parquet
        raise InputError(f"catalog {table!r} ({path})", [Problem(None, None, (
            f"is not a readable Parquet file ({exc}); restore it (`git checkout -- {path.name}` in a checkout) or "
            f"rebuild it from its CSV with `mlsys catalog import --csv <file> --table {table}`"))]) from None
    problems = []
    for column, expected in schema_units(table).items():
        if expected is None or column not in arrow.schema.names:
            continue
        meta = arrow.schema.field(column).metadata or {}
        got = meta.get(b"unit")
        if got is None:
            problems.append(Problem(None, column, f"Parquet field has no 'unit' metadata; expected {expected!r}"))
        elif not _same_unit(got.decode(), expected):
            problems.append(Problem(None, column, f"unit {got.decode()!r} in the file, expected {expected!r}"))
    if problems:
        raise InputError(f"catalog {table!r} ({path})", problems)
    return validate(pl.from_arrow(arrow), table, f"catalog {table!r} ({path})")


def _same_unit(given: str, expected: str) -> bool:
    try:
        return unit(given) == unit(expected)
    except Exception:  # pint raises several error types for text it cannot parse
        return False


def replace_atomically(write, path: Path) -> None:
    """Call ``write(tmp)`` on a hidden file beside ``path``, then rename it over ``path``: a
    reader sees the old file or the new one, never half of one. A device, pipe or folder at
    ``path`` is never replaced."""
    path = Path(path)
    if path.exists() and not path.is_file():
        raise InputError(str(path), [Problem(None, None, "exists and is not a regular file; expected a file name")])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def non_empty(df: pl.DataFrame, table: str, source: str | None) -> pl.DataFrame:
    """A whole table to write must hold a row: a registry with an empty table cannot sweep (not in
    ``validate``, which also checks what is left of a partly bad measurements file)."""
    if df.height == 0:
        raise InputError(source or f"catalog {table!r}", [Problem(None, None, "no rows; a catalog table holds at "
                                                                                "least one")])
    return df


def write_catalog(df: pl.DataFrame, table: str, registry: str | Path | None = None,
                  source: str | None = None) -> Path:
    """Validate (errors name ``source``), then write atomically with each numeric column's unit
    in its field metadata."""
    import pyarrow as pa_arrow
    import pyarrow.parquet as pq

    df = non_empty(validate(df, table, source), table, source)
    order = list(CATALOGS[table].to_schema().columns)
    arrow = df.select(order).to_arrow()
    units = schema_units(table)
    fields = [
        f.with_metadata({"unit": units[f.name]}) if units.get(f.name) is not None else f
        for f in arrow.schema
    ]
    arrow = arrow.cast(pa_arrow.schema(fields))
    path = registry_dir(registry) / f"{table}.parquet"
    replace_atomically(lambda tmp: pq.write_table(arrow, tmp, compression="zstd"), path)
    return path


# -- CSV with units in the header ("memory_bandwidth_bytes_per_s [B/s]") -------------

_HEADER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[(.*)\])?\s*$")


def export_csv(table: str, directory: str | Path, registry: str | Path | None = None) -> Path:
    df = read_catalog(table, registry)
    units = schema_units(table)
    renamed = {c: f"{c} [{units[c]}]" for c in df.columns if units.get(c) is not None}
    out = Path(directory) / f"{table}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(lambda tmp: text_cells.for_spreadsheet(df).rename(renamed).write_csv(tmp), out)
    return out


def read_csv(path: str | Path, table: str | None = None) -> tuple[str, pl.DataFrame]:
    """Parse a CSV export: check every header unit against the schema, convert compatible units."""
    path = Path(path)
    if table is None and path.stem not in CATALOGS:  # "my_gpus.csv": say where the table name came from
        from pipeline.errors import did_you_mean

        hint = did_you_mean(path.stem, sorted(CATALOGS))
        raise InputError(f"CSV {path}", [Problem(None, "--table", f"not given, and the file's name {path.stem!r} is "
                                                 f"not a catalog table; expected --table or a file named <table>.csv, "
                                                 f"one of {', '.join(sorted(CATALOGS))}{hint}")])
    table = table or path.stem
    _check_table(table)
    source = f"CSV {path} (table {table!r})"
    raw = pl.read_csv(path, infer_schema=False)  # all text: the schema coerces, errors name the cell
    units = schema_units(table)
    problems, renames, scale = [], {}, {}
    for header in raw.columns:
        m = _HEADER.match(header)
        if not m:
            problems.append(Problem(None, header, "expected a header like 'name' or 'name [unit]'"))
            continue
        column, given = m.group(1), m.group(2)
        if column in renames.values():
            problems.append(Problem(None, column, "appears twice in the header; expected once"))
            continue
        renames[header] = column
        expected = units.get(column)
        if expected is None:
            if given:
                problems.append(Problem(None, column, f"has unit [{given}] but the column is not numeric"))
            continue
        if given is None:
            problems.append(Problem(None, column, f"missing unit; expected header '{column} [{expected}]'"))
            continue
        try:
            k = factor(unit(given), unit(expected))
        except DimensionalityError:
            problems.append(Problem(None, column, f"unit [{given}] cannot be converted to [{expected}] "
                                                  f"({ureg.Unit(expected).dimensionality})"))
            continue
        except Exception:  # pint parse errors come in several types
            problems.append(Problem(None, column, f"unknown unit [{given}]; expected [{expected}]"))
            continue
        if k != 1.0:
            scale[column] = k
    if problems:
        raise InputError(source, problems)
    df = text_cells.from_spreadsheet(raw.rename(renames).with_columns(pl.col(pl.String).replace("", None)))
    dtypes = {n: str(c.dtype) for n, c in CATALOGS[table].to_schema().columns.items()}
    for column in df.columns:
        text_values = pl.col(column).str.strip_chars()
        kind = dtypes.get(column)
        if kind in ("Float64", "Int64"):
            parsed = text_values.cast(pl.Float64, strict=False) * scale.get(column, 1.0)
            if kind == "Int64":
                whole = parsed.is_finite() & (parsed.abs() < 2**53) & (parsed == parsed.round(0))
                parsed = pl.when(whole).then(parsed).cast(pl.Int64, strict=False)
            expected = "a number" if kind == "Float64" else "an integer"
        elif kind == "Boolean":
            parsed = text_values.str.to_lowercase().replace_strict(
                {"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
            expected = "true or false"
        elif kind == "Date":
            parsed = text_values.str.to_date("%Y-%m-%d", strict=False)
            expected = "a date YYYY-MM-DD"
        else:
            continue
        bad = df.with_row_index("_i").filter(pl.col(column).is_not_null() & parsed.is_null())
        labels = bad["name"].to_list() if "name" in bad.columns else [None] * bad.height
        for i, value, label in zip(bad["_i"].to_list(), bad[column].to_list(), labels, strict=False):
            problems.append(Problem(i + 1, column, f"got {value!r}, expected {expected}", label))
        df = df.with_columns(parsed.alias(column))
    if problems:
        _raise_with_validation(df, table, source, problems)
    return table, df


def _raise_with_validation(df: pl.DataFrame, table: str, source: str, problems: list[Problem]) -> None:
    """Report cells that could not be parsed together with every other bad cell of the table."""
    seen = {(p.row, p.column) for p in problems}
    try:
        validate(df, table, source)
    except InputError as exc:
        problems = problems + [p for p in exc.problems if (p.row, p.column) not in seen]
    raise InputError(source, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
