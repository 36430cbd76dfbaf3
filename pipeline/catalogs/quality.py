"""Source quality of a catalog row (issue 13 item 5): ``primary`` when ``source_url`` is the
publisher of the figures (a vendor's datasheet, documentation, whitepaper or official repository, a
paper, the benchmark's own results repository), ``secondary`` when it reports or re-hosts them
(news sites, aggregators, re-hosted documents, wikis and AI-written encyclopedias, third-party
spec databases, anonymous CDNs, third-party compilations of providers' data).

The rule is a list of secondary hosts and URL prefixes, each with its reason; everything else is
primary. A registry's rows that the rule misjudges get explicit per-row overrides, with reasons,
in the script that fills the column (``registry_data/research/r-quality/apply.py``).
"""

from __future__ import annotations

import polars as pl

QUALITIES = ("primary", "secondary")

# host (the URL's host ends with it) -> why it is secondary
SECONDARY_HOSTS: dict[str, str] = {
    # news and review sites: they report a vendor's or analyst's figure
    "techspot.com": "news site", "videocardz.com": "news site", "briefbriefing.com": "news re-publisher",
    "svethardware.cz": "news site", "y-ic.de": "news site", "datacenterdynamics.com": "news site",
    "pcgamer.com": "news site", "imore.com": "news site", "zupnews.com": "news re-publisher",
    "neowin.net": "news site", "vmblog.com": "news re-publisher", "fierceelectronics.com": "news site",
    "macrumors.com": "news site", "wccftech.com": "news site", "computerbase.de": "news site",
    "servethehome.com": "news and review site", "tomshardware.com": "news site", "anandtech.com": "news site",
    "nextplatform.com": "news site", "storagereview.com": "news site", "theregister.com": "news site",
    "hpcwire.com": "news site", "zexron.com": "news re-publisher", "geektopia.es": "news site",
    # re-hosted documents and mirrors
    "vdocuments.net": "document re-host", "sgpjbg.com": "document re-host", "manualshelf.com": "document re-host",
    "scribd.com": "document re-host", "dokumen.pub": "document re-host", "awof.org": "mirror of a news article",
    "cidian.kuaisou.com": "mirror of a vendor document",
    # anonymous CDNs (a vendor's own CDN host is listed nowhere here)
    "cloudfront.net": "anonymous CDN re-host",
    # encyclopedias, wikis and AI-written pages
    "grokipedia.com": "AI-written encyclopedia", "wikipedia.org": "encyclopedia", "aiwiki.ai": "AI wiki",
    "llmpedia.scads.ai": "AI-written encyclopedia", "unanswered.io": "AI-written guide",
    # aggregators and third-party spec databases
    "awesomeagents.ai": "third-party spec aggregator", "techpowerup.com": "third-party spec database",
    "yobitel.com": "third-party spec aggregator", "modal.com": "a third party's survey of a provider's prices",
}
# URL prefix (after the scheme) -> why it is secondary: compilations hosted on an otherwise primary host
SECONDARY_PREFIXES: dict[str, str] = {
    "github.com/skypilot-org/skypilot-catalog": "third-party compilation of the providers' price lists",
    "github.com/thegreenwebfoundation/co2.js": "third-party re-packaging of Ember's and Electricity Maps' data",
}


def _host(url: pl.Expr) -> pl.Expr:
    return url.str.extract(r"^https?://([^/?#]+)").str.to_lowercase().str.replace(r"^www\.", "")


def secondary_reason(url: pl.Expr) -> pl.Expr:
    """Why the rule calls ``url`` secondary, else null (primary)."""
    host = _host(url)
    rest = url.str.replace(r"^https?://(www\.)?", "").str.to_lowercase()
    out = pl.lit(None, pl.String)
    for prefix, why in SECONDARY_PREFIXES.items():
        out = pl.when(rest.str.starts_with(prefix.lower())).then(pl.lit(why)).otherwise(out)
    for domain, why in SECONDARY_HOSTS.items():
        ends = (host == domain) | host.str.ends_with("." + domain)
        out = pl.when(ends).then(pl.lit(f"{domain}: {why}")).otherwise(out)
    return out


def quality(url: pl.Expr) -> pl.Expr:
    """``primary`` or ``secondary`` by the domain rule (null where ``url`` is null)."""
    return pl.when(url.is_null()).then(None).when(secondary_reason(url).is_not_null()).then(pl.lit("secondary")) \
        .otherwise(pl.lit("primary"))


def quality_of(url: str | None) -> str | None:
    """The rule for one URL (an imported row)."""
    if url is None:
        return None
    return pl.select(quality(pl.lit(url, pl.String))).item()

