"""registry_data/research/r-dsv3b: the Megatron-Bridge DeepSeek-V3 rows carry the recompute granularity, virtual
pipeline size and pipeline-split flags of the performance recipe their container ran, each cited once; the replay
restores the cells and notes on a copy without them, and a second run changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-dsv3b"
REGISTRY = HERE.parent.parent
B200_2602 = "mbridge-26.02-dgx-b200-mxfp8-deepseekv3-256gpus-tokens-per-s"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_dsv3b_apply")


def _rows() -> pl.DataFrame:
    return pl.read_parquet(REGISTRY / "measurements.parquet").filter(
        pl.col("name").str.starts_with("mbridge-"), pl.col("name").str.contains("deepseekv3"))


def test_every_row_states_the_recipe():
    """All five rows: selective recomputation (deepseek_llm_pretrain.py recompute_granularity = "selective"), the
    embedding and loss placed by the layout, not counted as layers (account_for_*_in_pipeline_split False); the
    26.02 B200 row's V2 config sets no VP, which the recipe reads as 1 (vp_size = VP or 1)."""
    rows = _rows()
    assert rows.height == 5
    assert rows["recompute"].to_list() == ["selective"] * 5
    assert rows["embedding_and_loss_in_pipeline_split"].to_list() == [False] * 5
    b200 = rows.filter(pl.col("hardware").str.starts_with("B200"))
    assert sorted(b200["virtual_stages"].to_list()) == [1, 1] and set(b200["pp"]) == {16} and set(b200["ep"]) == {8}
    for row in rows.iter_rows(named=True):
        assert row["notes"].count("r-dsv3b") == 0  # the notes cite the config lines, not the folder
        assert row["notes"].count("[recompute = selective: https://github.com/NVIDIA-NeMo/Megatron-Bridge/") == 1


def test_replay_restores_the_cells_and_a_second_run_changes_nothing(apply, tmp_path):
    shutil.copy(REGISTRY / "measurements.parquet", tmp_path / "measurements.parquet")
    bundled = read_catalog("measurements", tmp_path)
    c = apply.cells()
    names = set(c["name"])
    notes = c.group_by("name").agg(pl.col("note").str.join(" ").alias("cfg"))
    undone = bundled.join(notes, on="name", how="left").with_columns(
        pl.when(pl.col("name").is_in(names)).then(None).otherwise(pl.col("recompute")).alias("recompute"),
        pl.when(pl.col("name") == B200_2602).then(None).otherwise(pl.col("virtual_stages")).alias("virtual_stages"),
        pl.when(pl.col("cfg").is_not_null())  # the cells' notes were appended last, after a space
        .then(pl.col("notes").str.slice(0, pl.col("notes").str.len_chars() - pl.col("cfg").str.len_chars() - 1))
        .otherwise(pl.col("notes")).alias("notes")).select(bundled.columns)
    assert "[virtual_stages = 1: " not in undone.filter(pl.col("name") == B200_2602)["notes"][0]
    write_catalog(undone, "measurements", tmp_path)
    assert read_catalog("measurements", tmp_path).filter(pl.col("name") == B200_2602)["virtual_stages"][0] is None
    for _ in range(2):
        assert apply.apply(tmp_path) == c.height == 11
        assert read_catalog("measurements", tmp_path).equals(bundled)
