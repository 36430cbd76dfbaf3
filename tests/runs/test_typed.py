"""Typed, self-describing, partitioned outputs (issue 15 item 2): config_id, run_id, integer axes,
units in the Parquet field metadata, Hive partitions and deterministic files."""

from __future__ import annotations

import datetime
import json

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline import runs
from pipeline.runs import partitions, typed

SERVING = {"study": "serving", "axes": {"hardware": ["H100 SXM5 80GB", "B200 (HGX B200)"],
                                        "model": ["Llama 3 8B"], "precision": ["fp16", "fp8"], "tp": [1, 2],
                                        "batch": [1, 8], "prompt_len": [512], "output_len": [128],
                                        "request_rate": [0.5, 2.0]}}
TRAINING = {"study": "training", "axes": {"cluster": ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"],
                                          "model": ["Llama 2 7B"], "compute_dtype": ["bf16"], "seq_len": [2048],
                                          "gpus": [64, 512], "tp": [1, 2, 8], "pp": [1, 4], "microbatch": [1, 2],
                                          "global_batch": [512]}}


def test_splitmix64_finalizer_matches_the_published_sequence():
    # SplitMix64 seeded with 0: the first output is mix(0x9E3779B97F4A7C15) = 0xE220A8397B1DCDAF
    # (Steele et al. 2014; the reference sequence of Vigna's splitmix64.c: e220a8397b1dcdaf, 6e789e6aa1b965f4).
    golden = 0x9E3779B97F4A7C15
    assert typed.mix_int(golden) == 0xE220A8397B1DCDAF
    assert typed.mix_int(2 * golden % typed.U64) == 0x6E789E6AA1B965F4
    frame = pl.DataFrame({"z": [golden, 2 * golden % typed.U64]}, schema={"z": pl.UInt64})
    assert frame.select(typed._mix(pl.col("z")))["z"].to_list() == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4]


def _run(spec, tmp_path, name="out"):
    run_dir = pipeline.run_sweep(spec, tmp_path / name)
    frame = runs.scan_run(run_dir).collect()  # the view's columns: the fact table and its dimension tables
    return run_dir, frame


@pytest.fixture(scope="module")
def serving_run(tmp_path_factory):
    """The run of ``SERVING`` and its rows, written once for the tests that only read them."""
    return _run(SERVING, tmp_path_factory.mktemp("serving"))


def test_serving_rows_are_typed_and_keyed(serving_run):
    run_dir, frame = serving_run
    assert frame.columns[:2] == ["config_id", "run_id"]
    assert frame["run_id"].unique().to_list() == [run_dir.name]
    assert {c: frame.schema[c] for c in ("config_id", "tp", "pp", "replicas", "batch")} == dict.fromkeys(
        ("config_id", "tp", "pp", "replicas", "batch"), pl.Int64)
    assert frame["config_id"].n_unique() == frame.height > 0
    # the vectorized id equals the plain-Python reference, row by row (nulls: dataset, region)
    for row in frame.head(20).iter_rows(named=True):
        assert row["config_id"] == typed.config_id_int({c: row[c] for c in typed.KEY_AXES["serving"]})
    # units and descriptions travel in the Parquet footer
    field = pq.read_schema(partitions.part_files(run_dir, "serving")[0]).field("ttft_s")
    assert field.metadata[b"unit"] == b"s" and field.metadata[b"description"]


def test_training_integer_axes_are_lossless_and_ids_unique(tmp_path):
    _run_dir, frame = _run(TRAINING, tmp_path)
    in_memory = pipeline.sweep(TRAINING)
    assert frame.height == in_memory.height > 0
    for column in typed.INTEGRAL["training"]:
        assert frame.schema[column] == pl.Int64, column
        assert (in_memory[column].round(0) == in_memory[column]).all(), column  # whole before the cast
    key = list(typed.KEY_AXES["training"])
    joined = frame.select(key).join(in_memory.with_columns(pl.col(typed.INTEGRAL["training"]).cast(pl.Int64)),
                        on=key, how="inner", nulls_equal=True)
    assert joined.height == frame.height and frame["config_id"].n_unique() == frame.height


