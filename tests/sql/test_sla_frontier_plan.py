"""sql/sla_frontier.sql's plan (issue 15): on the serving bench's Llama 3.1 8B it took ~24 CPU s, 17 in the
bisection (a recursive CTE joining 2.4 M numbered pairs back at each of 24 steps: 60 M rows) and 14 in the
frontier's window over 6.5 M deployments. The answers are the same (tests/runs/test_query_order.py,
tests/studies/test_disaggregated.py); these are the plan's properties that made it fast."""

from __future__ import annotations

import json

import pytest

import pipeline
from pipeline.runs import database

AXES = {"model": ["Llama 3.1 8B"], "hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB"], "precision": ["bf16", "fp8"],
        "tp": [1, 2, 4], "batch": [1, 8, 64], "prompt_len": [1024], "output_len": [256],
        "region": ["France", "Poland"], "request_rate": [1.0, 10.0]}
PARAMS = {"model": "Llama 3.1 8B", "gpus": 8, "ttft_s": 2.0, "tpot_s": 0.1, "percentile": "p99",
          "nic_bytes_per_s": 50e9, "nics_per_gpu": 1.0, "scaleout_latency_s": 2.7e-6, "nic_efficiency": 0.95}


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    """The query's answer and DuckDB's JSON profile of it over a small run with a request-rate axis."""
    base = tmp_path_factory.mktemp("sla")
    run = pipeline.run_sweep({"study": "serving", "axes": AXES}, base / "out")
    sql = database.query_path("sla_frontier").read_text()
    for key, value in PARAMS.items():
        sql = sql.replace(f"${key}", f"'{value}'" if isinstance(value, str) else repr(value))
    con = database.connect(run)
    try:
        con.execute("pragma enable_profiling = 'json'")
        con.execute("pragma profiling_output = ?", [str(base / "profile.json")])
        answer = con.sql(sql).fetchall()
        con.execute("pragma disable_profiling")
    finally:
        con.close()
    return answer, json.loads((base / "profile.json").read_text())


def _nodes(node: dict, name: str) -> list[dict]:
    found = [node] if node.get("name") == name else []
    return found + [n for child in node.get("children", []) for n in _nodes(child, name)]


def test_the_bisection_joins_nothing_back_and_runs_once_per_distinct_input(profile):
    answer, plan = profile
    assert answer  # the run has deployments on the frontier: the bisection ran
    (bisect,) = [n for op in plan["operator"] for n in _nodes(op, "REC_CTE")]
    step = bisect["children"][1]  # the recursive part: a projection of the previous step, no join
    assert not [n for n in _nodes(step, "HASH_JOIN") + _nodes(step, "NESTED_LOOP_JOIN")]
    # 25 rows (steps 0-24) per distinct (prefill service time, budget): the two regions' pairs share theirs
    inputs = [n for op in plan["operator"] for n in _nodes(op, "HASH_GROUP_BY")
              if n is not bisect and n in _nodes(bisect, "HASH_GROUP_BY")]
    assert len(inputs) == 1
    pairs = sum(n["intermediate_rows"] for n in _nodes(inputs[0], "CTE_SCAN"))
    assert bisect["intermediate_rows"] == 25 * inputs[0]["intermediate_rows"] > 0
    assert pairs >= 2 * inputs[0]["intermediate_rows"], pairs  # fewer bisections than pairs



def _cte_rows(plan: dict, name: str) -> int:
    """The rows the CTE ``name`` gives its readers (its definition's output)."""
    (cte,) = [n for op in plan["operator"] for n in _nodes(op, "CTE") if n["extra_info"].get("CTE Name") == name]
    return cte["children"][0]["intermediate_rows"]


def test_only_pairs_under_no_witness_are_spread_over_worker_counts(profile):
    """A pair whose tokens/s-per-GPU bound is below what a witness deployment meeting the SLA reaches at as many
    tokens/s per user or more is not joined to the worker counts (at 16 GPUs on the serving bench's 8B: 2.03 M
    pairs -> 209 k, 36.6 M deployments -> 5.0 M); the answers are the same (test_sla_frontier_by_hand.py,
    tests/runs/test_query_order.py)."""
    answer, plan = profile
    assert answer
    pairs, kept = _cte_rows(plan, "bounded"), _cte_rows(plan, "kept")
    assert 0 < kept < pairs, (kept, pairs)
    (spread,) = [n for op in plan["operator"] for n in _nodes(op, "HASH_JOIN")
                 if "prefill_devices = prefill_devices" in str(n["extra_info"].get("Conditions"))]
    assert sum(n["intermediate_rows"] for n in _nodes(spread, "CTE_SCAN")) == 2 * kept  # its devices and its rows
