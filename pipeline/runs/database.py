"""DuckDB over a run directory: views on the Parquet results, named queries from sql/.

Views use paths relative to the run directory, and every connection sets DuckDB's
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

from pipeline.errors import InputError, Problem, UnknownNameError

RUN_NAME = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}(-\d+)?$")
DATABASE = "results.duckdb"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the pipeline package


def sql_dir() -> Path:
    inside = PACKAGE_DIR / "sql"
    return inside if inside.is_dir() else PACKAGE_DIR.parent / "sql"


def query_names() -> list[str]:
    return sorted(p.stem for p in sql_dir().glob("*.sql"))


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


def resolve_run(run: str | Path | None, out_dir: str | Path = "outputs") -> Path:
    """A run directory: a path, a run id under ``out_dir``, or (None) the newest complete run."""
    if run is not None:
        for candidate in (Path(run), Path(out_dir) / str(run)):
            if (candidate / "manifest.json").exists():
                return candidate
        raise UnknownNameError(f"run (under {out_dir})", [(None, str(run), [p.name for p in runs(out_dir)])])
    found = runs(out_dir)
    if not found:
        raise InputError("query", [Problem(None, None, f"no complete run under {Path(out_dir).resolve()}; "
                                                       "run `mlsys sweep` first")])
    return found[-1]


def connect(run_dir: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    run_dir = Path(run_dir).resolve()
    con = duckdb.connect(str(run_dir / DATABASE), read_only=read_only)
    con.execute("SET file_search_path = ?", [str(run_dir)])
    return con


def create_database(run_dir: Path, views: dict[str, str], tables: dict[str, pl.DataFrame]) -> None:
    """Write ``results.duckdb``: a view per Parquet glob (relative to ``run_dir``) and small tables."""
    con = connect(run_dir, read_only=False)
    try:
        for name, glob in views.items():
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{glob}')")
        for name, frame in tables.items():
            con.register("_frame", frame.to_arrow())
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM _frame")
            con.unregister("_frame")
    finally:
        con.close()


_PARAM = re.compile(r"^--\s*param\s+([A-Za-z_]\w*)\s*(?:=\s*(.+?))?\s*(?::.*)?$")


def query_params(sql: str) -> dict[str, str | None]:
    """Parameters a query declares in its header: ``-- param name = default`` (no default: required)."""
    out = {}
    for line in sql.splitlines():
        m = _PARAM.match(line.strip())
        if m:
            out[m.group(1)] = m.group(2)
    return out


def _typed(value: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def run_query(name: str, run_dir: str | Path, params: dict[str, str] | None = None) -> pl.DataFrame:
    """Run ``sql/<name>.sql`` against a run, with parameters bound (never formatted into SQL)."""
    path = sql_dir() / f"{name}.sql"
    if not path.exists():
        raise UnknownNameError("query", [(None, name, query_names())])
    sql = path.read_text()
    declared = query_params(sql)
    params = dict(params or {})
    problems = [Problem(None, k, f"unknown parameter; {name} takes {', '.join(declared) or 'none'}")
                for k in params if k not in declared]
    problems += [Problem(None, k, "required parameter missing (--param {k}=...)".replace("{k}", k))
                 for k, default in declared.items() if default is None and k not in params]
    if problems:
        raise InputError(f"query {name!r}", problems)
    bound = {k: _typed(params.get(k, default)) for k, default in declared.items()}
    con = connect(run_dir)
    try:
        return pl.from_arrow(con.sql(sql, params=bound).to_arrow_table())
    except duckdb.CatalogException as exc:  # the query reads another study's table
        study = json.loads((Path(run_dir) / "manifest.json").read_text()).get("study", "?")
        raise InputError(f"query {name!r}", [Problem(None, None, f"run {Path(run_dir).name} is a {study} run and "
                                                                 f"the query cannot read it ({exc}); pass --run "
                                                                 "with a run of the study the query reads")]) from None
    finally:
        con.close()
