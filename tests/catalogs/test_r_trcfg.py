"""registry_data/research/r-trcfg: the Theia Llama 3.1 8B row names the cluster its system description states (the
system r-lorarows/clusters.py adds for the same system's LoRA row), cited once; the replay restores the cell and
notes on a copy without them, a second run changes nothing, and a cluster the catalog lacks is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import bundled_row, script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-trcfg"
REGISTRY = HERE.parent.parent
ROW = "mlperf-train-v5.1-nvidia-theia-ngpu512-ngc25.09-nemo-llama31-8b-step"
STALE = "No catalogued cluster of this accelerator holds the run."


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_trcfg_apply")


def test_the_8b_row_runs_on_the_system_its_log_folder_names():
    """theia_ngpu512_ngc25.09_nemo.json: number_of_nodes '128' (line 6) x accelerators_per_node '4' (line 20) = the
    row's 512 GB300 GPUs; results/theia_ngpu512_ngc25.09_nemo/llama31_8b/ is that system's folder."""
    row = bundled_row("measurements", ROW)
    cluster = bundled_row("clusters", row["cluster"])
    assert cluster["nodes"] * cluster["accelerators_per_node"] == 512 == row["devices"]
    assert cluster["accelerator"] == row["hardware"] == "GB300 NVL72 GPU"
    system = cluster["source_url"].rsplit("/", 1)[1].removesuffix(".json")
    assert f"/NVIDIA/results/{system}/llama31_8b/result_0.txt" in row["source_url"]
    assert row["notes"].count("theia_ngpu512_ngc25.09_nemo.json#L6") == 1 and STALE not in row["notes"]
    assert str(row["last_verified"]) == "2026-12-06"  # dates the result log, which the cell leaves


def test_replay_restores_the_cell_and_a_second_run_changes_nothing(apply, tmp_path):
    for table in ("measurements", "clusters"):
        shutil.copy(REGISTRY / f"{table}.parquet", tmp_path / f"{table}.parquet")
    bundled = read_catalog("measurements", tmp_path)
    note = apply.cells()["note"][0]
    rcomp = script(HERE.parent / "r-rcomp" / "apply.py", "r_rcomp_apply_trcfg")  # replayed after it: the recompute
    later = " " + " ".join(rcomp.cells().filter(pl.col("name") == ROW)["note"])
    undone = bundled.with_columns(
        pl.when(pl.col("name") == ROW).then(None).otherwise(pl.col("cluster")).alias("cluster"),
        pl.when(pl.col("name") == ROW).then(None).otherwise(pl.col("recompute")).alias("recompute"),
        pl.when(pl.col("name") == ROW).then(
            pl.col("notes").str.replace(" " + note, "", literal=True).str.replace(later, "", literal=True)
            .str.replace("Cluster: the run's system description (r-trcfg; cited below).", STALE, literal=True))
        .otherwise(pl.col("notes")).alias("notes"))
    write_catalog(undone, "measurements", tmp_path)
    assert read_catalog("measurements", tmp_path).filter(pl.col("name") == ROW)["cluster"][0] is None
    for _ in range(2):
        assert apply.apply(tmp_path) == 1
        rcomp.apply(tmp_path)
        assert read_catalog("measurements", tmp_path).equals(bundled)


def test_a_cluster_the_catalog_lacks_is_refused(apply):
    frame = pl.read_parquet(REGISTRY / "measurements.parquet")
    clusters = pl.read_parquet(REGISTRY / "clusters.parquet").filter(~pl.col("name").str.starts_with("NVIDIA Theia"))
    with pytest.raises(SystemExit, match="is not in the clusters catalog"):
        apply.replayed(frame, apply.cells(), clusters)
