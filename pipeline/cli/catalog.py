"""``mlsys catalog``: check, list, show, export and import the catalogs; dump, diff and stale rows
for review (the logic is in ``pipeline.catalogs``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import RegistryOpt
from pipeline.cli.output import print_frame, print_pairs
from pipeline.errors import InputError, Problem

catalog_app = typer.Typer(no_args_is_help=True, help="Check, list, show, export and import the catalogs.")


@catalog_app.command("check")
def catalog_check(registry: RegistryOpt = None) -> None:
    """Validate every catalog (schema, units, provenance); exit 2 on the first bad table."""
    from pipeline.catalogs.load import load_catalogs

    cats = load_catalogs(registry)
    for table, path in cats.paths.items():
        typer.echo(f"ok  {table:<20} {cats.table(table).height:>4} rows  {path}")


@catalog_app.command("list")
def catalog_list(
    table: Annotated[str | None, typer.Argument(
        help="hardware, models, precisions, efficiency_profiles, clusters, regions, accelerator_costs, cloud_prices, "
             "measurements, storage, host_pipelines, workloads, kernel_efficiency or conv_layers")] = None,
    filters: Annotated[list[str] | None, typer.Option(
        "--filter", help="Part of a row's name, or column=value; case, spaces and punctuation ignored "
                         "(repeatable: every filter must match).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv (units in the header) or json.")] = "table",
    every_column: Annotated[bool, typer.Option("--all", help="Every column, not only the headline ones.")] = False,
    registry: RegistryOpt = None,
) -> None:
    """List the tables, the rows of one table, or (--filter without a table) the matching rows of every
    table that has the filters' columns."""
    from pipeline.catalogs.io import catalog_path, read_catalog, schema_units
    from pipeline.catalogs.schemas import CATALOGS
    from pipeline.catalogs.select import filter_rows
    from pipeline.catalogs.summary import LIST_COLUMNS

    check_format(fmt)
    if table is None and filters and not every_column:  # every table that has the filters' columns
        from pipeline.catalogs.select import filter_tables

        rows = filter_tables({t: read_catalog(t, registry) for t in CATALOGS}, filters)
        emit(rows, fmt, f"{rows.height} rows matching {' '.join(filters)}", {})
        return
    if table is None:
        if every_column or fmt != "table":
            raise InputError("catalog list", [Problem(None, "TABLE", "--format and --all need a table, or "
                                                                      "--filter")])
        for t in CATALOGS:
            typer.echo(f"{t:<20} {read_catalog(t, registry).height:>4} rows  {catalog_path(t, registry)}")
        return
    frame = filter_rows(read_catalog(table, registry), table, filters or [])
    if not every_column:
        frame = frame.select(LIST_COLUMNS.get(table, frame.columns))
    emit(frame, fmt, table, schema_units(table))
    if frame.height == 0 and filters:
        no_rows_note(table, filters, schema_units(table))


def no_rows_note(table: str, filters: list[str], units: dict[str, str | None]) -> None:
    """Why a filter may have matched nothing: a number compares in the column's unit, not the one a
    person says ("memory_capacity_bytes=80" for 80 GB; tryout)."""
    numeric = [f"{c} in {units[c]}" for c in dict.fromkeys(f.partition("=")[0].strip() for f in filters if "=" in f)
               if units.get(c)]
    hint = f"; numbers compare in the column's unit ({', '.join(numeric)})" if numeric else ""
    typer.echo(f"note: no {table} row matches {' '.join(filters)}{hint}", err=True)


@catalog_app.command("show")
def catalog_show(name: Annotated[str, typer.Argument(
                     help="A hardware, model, precision, cluster or workload name (case, spaces and "
                          "punctuation ignored).")],
                 registry: RegistryOpt = None) -> None:
    """Every column of one catalog row, with units and provenance."""
    import polars as pl

    from pipeline.catalogs.io import read_catalog, schema_units
    from pipeline.catalogs.names import resolve_across
    from pipeline.catalogs.summary import SHOW_TABLES
    from pipeline.errors import UnknownNameError

    frames = {table: read_catalog(table, registry) for table in SHOW_TABLES}
    found = resolve_across(name, {t: f["name"].to_list() for t, f in frames.items()})
    if found is None:
        raise UnknownNameError("catalog", [(None, name, [n for f in frames.values() for n in f["name"]])])
    table, name = found
    row = frames[table].filter(pl.col("name") == name)
    units = schema_units(table)
    print_pairs(f"{table}: {name}", [(c, units.get(c) or "", [v]) for c, v in row.row(0, named=True).items()],
                ["value"])


@catalog_app.command("export")
def catalog_export(csv: Annotated[Path, typer.Option("--csv", help="Directory for <table>.csv files.")],
                   table: Annotated[str | None, typer.Option("--table", help="One table (default: all).")] = None,
                   registry: RegistryOpt = None) -> None:
    """Write catalogs as CSV with units in the header ("memory_bandwidth_bytes_per_s [B/s]")."""
    from pipeline.catalogs.io import export_csv
    from pipeline.catalogs.schemas import CATALOGS

    for t in [table] if table else list(CATALOGS):
        typer.echo(export_csv(t, csv, registry))


