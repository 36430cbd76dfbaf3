"""``mlsys catalog migrate DIR`` (issue 13 item 9): rewrite a registry made before columns were added
(``added_columns.ADDED_COLUMNS``) with today's columns, each filled by its documented default.

An old registry loads without this (the added columns read as null, with a note at every load);
migrating writes the columns once, filled where a default exists, and silences the notes. Every
table of the registry is read and validated first; if any is bad, nothing is written. Each file is
then replaced atomically (``io.write_catalog``). Running it again changes nothing.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from pipeline.catalogs.added_columns import lacks
from pipeline.catalogs.carbon_methods import method_of_source, methodology_page
from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.paths import check_registry
from pipeline.catalogs.quality import quality
from pipeline.catalogs.schemas import CATALOGS

# (table or "*", column) -> (default, what it is); an added column not listed is left null
DEFAULTS: dict[tuple[str, str], tuple[pl.Expr, str]] = {
    ("*", "source_quality"): (quality(pl.col("source_url")), "source_url's host by the rule of "
                                                              "pipeline/catalogs/quality.py"),
    ("cloud_prices", "as_of"): (pl.col("last_verified"), "the row's last_verified (the day its source was read); "
                                                         "set the source's own date where it states one"),
    ("regions", "carbon_method"): (method_of_source(pl.col("source_url")), "from source_url where it cites a bundled "
                                   "provider's file (Ember via co2.js, Electricity Maps, Google Cloud), else null"),
    ("regions", "carbon_method_source_url"): (methodology_page(pl.col("carbon_method")),
                                              "the methodology page of carbon_method's provider"),
}


@dataclass(frozen=True)
class Added:
    table: str
    column: str
    filled: int  # rows given a value
    rows: int
    default: str  # how the column was filled

    def render(self) -> str:
        return f"{self.table}.{self.column}: added, {self.filled} of {self.rows} rows filled ({self.default})"


def _default(table: str, column: str) -> tuple[pl.Expr, str] | None:
    return DEFAULTS.get((table, column)) or DEFAULTS.get(("*", column))


def migrate(registry: str | Path, dry_run: bool = False) -> list[Added]:
    """Add the missing added columns to every table file of ``registry``; returns what was added."""
    registry = Path(registry)
    check_registry(registry, tuple(CATALOGS))
    out: dict[str, pl.DataFrame] = {}
    added: list[Added] = []
    for table in CATALOGS:
        path = registry / f"{table}.parquet"
        if not path.exists():  # a user registry holds only the tables it overrides
            continue
        missing = lacks(table, pq.read_schema(path).names)
        if not missing:
            continue
        with contextlib.redirect_stderr(io.StringIO()):  # not the load-time notes: the report says what is added
            frame = read_catalog(table, registry)  # validated, units checked; the missing columns as nulls
        for column in missing:  # in ADDED_COLUMNS' order: a default may use an earlier one
            default = _default(table, column)
            if default is not None:
                frame = frame.with_columns(default[0].alias(column))
            filled = frame[column].drop_nulls().len()
            added.append(Added(table, column, filled, frame.height, default[1] if default else "left null"))
        out[table] = frame
    if not dry_run:  # every table read and validated above before any is written
        for table, frame in out.items():
            write_catalog(frame, table, registry, source=f"{registry / table}.parquet (migrated)")
    return added
