"""The narrow fact table (issue 15 item 1): dimension tables and views give back the wide table."""

from __future__ import annotations

import json

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import runs
from pipeline.runs import database, narrow, partitions, views
from pipeline.runs.typed import KEY_AXES, output_dictionary, text_codes, typed
from pipeline.spec import parse_spec
from pipeline.studies import schema_columns

SPECS = {
    "node": {"axes": {"hardware": ["H100 SXM5 80GB", "T4"], "model": ["Llama 2 7B", "ResNet-50", "Mixtral 8x7B"],
                      "batch": [1, 64], "seq_len": [128, 4096], "compute_dtype": ["fp16", "fp8"],
                      "workload": ["inference", "training"], "region": ["United States", "India"]}},
    "serving": {"study": "serving", "axes": {"hardware": ["H100 SXM5 80GB", "T4"], "model": ["Llama 2 7B"],
                                             "precision": ["fp16"], "tp": [1, 2], "batch": [1, 8],
                                             "prompt_len": [512], "output_len": [128], "request_rate": [2.0]}},
    "training": {"study": "training", "axes": {"cluster": "all", "model": ["Llama 2 7B"], "compute_dtype": ["bf16"],
                                               "seq_len": [2048], "gpus": [8, 64], "tp": [1, 8], "pp": [1, 2],
                                               "microbatch": [1], "global_batch": [512]}},
}
MAPPED = {"Float64": "DOUBLE", "Int64": "BIGINT", "Categorical": "VARCHAR", "Boolean": "BOOLEAN"}


def _wide(prepared) -> pl.DataFrame:
    """The rows as the wide table wrote them: every output column, config_id, Float64 values."""
    texts = text_codes([prepared.space.hardware_side, prepared.space.model_side], prepared.spec.axes.region or ())
    frame = typed(prepared.study.build(prepared.space).frame, prepared.spec.study, "x", texts)
    return frame.collect().drop("run_id")


@pytest.fixture(scope="module", params=list(SPECS))
def written(request, tmp_path_factory):
    study = request.param
    prepared = runs.prepare(parse_spec(SPECS[study]))
    run_dir = runs.run(prepared, tmp_path_factory.mktemp(study))
    shape = narrow.layout(prepared, prepared.study.build(prepared.space).frame.collect_schema())
    return study, prepared, run_dir, shape


def test_views_give_the_wide_table_back(written):
    study, prepared, run_dir, shape = written
    wide = _wide(prepared).sort("config_id")
    con = database.connect(run_dir)
    try:
        view = con.sql(f"select * from {study}").pl().drop("run_id").sort("config_id")
    finally:
        con.close()
    assert view.columns == wide.columns and view.height == wide.height > 0
    derived = narrow.stored(wide, prepared).with_columns(pl.col(pl.Categorical).cast(pl.String))
    for column in wide.columns:
        before, got = wide[column], view[column]
        if before.dtype == pl.Categorical:
            before = before.cast(pl.String)
        if column in shape.derived:  # computed by the view from the stored values: what ``stored`` computes
            assert got.equals(derived[column], check_dtypes=False), column
            if before.dtype == pl.Float64:
                rel = ((got - before).abs() / before.abs()).drop_nans().drop_nulls()
                assert rel.len() == 0 or rel.max() <= 1e-6, column  # Float32 inputs, a few terms (hand bound)
            else:  # text: the same words
                assert got.equals(before), column
        elif column in shape.float32:  # stored as Float32: equal to the value before the cast, rounded once
            assert got.equals(before.cast(pl.Float32).cast(pl.Float64)), column
            rel = ((got - before).abs() / before.abs()).drop_nans().drop_nulls()
            assert rel.len() == 0 or rel.max() <= 6e-8, column
        else:  # keys, dimension columns, text, booleans: exactly the wide table's
            assert got.equals(before, check_dtypes=False), column
    # a few columns of each side, exactly: the dimension tables keep Float64
    for column in [c for side in shape.dimensions.values() for c in side[:4]]:
        assert column not in shape.float32
    assert runs.scan_run(run_dir).collect().drop("run_id").sort("config_id").equals(
        view.with_columns(pl.col(c).cast(pl.Categorical) for c in view.columns
                          if runs.scan_run(run_dir).collect_schema()[c] == pl.Categorical))


