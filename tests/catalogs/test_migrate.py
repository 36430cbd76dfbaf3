"""``mlsys catalog migrate DIR`` (issue 13 item 9): a registry written without today's added columns is
rewritten with them, each filled by its documented default; bad input writes nothing."""

from __future__ import annotations

import polars as pl
import pyarrow.parquet as pq

from pipeline.catalogs.added_columns import ADDED_COLUMNS
from pipeline.catalogs.io import read_catalog


def _old(registry) -> None:
    """Make ``registry`` look as it was before the added columns (every table)."""
    for table, columns in ADDED_COLUMNS.items():
        path = registry / f"{table}.parquet"
        pq.write_table(pq.read_table(path).drop(list(columns)), path)


def test_migrate_adds_the_columns_with_their_defaults_once(mlsys, registry):
    _old(registry)
    before = {p.name: p.read_bytes() for p in registry.glob("*.parquet")}
    dry = mlsys("catalog", "migrate", registry, "--dry-run")
    assert dry.exit_code == 0 and "would rewrite 14 tables" in dry.stdout
    assert {p.name: p.read_bytes() for p in registry.glob("*.parquet")} == before  # dry run: nothing written
    res = mlsys("catalog", "migrate", registry)
    assert res.exit_code == 0, res.stderr
    assert "cloud_prices.as_of: added, 42 of 42 rows filled (the row's last_verified" in res.stdout
    assert "regions.carbon_method: added, 48 of 48 rows filled" in res.stdout
    assert "rewrote 14 tables" in res.stdout
    for table, columns in ADDED_COLUMNS.items():
        assert set(columns) <= set(pq.read_schema(registry / f"{table}.parquet").names), table
    prices = pl.read_parquet(registry / "cloud_prices.parquet")
    assert prices["as_of"].equals(prices["last_verified"], check_names=False)
    regions, bundled = read_catalog("regions", registry), read_catalog("regions")
    assert regions["carbon_method"].to_list() == bundled["carbon_method"].to_list()  # same rule as the script
    hardware = read_catalog("hardware", registry)
    assert hardware.filter(pl.col("name") == "A17 Pro")["source_quality"].item() == "secondary"
    assert hardware.filter(pl.col("name") == "H100 SXM5 80GB")["source_quality"].item() == "primary"
    check = mlsys("catalog", "check", "--registry", registry)
    assert check.exit_code == 0 and "note:" not in check.stderr  # no column read as null any more
    after = {p.name: p.stat().st_mtime_ns for p in registry.glob("*.parquet")}
    again = mlsys("catalog", "migrate", registry)
    assert again.exit_code == 0 and "up to date" in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in registry.glob("*.parquet")} == after


def test_a_bad_table_rejects_the_migration_whole(mlsys, registry):
    _old(registry)
    path = registry / "storage.parquet"
    table = pq.read_table(path)
    bad = pl.from_arrow(table).with_columns(read_bandwidth_bytes_per_s=pl.lit(-1.0))
    pq.write_table(bad.to_arrow().cast(table.schema), path)
    before = {p.name: p.read_bytes() for p in registry.glob("*.parquet")}
    res = mlsys("catalog", "migrate", registry)
    assert res.exit_code == 2
    assert "storage" in res.stderr and "read_bandwidth_bytes_per_s" in res.stderr and "row 13" in res.stderr
    assert {p.name: p.read_bytes() for p in registry.glob("*.parquet")} == before  # not even the good tables


def test_a_partial_user_registry_migrates_only_its_tables(mlsys, tmp_path, registry):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "regions.parquet").write_bytes((registry / "regions.parquet").read_bytes())
    _old_one = pq.read_table(user / "regions.parquet").drop(["carbon_method", "carbon_method_source_url"])
    pq.write_table(_old_one, user / "regions.parquet")
    res = mlsys("catalog", "migrate", user)
    assert res.exit_code == 0, res.stderr
    assert [p.name for p in user.iterdir()] == ["regions.parquet"] and "rewrote 1 tables (regions)" in res.stdout
