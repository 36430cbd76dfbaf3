"""Text columns of fixed categories (srvenum): a run's parts hold them as Enums of the catalog's names or the plans'
words, the same in every part; readers see the column dictionary's Categorical; a text outside is an error."""

from __future__ import annotations

import polars as pl
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline import runs
from pipeline.catalogs.load import load_catalogs
from pipeline.runs import partitions, typed
from pipeline.walls.bounds import BOUNDS

SERVING = {"study": "serving", "axes": {"hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB"],
                                        "model": ["Llama 3 8B", "Mixtral 8x7B"], "precision": ["fp16", "fp8"],
                                        "tp": [1, 2], "batch": [1, 64], "prompt_len": [512], "output_len": [128]}}


@pytest.fixture(scope="module")
def serving_run(tmp_path_factory):
    return pipeline.run_sweep(SERVING, tmp_path_factory.mktemp("enum") / "out")


def test_parts_hold_fixed_categories_and_readers_the_dictionarys_categorical(serving_run):
    models = load_catalogs().table("models")["name"].to_list()
    files = partitions.part_files(serving_run, "serving")
    assert len(files) == 2
    for file in files:
        arrow = pq.read_schema(file)
        for column in ("model", "compute_dtype", "bound", "ttft_bound", "binding_input"):
            assert str(arrow.field(column).type).startswith("dictionary<values=string"), column
        schema = pl.read_parquet_schema(file)
        assert schema["model"] == pl.Enum(models)  # every model of the catalog, in its order, not the run's two
        assert schema["bound"] == pl.Enum(list(BOUNDS))
        assert schema["run_id"] == pl.Categorical  # another run's id in a part a rerun reuses
        assert arrow.field("ttft_s").metadata[b"unit"] == b"s"  # units stay in the field metadata
    rows = runs.scan_run(serving_run).collect()
    assert all(rows.schema[c] == pl.Categorical for c in ("model", "compute_dtype", "bound", "binding_input"))
    assert sorted(rows["model"].unique().cast(pl.String).to_list()) == ["Llama 3 8B", "Mixtral 8x7B"]
    stored = pl.read_parquet(files, hive_partitioning=False).select(pl.col("model", "bound").cast(pl.String))
    assert stored.sort("model", "bound").equals(  # the same texts, in the parts' order
        partitions.scan_parts(serving_run, "serving").select(pl.col("model", "bound").cast(pl.String)).collect()
        .sort("model", "bound"))


def test_a_side_text_outside_its_categories_is_an_error_naming_the_column():
    enums = typed.text_enums(load_catalogs(), "serving")
    side = pl.DataFrame({"model": ["Llama 3 8B", "Llama 9 1T"], "compute_dtype": ["fp16", "fp16"]},
                        schema={"model": pl.Categorical, "compute_dtype": pl.Categorical})
    with pytest.raises(ValueError, match=r"serving model side, column 'model': \['Llama 9 1T'\] not among"):
        typed.as_enums(side, enums, "serving model side")
    ok = typed.as_enums(side.head(1), enums, "serving model side")
    assert ok.schema["model"] == enums["model"] and ok["model"].cast(pl.String).to_list() == ["Llama 3 8B"]


def test_a_computed_text_outside_its_words_fails_the_collect_not_a_null():
    enum = pl.Enum(["compute", "memory"])
    frame = pl.DataFrame({"bound": ["memory", None, "compute"]}, schema={"bound": pl.Categorical}).lazy()
    got = frame.select(typed.as_enum("bound", pl.Categorical(), enum)).collect()
    assert got.schema["bound"] == enum and got["bound"].cast(pl.String).to_list() == ["memory", None, "compute"]
    outside = pl.DataFrame({"bound": ["memory", "bubble"]}, schema={"bound": pl.Categorical}).lazy()
    with pytest.raises(pl.exceptions.ComputeError, match="invalid category"):
        outside.select(typed.as_enum("bound", pl.Categorical(), enum)).collect()


def test_as_categorical_gives_the_same_texts():
    enum = pl.Enum(["b", "a", "c"])
    frame = pl.DataFrame({"x": ["a", None, "c", "a"]}, schema={"x": enum})
    back = frame.lazy().select(typed.as_categorical("x", enum)).collect()
    assert back.schema["x"] == pl.Categorical and back["x"].cast(pl.String).to_list() == ["a", None, "c", "a"]


@pytest.mark.parametrize("study", ["node", "serving", "training"])
def test_the_categories_do_not_depend_on_a_partition_keyed_catalog(study):
    """Every part of a run (an incremental rerun's reused ones, a Dask task's) has one dtype per column: the
    categories come from catalogs the partition hash covers for every partition (training's clusters are keyed by
    accelerator: its cluster column stays Categorical)."""
    enums = typed.text_enums(load_catalogs(), study)
    assert ("cluster" in enums) == (study != "training")
    assert enums["compute_dtype"] == pl.Enum(load_catalogs().table("precisions")["name"].to_list())