def test_fact_parts_hold_no_null_or_one_sided_column(written):
    study, prepared, run_dir, shape = written
    wide = _wide(prepared)
    for column in shape.nulls:  # what the study declares NULL on every row is
        assert wide[column].null_count() == wide.height, column
    stored = pl.read_parquet_schema(partitions.part_files(run_dir, study)[0])
    assert set(stored) == {"run_id", *shape.fact} - {partitions.PARTITION_KEY[study]}  # the key: the folder's
    fact = partitions.scan_parts(run_dir, study).collect()  # the key read from the folders
    assert fact.schema[partitions.PARTITION_KEY[study]] == pl.Categorical
    assert not set(shape.nulls) & set(fact.columns)
    assert shape.id_terms  # every key axis is in a dimension table: config_id is derived, not written
    assert set(fact.columns) == {"run_id", *shape.fact}
    assert not set(shape.derived) & set(fact.columns)  # computed by the views, written nowhere
    one_sided = set(shape.dimensions["hardware"]) | set(shape.dimensions["model"])
    assert set(shape.fact) & one_sided <= {partitions.PARTITION_KEY[study], *KEY_AXES[study]}  # the join keys
    for side, columns in shape.dimensions.items():
        dim = pl.read_parquet(narrow.dimension_path(f"{run_dir}/", study, side))
        keys = list(shape.keys[side])
        assert keys and dim.select(keys).n_unique() == dim.height
        assert list(dim.columns) == [*columns, *shape.hidden.get(side, ()), narrow.ID_TERMS]
        # the fact table holds the keys that identify the side's rows: every hardware key axis, the model side's
        # fewest and those it shares with the hardware side (the others: read from its dimension table)
        written = [c for c in keys if c in fact.columns]
        assert written == keys if side == "hardware" else set(narrow.minimal_keys(dim, keys)) <= set(written)
        assert dim.select(written).n_unique() == dim.height
        # every fact row finds its dimension row (NULL keys equal)
        assert fact.select(written).join(dim.select(written), on=written, how="anti", nulls_equal=True).height == 0
    if study == "serving":  # model axes constant in the spec are not written per row
        assert {"replicas", "prune_ratio", "lora_rank"} <= set(shape.keys["model"]) - set(fact.columns)


def test_float32_columns_are_the_listed_ones(written):
    study, _prepared, run_dir, shape = written
    schema = pq.read_schema(partitions.part_files(run_dir, study)[0])
    stored = {f.name for f in schema if f.type == pa.float32()}
    assert stored == set(shape.float32) and stored
    assert not stored & set(KEY_AXES[study])  # key axes keep their 64 bits (config_id reads them)
    assert {f.name for f in schema if f.type == pa.float64()} <= set(KEY_AXES[study])  # others: dimension tables
    assert schema.field(sorted(stored)[0]).metadata[b"unit"] is not None  # units still in the footer


def test_the_view_is_described_by_the_column_dictionary(written):
    study, _prepared, run_dir, _shape = written
    dictionary = output_dictionary().filter(pl.col("study") == study)
    con = database.connect(run_dir)
    try:
        described = [(r[0], r[1]) for r in con.sql(f"describe {study}").fetchall()]
    finally:
        con.close()
    assert described == [(c, MAPPED[d]) for c, d in dictionary.select("column_name", "dtype").rows()]


def test_a_dimension_column_out_of_range_is_counted(tmp_path, monkeypatch):
    """A value outside its declared range in a dimension table counts its dimension rows."""
    real = narrow.dimension_frames

    def negative_tdp(prepared, shape, texts):
        out = real(prepared, shape, texts)
        return out | {"hardware": out["hardware"].with_columns(pl.lit(-1.0).alias("tdp_w"))}

    monkeypatch.setattr(narrow, "dimension_frames", negative_tdp)
    spec = {"axes": {"hardware": ["T4"], "model": ["ResNet-50"], "batch": [1], "compute_dtype": ["fp16", "fp32"]}}
    run_dir = runs.run(runs.prepare(parse_spec(spec)), tmp_path)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["out_of_range"]["tdp_w"] == pl.read_parquet(
        narrow.dimension_path(f"{run_dir}/", "node", "hardware")).height == 2


def test_config_id_terms_cover_every_key_axis_once(written):
    """The two tables' sums of terms add up to the whole configuration's: each key axis in one."""
    study, _prepared, _run_dir, shape = written
    hardware, model = shape.id_terms["hardware"], shape.id_terms["model"]
    assert sorted([*hardware, *model]) == sorted(KEY_AXES[study]) and not set(hardware) & set(model)


# serving specs for the query-time test: a request rate (wall 7's fixed point beside the moved columns), and MoE with
# EP, a draft model, LoRA, a prefix cache and disaggregated workers (rebound formula inputs beside the moved columns)
SERVING_QUERY_TIME = [
    SPECS["serving"],
    {"study": "serving", "axes": {"hardware": ["H100 SXM5 80GB"], "model": ["Mixtral 8x7B", "Llama 2 7B"],
                                  "precision": ["fp16", "fp8"], "tp": [1, 2], "ep": [1, 2], "batch": [1, 16],
                                  "prompt_len": [1024], "output_len": [256], "spec_draft_tokens": [0, 4], "spec_acceptance": [0.7],
                                  "draft_model": ["Llama 3.2 1B"], "lora_rank": [0, 16],
                                  "prefix_hit_rate": [0.0, 0.5], "prefill_workers": [0, 1], "decode_workers": [0, 2]}},
]


