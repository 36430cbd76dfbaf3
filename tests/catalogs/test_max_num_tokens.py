"""The measurements column ``max_num_tokens`` (the engine's runtime token budget per iteration, r-chunkctx): a
registry written before it loads with the column null and a note; a bad value is rejected naming table, row and
column."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.catalogs.io import read_catalog
from pipeline.errors import InputError

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-chunkctx"


def test_a_registry_without_the_column_reads_it_as_null_with_a_note(registry, capsys):
    path = registry / "measurements.parquet"
    pq.write_table(pq.read_table(path).drop(["max_num_tokens"]), path)
    m = read_catalog("measurements", registry)
    assert m["max_num_tokens"].dtype == pl.Int64 and m["max_num_tokens"].null_count() == m.height
    assert re.search(r"no column 'max_num_tokens' \(added 2026-12-06\); read as null: no runtime token budget",
                     capsys.readouterr().err)


@pytest.mark.parametrize("bad", [0, -2048])
def test_a_budget_below_one_token_is_rejected_with_table_row_and_column(registry, bad):
    path = registry / "measurements.parquet"
    table = pq.read_table(path)
    i = table.schema.get_field_index("max_num_tokens")
    values = table.column(i).to_pylist()
    row = values.index(None)  # a row without a stated budget
    values[row] = bad
    pq.write_table(table.set_column(i, table.schema.field(i), pa.array(values, pa.int64())), path)
    with pytest.raises(InputError, match="catalog 'measurements'") as exc:
        read_catalog("measurements", registry)
    name = table.column("name")[row].as_py()
    assert [(p.column, p.row in (row + 1, None) and (p.row or p.label == name)) for p in exc.value.problems] == [
        ("max_num_tokens", True)]


def test_the_stated_budgets_cite_their_config_line_and_replay_to_the_catalog(registry):
    """r-chunkctx: 63 TensorRT-LLM MLPerf rows state the budget of their config (v5.1 own configs; the two v5.0 405B
    Server runs NVIDIA's class whose rate matches), each note citing the line; replaying patches.csv onto a tree
    without the column gives the catalog again (same rows, values, notes), and the v5.0 layouts stay stated."""
    bundled = pl.read_parquet(HERE.parents[1] / "measurements.parquet")
    stated = bundled.filter(pl.col("max_num_tokens").is_not_null())
    assert stated.height == 63 and set(stated["framework"]) == {"TensorRT-LLM"}
    assert stated["notes"].str.contains("[max_num_tokens = ", literal=True).all()
    assert stated["notes"].str.contains("965182b03376a00fcae415c54e560e1c83937932", literal=True).all()
    assert (stated["last_verified"].cast(pl.String) == "2026-12-06").all()
    v50 = bundled.filter(pl.col("name").str.contains("v5.0-nvidia-b200-sxm-180gbx8_trt-llama3_1-405b-server"))
    assert v50.select("tp", "pp", "batch", "max_num_tokens").unique().rows() == [(2, 2, 128, 1024)]
    path = registry / "measurements.parquet"
    pq.write_table(pq.read_table(path).drop(["max_num_tokens"]), path)
    runpy.run_path(str(HERE / "apply.py"))["main"](registry)
    replayed = pl.read_parquet(path)
    assert replayed.select(bundled.columns).equals(bundled)
