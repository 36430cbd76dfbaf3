"""The node study's Parquet parts carry null counts and no min/max (``node.PARQUET_STATISTICS``): a part holds one
accelerator's rows over the whole model side, so a key's min/max spans its catalog and prunes no row group. The
queries read the same rows either way."""

from __future__ import annotations

import polars as pl
import pyarrow.parquet as pq

import pipeline
from pipeline import runs
from pipeline.runs.partitions import part_files
from pipeline.spec import parse_spec

SPEC = {"axes": {"hardware": ["T4", "H100 SXM5 80GB"], "model": ["Llama 2 7B", "ResNet-50"],
                 "compute_dtype": ["fp16", "fp32"], "batch": [1, 8], "seq_len": [512, 2048],
                 "workload": ["inference", "training"]}}


def test_node_parts_hold_null_counts_and_no_min_max(tmp_path):
    run = runs.run(runs.prepare(parse_spec(SPEC)), tmp_path)
    parts = part_files(run, "node")
    assert len(parts) == 2  # one per accelerator
    for part in parts:
        meta = pq.ParquetFile(part).metadata
        assert meta.num_rows > 0
        for g in range(meta.num_row_groups):
            for c in range(meta.num_columns):
                stats = meta.row_group(g).column(c).statistics
                assert stats is not None and stats.has_null_count and not stats.has_min_max, (
                    part, meta.schema.column(c).name)
    # a query filtering a key (model) finds every row it selects without the min/max
    shortlist = pipeline.query("shortlist", run=run, model="ResNet-50", top=1000)
    rows = runs.scan_run(run).filter(pl.col("model") == "ResNet-50", pl.col("workload") == "inference",
                                     pl.col("is_feasible")).collect()
    assert shortlist.height == rows.height > 0


def test_a_part_of_several_row_groups_keeps_its_min_max(tmp_path):
    """A part longer than one row group (a large model side: its row groups hold model-side ranges) is written with
    min/max, which can skip them; a part of one row group with the study's statistics."""
    from pipeline.runs.partitions import ROW_GROUP_ROWS, parquet_options, write_parts
    from pipeline.runs.typed import arrow_schema
    from pipeline.studies import node

    n = ROW_GROUP_ROWS + 1
    rows = pl.DataFrame({"batch": list(range(n)), "mfu": [(i % 1000) / 1000 for i in range(n)]})
    options = parquet_options(arrow_schema(rows.lazy(), {"mfu": ""}, {}), "zstd")
    single = options | {"statistics": node.PARQUET_STATISTICS}
    files, _ = write_parts(rows, [(0, ROW_GROUP_ROWS, "hardware=a/part-00000.parquet"),
                                  (0, n, "hardware=b/part-00000.parquet")], tmp_path, "study=node", node.SCHEMA,
                           options, single)
    one, several = (pq.ParquetFile(f).metadata for f in files)
    assert one.num_row_groups == 1 and several.num_row_groups == 2
    assert not one.row_group(0).column(0).statistics.has_min_max
    assert [several.row_group(g).column(0).statistics.max for g in range(2)] == [ROW_GROUP_ROWS - 1, ROW_GROUP_ROWS]
