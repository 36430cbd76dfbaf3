"""A registry written before a column was added still loads (issue 13 item 9): the column is null, with a note."""

from __future__ import annotations

import json
import re

import polars as pl
import pyarrow.parquet as pq
import pytest

from pipeline.catalogs.added_columns import ADDED_COLUMNS
from pipeline.catalogs.io import read_catalog
from pipeline.catalogs.load import load_catalogs
from pipeline.catalogs.schemas import CATALOGS
from pipeline.errors import InputError


def _drop(registry, table: str, column: str) -> None:
    path = registry / f"{table}.parquet"
    pq.write_table(pq.read_table(path).drop([column]), path)


def test_prices_without_as_of_load_as_null_with_a_note(registry, capsys):
    _drop(registry, "cloud_prices", "as_of")
    prices = read_catalog("cloud_prices", registry)
    assert prices.height == 42 and prices["as_of"].dtype == pl.Date and prices["as_of"].null_count() == 42
    assert re.search(r"^note: catalog 'cloud_prices' \(.*\): no column 'as_of' \(added 2026-12-03\); read as null",
                     capsys.readouterr().err)
    assert load_catalogs(registry).cloud_prices["as_of"].null_count() == 42


def test_cli_prints_the_note_and_stale_skips_the_null_dates(mlsys, registry):
    _drop(registry, "cloud_prices", "as_of")
    res = mlsys("catalog", "stale", "--registry", registry, "--table", "cloud_prices", "--today", "2026-12-03",
                "--older-than", "1d", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert "no column 'as_of'" in res.stderr
    assert {r["column"] for r in json.loads(res.stdout)["rows"]} == {"last_verified"}


def test_other_missing_columns_still_rejected(registry):
    _drop(registry, "cloud_prices", "price_year")
    with pytest.raises(InputError, match="price_year: missing column"):
        read_catalog("cloud_prices", registry)


def test_added_columns_are_nullable_schema_columns():
    assert all("source_quality" in ADDED_COLUMNS[t] for t in CATALOGS)  # every table has source_url
    for table, columns in ADDED_COLUMNS.items():
        schema = CATALOGS[table].to_schema().columns
        for column in columns:
            assert column in schema and schema[column].nullable, (table, column)
