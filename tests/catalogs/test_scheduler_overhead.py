"""Per-iteration scheduler overhead (issue 12 item 3): the research CSV behind
`efficiency_profiles.scheduler_overhead_per_iteration_s` carries its provenance, and every figure
the bundled profiles state is one of the CSV's rows marked as used by the catalog."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog

CSV = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-sched" / "scheduler_overhead.csv"


def _research() -> pl.DataFrame:
    return pl.read_csv(CSV, schema_overrides={"value": pl.Float64, "value_low": pl.Float64, "value_high": pl.Float64})


def test_every_research_row_cites_a_page_and_a_place_in_it():
    d = _research()
    assert d.height >= 10
    assert d["source_url"].str.starts_with("https://").all()
    assert (d["location"].str.len_chars() > 10).all()
    assert d["last_verified"].str.contains(r"^\d{4}-\d{2}-\d{2}$").all()
    # A number comes with its unit; a qualitative row has none.
    numeric = d["value"].is_not_null() | d["value_low"].is_not_null()
    assert (numeric == (d["kind"] != "qualitative")).all()
    assert (d.filter(numeric)["unit"].is_in(["s", "fraction"])).all()
    ranged = d.filter(pl.col("value_low").is_not_null())
    assert (ranged["value_low"] <= ranged["value_high"]).all()


def test_published_figures_as_read():
    """Hand values from the sources' text: vLLM RFC #6913's table, the v0.6.0 blog, SGLang v0.4."""
    d = _research()
    po = d.filter(pl.col("source_url") == "https://github.com/vllm-project/vllm/issues/6913")
    assert dict(zip(po["batch"], po["value"], strict=True)) == {"1": 0.0002, "32": 0.0034}
    bubble = d.filter(pl.col("source_url") == "https://github.com/vllm-project/vllm/issues/6854").row(0, named=True)
    assert (bubble["value_low"], bubble["value_high"]) == (0.005, 0.013)
    sglang = d.filter(pl.col("framework") == "SGLang", pl.col("framework_version") == "v0.4").row(0, named=True)
    assert sglang["value"] == 0.0


def test_catalog_scheduler_figures_come_from_rows_marked_used():
    """A profile may state a scheduler overhead only with a source recorded (and marked used) in the CSV."""
    used = _research().filter(pl.col("used_in_catalog").str.starts_with("yes"))
    stated = read_catalog("efficiency_profiles").filter(pl.col("scheduler_overhead_per_iteration_s").is_not_null())
    assert stated.height > 0
    assert stated["scheduler_source_url"].is_in(used["source_url"].implode()).all(), stated.select(
        "framework", "hardware_family", "scheduler_source_url")
    # Nothing fitted: a value equals its source row's figure; a qualitative overlap source states 0 s.
    joined = stated.join(used.select("source_url", "value"), left_on="scheduler_source_url",
                         right_on="source_url", how="left")
    expected = joined["value"].fill_null(0.0)
    assert (joined["scheduler_overhead_per_iteration_s"] == expected).all()
