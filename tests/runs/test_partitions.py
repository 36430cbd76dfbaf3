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


def test_write_parts_counts_only_the_columns_out_of_range_in_the_chunk(tmp_path):
    """nodewr: the slices are counted only on the columns with a row outside in the whole chunk (checked once):
    by hand, mfu is outside in slices a and c only, latency_s nowhere, so each slice's counts are those of its own
    rows, and a chunk with no row outside records none."""
    from pipeline.runs.partitions import write_parts
    from pipeline.studies import node

    rows = pl.DataFrame({"mfu": [0.5, 1.5, 0.2, 0.3, -0.1, -0.2], "latency_s": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    targets = [(0, 2, "hardware=a/part-00000.parquet"), (2, 2, "hardware=b/part-00000.parquet"),
               (4, 2, "hardware=c/part-00000.parquet")]
    _files, recorded = write_parts(rows, targets, tmp_path, "study=node", node.SCHEMA, {"compression": "zstd"})
    assert recorded["ranges"] == {"study=node/hardware=a/part-00000.parquet": {"mfu": 1},
                                  "study=node/hardware=c/part-00000.parquet": {"mfu": 2}}
    clean = rows.with_columns(pl.col("mfu").clip(0.0, 1.0))
    (tmp_path / "clean").mkdir()
    _files, recorded = write_parts(clean, targets, tmp_path / "clean", "study=node", node.SCHEMA,
                                   {"compression": "zstd"})
    assert recorded["ranges"] == {} and sum(recorded["partitions"].values()) == 6


def test_collect_flags_node_opts_out_of_cse_only():
    from pipeline.runs.partitions import collect_flags
    from pipeline.studies import node, serving, training

    assert collect_flags(node).comm_subexpr_elim is False
    assert collect_flags(serving).comm_subexpr_elim is True  # polars' defaults
    assert collect_flags(training).comm_subexpr_elim is True


def test_zstd_parts_are_written_at_level_1(tmp_path):
    """Issue 15 (wcodec): a run writes zstd at COMPRESSION_LEVELS' level 1, not polars' default 3: a part's bytes
    are those polars writes at level 1 (zstd's output is deterministic for a level) and not those at level 3."""
    from pipeline.runs.partitions import parquet_options, write_parts
    from pipeline.runs.typed import arrow_schema
    from pipeline.studies import node

    rows = pl.DataFrame({"hardware": ["a"] * 20_000, "mfu": [(i * 7919 % 1000) / 1000 for i in range(20_000)]})
    options = parquet_options(arrow_schema(rows.lazy(), {"mfu": ""}, {}), "zstd")
    assert options["compression_level"] == 1 and options["statistics"] is True
    assert parquet_options(options["arrow_schema"], "lz4")["compression_level"] is None  # lz4: polars' own
    files, _ = write_parts(rows, [(0, rows.height, "hardware=a/part-00000.parquet")], tmp_path, "study=node",
                           node.SCHEMA, options)
    levels = {}
    for level in (1, 3):
        rows.write_parquet(tmp_path / f"{level}.parquet", **(options | {"compression_level": level}))
        levels[level] = (tmp_path / f"{level}.parquet").read_bytes()
    assert levels[1] != levels[3]
    assert files[0].read_bytes() == levels[1]


def test_part_row_groups_do_not_depend_on_the_frames_chunks(tmp_path):
    """Issue 15 (trwrite): a streamed piece reaches the writer in the streaming engine's batches (not copied into one
    chunk); its part has the bytes of the same rows in one chunk, with row groups of ROW_GROUP_ROWS rows (polars'
    sink cuts a frame of several chunks at its chunks unless told a row-group size)."""
    import pyarrow.parquet as pq

    from pipeline.runs.partitions import ROW_GROUP_ROWS, parquet_options, write_parts
    from pipeline.runs.typed import arrow_schema
    from pipeline.studies import node

    n = ROW_GROUP_ROWS + 30_000
    whole = pl.DataFrame({"hardware": ["a"] * n, "mfu": [(i * 7919 % 1000) / 1000 for i in range(n)]})
    batches = pl.concat([whole.slice(0, 70_000), whole.slice(70_000, 100_000), whole.slice(170_000)], rechunk=False)
    assert batches.n_chunks() == 3 and whole.n_chunks() == 1
    options = parquet_options(arrow_schema(whole.lazy(), {"mfu": ""}, {}), "zstd")
    written = {}
    for name, rows in (("whole", whole), ("batches", batches)):
        files, _ = write_parts(rows, [(0, n, f"hardware={name}/part-00000.parquet")], tmp_path, "study=node",
                               node.SCHEMA, options)
        written[name] = files[0]
    assert written["whole"].read_bytes() == written["batches"].read_bytes()
    meta = pq.ParquetFile(written["batches"]).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [ROW_GROUP_ROWS, 30_000]
    assert pl.read_parquet(written["batches"]).equals(whole)


def test_integer_columns_are_checked_against_their_bounds_as_integers():
    """Issue 15 (writer): an Int64 column's range check compares integers (no cast to Float64): by hand, within
    [0.5, 2**53 + 0.5] the rows 0 (below), 1, 2**53 (inside) and 2**53 + 1 (above; as Float64 it rounds to 2**53,
    inside) give 2 rows outside; a Float32 column keeps its float bounds; the counts are those of ``write_parts``."""
    import pandera.polars as pa

    from pipeline.runs.partitions import range_checks
    from pipeline.studies import result

    class Wide(pa.DataFrameModel):
        n: int = result("", "a count", "hand", within=(0.5, 2**53 + 0.5))
        t: float = result("s", "a time", "hand")

        class Config:
            name = "wide"

    rows = pl.DataFrame({"n": [0, 1, 2**53, 2**53 + 1], "t": [0.0, -1.0, 2.0, 3.0]},
                        schema={"n": pl.Int64, "t": pl.Float32})
    assert rows.select(range_checks(Wide, rows.schema)).row(0, named=True) == {"n": 2, "t": 1}
    assert rows.select(range_checks(Wide, {"t": pl.Float32})).columns == ["t"]  # only the columns given
