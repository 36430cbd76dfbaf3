"""load_catalogs: the table list is the schemas' (load reads it without importing pandera)."""

from __future__ import annotations

from pipeline.catalogs.load import TABLES
from pipeline.catalogs.schemas import CATALOGS


def test_tables_are_the_schema_tables_in_order():
    assert TABLES == tuple(CATALOGS)
