"""DuckDB over a run directory: views on the Parquet results, named queries from sql/.

Views read the study's Hive partitions (``pipeline.runs.partitions``) and the catalogs' copies
with paths relative to the run directory, and every connection sets DuckDB's
``file_search_path`` to the run directory, because DuckDB resolves relative Parquet
paths against the working directory, not the database file. So a run directory can
be renamed or moved and ``results.duckdb`` still works (from the DuckDB CLI, open it
from inside the run directory or ``SET file_search_path`` the same way).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import polars as pl

from pipeline.errors import InputError, Problem, UnknownNameError, did_you_mean

RUN_NAME = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}(-\d+)?$")
DATABASE = "results.duckdb"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the pipeline package


QUERY_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")  # a file stem: no separator, no leading dot


def sql_dir() -> Path:
    inside = PACKAGE_DIR / "sql"
    return inside if inside.is_dir() else PACKAGE_DIR.parent / "sql"


def query_names(folder: str | Path | None = None) -> list[str]:
    """Named queries: ``sql/*.sql``, or the ``*.sql`` files of a user's query folder."""
    return sorted(p.stem for p in Path(folder or sql_dir()).glob("*.sql") if QUERY_NAME.match(p.stem))


def query_path(name: str, folder: str | Path | None = None) -> Path:
    """The file of query ``name``: a name from ``sql/`` (or from ``folder``, a query folder the user
    named), never a path. Traversal (``../x``), absolute paths and links out of the folder are
    unknown names."""
    base = Path(folder or sql_dir()).resolve()
    if folder is not None and not base.is_dir():
        raise InputError("query", [Problem(None, "--queries", f"{folder} is not a folder of .sql files")])
    path = (base / f"{name}.sql").resolve() if QUERY_NAME.match(name) else None
    if path is None or path.parent != base or not path.is_file():
        raise UnknownNameError(f"query (in {base})", [(None, name, query_names(base))])
    return path


def runs(out_dir: str | Path) -> list[Path]:
    """Complete runs under ``out_dir``, oldest first by the manifest's creation time
    (microseconds; the run id's timestamp has whole seconds only), then by when the
    manifest was written."""
    out = Path(out_dir)
    if not out.is_dir():
        return []
    complete = [p for p in out.iterdir()
                if p.is_dir() and RUN_NAME.match(p.name) and (p / "manifest.json").exists()]

    def created(run: Path) -> tuple[str, int]:
        manifest = run / "manifest.json"
        try:
            stamp = json.loads(manifest.read_text()).get("created_utc", "")
        except (OSError, ValueError):
            stamp = ""
        return stamp, manifest.stat().st_mtime_ns  # ties (same clock reading): written last is newest

    return sorted(complete, key=created)


def run_study(run: Path) -> str | None:
    try:
        return json.loads((run / "manifest.json").read_text()).get("study")
    except (OSError, ValueError):
        return None


def resolve_run(run: str | Path | None, out_dir: str | Path = "outputs", study: str | None = None) -> Path:
    """A run directory: a path, a run id under ``out_dir``, or (None) the newest complete run (of
    ``study`` when given: the study a query reads)."""
    if run is not None:
        for candidate in (Path(run), Path(out_dir) / str(run)):
            if (candidate / "manifest.json").exists():
                return candidate
        known = [p.name for p in runs(out_dir)]
        hint = did_you_mean(str(run), known)
        raise InputError("run", [Problem(None, None, f"no run {str(run)!r}: expected a run id under {out_dir} "
                                                     f"(`mlsys runs list --out {out_dir}` lists {len(known)}) or a "
                                                     f"run folder's path{hint}")])
    found = [r for r in runs(out_dir) if study is None or run_study(r) == study]
    if not found:
        kind = f"{study} run" if study else "run"
        spec = {"node": "", "serving": " --spec serving", "training": " --spec training"}.get(study or "", "")
        hint = "run `mlsys validate` first" if study == "validation" else f"run `mlsys sweep{spec}` first"
        raise InputError("query", [Problem(None, None, f"no complete {kind} under {Path(out_dir).resolve()}; "
                                                       f"{hint}")])
    return found[-1]


# The storage format results.duckdb is written in: DuckDB 1.1's, which DuckDB 1.1 and later (the
# clients BI drivers embed) open; DuckDB 2.x's default (storage version 69) they refuse ("can only
# read 64-68"). https://duckdb.org/docs/stable/internals/storage#storage-version
STORAGE_COMPATIBILITY = "v1.1.0"


def connect(run_dir: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    run_dir = Path(run_dir).resolve()
    config = {} if read_only else {"storage_compatibility_version": STORAGE_COMPATIBILITY}
    con = duckdb.connect(str(run_dir / DATABASE), read_only=read_only, config=config)
    con.execute("SET file_search_path = ?", [str(run_dir)])
    return con


def confined(run_dir: str | Path, keys: bool = True) -> duckdb.DuckDBPyConnection:
    """A read-only connection that can read files of ``run_dir`` and nothing else: DuckDB's
    external access is off except for the run directory (``allowed_directories``/``allowed_paths``;
    a view's relative path is checked as written and as resolved, so each entry of the run
    directory is allowed in both forms), extensions are neither installed nor loaded, and the
    configuration is locked so a query cannot undo it
    (https://duckdb.org/docs/stable/operations_manual/securing_duckdb/overview). ``keys``: a run written before its
    keys view or memory view gets them (``keys_before``); False for SQL that names neither (``names_keys_view``)."""
    run_dir = Path(run_dir).resolve()
    con = connect(run_dir)
    entries = sorted(run_dir.iterdir())
    directories = [f"{run_dir}/"] + [f"{p.name}/" for p in entries if p.is_dir()]
    files = [p.name for p in entries if p.is_file() and p.suffix == ".parquet"]
    if keys:
        keys_before(con, run_dir)
    con.execute("SET allowed_directories = ?", [directories])
    con.execute("SET allowed_paths = ?", [files])
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET lock_configuration = true")
    return con


def names_keys_view(sql: str) -> bool:
    """Whether ``sql`` names a study's keys or memory view (``views.column_views``; DuckDB's names are
    case-insensitive): SQL that does not cannot read one, and its connection skips ``keys_before``'s catalog query
    (0.006-0.008 CPU s of each query's, ~1 % of design_space_map's on the node bench's run)."""
    from pipeline.runs.views import column_views

    text = sql.lower()
    return any(name in text for study in STUDY_VIEWS for name in column_views(study))


def keys_before(con: duckdb.DuckDBPyConnection, run_dir: Path) -> None:
    """A run written before its study's keys, memory or lengths view (``views.column_views``; the lengths one a table
    in a run's own database): each missing one as a temporary view over the study view, so a query reading it runs
    there too (at the study view's cost)."""
    from pipeline.runs.views import column_view_over_view, column_views

    study = run_study(run_dir)
    if study not in STUDY_VIEWS:
        return
    wanted = column_views(study)
    marks = ", ".join("?" * len(wanted))
    held = {r[0] for r in con.execute(f"SELECT view_name FROM duckdb_views() WHERE view_name IN ({marks}) UNION ALL "
                                      f"SELECT table_name FROM duckdb_tables() WHERE table_name IN ({marks})",
                                      wanted + wanted).fetchall()}
    for name in wanted:
        if name not in held:
            con.execute(f"CREATE TEMP VIEW {name} AS {column_view_over_view(study, name)}")


STUDY_VIEWS = ("node", "serving", "training")  # views over a study's partitions (others: one Parquet file)
KEYS_COMMENT = ("each row of {study} with its key axes alone (the configuration''s coordinates: the same values, "
                "dtypes and order; descriptions on the columns of {study}), cheaper to scan for their range or count")
MEMORY_COMMENT = ("each row of {study} with its key axes and its layout''s memory terms alone (the same values, "
                  "dtypes and order; descriptions on the columns of {study}), cheaper to read for them")


def parquet_source(glob: str, study: str | None) -> str:
    """The FROM clause of a view: a study's Hive partitions (``study=<study>/<key>=<value>/``, the
    partition columns typed as text so that a name like ``4090`` stays text; ``study`` is left
    out, the key equals the column it is named after) or one Parquet file."""
    if study is None:
        return f"read_parquet('{glob}')"
    from pipeline.runs.typed import PARTITION_KEY

    return (f"(SELECT * EXCLUDE (study) FROM read_parquet('{glob}', hive_partitioning = true, "
            f"hive_types = {{'study': VARCHAR, '{PARTITION_KEY[study]}': VARCHAR}}))")


def run_views(run_dir: str | Path, study: str, tables, absolute: bool = False) -> dict[str, tuple[str, str | None]]:
    """The views of a run: its study's partitions and each catalog table; paths relative to the run
    folder (``absolute``: resolved, for a database that lives elsewhere, see ``pipeline.runs.publish``)."""
    from pipeline.runs.partitions import study_glob

    base = f"{Path(run_dir).resolve()}/" if absolute else ""
    return {study: (base + study_glob(study), study)} | {t: (f"{base}catalogs/{t}.parquet", None) for t in tables}


def body_macro(view: str) -> str:
    """The table macro holding a narrow study view's SELECT (the fact parts joined with the dimension tables and
    the query-time columns, ``pipeline.runs.views.view_source``); the view is ``SELECT * FROM <view>_rows('')``
    (``MACRO_FOLDER``: the run folder as the view names it), the same columns and rows. DuckDB copies a view's whole
    parse tree for each ``COMMENT ON COLUMN``: over serving's 38 kB SELECT its 161 comments took 0.25-0.42 s, over
    the one-line view 0.03-0.07 s (CHANGELOG wspeed)."""
    return f"{view}_rows"


# the body macro's parameter, the folder its files are read from (``views.sql_path``: the macro is not bound twice)
MACRO_FOLDER = "folder"


def create_database(run_dir: Path, views: dict[str, tuple[str, str | None] | str], tables: dict[str, pl.DataFrame],
                    name: str = DATABASE) -> None:
    """Write ``results.duckdb``: a view per Parquet source (``run_views``; a plain glob: one Parquet
    file or glob without partitions), small tables, and on each study view's columns a comment with
    the column's description and unit (``COMMENT ON COLUMN``)."""
    from pipeline.runs.views import (LENGTHS, MEMORY_TERMS, keys_source, keys_view, lengths_over_keys, lengths_view,
                                     memory_source, memory_view, view_source)
    from pipeline.runs.partitions import study_glob
    from pipeline.scalar_sql import literal
    from pipeline.runs.typed import column_comment, output_dictionary

    views = {v: source if isinstance(source, tuple) else (source, None) for v, source in views.items()}
    reads: dict = {}  # the run's files as its views' SELECTs read them: once (``views._once``)

    run_dir = Path(run_dir).resolve()
    config = {"storage_compatibility_version": STORAGE_COMPATIBILITY}
    con = duckdb.connect(str(run_dir / name), config=config)
    con.execute("SET file_search_path = ?", [str(run_dir)])
    try:
        # one transaction: a comment costs ~1 ms in it, ~14 ms on its own; the views, macros and tables in it too
        # (the node bench's database 0.154 -> 0.129 CPU s, medians of 10, CHANGELOG nodekeys)
        con.execute("BEGIN")
        for view, (glob, study) in views.items():
            base = None if study is None else glob.removesuffix(study_glob(study))
            narrow = None if study is None else view_source(run_dir, base, study, MACRO_FOLDER, reads=reads)
            if narrow:  # the join in a table macro, the view a one-line SELECT over it (``body_macro``)
                con.execute(f"CREATE MACRO {body_macro(view)}({MACRO_FOLDER}) AS TABLE {narrow}")
                narrow = f"SELECT * FROM {body_macro(view)}({literal(base)})"
            con.execute(f"CREATE VIEW {view} AS {narrow or f'SELECT * FROM {parquet_source(glob, study)}'}")
            if study is not None and view == study:  # its key axes alone (``views.keys_source``)
                keys = keys_view(study)
                con.execute(f"CREATE VIEW {keys} AS {keys_source(run_dir, base, study, reads)}")
                con.execute(f"COMMENT ON VIEW {keys} IS '{KEYS_COMMENT.format(study=study)}'")
                if study in MEMORY_TERMS:  # its key axes and memory terms alone (``views.memory_source``)
                    memory = memory_view(study)
                    con.execute(f"CREATE VIEW {memory} AS {memory_source(run_dir, base, study, reads)}")
                    con.execute(f"COMMENT ON VIEW {memory} IS '{MEMORY_COMMENT.format(study=study)}'")
                if study in LENGTHS and lengths_view(study) not in tables:  # exact, over every row (``runs.write``)
                    con.execute(f"CREATE VIEW {lengths_view(study)} AS {lengths_over_keys(study)}")
        for table, frame in tables.items():
            con.register("_frame", frame.to_arrow())
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM _frame")
            con.unregister("_frame")
        studies = [v for v, (_g, study) in views.items() if study is not None]
        described = output_dictionary().filter(pl.col("study").is_in(studies))
        for r in described.iter_rows(named=True):
            con.execute(f"""COMMENT ON COLUMN {r["study"]}."{r["column_name"]}" IS """
                        f"""'{column_comment(r["unit"], r["description"]).replace("'", "''")}'""")
        con.execute("COMMIT")
    finally:
        con.close()


def exact_lengths(run_dir: Path, study: str) -> None:
    """Replace the lengths table of a run's database (``views.lengths_view``) by the pairs of every row of the run
    (``runs.write.model_lengths``: when its model side's pairs may not be its rows')."""
    from pipeline.runs.views import lengths_over_keys, lengths_view

    con = connect(run_dir, read_only=False)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {lengths_view(study)} AS {lengths_over_keys(study)}")
    finally:
        con.close()


_PARAM = re.compile(r"^--\s*param\s+([A-Za-z_]\w*)\s*(?:=\s*(.+?))?\s*(?::.*)?$")
_READS = re.compile(r"^--\s*reads:\s*(\$?[A-Za-z_]\w*)\s*$")


def query_params(sql: str) -> dict[str, str | None]:
    """Parameters a query declares in its header: ``-- param name = default`` (no default: required)."""
    out = {}
    for line in sql.splitlines():
        m = _PARAM.match(line.strip())
        if m:
            out[m.group(1)] = m.group(2)
    return out


def query_reads(sql: str, params: dict[str, str] | None = None) -> str | None:
    """The study whose results a query reads, from its header ``-- reads: node`` (or ``-- reads:
    $table``: the value of that parameter); None when the header does not say."""
    for line in sql.splitlines():
        m = _READS.match(line.strip())
        if m:
            name = m.group(1)
            return (params or {}).get(name[1:]) or query_params(sql).get(name[1:]) if name[0] == "$" else name
    return None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def typed_params(name: str, declared: dict[str, str | None], given: dict[str, str]) -> dict[str, int | float | str]:
    """Each parameter typed by its declaration: a whole-number default takes integers, a decimal
    default takes numbers, a text or required parameter takes text as given (``model=123`` is the
    name "123"). A value of the wrong type is an input error naming the parameter."""
    out, problems = {}, []
    for key, default in declared.items():
        text = given.get(key, default)
        number = _number(default) if default is not None else None
        if number is None:
            out[key] = text
            continue
        value = _number(text)
        whole = float(number).is_integer() and not any(c in default for c in ".eE")
        if value is None or (whole and not value.is_integer()):
            problems.append(Problem(None, key, f"got {text!r}, expected {'an integer' if whole else 'a number'}"))
            continue
        out[key] = int(value) if whole else value
    if problems:
        raise InputError(f"query {name!r}", problems)
    return out


_TEMP_MACRO = re.compile(r"create\s+(or\s+replace\s+)?temp(orary)?\s+macro\s", re.IGNORECASE)


def _uncommented(statement) -> str:
    return re.sub(r"--[^\n]*|/\*.*?\*/", "", statement.query, flags=re.S).strip()


