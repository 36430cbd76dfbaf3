"""source_quality (issue 13 item 5): the domain rule, the replayable script, the CLI filter, old registries."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from pipeline.catalogs.io import read_catalog, validate
from pipeline.catalogs.quality import quality_of
from pipeline.catalogs.schemas import CATALOGS
from pipeline.errors import InputError
from tests.catalogs.research import script

SCRIPT = Path(__file__).parents[2] / "registry_data" / "research" / "r-quality" / "apply.py"


def _script():
    return script(SCRIPT, "r_quality_apply")


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.techspot.com/news/99839-nvidia.html", "secondary"),          # news
    ("https://d33gy59ovltp76.cloudfront.net/news/x", "secondary"),             # anonymous CDN
    ("https://grokipedia.com/page/Apple_A17", "secondary"),                    # AI encyclopedia
    ("https://www.techpowerup.com/gpu-specs/h100-sxm5-80-gb.c3900", "secondary"),  # spec database
    ("https://github.com/skypilot-org/skypilot-catalog/blob/x/vms.csv", "secondary"),  # compilation
    ("https://www.nvidia.com/en-us/data-center/h100/", "primary"),             # vendor page
    ("https://github.com/NVIDIA/TensorRT-LLM/blob/main/docs/perf.md", "primary"),  # official repository
    ("https://arxiv.org/abs/2104.04473", "primary"),                           # paper
    ("https://notcloudfront.net.example.org/x", "primary"),                    # host must end with the domain
])
def test_rule(url, expected):
    assert quality_of(url) == expected


def test_every_bundled_row_has_a_quality():
    through = _script().READ_THROUGH
    for table in CATALOGS:
        frame = read_catalog(table)
        assert frame["source_quality"].null_count() == 0, table
        # a vendor page or a paper is secondary only where the row's notes say it was read through a copy
        wrong = frame.filter((pl.col("source_quality") == "secondary")
                             & pl.col("source_url").str.contains("nvidia.com/|arxiv.org/")
                             & ~pl.col("notes").fill_null("").str.contains(through))
        assert wrong.height == 0, (table, wrong["source_url"].to_list())


def test_rows_read_through_a_copy_are_secondary():
    rule = _script().apply_table
    frame = read_catalog("hardware").filter(pl.col("name") == "H100 SXM5 80GB").with_columns(
        notes=pl.lit("Datasheet figures, read via a reseller's transcription of the PDF."))
    out = rule(frame, "hardware")
    assert out["source_quality"].item() == "secondary"
    assert "read through a copy" in out["notes"].item()


def test_script_fills_new_rows_and_is_idempotent(registry):
    path = registry / "hardware.parquet"
    frame = pl.read_parquet(path).drop("source_quality")  # a row added by an import without the column
    frame = frame.with_columns(source_url=pl.when(pl.col("name") == "H100 SXM5 80GB")
                               .then(pl.lit("https://www.techpowerup.com/gpu-specs/h100-sxm5-80-gb.c3900"))
                               .otherwise("source_url"))
    pq.write_table(frame.to_arrow(), path)
    module = _script()
    counts = module.main(registry)
    hw = pl.read_parquet(path)
    assert hw.filter(pl.col("name") == "H100 SXM5 80GB")["source_quality"].item() == "secondary"
    assert counts["hardware"] == hw.filter(pl.col("source_quality") == "secondary").height
    mtime = {p.name: p.stat().st_mtime_ns for p in registry.glob("*.parquet")}
    assert module.main(registry) == counts
    assert {p.name: p.stat().st_mtime_ns for p in registry.glob("*.parquet")} == mtime  # nothing rewritten


def test_override_and_replacement_are_in_the_bundled_rows():
    models = read_catalog("models")
    mixtral = models.filter(pl.col("name") == "Mixtral 8x22B")
    assert mixtral["source_quality"].item() == "secondary" and "mistral-community re-upload" in mixtral["notes"].item()
    prices = read_catalog("cloud_prices").filter(pl.col("instance") == "trn1.32xlarge")
    assert prices["source_url"].item().startswith("https://github.com/aws/karpenter-provider-aws/")
    assert "skypilot-catalog" in prices["notes"].item() and prices["source_quality"].item() == "primary"


def test_list_filter_secondary(mlsys):
    res = mlsys("catalog", "list", "hardware", "--filter", "source_quality=secondary", "--all", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)["rows"]
    assert rows and {r["source_quality"] for r in rows} == {"secondary"}
    assert "A17 Pro" in {r["name"] for r in rows}


def test_bad_quality_rejected_naming_every_cell():
    frame = read_catalog("storage")
    frame = frame.with_columns(source_quality=pl.when(pl.int_range(pl.len()) < 2).then(pl.lit("tertiary"))
                               .otherwise("source_quality"))
    with pytest.raises(InputError) as err:
        validate(frame, "storage")
    bad = [p for p in err.value.problems if p.column == "source_quality"]
    assert [p.row for p in bad] == [1, 2] and "expected one of" in bad[0].message


def test_list_filter_without_a_table_spans_every_table(mlsys):
    res = mlsys("catalog", "list", "--filter", "source_quality=secondary", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)["rows"]
    tables = {r["table"] for r in rows}
    assert {"hardware", "regions", "cloud_prices", "storage"} <= tables
    assert {r["source_quality"] for r in rows} == {"secondary"}
    assert sum(r["table"] == "regions" for r in rows) == read_catalog("regions").filter(
        pl.col("source_quality") == "secondary").height
    bad = mlsys("catalog", "list", "--filter", "source_qualty=secondary")
    assert bad.exit_code == 2 and "source_qualty" in bad.stderr and "source_quality" in bad.stderr
