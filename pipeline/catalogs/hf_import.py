"""A ``models`` row from a Hugging Face ``config.json``: the columns ``hf_config.architecture`` reads,
the parameter count by the package's own formulas (``pipeline.walls.architecture``), the check
against a published count (within ``hf_config.TOLERANCE``), and the atomic import into the catalog.
Every problem is one ``InputError``; nothing is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.catalogs.hf_config import CAVEATS, TEXT_CONFIG, TOLERANCE, architecture, load_config
from pipeline.errors import InputError, Problem


# -- parameter count -------------------------------------------------------------------------

def schema_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows as a frame with the ``models`` schema's column types."""
    from pipeline.catalogs.schemas import CATALOGS

    columns = CATALOGS["models"].to_schema().columns
    return pl.DataFrame(rows, schema={n: c.dtype.type for n, c in columns.items()})


def count_params(row: dict[str, Any]) -> tuple[int, int]:
    """(params_computed, params_active_per_token) of one models row, by the package's formulas."""
    from pipeline import formulas
    from pipeline.catalogs.io import schema_units
    from pipeline.units import unit
    from pipeline.walls import architecture as _  # noqa: F401 (registers the formulas)

    frame = schema_frame([row | {"params_published": row.get("params_published") or 1.0}])
    units = {c: (None if u is None else unit(u)) for c, u in schema_units("models").items()}
    numeric = [c for c, u in units.items() if u is not None]
    frame = frame.with_columns(pl.col(numeric).cast(pl.Float64))
    out = formulas.plan(frame.lazy(), units, ["params_computed", "params_active_per_token"]).frame.collect()
    return round(out["params_computed"][0]), round(out["params_active_per_token"][0])


# -- the row and the import ----------------------------------------------------------------

def model_row(config: dict[str, Any], *, name: str, source_url: str, release_year: int,
              params_published: int | None = None, params_source_url: str | None = None,
              family: str | None = None, file_name: str = "config.json",
              source: str = "HF config", notes: str | None = None,
              last_verified: dt.date | None = None) -> dict[str, Any]:
    """One validated ``models`` row from a config, with the 2% parameter-count check.

    ``notes`` (which count was published, where the config was read) is appended to the generated
    notes; ``last_verified`` defaults to today (give the day the sources were read, so that a
    replayed import writes the same row).
    """
    from pipeline.catalogs.io import validate

    cols = architecture(config, source)
    model_type = TEXT_CONFIG.get(config["model_type"], config["model_type"])
    from pipeline.catalogs.quality import quality_of

    row = {"source_url": source_url, "last_verified": last_verified or dt.date.today(), "notes": None,
           "source_quality": quality_of(source_url),
           "name": name, "family": family or model_type, "release_year": release_year,
           "params_published": float(params_published) if params_published is not None else None,
           "params_source_url": params_source_url or source_url,
           "forward_flop_per_sample": None, "activation_elements_per_sample": None,
           "input_resolution_px": None} | cols
    # report bad options or impossible shapes (e.g. heads not a multiple of KV heads) before counting
    validate(schema_frame([row | {"params_published": row["params_published"] or 1.0}]), "models", source)
    computed, active = count_params(row)
    notes_extra, notes = notes, [f"imported from HF config {file_name} (model_type {model_type})"]
    if params_published is None:
        row["params_published"] = float(computed)
        notes.append("params_published = computed from config (no published count given)")
    else:
        if params_published <= 0:
            raise InputError(source, [Problem(None, "params_published",
                                              f"got {params_published}, expected a count > 0")])
        error = computed / params_published - 1
        if abs(error) > TOLERANCE:
            raise InputError(source, [Problem(
                None, "params_published",
                f"published {params_published:,} but the config computes {computed:,} "
                f"({error:+.2%}); expected within {TOLERANCE:.0%}")])
        notes.append(f"params computed from config = {computed:,} ({error:+.3%} vs published)")
    if row["is_moe"]:
        notes.append(f"active params/token (formula) = {active:,}")
    if model_type in CAVEATS:
        notes.append(CAVEATS[model_type])
    row["notes"] = "; ".join(notes) + "." + (f" {notes_extra.strip()}" if notes_extra and notes_extra.strip() else "")
    return row


def import_hf_config(path: str | Path, *, name: str, source_url: str, release_year: int,
                     params_published: int | None = None, params_source_url: str | None = None,
                     family: str | None = None, registry: str | Path | None = None, notes: str | None = None,
                     last_verified: dt.date | None = None) -> tuple[Path, dict[str, Any]]:
    """Add (or replace, by name) a models row from a local config.json; returns (written path, row)."""
    from pipeline.catalogs.io import read_catalog, write_catalog
    from pipeline.catalogs.paths import registry_has_catalogs

    path = Path(path)
    row = model_row(load_config(path), name=name, source_url=source_url, release_year=release_year,
                    params_published=params_published, params_source_url=params_source_url,
                    family=family, file_name=path.name, source=f"HF config {path}", notes=notes,
                    last_verified=last_verified)
    # a new --registry (or one without models.parquet) starts from the bundled models, as a CSV import does
    existing = read_catalog("models", registry if registry_has_catalogs(registry, ("models",)) else None)
    new = schema_frame([row]).select(existing.columns).cast(existing.schema)
    names = existing["name"].to_list()
    if name in names:
        i = names.index(name)
        table = pl.concat([existing.slice(0, i), new, existing.slice(i + 1)])
    else:
        table = pl.concat([existing, new])
    return write_catalog(table, "models", registry), row
