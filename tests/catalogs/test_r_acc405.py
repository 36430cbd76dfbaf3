"""registry_data/research/r-acc405: the NVIDIA Eos-dfw MLPerf Training v5.0 Llama 3.1 405B rows state what their
configs set (the ends in the pipeline split, FP8 parameters, the fused loss), the Llama 3 Table 4 rows the split
§3.3.2 states, each cited; replaying changes nothing. recompute/patches.csv (no recomputation on the 13 v5.0 405B
rows), kept out here (README.md §3), is what the catalog states since r-rcomp."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import replayed, script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-acc405"
COMMIT = "0fdc28f013256aea84fa36fdaf1e0fa46094b18c"


def _patches(path: Path) -> list[dict]:
    with open(path / "patches.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_the_eos_and_llama3_rows_state_what_their_sources_set():
    patches = _patches(HERE)
    eos = [p for p in patches if "eos-dfw" in p["name"]]
    assert len(eos) == 15 and {p["column"] for p in eos} == {"embedding_and_loss_in_pipeline_split", "fp8_params",
                                                             "cross_entropy_loss_fusion"}
    assert all(f"training_results_v5.0/blob/{COMMIT}/" in p["source"] and "#L" in p["source"] for p in eos)
    llama3 = [p for p in patches if p["name"].startswith("llama3-table4")]
    assert len(llama3) == 3 and all("2407.21783" in p["source"] and "one Transformer layer" in p["source"]
                                    for p in llama3)
    rows = read_catalog("measurements").filter(pl.col("name").is_in([p["name"] for p in patches]))
    assert rows.height == 8 and rows["embedding_and_loss_in_pipeline_split"].all()
    eos_rows = rows.filter(pl.col("name").str.contains("eos-dfw"))
    assert eos_rows["fp8_params"].all() and eos_rows["cross_entropy_loss_fusion"].all()
    assert (eos_rows["tp"] == 8).all() and (eos_rows["virtual_stages"] == 8).all()  # what the configs set already


def test_replaying_the_patches_changes_nothing(tmp_path):
    applied, after, bundled = replayed(HERE, "apply_feas_acc405", tmp_path)
    assert applied == 18
    assert after.equals(bundled)


def test_no_recomputation_is_a_valid_patch_the_catalog_now_states(tmp_path):
    """13 rows (5 Eos, 5 Carina, Tyche, 2 Nebius), each cited to custom.yaml's null default and pretrain.py's model
    config; kept out here, the bundled rows state "none" since r-rcomp (its cells.csv cites the same pretrain.py
    lines), so replaying the patch changes no row's recompute."""
    patches = _patches(HERE / "recompute")
    names = {p["name"] for p in patches}
    assert len(patches) == len(names) == 13 and {(p["column"], p["value"]) for p in patches} == {("recompute", "none")}
    assert all("ACT_CKPT_GRANULARITY" in p["source"] and "pretrain.py#L" in p["source"] for p in patches)
    with open(HERE.parent / "r-rcomp" / "cells.csv", newline="") as f:
        rcomp = {c["name"]: c for c in csv.DictReader(f) if c["name"] in names}
    assert set(rcomp) == names and all(f"{rcomp[p['name']]['path']}#L{rcomp[p['name']]['line']} " in p["source"]
                                       for p in patches)
    registry = HERE.parent.parent
    assert (read_catalog("measurements").filter(pl.col("name").is_in(names))["recompute"] == "none").all()
    shutil.copy(registry / "measurements.parquet", tmp_path / "measurements.parquet")
    module = script(HERE.parent / "r-feas" / "apply.py", "apply_feas_acc405_recompute")
    assert module.apply(tmp_path, HERE / "recompute", {}) == 13
    after = pl.read_parquet(tmp_path / "measurements.parquet")
    changed = after.filter(pl.col("recompute").fill_null("") != read_catalog("measurements")["recompute"].fill_null(""))
    assert changed.height == 0
