"""r-bertbw: the MLPerf Training BERT rows' microbatch and framework from their own result logs
(registry_data/research/r-bertbw/README.md). Each cell cites a log line; the microbatch is the row's per-GPU batch
(accumulation 1 on every run); apply.py replays both files onto a catalog by row name, once."""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script
from tests.validation.test_research_v50b import HERE as V50B

HERE = V50B.parent / "r-bertbw"
APPLY = script(HERE / "apply.py", "apply_bertbw")


def test_each_cell_cites_its_log_line_and_states_the_per_gpu_batch():
    cells = pl.read_csv(HERE / "cells.csv")
    labels = pl.read_csv(HERE / "labels.csv")
    for f in (cells, labels):
        assert f.select("repository", "commit", "path", "line", "why").null_count().row(0) == (0,) * 5
        assert f["path"].str.contains(r"/results/.+/bert/result_\d+\.txt$").all()
        assert not f.select("name", "column").is_duplicated().any()
    rows = read_catalog("measurements").join(cells.select("name", pl.col("value").alias("cell")), on="name")
    assert rows.height == cells.height == 34
    assert (rows["cell"] == rows["batch"] // rows["devices"]).all()
    assert (rows["batch"] % rows["devices"] == 0).all()
    assert set(labels["value"]) == {"default"} and labels.height == 7


def test_the_cells_replay_once(registry):
    bundled = read_catalog("measurements")
    microbatch = pl.read_csv(HERE / "cells.csv")["name"]
    relabelled = pl.read_csv(HERE / "labels.csv")["name"]
    blank = bundled.with_columns(
        pl.when(pl.col("name").is_in(microbatch.implode())).then(None).otherwise(pl.col("microbatch"))
        .alias("microbatch"),
        pl.when(pl.col("name").is_in(relabelled.implode())).then(pl.lit("Megatron-LM")).otherwise(pl.col("framework"))
        .alias("framework"))
    write_catalog(blank, "measurements", registry)
    for _ in range(2):  # the second run finds every note and value in place
        assert APPLY.apply(registry) == 41
        assert read_catalog("measurements", registry).equals(bundled)
