"""``database.answer``: a named query's rows by one bind of its SELECT, the same rows as the relation's two."""

from __future__ import annotations

import warnings

import polars as pl
import pytest
from duckdb import _seam

import pipeline
from pipeline.runs import database

MACRO_QUERY = """-- param floor = 0: least batch
create temp macro per_sample(x, b) as x / b;
select model, batch, per_sample(latency_s, batch) as latency_per_sample_s
from node where batch >= $floor and latency_s is not null
order by all
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, catalog_cache):
    spec = {"axes": {"hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB"], "model": ["Llama 2 7B", "ResNet-50"],
                     "compute_dtype": ["fp16", "bf16"], "batch": [1, 8], "seq_len": [512],
                     "workload": ["inference", "training"]}}
    return pipeline.run_sweep(spec, tmp_path_factory.mktemp("answer") / "out")


def _relation(run_dir, sql: str, params: dict) -> pl.DataFrame:
    """The rows as ``run_query`` read them before: the package's relation (``con.sql``), bound twice."""
    con = database.confined(run_dir, keys=database.names_keys_view(sql))
    try:
        return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())
    finally:
        con.close()


@pytest.mark.parametrize("name, given", [("design_space_map", {}), ("shortlist", {"model": "Llama 2 7B"}),
                                         ("requirements", {"model": "Llama 2 7B", "batch": "8"})])
def test_a_named_query_answers_as_the_relation_did(run_dir, name, given):
    sql = database.query_path(name).read_text()
    params = database.typed_params(name, database.query_params(sql), given)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = database.run_query(name, run_dir, given)
    assert ours.height > 0 and ours.equals(_relation(run_dir, sql, params))
    assert not [w for w in caught if database.ARROW_COPY_WARNING in str(w.message)]  # not shown to the user


def test_temp_macros_and_parameters_run_before_the_select(run_dir, tmp_path):
    (tmp_path / "per_sample.sql").write_text(MACRO_QUERY)
    ours = database.run_query("per_sample", run_dir, {"floor": "8"}, folder=tmp_path)
    assert ours.height > 0 and set(ours["batch"]) == {8}
    assert ours.equals(_relation(run_dir, MACRO_QUERY, {"floor": 8}))
    by_hand = ours.with_columns(pl.col("latency_per_sample_s") * pl.col("batch"))
    node = _relation(run_dir, "select model, batch, latency_s from node where batch >= 8 and latency_s is not null "
                              "order by all", {})
    assert by_hand["latency_per_sample_s"].to_list() == pytest.approx(node["latency_s"].to_list(), rel=1e-12)


def test_the_select_is_bound_once(run_dir, monkeypatch):
    """The package's describe-bind (``_seam.bind``, what ``con.sql`` does before running the SELECT) is not called:
    the bind through the node view's macro is paid once, by the run (fails on ``con.sql(...).to_arrow_table()``)."""
    described = []
    real = _seam.bind
    monkeypatch.setattr(_seam, "bind", lambda *args, **kwargs: described.append(args[1]) or real(*args, **kwargs))
    assert database.run_query("design_space_map", run_dir).height > 0
    assert described == []


def test_the_warning_filter_does_not_outlive_the_call(run_dir):
    con = database.confined(run_dir, keys=False)
    try:
        database.answer(con, "select 1 as one", {})
        with pytest.warns(UserWarning, match=database.ARROW_COPY_WARNING):
            con.execute("select 1 as one").to_arrow_table()
    finally:
        con.close()
