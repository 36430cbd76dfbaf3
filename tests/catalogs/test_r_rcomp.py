"""registry_data/research/r-rcomp: the training rows whose runs' own implementations state their activation
recomputation carry it, each cited once to the file line (pinned to the commit the row's source_url names); the
settings the vocabulary cannot say (full on N of L layers, activation offloading) stay null; the replay restores the
cells and notes on a copy without them, and a second run changes nothing."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.spec.axes import RECOMPUTE
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-rcomp"
REGISTRY = HERE.parent.parent
DATACRUNCH = "mlperf-train-v5.1-datacrunch-b200-8x8-ngc25.09-llama31-8b-step"
AMD_V51 = "mlperf-train-v5.1-amd-mi300x-epyc-9575f-pytorch-llama2-70b-llama2-70b-lora-throughput"
OFFLOADED = "mbridge-26.02-dgx-gb200-fp8-llama3_70b-64gpus-tokens-per-s"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_rcomp_apply")


def _csv(file: str) -> list[dict]:
    with open(HERE / file, newline="") as f:
        return list(csv.DictReader(f))


def test_every_cell_is_a_recompute_of_the_vocabulary_cited_to_a_pinned_line():
    cells = _csv("cells.csv")
    assert len(cells) == len({c["name"] for c in cells}) == 93
    assert {c["column"] for c in cells} == {"recompute"} and {c["value"] for c in cells} <= set(RECOMPUTE)
    assert all(len(c["commit"]) == 40 and int(c["line"]) > 0 and c["why"] for c in cells)
    rows = pl.read_parquet(REGISTRY / "measurements.parquet").filter(pl.col("name").is_in([c["name"] for c in cells]))
    for c, row in zip(sorted(cells, key=lambda c: c["name"]), rows.sort("name").iter_rows(named=True)):
        assert row["recompute"] == c["value"]
        # the cell's line, at the commit of the row's own source (a Megatron-Bridge recipe row: its release's tag)
        assert row["notes"].count(f"/blob/{c['commit']}/{c['path']}#L{c['line']} ") == 1
        assert c["commit"] in row["source_url"] or c["repository"] == "NVIDIA-NeMo/Megatron-Bridge"


def test_the_datacrunch_row_states_no_recomputation_from_its_config_and_its_log():
    """pretrain.py builds Llama31Config8B with no recompute setting (line 218), and the run's result_0.txt prints
    Megatron-Core's TransformerConfig as built: recompute_granularity=None (line 3947)."""
    row = pl.read_parquet(REGISTRY / "measurements.parquet").filter(pl.col("name") == DATACRUNCH).row(0, named=True)
    assert row["recompute"] == "none"
    assert row["notes"].count("b200_8x8_ngc25.09/pretrain.py#L218 (") == 1
    assert "recompute_granularity=None (result_0.txt line 3947)" in row["notes"]


def test_what_the_vocabulary_cannot_say_is_left_null_and_listed():
    """AMD's MI300X LoRA config: ACG=full ACM=block ACL=21 (full recomputation of 21 of 80 layers); the 26.02
    GB200 FP8 70B recipe offloads 40 layers' activations to the host: neither is a RECOMPUTE value. (r-mbfp8 later
    reads the 70B recipe's recompute itself, none beside the offloading, and sets that row: its own cells.csv.)"""
    left = {u["name"]: u["why"] for u in _csv("unresolved.csv")}
    assert "ACG=full" in left[AMD_V51] and "ACL=21" in left[AMD_V51]
    assert "cpu_offloading_num_layers=40" in left[OFFLOADED]
    assert not set(left) & {c["name"] for c in _csv("cells.csv")}
    with open(HERE.parent / "r-mbfp8" / "cells.csv", newline="") as f:
        later = {c["name"] for c in csv.DictReader(f)}
    rows = read_catalog("measurements").filter(pl.col("name").is_in(list(set(left) - later)))
    assert rows.height == len(set(left) - later) and rows["recompute"].is_null().all()


def test_replay_restores_the_cells_and_a_second_run_changes_nothing(apply, tmp_path):
    shutil.copy(REGISTRY / "measurements.parquet", tmp_path / "measurements.parquet")
    bundled = read_catalog("measurements", tmp_path)
    c = apply.cells()
    notes = c.group_by("name").agg(pl.col("note").str.join(" ").alias("cfg"))
    undone = bundled.join(notes, on="name", how="left").with_columns(
        pl.when(pl.col("cfg").is_not_null()).then(None).otherwise(pl.col("recompute")).alias("recompute"),
        pl.when(pl.col("cfg").is_not_null())  # the cells' notes were appended last, after a space
        .then(pl.col("notes").str.slice(0, pl.col("notes").str.len_chars() - pl.col("cfg").str.len_chars() - 1))
        .otherwise(pl.col("notes")).alias("notes")).select(bundled.columns)
    write_catalog(undone, "measurements", tmp_path)
    assert read_catalog("measurements", tmp_path).filter(pl.col("name") == DATACRUNCH)["recompute"][0] is None
    for _ in range(2):
        assert apply.apply(tmp_path) == c.height
        assert read_catalog("measurements", tmp_path).equals(bundled)
