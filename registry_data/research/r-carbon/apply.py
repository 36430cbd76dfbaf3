"""Fill ``carbon_method`` and ``carbon_method_source_url`` on every ``regions`` row (issue 13 item 6).
Re-runnable and idempotent; rows added later get the columns on the next run:

    .venv/bin/python registry_data/research/r-carbon/apply.py [registry_dir]

Each row's method is read off the source its ``source_url`` cites (read 2026-12-03; the patterns are
``BY_SOURCE`` in ``pipeline/catalogs/carbon_methods.py``, which ``mlsys catalog migrate`` also uses):

- ``thegreenwebfoundation/co2.js .../average-intensities.json``: written by co2.js's
  ``data/functions/generate_average_co2.js`` from Ember's ``country_overview_yearly`` field
  ``emissions_intensity_gco2_per_kwh`` (the latest year per country). Ember's methodology: emissions per
  unit of electricity generated in the country, full lifecycle -> ``generation``.
- ``thegreenwebfoundation/co2.js .../electricity-maps/yearly_<year>.js``: written by
  ``data/functions/generate_electricity_maps_data.js`` from Electricity Maps' ``/v3/carbon-intensity/past``
  (yearly), whose methodology (electricitymaps.com/methodology) flow-traces imports and exports to give the
  intensity of the electricity consumed -> ``consumption``.
- ``GoogleCloudPlatform/region-carbon-info .../yearly/<year>.csv``: its README defines "Grid carbon intensity"
  as the average operational gross emissions per unit of energy from the local grid, set against Google's
  market-based Scope 2 figures -> ``location``.

``carbon_intensity_year`` (existing column) is the year of the figure. A row whose source matches none of
these is left null and printed. The notes are not changed; ``last_verified`` is not changed (the cited
figures were not re-read, only the methodology of their sources).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.carbon_methods import method_of_source, methodology_page
from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry


def apply(frame: pl.DataFrame) -> pl.DataFrame:
    for c in ("carbon_method", "carbon_method_source_url"):
        if c not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(c))
    frame = frame.with_columns(carbon_method=pl.coalesce("carbon_method", method_of_source(pl.col("source_url"))))
    return frame.with_columns(
        carbon_method_source_url=pl.coalesce("carbon_method_source_url", methodology_page(pl.col("carbon_method"))))


def main(registry: Path) -> pl.DataFrame:
    path = registry / "regions.parquet"
    before = pl.read_parquet(path)
    after = apply(before)
    for name in after.filter(pl.col("carbon_method").is_null())["name"]:
        print(f"regions {name!r}: carbon_method not determinable from its source_url; left null", file=sys.stderr)
    print(after.group_by("carbon_method").len().sort("carbon_method"), file=sys.stderr)
    if not (before.columns == after.columns and before.equals(after)):
        print(write_catalog(after, "regions", registry, source=f"{path} (r-carbon/apply.py)"))
    return after


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