def test_null_is_a_value_and_a_new_axis_at_its_default_keeps_ids(monkeypatch):
    cnn = {"hardware": "T4", "model": "ResNet-50", "workload": "inference", "step": "forward",
           "compute_dtype": "fp16", "batch": 8, "seq_len": None, "region": None}
    assert typed.config_id_int(cnn) != typed.config_id_int(cnn | {"seq_len": 0})
    assert typed.config_id_int(cnn) != typed.config_id_int({k: v for k, v in cnn.items() if k != "seq_len"})
    assert typed.config_id_int(cnn) == typed.config_id_int(dict(reversed(cnn.items())))  # column order is free
    frame = pl.DataFrame([cnn, cnn | {"batch": 16}], schema={
        "hardware": pl.Categorical, "model": pl.String, "workload": pl.String, "step": pl.String,
        "compute_dtype": pl.String, "batch": pl.Int64, "seq_len": pl.Int64, "region": pl.String})
    texts = typed.text_codes([frame])
    before = typed.with_config_id(frame, "node", texts)["config_id"].to_list()
    assert before == [typed.config_id_int(cnn), typed.config_id_int(cnn | {"batch": 16})]
    monkeypatch.setitem(typed.KEY_AXES, "node", (*typed.KEY_AXES["node"], "new_axis"))
    monkeypatch.setitem(typed.DEFAULTS, "new_axis", 1)
    grown = frame.with_columns(new_axis=pl.Series([1, 2]))
    after = typed.with_config_id(grown, "node", texts)["config_id"].to_list()
    assert after[0] == before[0] and after[1] != before[1]  # at its default: the old id; elsewhere: a new one


def test_identical_inputs_write_identical_files(tmp_path, freeze_clock):
    freeze_clock(datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC))
    spec = SERVING | {"axes": SERVING["axes"] | {"hardware": "all", "model": ["Llama 3 8B", "Llama 2 13B"]}}
    first = pipeline.run_sweep(spec, tmp_path / "out")
    second = pipeline.run_sweep(spec, tmp_path / "out")  # same second: same run id in the rows, folder "-1"
    files = [p.relative_to(first) for p in partitions.part_files(first, "serving")]
    assert len(files) > 10
    assert files == [p.relative_to(second) for p in partitions.part_files(second, "serving")]
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    manifest = json.loads((first / "manifest.json").read_text())
    assert sum(manifest["partitions"].values()) == manifest["rows"]["serving"]


def test_hive_partitions_decode_to_the_accelerator_and_prune(serving_run):
    run_dir, frame = serving_run
    folders = sorted(p.name for p in (run_dir / "study=serving").iterdir())
    assert folders == ["hardware=B200%20%28HGX%20B200%29", "hardware=H100%20SXM5%2080GB"]
    glob = str(run_dir / partitions.study_glob("serving"))
    con = duckdb.connect()
    try:  # a BI tool's read: hive partitioning on; the partition value is the exact name
        rows = con.sql(f"select hardware, study, count(*) from read_parquet('{glob}', hive_partitioning = true) "
                       "group by all order by 1").fetchall()
        plan = con.sql(f"explain analyze select count(*) from read_parquet('{glob}', hive_partitioning = true) "
                       "where hardware = 'H100 SXM5 80GB'").fetchall()[0][1]
    finally:
        con.close()
    counts = frame.group_by("hardware").len().sort("hardware")
    assert rows == [(h, "serving", n) for h, n in counts.iter_rows()]
    assert "Scanning Files: 1/2" in plan