@catalog_app.command("import")
def catalog_import(
    csv: Annotated[Path | None, typer.Option("--csv", help="A CSV export, edited (<table>.csv).")] = None,
    table: Annotated[str | None, typer.Option("--table", help="With --csv: table (default: the file's stem).")] = None,
    hf_config: Annotated[Path | None, typer.Option(
        "--hf-config", help="A local Hugging Face config.json: add (or replace, by name) a models row.")] = None,
    hf_repo: Annotated[str | None, typer.Option(
        "--hf-repo", help="A Hugging Face repository id (org/name): fetch its config.json (needs the [hf] extra, "
                          "huggingface_hub, and a network; gated repositories: huggingface-cli login or HF_TOKEN), "
                          "then as --hf-config.")] = None,
    revision: Annotated[str | None, typer.Option(
        "--revision", help="With --hf-repo: branch, tag or commit (default: main).")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="With --hf-config/--hf-repo: the model's catalog name.")] = None,
    source_url: Annotated[str | None, typer.Option(
        "--source-url", help="With --hf-config: where the config comes from (provenance; with --hf-repo default: "
                             "the repository's config.json page).")] = None,
    params_published: Annotated[int | None, typer.Option(
        "--params-published", help="With --hf-config: exact published parameter count; must be within 2% "
                                   "of the count computed from the config (default: the computed count).")] = None,
    params_source_url: Annotated[str | None, typer.Option(
        "--params-source-url", help="With --hf-config: source of the published count (default: --source-url).")] = None,
    family: Annotated[str | None, typer.Option(
        "--family", help="With --hf-config: model family (default: the config's model_type).")] = None,
    release_year: Annotated[int | None, typer.Option(
        "--release-year", help="With --hf-config: year of release.")] = None,
    notes: Annotated[str | None, typer.Option(
        "--notes", help="With --hf-config: text appended to the row's generated notes.")] = None,
    last_verified: Annotated[str | None, typer.Option(
        "--last-verified", help="With --hf-config: day the sources were read, YYYY-MM-DD (default: today).")] = None,
    registry: RegistryOpt = None,
) -> None:
    """Import a whole CSV table (--csv), or one model from a Hugging Face config.json (--hf-config, a
    local file; --hf-repo, fetched from the Hub).

    Either way the whole table is validated and nothing is written if anything is wrong.
    """
    hf_only = {"--name": name, "--source-url": source_url, "--params-published": params_published,
               "--params-source-url": params_source_url, "--family": family, "--release-year": release_year,
               "--notes": notes, "--last-verified": last_verified, "--revision": revision}
    if [csv, hf_config, hf_repo].count(None) != 2:
        raise InputError("catalog import", [Problem(None, "--csv/--hf-config/--hf-repo",
                                                    "expected exactly one of them")])
    if registry is not None and registry.exists() and not registry.is_dir():
        raise InputError("catalog import", [Problem(None, "--registry", f"{registry} is a file; expected a folder "
                                                                        "(a new one is created)")])
    if csv is not None:
        import_table(csv, table, registry, [o for o, v in hf_only.items() if v is not None])
        return
    flag = "--hf-repo" if hf_repo is not None else "--hf-config"
    problems = [Problem(None, o, f"required with {flag}") for o in ("--name", "--source-url", "--release-year")
                if hf_only[o] is None and not (o == "--source-url" and hf_repo is not None)]
    if table is not None:
        problems.append(Problem(None, "--table", f"only with --csv ({flag} writes the models table)"))
    if revision is not None and hf_repo is None:
        problems.append(Problem(None, "--revision", "only with --hf-repo"))
    verified = None
    if last_verified is not None:
        import datetime as dt

        try:
            verified = dt.date.fromisoformat(last_verified)
        except ValueError:
            problems.append(Problem(None, "--last-verified", f"got {last_verified!r}, expected YYYY-MM-DD"))
    if problems:
        raise InputError("catalog import", problems)
    from pipeline.catalogs.hf_import import import_hf_config

    if hf_repo is not None:
        from pipeline.catalogs.hf_hub import config_url, fetch_config

        hf_config = fetch_config(hf_repo, revision)
        source_url = source_url or config_url(hf_repo, revision)

    path, row = import_hf_config(hf_config, name=name, source_url=source_url, release_year=release_year,
                                 params_published=params_published, params_source_url=params_source_url,
                                 family=family, registry=registry, notes=notes, last_verified=verified)
    typer.echo(f"wrote {path}: {row['name']!r} ({row['family']}, {row['model_type']}"
               f"{', MoE' if row['is_moe'] else ''}), params_published {row['params_published']:,.0f}")
    typer.echo(f"notes: {row['notes']}")