# training: the bench's axes on two clusters (kernel fit or not), LoRA and a MoE model beside a dense one
TRAINING_QUERY_TIME = {"study": "training", "axes": {
    "cluster": ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)", "NVIDIA Selene subset, Megatron-LM (Narayanan et al. "
                "SC21, 3072 A100)"], "model": ["Llama 2 7B", "Mixtral 8x7B"], "compute_dtype": ["bf16", "fp8"],
    "seq_len": [2048], "gpus": [8, 64], "tp": [1, 2, 8], "pp": [1, 2], "ep": [1, 2], "microbatch": [1, 2],
    "global_batch": [512], "recompute": ["none", "full"], "zero_stage": [0, 3], "lora_rank": [0, 16]}}


@pytest.mark.parametrize("case", ["node", *[f"serving{i}" for i in range(len(SERVING_QUERY_TIME))], "training"])
def test_query_time_columns_equal_the_in_memory_sweep(tmp_path, small_spec, case):
    """A study's query-time columns (``QUERY_TIME``, written nowhere) computed by the views against
    ``pipeline.sweep``'s in-memory Float64 values: those whose formulas read no value the fact table stores as Float32
    are computed from the 64-bit dimension tables and equal the sweep's exactly (node: the footprint and traffic terms;
    serving: the memory terms); the others are within 1e-6 relative (a stored value's rounding, at most
    2**-24 = 6e-8, through a few sums and ratios; node's synthesized requirements divide by a difference).
    ``scan_run`` (polars) gives the view's values."""
    import pipeline
    from pipeline import formulas

    spec = {"node": small_spec, "training": TRAINING_QUERY_TIME}.get(case) or SERVING_QUERY_TIME[
        int(case[len("serving"):])]
    study = case.rstrip("0123456789")
    prepared = runs.prepare(parse_spec(spec))
    run_dir = runs.run(prepared, tmp_path)
    memory = pipeline.sweep(spec).with_columns(pl.col(pl.Categorical).cast(pl.String))
    con = database.connect(run_dir)
    try:
        view = con.sql(f"select * from {study}").pl()
    finally:
        con.close()
    keys = list(KEY_AXES[study])
    view, memory = view.sort(keys, nulls_last=True), memory.sort(keys, nulls_last=True)
    shape = narrow.layout(prepared, prepared.study.build(prepared.space).frame.collect_schema())
    least = {"node": 30, "serving": 20, "training": 25}[study]
    assert view.height == memory.height > 0 and len(shape.derived) >= least
    assert {"node": "latency_s", "serving": "memory_headroom_bytes", "training": "mfu"}[study] in shape.derived
    written = {c: None for c in [*shape.fact, *shape.nulls, *shape.dimensions["hardware"], *shape.dimensions["model"],
                                 *shape.hidden["hardware"], *shape.hidden["model"]]}
    exact = 0
    for column in shape.derived:
        got, expected = view[column], memory[column]
        assert got.is_null().equals(expected.is_null()), column
        if not set(shape.float32) & formulas.inputs_used(written, [column], narrow.derived_formulas(study)):
            assert got.equals(expected, check_dtypes=False), column
            exact += 1
        elif expected.dtype == pl.Float64:
            rel = ((got - expected).abs() / expected.abs()).drop_nans().drop_nulls()
            assert rel.len() == 0 or rel.max() <= 1e-6, column
        else:
            assert got.equals(expected), column
    # node: the footprint, traffic and roofline terms, launches, memory times (21 in its spec); serving: the memory
    # terms, launches, the EP and LoRA terms; training: the memory terms, FLOP and token counts, the checkpoint
    assert exact >= {"node": 20, "serving": 15, "training": 15}[study]
    scanned = runs.scan_run(run_dir).collect().with_columns(pl.col(pl.Categorical).cast(pl.String))
    assert scanned.sort(keys, nulls_last=True).select(shape.derived).equals(view.select(shape.derived))


def test_minimal_keys_leave_out_constant_and_determined_axes():
    rows = pl.DataFrame({"model": ["a", "a", "b", "b", "b"], "tp": [1, 2, 1, 2, 2], "dp": [8, 4, 8, 4, 4],
                         "cp": [1] * 5, "seq_len": [None, None, None, None, 128]})
    # cp is constant, dp = 8 / tp here; a NULL seq_len is a value of its own (NULL equal to NULL)
    assert narrow.minimal_keys(rows, ["model", "tp", "dp", "cp", "seq_len"]) == ["model", "tp", "seq_len"]
    assert narrow.minimal_keys(rows.head(4), ["model", "tp", "dp", "cp", "seq_len"]) == ["model", "tp"]
    assert narrow.minimal_keys(rows.select("cp"), ["cp"]) == ["cp"]  # one key at least


