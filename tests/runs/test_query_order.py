"""Every named query answers the same rows in the same order whatever order DuckDB meets the rows in (issue 15: a
nightly diff of reports must not show changes that are not there)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import pipeline
from pipeline.runs import database
from pipeline.validation import latest

from tests.validation.measured_csv import ROWS, write

L8 = "Llama 3 8B"
H100_POD = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"
# fp16 and bf16 share their peaks on these accelerators: every configuration ties exactly across the two
SERVING = {"study": "serving", "axes": {
    "model": [L8], "hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB"], "precision": ["fp16", "bf16"], "tp": [1, 2],
    "batch": [1, 16, 128], "prompt_len": [1024], "output_len": [256], "region": ["France", "Poland"],
    "request_rate": [1.0, 4.0], "spec_draft_tokens": [0, 4], "spec_acceptance": [0.8], "draft_model": ["Llama 2 7B"]}}
TRAINING = {"study": "training", "axes": {
    "model": [L8], "cluster": [H100_POD], "compute_dtype": ["fp16", "bf16"], "gpus": [8, 16], "tp": [1, 2, 4, 8],
    "pp": [1, 2], "global_batch": [256], "region": ["France", "Poland"]}}
# parameters of each query over these runs (the rest take their defaults)
PARAMS = {
    "bottlenecks": {}, "design_space_map": {}, "model_accelerator_map": {}, "roofline": {},
    "requirements": {"model": "Llama 2 7B"}, "shortlist": {"model": "Llama 2 7B", "top": "50"},
    "sensitivity_map": {}, "fits": {}, "spec_breakeven": {}, "serving_frontier": {"model": L8},
    "sla_frontier": {"model": L8, "gpus": "8", "ttft_s": "2", "tpot_s": "0.1"},
    "max_batch": {"model": L8, "max_itl_s": "1"}, "cost_frontier": {"model": L8}, "carbon_per_token": {"model": L8},
    "parallelism_ranking": {"model": L8}, "scaling_curve": {"model": L8}, "fastest_layouts": {},
    "region_comparison": {"model": L8}, "validation_report": {},
}
ORDERS = {"sorted": "order by all", "reversed": "order by all desc", "shuffled": "order by random()"}


@pytest.fixture(scope="module")
def run_dirs(tmp_path_factory, cli):
    base = tmp_path_factory.mktemp("order")
    small = {"axes": {"hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB", "MI300X", "T4"],
                      "model": ["ResNet-50", "BERT-Large", "Llama 2 7B", "Mixtral 8x7B"],
                      "compute_dtype": ["fp16", "bf16", "fp8"], "batch": [1, 8, 64], "seq_len": [384, 2048],
                      "workload": ["inference", "training"]}}  # conftest's small_spec, module-scoped
    out = {study: pipeline.run_sweep(spec, base / study)
           for study, spec in (("node", small), ("serving", SERVING), ("training", TRAINING))}
    measured = write(base, ROWS)
    done = cli("validate", "--measured", str(measured), "--out", str(base / "validation"))
    assert done.exit_code == 0, done.stderr
    out["validation"] = latest(base / "validation")
    return out


def _copy(run_dir, order: str, replace: dict[str, str] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory database with each view and table of the run (serving's lengths table) as a table whose rows are
    inserted in ``order`` (``replace``: view name -> a SELECT over ``view`` whose rows that table gets instead)."""
    src = database.connect(run_dir)
    con = duckdb.connect()
    con.execute("select setseed(0.25)")
    try:
        views = [r[0] for r in src.sql("select view_name from duckdb_views() where not internal union all "
                                       "select table_name from duckdb_tables()").fetchall()]
        for name in views:
            view = src.sql(f"select * from {name}").to_arrow_table()  # noqa: F841 (DuckDB reads it by name)
            body = (replace or {}).get(name, "select * from view")
            con.execute(f"create table {name} as select * from ({body}) {ORDERS[order]}")
    finally:
        src.close()
    return con


def _answer(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, str]) -> pl.DataFrame:
    sql = database.query_path(name).read_text()
    bound = database.typed_params(name, database.query_params(sql), params)
    return pl.from_arrow(con.sql(sql, params=bound).to_arrow_table())


def test_every_query_is_covered():
    assert set(database.query_names()) == set(PARAMS)


@pytest.fixture(scope="module")
def copies(run_dirs) -> Iterator[dict[tuple[str, str], duckdb.DuckDBPyConnection]]:
    """``_copy`` of each study's run in each order, made once for the module's queries (each the same database a
    fresh ``_copy`` gives: its own seed, the same tables); the queries only read them (sla_frontier's ``create or
    replace temp macro`` defines the same macros each time)."""
    made: dict[tuple[str, str], duckdb.DuckDBPyConnection] = {}

    def copy(study: str, order: str) -> duckdb.DuckDBPyConnection:
        if (study, order) not in made:
            made[study, order] = _copy(run_dirs[study], order)
        return made[study, order]

    yield copy
    for con in made.values():
        con.close()


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_the_answer_does_not_depend_on_the_row_order(run_dirs, copies, name):
    sql = database.query_path(name).read_text()
    study = database.query_reads(sql, PARAMS[name])
    given = database.run_query(name, run_dirs[study], PARAMS[name])  # the runner `mlsys query` uses
    assert given.height > 0, f"{name} answers nothing over the test run: the test would not test it"
    for order in ORDERS:
        assert_frame_equal(_answer(copies(study, order), name, PARAMS[name]), given, check_exact=True), order


# Hand-built ties: each row of one precision doubled into a precision named before it, with the same figures. The
# answer is the same in every row order and names the twin, never the precision it was copied from.
TWINS = {"model_accelerator_map": ("node", "fp8"), "serving_frontier": ("serving", "bf16"),
         "sla_frontier": ("serving", "bf16")}


@pytest.mark.parametrize("name", sorted(TWINS))
def test_a_tie_goes_to_the_first_precision_by_name(run_dirs, name):
    study, have = TWINS[name]
    twin = "a" + have  # sorts before every precision name
    replace = {study: f"select * from view union all select * replace ('{twin}' as compute_dtype) from view "
                      f"where cast(compute_dtype as varchar) = '{have}'"}
    answers = []
    for order in ORDERS:
        con = _copy(run_dirs[study], order, replace)
        try:
            answers.append(_answer(con, name, PARAMS[name]))
        finally:
            con.close()
    for other in answers[1:]:
        assert_frame_equal(other, answers[0], check_exact=True)
    dtypes = set(answers[0]["compute_dtype"].cast(pl.String).to_list())
    assert twin in dtypes and have not in dtypes, dtypes
