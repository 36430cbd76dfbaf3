"""What a region's ``carbon_method`` says (issue 13 item 6): how its grid carbon intensity was computed.

All three are grid averages without contractual instruments (certificates, PPAs), i.e. location-based
in the sense of the GHG Protocol Scope 2 Guidance (https://ghgprotocol.org/scope-2-guidance, which
sets the location-based method against the market-based one); they differ in what is averaged, so
two regions are compared like for like only within one method.
"""

from __future__ import annotations

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
