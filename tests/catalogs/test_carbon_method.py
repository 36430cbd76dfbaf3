"""carbon_method on the regions (issue 13 item 6): every row says how its intensity was computed."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from pipeline.catalogs.carbon_methods import METHODS
from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import script

SCRIPT = Path(__file__).parents[2] / "registry_data" / "research" / "r-carbon" / "apply.py"


def _script():
    return script(SCRIPT, "r_carbon_apply")


def test_every_bundled_region_has_its_provider_s_method():
    regions = read_catalog("regions")
    assert regions["carbon_method"].null_count() == 0
    method = dict(zip(regions["name"], regions["carbon_method"], strict=True))
    # Ember country rows are generation-based, Electricity Maps zones consumption-based, Google's regions location
    assert (method["France"], method["US-CAISO (California)"], method["gcp-us-central1"]) == (
        "generation", "consumption", "location")
    assert method["aws-us-east-1"] == "consumption"  # reuses the PJM zone's Electricity Maps figure
    pages = dict(zip(regions["carbon_method"], regions["carbon_method_source_url"], strict=False))
    assert pages == {m: page for m, (_, page) in METHODS.items()}


def test_script_fills_a_registry_without_the_columns_and_leaves_unknown_sources_null(registry, capsys):
    path = registry / "regions.parquet"
    table = pq.read_table(path).drop(["carbon_method", "carbon_method_source_url"])
    frame = pl.from_arrow(table).with_columns(source_url=pl.when(pl.col("name") == "Japan")
                                              .then(pl.lit("https://example.org/japan.csv")).otherwise("source_url"))
    pq.write_table(frame.to_arrow().cast(table.schema), path)
    out = _script().main(registry)
    assert out.filter(pl.col("name") == "Japan")["carbon_method"].item() is None
    assert "'Japan': carbon_method not determinable" in capsys.readouterr().err
    assert out["carbon_method"].null_count() == 1
    assert read_catalog("regions", registry).equals(out.select(read_catalog("regions", registry).columns))
