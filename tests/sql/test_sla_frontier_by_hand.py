"""sql/sla_frontier.sql on five serving rows whose frontier is worked out by hand below (mean TTFT, 8 GPUs, TTFT
0.35 s, TPOT 0.05 s, no KV transfer time): the query's answer, not its plan (test_sla_frontier_plan.py).

One model on one accelerator, prompts of 1,000 tokens, 100 generated, $2 per GPU-hour. A disaggregated deployment's
prefill worker of service time s and batch b meets the mean-TTFT SLA while its M/D/1 wait rho s / (2 (1 - rho))
stays within the budget B = 0.35 - s, i.e. rho <= 2B / (s + 2B); its rate per worker pr = rho b / s. A decode worker
of batch n and ITL t carries dc = n / (100 t) requests/s. x prefill and y decode workers carry min(x pr, y dc).

| layout | GPUs | batch | s (prefill) | ITL | as prefill: rho, pr | as decode: dc, tokens/s per user |
|---|---|---|---|---|---|---|
| A tp1 | 1 | 1 | 0.10 | 0.020 | 5/6, 8.33 | 0.5, 50 |
| B tp2 | 2 | 8 | 0.20 | 0.025 | 0.6, 24 | 3.2, 40 |
| C tp1 | 1 | 8 (> prefill batch 4) | 0.15 | 0.040 | - | 2, 25 |
| D tp4 | 4 | 1 | 0.25 | 0.010 | 4/9, 1.78 | 1, 100 |
| E tp1 (fp8 KV: no prefill partner), request rate 1.4 | 1 | 16 (> 4) | 0.25 | 0.030 | - | aggregated |

The most tokens/s per GPU (100 min(x pr, y dc) / GPUs) at each tokens/s per user, within 8 GPUs:
- 100 (decode D, 4 GPUs): prefill A, x = y = 1: min(8.33, 1) = 1 -> 100 / 5 = 20 (B: 100 / 6; D: 100 / 8).
- 50 (decode A): prefill A, x = 1, y = 7: 3.5 -> 350 / 8 = 43.75 (B, y = 6: 300 / 8; D, y = 4: 177.8 / 8).
- 40 (decode B, 2 GPUs): prefill A, x = 1, y = 2: 6.4 -> 640 / 5 = 128 (y = 3: 833 / 7; x = 2, y = 3: 960 / 8).
- 30 (E aggregated: TPOT under load 1/30 s): 1.4 requests/s on 1 GPU -> 140; 8 replicas fit.
- 25 (decode C): prefill A, x = 1, y = 4: 8 -> 800 / 5 = 160 (y = 5: 833 / 6; x = 2, y = 6: 1,200 / 8).
Each has more tokens/s per GPU than every deployment at more tokens/s per user: all five are the frontier.
Their TTFT: s + rho s / (2 (1 - rho)) at rho = rate / x * s / b; cost: GPUs x $2 / (rate x 100 x 3,600) x 1e6.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipeline.runs import database

PARAMS = {"model": "M", "gpus": "8", "ttft_s": "0.35", "tpot_s": "0.05", "percentile": "mean",
          "scaleout_latency_s": "0.0"}
# layout: tp, batch, prefill batch, prefill time s, ITL s, KV dtype, request rate, TTFT (mean) and TPOT under load
LAYOUTS = {"A": (1, 1, 1, 0.10, 0.020, "bf16", None, None, None), "B": (2, 8, 8, 0.20, 0.025, "bf16", None, None, None),
           "C": (1, 8, 4, 0.15, 0.040, "bf16", None, None, None), "D": (4, 1, 1, 0.25, 0.010, "bf16", None, None, None),
           "E": (1, 16, 4, 0.25, 0.030, "fp8", 1.4, 0.25, 1 / 30)}


def _ttft(s: float, rho: float) -> float:
    return s + rho * s / (2 * (1 - rho))


def _cost(gpus: int, rate: float) -> float:
    return gpus * 2.0 / (rate * 100 * 3600) * 1e6


# kind, GPUs, replicas, prefill workers, prefill tp, decode workers, tp, batch, request rate, TTFT, TPOT, tokens/s per
# GPU, tokens/s per user, $ per million tokens
EXPECTED = [
    ("disaggregated", 5, None, 1, 1, 1, 4, 1, None, _ttft(0.1, 0.1), 0.01, 20.0, 100.0, _cost(5, 1.0)),
    ("disaggregated", 8, None, 1, 1, 7, 1, 1, None, _ttft(0.1, 0.35), 0.02, 43.75, 50.0, _cost(8, 3.5)),
    ("disaggregated", 5, None, 1, 1, 2, 2, 8, None, _ttft(0.1, 0.64), 0.025, 128.0, 40.0, _cost(5, 6.4)),
    ("aggregated", 1, 8, None, None, None, 1, 16, 1.4, 0.25, 1 / 30, 140.0, 30.0, _cost(1, 1.4)),
    ("disaggregated", 5, None, 1, 1, 4, 1, 8, None, _ttft(0.1, 0.8), 0.04, 160.0, 25.0, _cost(5, 8.0)),
]


def _serving() -> pl.DataFrame:
    """One feasible serving row per layout, with the columns the query reads."""
    rows = []
    for tp, batch, prefill_batch, ttft, itl, kv_dtype, rate, ttft_mean, tpot in LAYOUTS.values():
        rows.append({
            "model": "M", "hardware": "H", "region": None, "teacher": "M", "dataset": None, "prompt_len": 1000,
            "output_len": 100, "reasoning_tokens": 0, "prune_ratio": 0.0, "prefix_hit_rate": None, "lora_rank": None,
            "lora_adapters": None, "tp": tp, "pp": 1, "compute_dtype": "bf16", "weight_dtype": "bf16",
            "kv_dtype": kv_dtype, "spec_draft_tokens": 0, "spec_acceptance": None, "draft_model": None, "ep": 1,
            "redundant_experts": 0, "cluster": None, "batch": batch, "replicas": 1, "request_rate": rate,
            "concurrency": None, "prefill_workers": 0, "decode_workers": 0, "is_feasible": True,
            "is_stable": rate is not None, "tokens_per_s": 100.0 * tp, "tokens_per_s_per_device": 100.0,
            "cloud_cost_usd_per_h": 2.0 * tp, "ttft_s": ttft, "itl_s": itl, "spec_itl_s": None,
            "prefill_batch": prefill_batch, "kv_cache_bytes": 0.0, "kv_held_tokens": 1100.0,
            "ttft_mean_s": ttft_mean, "ttft_p50_s": ttft_mean, "ttft_p99_s": ttft_mean, "tpot_under_load_s": tpot,
            "disagg_gpus": None, "disagg_utilization": None, "disagg_ttft_mean_s": None, "disagg_ttft_p50_s": None,
            "disagg_ttft_p99_s": None})
    return pl.DataFrame(rows, infer_schema_length=None)


def test_five_layouts_give_the_frontier_worked_out_by_hand():
    sql = database.query_path("sla_frontier").read_text()
    frame = _serving()  # noqa: F841 (DuckDB reads it by name)
    con = duckdb.connect()
    try:
        con.execute("create table serving as select * from frame")
        bound = database.typed_params("sla_frontier", database.query_params(sql), PARAMS)
        got = pl.from_arrow(con.sql(sql, params=bound).to_arrow_table())
    finally:
        con.close()
    columns = ["kind", "deployment_gpus", "deployment_replicas", "prefill_workers", "prefill_tp", "decode_workers",
               "tp", "batch", "request_rate", "deployment_ttft_s", "deployment_tpot_s", "tokens_per_s_per_gpu",
               "tokens_per_s_per_user", "cost_per_million_tokens_usd"]
    assert got.select("hardware", "prompt_len", "output_len").unique().rows() == [("H", 1000, 100)]
    assert got.height == len(EXPECTED)
    for row, expected in zip(got.select(columns).rows(), EXPECTED, strict=True):
        assert [v is None for v in row] == [v is None for v in expected], row
        assert row[0] == expected[0]
        assert [v for v in row[1:] if v is not None] == pytest.approx(
            [v for v in expected[1:] if v is not None], rel=1e-9), row
