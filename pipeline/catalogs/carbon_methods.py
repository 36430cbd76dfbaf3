"""What a region's ``carbon_method`` says (issue 13 item 6): how its grid carbon intensity was computed.

All three are grid averages without contractual instruments (certificates, PPAs), i.e. location-based
in the sense of the GHG Protocol Scope 2 Guidance (https://ghgprotocol.org/scope-2-guidance, which
sets the location-based method against the market-based one); they differ in what is averaged, so
two regions are compared like for like only within one method.
"""

from __future__ import annotations

import polars as pl

# method -> what it means, and the methodology page of the provider the bundled rows use
METHODS: dict[str, tuple[str, str]] = {
    "generation": ("emissions of the electricity generated in the area per kWh generated, imports not counted "
                   "(production-based; Ember's yearly data, lifecycle CO2e)",
                   "https://ember-climate.org/insights/research/global-electricity-review-2024/supporting-material/"),
    "consumption": ("emissions of the electricity consumed in the area per kWh consumed, imports and exports "
                    "flow-traced (Electricity Maps, lifecycle CO2e)",
                    "https://www.electricitymaps.com/methodology"),
    "location": ("a cloud operator's published location-based grid intensity for its region (Google Cloud: the "
                 "hourly average operational gross emissions per kWh of the local grid)",
                 "https://github.com/GoogleCloudPlatform/region-carbon-info"),
}

DESCRIPTION = ("how carbon_intensity_g_per_kwh was computed: " + "; ".join(f"'{m}' = {what}" for m, (what, _) in
               METHODS.items()) + ". All location-based in the GHG Protocol Scope 2 sense; compare regions only "
               "within one method. Null: not determinable from the source, or a registry made before the column")

# The bundled providers' files (source_url patterns) -> the method their methodology states
# (registry_data/research/r-carbon/apply.py says what was read); any other source: unknown (null).
BY_SOURCE = {
    r"github\.com/thegreenwebfoundation/co2\.js/blob/[0-9a-f]+/data/output/average-intensities\.json$": "generation",
    r"github\.com/thegreenwebfoundation/co2\.js/blob/[0-9a-f]+/data/output/electricity-maps/yearly_\d{4}\.js(on)?$":
        "consumption",
    r"github\.com/GoogleCloudPlatform/region-carbon-info/blob/[0-9a-f]+/data/yearly/\d{4}\.csv$": "location",
}


def method_of_source(url: pl.Expr) -> pl.Expr:
    """The carbon method of a row citing one of the bundled providers' files, else null."""
    out = pl.lit(None, pl.String)
    for pattern, method in BY_SOURCE.items():
        out = pl.when(url.str.contains(pattern)).then(pl.lit(method)).otherwise(out)
    return out


def methodology_page(method: pl.Expr) -> pl.Expr:
    """The methodology page of ``method``'s provider (null for a null method)."""
    return method.replace_strict({m: page for m, (_, page) in METHODS.items()}, default=None, return_dtype=pl.String)
