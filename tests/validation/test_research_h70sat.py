"""r-h70sat: the Server batch cap (the engine's gpu_batch_size) of the H100 Llama 2 70B, B200 Llama 3.1 8B and H200
Mixtral 8x7B MLPerf Inference rows from their runs' own configs (registry_data/research/r-h70sat/README.md). A cell
is set only on a Server row under a request rate (where serving_rows.load_axes reads batch as the in-flight cap,
not as a batch run exactly), a pipeline-parallel replica holds gpu_batch_size x pp sequences, and apply.py replays
cells.csv onto a catalog by row name, once."""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script
from tests.validation.test_research_v50b import HERE as V50B

HERE = V50B.parent / "r-h70sat"
APPLY = script(HERE / "apply.py", "apply_h70sat")


def cells() -> pl.DataFrame:
    return pl.read_csv(HERE / "cells.csv")


def test_each_cell_is_a_rated_server_row_citing_a_config_line():
    c = cells().join(read_catalog("measurements"), on="name", how="left")
    assert c.height > 0 and not c.select("name").is_duplicated().any()
    assert c.select("repository", "commit", "path", "line", "why").null_count().row(0) == (0,) * 5
    assert c["path"].str.contains(r"^closed/[^/]+/configs/").all()
    assert (c["scenario"] == "server").all() and c["request_rate"].is_not_null().all()
    assert (c["column"] == "batch").all() and (c["framework"] == "TensorRT-LLM").all()


def test_a_pipeline_parallel_replica_holds_the_batch_per_micro_batch():
    """The config states gpu_batch_size per micro-batch (the cell's why keeps it); the cell is that times pp: Cisco's
    v5.1 copy of NVIDIA's v5.0 H100 PP2 class states 1024 (Server/__init__.py line 97), the replica holds 2048."""
    c = cells().join(read_catalog("measurements").select("name", "pp"), on="name", how="left").with_columns(
        stated=pl.col("why").str.extract(r"gpu_batch_size (\d+):", 1).cast(pl.Int64))
    assert (c["value"] == c["stated"] * c["pp"].fill_null(1)).all()
    v50 = c.filter(pl.col("name").str.starts_with("mlperf-inf-v5.0-nvidia-dgx-h100"))
    assert v50.height == 3 and v50["value"].to_list() == [2048] * 3 and v50["line"].to_list() == [97] * 3


def test_the_cells_replay_once(registry):
    bundled = read_catalog("measurements")
    names = cells()["name"].implode()
    blank = bundled.with_columns(pl.when(pl.col("name").is_in(names)).then(None).otherwise(pl.col("batch"))
                                 .alias("batch"))
    write_catalog(blank, "measurements", registry)
    for _ in range(2):  # the second run finds every note and value in place
        APPLY.apply(registry)
        assert read_catalog("measurements", registry).equals(bundled)