def _kind(statement) -> str:
    """A statement's type, MACRO for ``CREATE [OR REPLACE] TEMP MACRO``."""
    kind = str(statement.type).rsplit(".", 1)[-1]
    return "MACRO" if kind == "CREATE" and _TEMP_MACRO.match(_uncommented(statement)) else kind


def only_select(name: str, sql: str) -> None:
    """A named query is one SELECT statement, after the temp macros it defines for itself (``CREATE [OR REPLACE]
    TEMP MACRO``, gone with its connection): COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET and every
    other statement are rejected before anything runs."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise InputError(f"query {name!r}", [Problem(None, None, f"does not parse: {exc}")]) from None
    kinds = [_kind(s) for s in statements]
    if kinds[-1:] != ["SELECT"] or set(kinds[:-1]) - {"MACRO"}:  # named by the first word (INSTALL types as LOAD)
        words = [(_uncommented(s).split() or ["?"])[0].upper() for s in statements]
        raise InputError(f"query {name!r}", [Problem(None, None, f"holds {', '.join(words) or 'no'} statement(s); "
                                                                 "a query is one SELECT statement (after the temp "
                                                                 "macros it defines, if any)")])


def run_query(name: str, run_dir: str | Path, params: dict[str, str] | None = None,
              folder: str | Path | None = None) -> pl.DataFrame:
    """Run query ``name`` (``sql/<name>.sql``, or from ``folder``) against a run: one SELECT (after its own temp
    macros, ``only_select``), on a confined read-only connection, with parameters typed and bound (never formatted
    into SQL)."""
    sql = query_path(name, folder).read_text()
    declared = query_params(sql)
    params = dict(params or {})
    problems = [Problem(None, k, f"unknown parameter; {name} takes {', '.join(declared) or 'none'}")
                for k in params if k not in declared]
    problems += [Problem(None, k, "required parameter missing (--param {k}=...)".replace("{k}", k))
                 for k, default in declared.items() if default is None and k not in params]
    if problems:
        raise InputError(f"query {name!r}", problems)
    bound = typed_params(name, declared, params)
    only_select(name, sql)
    con = confined(run_dir, keys=names_keys_view(sql))
    try:
        return pl.from_arrow(con.sql(sql, params=bound).to_arrow_table())
    except duckdb.PermissionException as exc:  # confined(): files outside the run's folder
        raise InputError(f"query {name!r}", [Problem(None, None, f"reads outside the run's folder, which a "
                                                                 f"query may not ({exc})")]) from None
    except duckdb.CatalogException as exc:  # the query reads another study's table
        study = run_study(Path(run_dir)) or "?"
        raise InputError(f"query {name!r}", [Problem(None, None, f"run {Path(run_dir).name} is a {study} run and "
                                                                 f"the query cannot read it ({exc}); pass --run "
                                                                 "with a run of the study the query reads")]) from None
    finally:
        con.close()
