"""trtllm-bench's runtime batch (pipeline.validation.trtllm_bench) by hand from DynamicBatchTuner::getRuntimeBatchSize,
and the picking rule that uses it (pipeline.validation.picking.picked)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.validation.picking import picked
from pipeline.validation.trtllm_bench import runs_trtllm_bench, runtime_batch

# capacity -> batch, by hand: the table's first limit above the capacity; above 1664 the capacity rounded down to 512
# when within 128 of that, else the capacity; at most the engine's 4096
BY_HAND = [(1, 128), (143, 128), (144, 256), (335, 256), (336, 512), (700, 768), (831, 768), (832, 1024),
           (1279, 1024), (1280, 1536), (1663, 1536), (1664, 1664), (2000, 2000), (2100, 2048), (2175, 2048),
           (2176, 2176), (3100.7, 3072), (4200, 4096), (9000, 4096)]


@pytest.mark.parametrize(("capacity", "batch"), BY_HAND)
def test_runtime_batch_by_hand(capacity, batch):
    got = pl.select(runtime_batch(pl.lit(float(capacity)))).item()
    assert got == batch


def test_only_trtllm_bench_offline_runs_are_tuned():
    rows = pl.DataFrame({"framework": ["TensorRT-LLM", "TensorRT-LLM", "vLLM", "TensorRT-LLM", "TensorRT-LLM"],
                         "scenario": ["offline", "offline", "offline", "server", "offline"],
                         "batch": [None, 64, None, None, None], "request_rate": [None] * 5,
                         "concurrency": [None] * 5, "requests": [3000, 3000, 3000, 3000, None]},
                        schema_overrides={"batch": pl.Int64, "request_rate": pl.Float64, "concurrency": pl.Int64})
    flags = rows.select(runs_trtllm_bench(*(pl.col(c) for c in rows.columns))).to_series().to_list()
    assert flags == [True, False, False, False, False]


def _frame(tuned: bool) -> pl.DataFrame:
    """One throughput row at batches 256 .. 1024 whose KV holds 800 sequences (1024 does not fit); throughput best
    at 512."""
    batches = [256.0, 512.0, 768.0, 1024.0]
    return pl.DataFrame({"measurement": [0] * 4, "eta_compute": [0.5] * 4, "metric": ["tokens_per_s"] * 4,
                         "devices": [1] * 4, "tp": [1] * 4, "pp": [1] * 4, "ep": [1] * 4, "row_tp": [1] * 4,
                         "batch": batches, "is_feasible": [True, True, True, False],
                         "batch_tokens_per_s": [900.0, 1000.0, 950.0, 990.0], "bound": ["memory"] * 4,
                         "max_batch_paged": [800.0] * 4, "tuned": [tuned] * 4})


@pytest.mark.parametrize(("tuned", "batch", "value"), [(False, 512.0, 1000.0), (True, 768.0, 950.0)])
def test_a_tuned_row_runs_the_tuners_batch_not_the_best(tuned, batch, value):
    """Capacity 800: the tuner runs 768 (the table's row 832), min(768, 800) = 768, so a tuned row takes 768 and its
    lower throughput; an untuned one the best, 512."""
    frame = _frame(tuned)
    profile = pl.DataFrame({"measurement": [0], "family": ["x"], "eta": [0.5], "eta_low": [0.5], "eta_high": [0.5]})
    got = picked("serving", frame, profile, [], ({"tokens_per_s"}, {"mean"}))
    assert got["batch_used"].item() == batch
    assert got["predicted"].item() == value