@pytest.mark.parametrize("study", ["node", "serving", "training"])
def test_output_dictionary_describes_the_written_columns(study):
    written = typed.output_dictionary().filter(pl.col("study") == study)
    assert written["column_name"].to_list()[:2] == ["config_id", "run_id"]
    dtypes = dict(written.select("column_name", "dtype").iter_rows())
    assert all(dtypes[c] == "Int64" for c in typed.INTEGRAL[study])
    assert set(typed.KEY_AXES[study]) <= set(dtypes)


def test_speculation_axes_key_rows_and_leave_other_ids_alone(tmp_path):
    spec = {"study": "serving", "axes": {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "batch": [1],
                                         "prompt_len": [512], "output_len": [64], "tp": [1],
                                         "spec_draft_tokens": [0, 4], "spec_acceptance": [0.6, 0.8]}}
    _run_dir, frame = _run(spec, tmp_path)
    assert frame.height == 4 and frame["config_id"].n_unique() == 4  # k and alpha tell the rows apart
    # a row without speculation (k = 0, alpha = 0, no draft model) keys as it did before the axes existed
    plain = frame.filter(pl.col("spec_draft_tokens") == 0).head(1).to_dicts()[0]
    before = {c: plain[c] for c in typed.KEY_AXES["serving"] if not c.startswith("spec_") and c != "draft_model"}
    off = {"spec_draft_tokens": 0, "spec_acceptance": 0.0, "draft_model": None}
    assert typed.config_id_int(before) == typed.config_id_int(before | off)


