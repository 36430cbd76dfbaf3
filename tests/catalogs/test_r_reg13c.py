"""Issue 13 (registry_data/research/r-reg13c): accelerator prices carry the date they apply (as_of) and
`mlsys catalog stale` lists an old one; Kimi K2's count is compared with its released weights' count."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from pipeline.studies.sides import shaped_models
from pipeline.walls.architecture import MODEL_COLUMNS


@pytest.fixture(scope="module")
def costs() -> pl.DataFrame:
    return read_catalog("accelerator_costs")


def test_every_price_carries_an_as_of_and_no_other_row_does(costs):
    priced = pl.col("list_price_usd").is_not_null() | pl.col("node_price_usd").is_not_null()
    assert costs.filter(priced & pl.col("as_of").is_null()).height == 0
    assert costs.filter(~priced & pl.col("as_of").is_not_null()).height == 0
    assert costs.filter(priced).height == 10
    # never after the day the row was verified, never after the list price's year (the older price is dated)
    assert costs.filter(pl.col("as_of") > pl.col("last_verified")).height == 0
    assert costs.filter(pl.col("as_of").dt.year() > pl.col("list_price_year")).height == 0
    for row in costs.filter(priced).iter_rows(named=True):  # each date says where it comes from
        assert f"(r-reg13c): as_of {row['as_of'].isoformat()}: " in row["notes"], row["accelerator"]


def test_a_source_stating_only_a_month_gives_its_first_day(costs):
    dated = dict(zip(costs["accelerator"], costs["as_of"], strict=True))
    assert dated["MI300X"] == dt.date(2024, 2, 1)      # Citigroup, reported Feb 2024
    assert dated["V100 SXM2 32GB"] == dt.date(2018, 3, 1)  # DGX-2 at GTC, March 2018
    assert dated["RTX 4090"] == dt.date(2022, 10, 12)  # a stated day: the on-sale day
    # two prices of different dates: the older (A100 40GB: DGX A100 May 2020 vs CNBC Feb 2023)
    assert dated["A100 SXM4 40GB"] == dt.date(2020, 5, 1)


def test_tae_kims_post_date_from_its_id():
    """A tweet id's top bits are milliseconds since Twitter's epoch 1288834974657 (snowflake ids, 2010)."""
    ms = (1691877797487165443 >> 22) + 1288834974657
    assert dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date() == dt.date(2023, 8, 16)


def test_stale_lists_prices_by_as_of(mlsys):
    res = mlsys("catalog", "stale", "--table", "accelerator_costs", "--today", "2026-12-03", "--older-than", "1000d",
                "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = {(r["key"], r["column"]): r["age_days"] for r in json.loads(res.stdout)["rows"]}
    # 2018-03-01 -> 2026-03-01: 8 x 365 + 2 leap days (2020, 2024) = 2922; -> 2026-12-03: 275 + 2 = 277 more
    assert rows[("V100 SXM2 32GB", "as_of")] == 3199
    assert ("M4 Max", "as_of") not in rows  # 2025-03-01: 642 days
    assert all(column == "as_of" for _, column in rows)  # last_verified (2026-11-26) is recent


@pytest.fixture(scope="module")
def kimi() -> dict:
    frame, _units = shaped_models(read_catalog("models"), ["params_published", "notes", *MODEL_COLUMNS])
    return frame.filter(pl.col("model") == "Kimi K2").row(0, named=True)


def test_kimi_k2_is_compared_with_its_released_weights(kimi):
    released = 1_026_408_232_448  # logical parameters of the released safetensors (two independent readings)
    assert kimi["params_published"] == released
    assert released - kimi["params_computed"] == 60 * 384  # the MoE layers' e_score_correction_bias
    assert abs(kimi["params_computed"] / released - 1) < 0.01
    assert "1,026,408,232,448" in kimi["notes"] and "supersedes the r-reg13b sentence" in kimi["notes"]


def test_kimi_k2_hugging_face_total_adds_the_fp8_scales():
    """[128, 128] blocks: ceil(out/128) x ceil(in/128) scales per FP8 linear weight (Kimi K2 config shapes)."""
    def blocks(o, i):
        return -(-o // 128) * -(-i // 128)
    h, layers, moe, experts = 7168, 61, 60, 384
    attention = [(1536, h), (64 * 192, 1536), (512 + 64, h), (64 * 256, 512), (h, 64 * 128)]
    per_layer = sum(blocks(o, i) for o, i in attention)
    mlp = lambda f: blocks(f, h) * 2 + blocks(h, f)  # noqa: E731 (gate, up, down)
    scales = layers * per_layer + 1 * mlp(18432) + moe * (experts + 1) * mlp(2048)
    assert scales == 62_495_192
    assert round((1_026_408_232_448 + scales) / 1e9, 1) == 1026.5  # the Hugging Face page's total, as copied


def test_gb300_memory_is_the_capacity_an_nvl72_gpu_exposes():
    """288 GB installed (MLPerf SKU 'GB300-288GB') vs 278 GB exposed: rack '20 TB' / 72, NVIDIA's NVML mock
    profile 298,500,227,072 B and its full-GPU MIG profile 7g.278gb of 284,672 MiB."""
    row = read_catalog("hardware").filter(pl.col("name") == "GB300 NVL72 GPU").row(0, named=True)
    gib = 1024 ** 3
    assert row["memory_capacity_bytes"] == 278 * gib == 298_500_227_072 == 284_672 * 1024 ** 2
    assert round(20e12 / 72 / 1e9) == 278
    assert "'GB300-288GB'" in row["notes"] and "7g.278gb" in row["notes"] and "'252 GB of HBM3e'" in row["notes"]
    assert row["source_quality"] == "secondary" and row["usable_memory_bytes"] is None


def test_tpu7_bandwidth_is_its_cited_tables_and_no_row_was_promoted():
    hardware = read_catalog("hardware")
    row = hardware.filter(pl.col("name") == "TPU v7 (Ironwood)").row(0, named=True)
    assert row["memory_bandwidth_bytes_per_s"] == 7_380 * 1e9  # 'HBM bandwidth per chip' 7,380 GBps
    assert row["peak_fp8_flop_per_s"] / row["memory_bandwidth_bytes_per_s"] == pytest.approx(625, abs=0.3)
    assert "7,380 GBps" in row["notes"] and row["source_quality"] == "secondary"
    assert (hardware["source_quality"] == "secondary").sum() == 33  # 34 (r-reg13b) - 2 (r-reg13d) + 1 (r-v51fill)
