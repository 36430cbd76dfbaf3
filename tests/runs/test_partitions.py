"""Writing a chunk's parts (one per run of an accelerator's rows, ``sizing.runs_of``), collecting."""

import polars as pl


def test_write_parts_counts_rows_and_out_of_range_per_slice(tmp_path):
    from pipeline.runs.partitions import write_parts
    from pipeline.studies import node

    # node declares mfu within [0, 1] and latency_s >= 0: by hand, slice a has one mfu above 1,
    # slice b one mfu below 0 and one negative latency
    rows = pl.DataFrame({"hardware": ["a", "a", "b", "b", "b"], "mfu": [0.5, 1.5, -0.1, 0.2, 1.0],
                         "latency_s": [1.0, 2.0, 3.0, -1.0, 0.0]})
    targets = [(0, 2, "hardware=a/part-00000.parquet"), (2, 3, "hardware=b/part-00000.parquet")]
    files, recorded = write_parts(rows, targets, tmp_path, "study=node", node.SCHEMA, {"compression": "zstd"})
    assert files == [tmp_path / "hardware=a/part-00000.parquet", tmp_path / "hardware=b/part-00000.parquet"]
    assert recorded == {"partitions": {"study=node/hardware=a/part-00000.parquet": 2,
                                       "study=node/hardware=b/part-00000.parquet": 3},
                        "ranges": {"study=node/hardware=a/part-00000.parquet": {"mfu": 1},
                                   "study=node/hardware=b/part-00000.parquet": {"mfu": 1, "latency_s": 1}}}
    assert pl.read_parquet(files[1], hive_partitioning=False)["mfu"].to_list() == [-0.1, 0.2, 1.0]


def test_collect_flags_node_opts_out_of_cse_only():
    from pipeline.runs.partitions import collect_flags
    from pipeline.studies import node, serving, training

    assert collect_flags(node).comm_subexpr_elim is False
    assert collect_flags(serving).comm_subexpr_elim is True  # polars' defaults
    assert collect_flags(training).comm_subexpr_elim is True
