"""mlsys runs diff (issue 15 item 3): two small runs that differ by one catalog cell."""

from __future__ import annotations

import json
from urllib.parse import unquote

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import pipeline
from pipeline import runs
from pipeline.catalogs.io import write_catalog
from pipeline.errors import InputError
from pipeline.runs import database
from pipeline.runs.diff import diff_runs, render

# CNN rows have a NULL seq_len: a plain join on the axes would drop them; config_id keeps them.
SPEC = {"axes": {"hardware": ["T4", "A10"], "model": ["ResNet-50", "Llama 2 7B"], "batch": [1, 8],
                 "seq_len": [512]}}


@pytest.fixture
def two_runs(tmp_path, registry):
    out = tmp_path / "out"
    first = pipeline.run_sweep(SPEC, out, registry=registry)
    hardware = pl.read_parquet(registry / "hardware.parquet")  # one cell changes: T4's bandwidth doubles
    write_catalog(hardware.with_columns(memory_bandwidth_bytes_per_s=pl.when(pl.col("name") == "T4")
                                        .then(2 * pl.col("memory_bandwidth_bytes_per_s"))
                                        .otherwise("memory_bandwidth_bytes_per_s")), "hardware", registry)
    second = pipeline.run_sweep(SPEC | {"axes": SPEC["axes"] | {"batch": [1, 8, 32]}}, out, registry=registry)
    return out, first, second


def test_diff_names_rows_columns_and_the_catalog_cell(two_runs):
    out, first, second = two_runs
    d = diff_runs(first.name, second.name, out)
    a, b = runs.scan_run(first).collect(), runs.scan_run(second).collect()
    assert a["seq_len"].null_count() > 0  # the CNN rows, matched through their NULL seq_len
    assert (d.rows_a, d.rows_b) == (a.height, b.height)
    assert d.added == b.filter(pl.col("batch") == 32).height > 0 and d.removed == 0
    # every T4 row in both runs moves with its memory bandwidth, no A10 row does
    t4_common = a.filter(pl.col("hardware") == "T4").height
    assert d.columns["memory_bandwidth_bytes_per_s"] == t4_common
    assert d.changed == t4_common
    assert "hardware" not in d.columns and "model" not in d.columns
    assert d.catalogs_changed == ["hardware"]
    [table] = d.catalogs
    assert [(k, c) for k, c, *_ in table.changed] == [("T4", "memory_bandwidth_bytes_per_s")]
    assert not table.added and not table.removed
    text = "\n".join(render(d))
    assert "memory_bandwidth_bytes_per_s" in text and "catalogs changed: hardware" in text and "T4" in text


def test_a_run_against_itself_and_the_cli(two_runs, mlsys):
    out, first, second = two_runs
    same = diff_runs(first, first, out)
    assert (same.added, same.removed, same.changed, same.columns, same.catalogs_changed) == (0, 0, 0, {}, [])
    done = mlsys("runs", "diff", first.name, second.name, "--out", str(out), "--format", "json")
    assert done.exit_code == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["catalogs_changed"] == ["hardware"] and payload["added"] > 0
    text = mlsys("runs", "diff", first.name, second.name, "--out", str(out))
    assert text.exit_code == 0 and "~ T4: memory_bandwidth_bytes_per_s:" in text.stdout


def test_runs_of_two_studies_are_refused(tmp_path):
    out = tmp_path / "out"
    node = pipeline.run_sweep({"axes": {"hardware": ["T4"], "model": ["ResNet-50"]}}, out)
    serving = pipeline.run_sweep({"study": "serving", "axes": {"hardware": ["H100 SXM5 80GB"],
                                                               "model": ["Llama 3 8B"]}}, out)
    with pytest.raises(InputError, match="compare runs of one study"):
        diff_runs(node, serving, out)


def test_a_run_whose_parts_hold_their_key_diffs_cleanly_with_one_whose_do_not(tmp_path):
    """A run written before the parts left out their partition key (``hardware`` in every part and in its folder's
    name) reads as written: rewritten so, one run diffs against another of the same spec with nothing changed, and
    its view and ``scan_run`` show the same rows and columns."""
    out = tmp_path / "out"
    old, new = pipeline.run_sweep(SPEC, out), pipeline.run_sweep(SPEC, out)
    for part in runs.part_files(old, "node"):  # as the writer wrote it: the key second, after run_id
        frame = pl.read_parquet(part, hive_partitioning=False)
        value = unquote(part.parent.name.split("=", 1)[1])
        frame.insert_column(1, pl.Series("hardware", [value] * frame.height, pl.Categorical)).write_parquet(part)
    (old / database.DATABASE).unlink()  # its views built over those parts
    manifest = json.loads((old / "manifest.json").read_text())
    database.create_database(old, database.run_views(old, "node", manifest["catalogs"]), {})
    assert pl.read_parquet_schema(runs.part_files(old, "node")[0])["hardware"] == pl.Categorical
    assert "hardware" not in pl.read_parquet_schema(runs.part_files(new, "node")[0])
    d = diff_runs(old, new, out)
    assert (d.added, d.removed, d.changed, d.columns, d.columns_added, d.columns_removed) == (0, 0, 0, {}, [], [])
    assert d.rows_a == d.rows_b == runs.scan_run(new).collect().height > 0
    a, b = (runs.scan_run(r).drop("run_id").collect().sort("config_id") for r in (old, new))
    assert_frame_equal(a, b)
    assert set(a["hardware"].cast(pl.String)) == {"T4", "A10"}
    views = []
    for run in (old, new):
        con = database.connect(run)
        views.append(pl.from_arrow(con.sql("select * exclude (run_id) from node order by config_id").to_arrow_table()))
        con.close()
    assert_frame_equal(*views)
    assert_frame_equal(views[0], a.with_columns(pl.col(c).cast(pl.String) for c, t in a.schema.items()
                                                if t == pl.Categorical), check_dtypes=False)