@pytest.mark.parametrize("spec", [
    {"axes": {"hardware": ["T4", "H100 SXM5 80GB"], "model": ["ResNet-50", "Llama 2 7B"], "batch": [1, 8],
              "seq_len": [512], "workload": ["inference", "training"], "region": ["United States", "India"]}},
    SERVING,
    TRAINING | {"axes": TRAINING["axes"] | {"sequence_parallel": [True, False], "recompute": ["none", "full"]}},
], ids=["node", "serving", "training"])
def test_looked_up_terms_give_the_ids_of_the_reference(spec):
    """The ids the sweep writes (text and Boolean terms looked up) equal those of every column mixed
    per row and, row by row, the plain-Python reference; NULLs (CNN seq_len, dataset, region) included."""
    from pipeline.runs.prepared import prepare
    from pipeline.spec import parse_spec

    study = spec.get("study", "node")
    prepared = prepare(parse_spec(spec, "test"))
    texts = typed.text_codes([prepared.space.hardware_side, prepared.space.model_side],
                             prepared.spec.axes.region or ())
    frame = typed.typed(prepared.study.build(prepared.space).frame, study, "r", texts).collect()
    assert frame.height > 0 and frame["config_id"].n_unique() == frame.height
    keys = frame.select(typed.KEY_AXES[study])
    assert any(keys[c].dtype == pl.Categorical for c in keys.columns)
    mixed = typed.with_config_id(keys, study, texts, lookup=False)["config_id"]
    assert frame["config_id"].to_list() == mixed.to_list()
    for row in frame.gather(range(0, frame.height, max(1, frame.height // 40))).iter_rows(named=True):
        assert row["config_id"] == typed.config_id_int({c: row[c] for c in typed.KEY_AXES[study]})


def test_a_text_beyond_the_known_codes_is_an_error_and_unlisted_ones_still_key_right():
    frame = pl.DataFrame({"hardware": ["cid_T4", "cid_A10", None], "model": ["m"] * 3, "workload": ["w"] * 3,
                          "step": ["s"] * 3, "compute_dtype": ["fp16"] * 3, "batch": [1, 2, 3], "seq_len": [None] * 3,
                          "region": [None] * 3}).with_columns(pl.col("hardware", "model").cast(pl.Categorical))
    rows = frame.to_dicts()
    texts = typed.text_codes([frame.filter(pl.col("hardware") != "cid_T4")])  # T4: a code below A10's, unlisted
    assert typed.with_config_id(frame, "node", texts)["config_id"].to_list() == [typed.config_id_int(r) for r in rows]
    late = frame.with_columns(hardware=pl.Series(["cid_late_name"] * 3, dtype=pl.Categorical))
    with pytest.raises(pl.exceptions.PolarsError):
        typed.with_config_id(late, "node", texts)


def test_expert_parallel_axes_key_rows_and_leave_other_ids_alone(tmp_path):
    """ep tells MoE layouts apart and is written as an integer; a row at ep = 1 on its reference cluster
    keys as it did before the axes existed (issue 15 item 2's rule for a new axis)."""
    spec = {"study": "serving", "axes": {"model": ["Mixtral 8x7B"], "hardware": ["H100 SXM5 80GB"], "batch": [8],
                                         "prompt_len": [512], "output_len": [64], "tp": [2], "ep": [1, 2, 4]}}
    _run_dir, frame = _run(spec, tmp_path)
    assert frame.schema["ep"] == pl.Int64 and sorted(frame["ep"].unique().to_list()) == [1, 2, 4]
    assert frame["config_id"].n_unique() == frame.height == 3
    plain = frame.filter(pl.col("ep") == 1).to_dicts()[0]
    before = {c: plain[c] for c in typed.KEY_AXES["serving"] if c not in ("ep", "cluster_override")}
    assert plain["config_id"] == typed.config_id_int(before)


def test_the_sql_config_id_is_the_reference_id():
    """config_id_sql (the view's id, from the two dimension tables' sums of terms) equals mix_int read
    as signed, including sums that wrap past 2**64 and results at and above 2**63."""
    golden = 0x9E3779B97F4A7C15
    pairs = [(0, 0), (golden, 0), (typed.MASK, typed.MASK), (typed.MASK, 1), (1 << 63, 1 << 63), (12345, golden)]
    sql = typed.config_id_sql("a::UHUGEINT + b::UHUGEINT")
    frame = pl.DataFrame(pairs, schema={"a": pl.UInt64, "b": pl.UInt64}, orient="row")
    got = duckdb.sql(f"select {sql} as id from frame").pl()["id"].to_list()
    want = []
    for a, b in pairs:
        z = typed.mix_int((a + b) & typed.MASK)
        want.append(z - typed.U64 if z >= 1 << 63 else z)
    assert got == want and any(w < 0 for w in want) and any(w > 0 for w in want)
    # the polars form of the same sums gives the same ids
    polars_ids = typed.id_from_terms(frame.select(config_id=pl.col("a") + pl.col("b")))["config_id"].to_list()
    assert polars_ids == want


@pytest.mark.parametrize("spec", [SERVING, TRAINING, "small"])
def test_a_sweep_types_its_chunks_by_its_plan_s_schema_resolved_once(spec, small_spec, tmp_path, monkeypatch):
    """Issue 15 (srvspd): ``partitions.write_study`` resolves its plan's schema once and types every chunk by it
    (``typed``'s ``schema``); the parts are those written when each chunk's own plan's schema is resolved (the
    hardware side cut into one chunk an accelerator: several chunks a run)."""
    spec = small_spec | {"study": "node"} if spec == "small" else spec
    monkeypatch.setattr(runs.sizing, "CHUNK_ROWS", 1)
    once, _ = _run(spec, tmp_path, "once")
    original, passed = typed.typed, []

    def own(frame, *args, **kwargs):
        passed.append(kwargs.pop("schema", None) or (args[5] if len(args) > 5 else None))
        return original(frame, *args[:5])  # the chunk's own plan's schema, resolved here
    monkeypatch.setattr(partitions, "typed", own)
    each, _ = _run(spec, tmp_path, "each")
    assert len(passed) >= 2 and all(s is not None for s in passed)
    files = sorted(p.relative_to(once) for p in once.glob("study=*/*/*.parquet"))
    assert len(files) > 1 and files == sorted(p.relative_to(each) for p in each.glob("study=*/*/*.parquet"))
    for f in files:
        a, b = pl.read_parquet(once / f), pl.read_parquet(each / f)
        assert a.schema == b.schema and a.drop("run_id").equals(b.drop("run_id"))
