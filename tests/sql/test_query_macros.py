"""A query may define temp macros before its one SELECT (sql/sla_frontier.sql prices a deployment with its own, one
implementation of each term): they run on the confined connection and go with it; every other statement is still
rejected. sla_frontier's macros against hand values."""

from __future__ import annotations

import math

import duckdb
import pytest

import pipeline
from pipeline.errors import InputError
from pipeline.runs import database

MACRO = "-- a macro\ncreate or replace temp macro twice(x) as 2 * x;\n"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return pipeline.run_sweep({"axes": {"model": ["ResNet-50"], "hardware": ["T4"], "batch": [1, 8]}},
                              tmp_path_factory.mktemp("out"))


def _query(tmp_path, sql: str):
    (tmp_path / "q.sql").write_text(sql)
    return tmp_path


def test_a_query_defines_temp_macros_and_reads_them_on_the_confined_connection(run_dir, tmp_path):
    sql = MACRO + "-- reads: node\n-- param top = 8\nselect twice(batch) as b from node where batch <= $top order by b"
    assert database.run_query("q", run_dir, {"top": "8"}, folder=_query(tmp_path, sql))["b"].to_list() == [2, 16]
    con = database.confined(run_dir)  # a fresh connection: the macro went with the query's
    try:
        with pytest.raises(duckdb.CatalogException):
            con.sql("select twice(1)").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(("sql", "kind"), [
    ("create macro twice(x) as 2 * x; select twice(1)", "CREATE, SELECT"),  # not temp: would outlive the query
    ("create temp table t as select 1 as x; select * from t", "CREATE, SELECT"),
    (MACRO + "copy (select twice(1)) to '/tmp/mlsys-evil.csv'", "CREATE, COPY"),
    (MACRO, "CREATE"),
    ("select 1; " + MACRO, "SELECT, CREATE"),
])
def test_only_temp_macros_may_come_before_the_select(run_dir, tmp_path, sql, kind):
    with pytest.raises(InputError) as err:
        database.run_query("q", run_dir, folder=_query(tmp_path, sql))
    assert f"holds {kind} statement(s); a query is one SELECT statement" in str(err.value)


@pytest.fixture(scope="module")
def sla():
    """A connection holding sla_frontier.sql's macros (every statement before its SELECT)."""
    con = duckdb.connect()
    for statement in duckdb.extract_statements(database.query_path("sla_frontier").read_text())[:-1]:
        con.execute(statement)
    yield con
    con.close()


def test_sla_frontiers_wait_is_the_md1_queues(sla):
    """M/D/1 (Pollaczek-Khinchine, deterministic service s): mean wait rho s / (2 (1 - rho)); the tail's
    s / (2 (1 - rho)) ln(rho / (1 - q)) (pipeline/walls/disaggregated.py): at rho 0.5, s 0.2 s: 0.1 s mean, p99
    0.2 ln 50 = 0.7824 s; zero where rho <= 1 - q."""
    wait = "sla_prefill_wait_s(?::double, ?::double, ?::double)"
    assert sla.execute(f"select {wait}", [0.5, 0.2, None]).fetchone()[0] == pytest.approx(0.1)
    assert sla.execute(f"select {wait}", [0.5, 0.2, 0.99]).fetchone()[0] == pytest.approx(0.2 * math.log(50))
    assert sla.execute(f"select {wait}", [0.3, 0.2, 0.5]).fetchone()[0] == 0
    # TTFT: 2 workers of batch 4 and service 0.2 s carrying 10 requests/s: rho = 10 / 2 x 0.2 / 4 = 0.25, mean wait
    # 0.25 x 0.2 / 1.5 = 1 / 30 s, then the prefill and a 0.05 s KV transfer
    ttft = sla.execute("select sla_prefill_ttft_s(10.0, 2, 0.2, 4, 0.05, null::double)").fetchone()[0]
    assert ttft == pytest.approx(1 / 30 + 0.2 + 0.05)


def test_sla_frontiers_deployment_terms(sla):
    """3 prefill workers of 2 GPUs and 5 requests/s, 2 decode workers of 4 GPUs and 6: 14 GPUs carry min(15, 12) = 12
    requests/s, 12 x 256 / 14 tokens/s per GPU; 256 tokens at a 20 ms ITL drafting at 0.5 of it: 2.56 s, TPOT 10 ms."""
    rate, gpus, per_gpu, decode, tpot, per_user = sla.execute(
        "select sla_request_rate(3, 5e0, 2, 6e0), sla_gpus(3, 2, 2, 4), sla_tokens_per_s_per_gpu(12e0, 256, 14), "
        "sla_decode_time_s(256, 2e-2, 5e-1), sla_decode_time_s(1, 2e-2, 5e-1), sla_tokens_per_s_per_user(1e-2)"
    ).fetchone()
    assert (rate, gpus) == (12.0, 14)
    assert (per_gpu, decode, tpot, per_user) == pytest.approx((12 * 256 / 14, 2.56, 0.01, 100.0))


def test_sla_frontiers_select_prices_with_the_macros_only():
    """One implementation of each term: the SELECT holds no M/D/1 wait (its ln, its clamp) of its own."""
    select = duckdb.extract_statements(database.query_path("sla_frontier").read_text())[-1].query
    body = "\n".join(line.split("--")[0] for line in select.splitlines())
    assert "sla_prefill_wait_s(" in body and "sla_prefill_ttft_s(" in body
    assert "ln(" not in body and "1e-12" not in body