def import_table(csv: Path, table: str | None, registry: Path | None, hf_options: list[str]) -> None:
    if hf_options:
        raise InputError("catalog import", [Problem(None, o, "only with --hf-config") for o in hf_options])
    from pipeline.catalogs.imports import import_csv

    if not csv.is_file():
        raise InputError("catalog import", [Problem(None, "--csv", f"{csv}: no such file")])
    typer.echo(f"wrote {import_csv(csv, table, registry)}")


@catalog_app.command("migrate")
def catalog_migrate(
    registry: Annotated[Path, typer.Argument(help="A user registry folder made before columns were added.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be added; write nothing.")] = False,
) -> None:
    """Rewrite an older registry with today's columns, each filled by its documented default
    (pipeline/catalogs/migrate.py); every table is validated before any is written, each atomically."""
    from pipeline.catalogs.migrate import migrate

    added = migrate(registry, dry_run=dry_run)
    for a in added:
        typer.echo(a.render())
    tables = sorted({a.table for a in added})
    verb = "would rewrite" if dry_run else "rewrote"
    typer.echo(f"{verb} {len(tables)} tables ({', '.join(tables)})" if tables else f"{registry}: up to date")


@catalog_app.command("dump")
def catalog_dump(path: Annotated[Path, typer.Argument(help="A catalog Parquet file.")]) -> None:
    """A catalog file as text, one line per row sorted by the table's key (git textconv)."""
    from pipeline.catalogs.dump import dump_lines

    typer.echo("\n".join(dump_lines(path)))


@catalog_app.command("setup-diff")
def catalog_setup_diff(
    show: Annotated[bool, typer.Option("--print", help="Print the git command; change nothing.")] = False,
) -> None:
    """Make `git diff` and `git log -p` show catalog changes as rows (this repository's git config)."""
    import shlex
    import subprocess

    from pipeline.catalogs.dump import textconv_command

    command = ["git", "config", "diff.mlsys-catalog.textconv", textconv_command()]
    typer.echo(shlex.join(command))
    if not show:
        subprocess.run(command, check=True)


@catalog_app.command("diff")
def catalog_diff(
    a: Annotated[Path, typer.Argument(help="Registry directory (or Parquet file) before.")],
    b: Annotated[Path | None, typer.Argument(
        help="Registry directory (or Parquet file) after; default: A is compared with the bundled registry "
             "(bundled → A).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON: one object per table that differs.")] = False,
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 1 when the registries differ.")] = False,
) -> None:
    """Rows added, removed and changed (each cell old → new) from A to B, per table, rows matched by
    the table's key."""
    from pipeline.catalogs.diff import diff_registries, render
    from pipeline.catalogs.paths import bundled_registry
    from pipeline.cli.output import echo_json

    old, new = (a, b) if b is not None else (bundled_registry(), a)
    diffs = diff_registries(old, new)
    if as_json:
        echo_json([d.as_dict() for d in diffs])
    else:
        typer.echo("\n".join(render(diffs, str(old), str(new))))
    if exit_code and diffs:
        raise typer.Exit(1)


@catalog_app.command("stale")
def catalog_stale(
    older_than: Annotated[str, typer.Option(
        "--older-than", help="Age: a whole number of days, weeks or years (180d, 26w, 1y).")] = "180d",
    table: Annotated[str | None, typer.Option("--table", help="One table (default: all).")] = None,
    today: Annotated[str | None, typer.Option(
        "--today", help="Reference date YYYY-MM-DD (default: today, UTC).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 1 when a row is stale.")] = False,
    registry: RegistryOpt = None,
) -> None:
    """Rows whose last_verified (or a price's as_of) is older than --older-than."""
    from pipeline.catalogs.stale import registry_stale

    check_format(fmt)
    rows = registry_stale(registry, older_than, parse_date(today, "--today"), table)
    if fmt == "table" and rows.height == 0:
        typer.echo(f"no row older than {older_than}")
    else:
        emit(rows, fmt, f"{rows.height} stale rows (older than {older_than})", {"age_days": "d"})
    if exit_code and rows.height:
        raise typer.Exit(1)


FORMATS = ("table", "csv", "json")


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError("catalog", [Problem(None, "--format", f"got {fmt!r}, expected one of {', '.join(FORMATS)}")])


def parse_date(text: str | None, option: str):
    import datetime as dt

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError("catalog", [Problem(None, option, f"got {text!r}, expected a date YYYY-MM-DD")]) from None


def emit(frame, fmt: str, title: str, units: dict) -> None:
    """A frame as a table, CSV (numeric columns' units in the header) or JSON (rows and units)."""
    if fmt == "csv":
        header = {c: f"{c} [{units[c]}]" for c in frame.columns if units.get(c) is not None}
        typer.echo(frame.rename(header).write_csv(), nl=False)
    elif fmt == "json":
        from pipeline.cli.output import echo_json

        echo_json({"units": {c: units.get(c) for c in frame.columns}, "rows": frame.to_dicts()})
    else:
        print_frame(frame, title=title, units=units)