def test_a_dimension_table_without_null_keys_is_joined_grouped_on_equal_keys(written):
    """A dimension table whose keys hold no NULL is read grouped by its keys and joined with =, the shape DuckDB's
    join elimination drops from a query that reads none of its columns (the bench's fastest_layouts, CHANGELOG
    wpath); node's model table, whose CNN rows have a NULL seq_len, keeps its NULL-equal join."""
    study, _prepared, run_dir, _shape = written
    sql = views.view_source(run_dir, "", study)
    hardware = sql[sql.index("dimensions/" + study + "-hardware"):sql.index("dimensions/" + study + "-model")]
    model = sql[sql.index("dimensions/" + study + "-model"):]
    assert "GROUP BY" in hardware and ' = h."' in hardware and "DISTINCT" not in hardware
    if study == "node":
        assert 'f."seq_len" IS NOT DISTINCT FROM m."seq_len"' in model and "GROUP BY" not in model
    else:
        assert "GROUP BY" in model and ' = m."' in model and "DISTINCT" not in model


def test_an_aggregate_over_the_node_view_reads_its_levels_computed(written):
    """The node view's fence (``views.FENCE``): an aggregate over the view reads latency_s and bound as computed by
    their level, not their formulas copied into the aggregate (DuckDB 2's projection fusion, CHANGELOG nodeq2); the
    fence is no column of the view, and the serving and training views have none."""
    study, _prepared, run_dir, _shape = written
    con = database.connect(run_dir)
    try:
        assert views.FENCE_NAME not in con.sql(f"SELECT * FROM {study} LIMIT 0").columns
        con.execute("SET explain_output = 'optimized_only'")
        plan = con.sql("EXPLAIN SELECT min(latency_s), min(bound) FROM node WHERE is_feasible").fetchall()[0][1] if (
            study == "node") else ""
    finally:
        con.close()
    if study == "node":
        assert "min(latency_s), min(bound)" in plan and "min(CASE" not in plan
    else:
        assert views.FENCE_NAME not in views.view_source(run_dir, "", study)


def test_dimension_rows_are_one_per_key():
    """A side's rows once each (a repeated row kept once), and an error when its keys repeat with other values."""
    side = pl.DataFrame({"hardware": ["a", "b", "a"], "tdp_w": [700.0, 400.0, 700.0]})
    space = type("S", (), {"hardware_side": side, "model_side": pl.DataFrame({"model": ["m"]})})
    prepared = type("P", (), {"space": space})
    shape = narrow.Layout("node", (), frozenset(), {"hardware": ("hardware", "tdp_w"), "model": ("model",)},
                          {"hardware": ("hardware",), "model": ("model",)}, (), {})
    got = narrow.dimension_frames(prepared, shape, {})["hardware"]
    assert got.to_dict(as_series=False) == {"hardware": ["a", "b"], "tdp_w": [700.0, 400.0]}
    space.hardware_side = side.with_columns(tdp_w=pl.Series([700.0, 400.0, 350.0]))
    with pytest.raises(ValueError, match=r"key axes \['hardware'\] do not identify its rows"):
        narrow.dimension_frames(prepared, shape, {})


def test_dimension_tables_are_written_with_the_parts_options(written):
    """Issue 15 (wpath2): the dimension tables are written by polars' writer with the fact parts' Parquet options
    (the spec's codec, zstd; pyarrow's writer wrote snappy) and hold ``dimension_frames``' rows, units in the field
    metadata as the parts' are."""
    study, prepared, run_dir, shape = written
    texts = text_codes([prepared.space.hardware_side, prepared.space.model_side], prepared.spec.axes.region or ())
    part = pq.ParquetFile(partitions.part_files(run_dir, study)[0]).metadata.row_group(0).column(0).compression
    assert part == "ZSTD"
    for side, frame in narrow.dimension_frames(prepared, shape, texts).items():
        path = narrow.dimension_path(f"{run_dir}/", study, side)
        meta = pq.ParquetFile(path).metadata
        assert {meta.row_group(0).column(i).compression for i in range(meta.num_columns)} == {part}
        back = pl.read_parquet(path)
        assert back.columns == frame.columns
        assert back.with_columns(pl.col(pl.Categorical).cast(pl.String)).equals(
            frame.with_columns(pl.col(pl.Categorical).cast(pl.String)))
        declared = schema_columns(prepared.study.SCHEMA)
        for f in pq.read_schema(path):
            if f.name in declared:
                assert f.metadata[b"unit"] == (declared[f.name]["unit"] or "").encode(), (side, f.name)
