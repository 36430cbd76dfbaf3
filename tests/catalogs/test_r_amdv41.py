"""registry_data/research/r-amdv41: the MLPerf Inference v4.1 AMD MI300X Llama 2 70B rows state their vLLM engines'
settings as AMD's harness sets them (closed/AMD/code/llama2-70b-99.9/VllmFp8: max_num_seqs, max_num_batched_tokens,
tensor_parallel_size), each cited once in the notes, and a second replay changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.catalogs.research import bundled_row, script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-amdv41"
REGISTRY = HERE.parent.parent
SERVER_8X = "mlperf-inf-v4.1-amd-8xmi300x-2xepyc-9374f-llama2-70b-99-server-ttft-p50"
SERVER_1X = "mlperf-inf-v4.1-amd-1xmi300x-2xepyc-9374f-llama2-70b-99-server-tpot-mean"
OFFLINE_1X = "mlperf-inf-v4.1-amd-1xmi300x-llama2-70b-offline"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_amdv41_apply")


def test_rows_state_their_harness_settings():
    """mainVllmFp8_SyncServer.py L54-55: argparse defaults '--max-num-seqs' 1024, '--max-num-batched-tokens' 49152
    (truthy, so setup_llm_kwargs L95-96 keeps them over the dataclass's 768 / 65536); sync_server.py L86 TP1.
    mainVllmFp8_Offline.py L78: DefaultEngineInput max_num_batched_tokens 65536 (argparse default None); its
    max_num_seqs 2048 (L79) is a cap, not the batch; SUTVllm.py L64 TP1. vLLM 0.4.3: one scheduler step."""
    for name in (SERVER_8X, SERVER_1X):
        r = bundled_row("measurements", name)
        assert (r["batch"], r["max_num_tokens"], r["tp"], r["scheduler_steps"]) == (1024, 49152, 1, None), name
        assert r["notes"].count("VllmFp8/mainVllmFp8_SyncServer.py#L54") == 1
        assert str(r["last_verified"]) == "2026-12-07"
    offline = bundled_row("measurements", OFFLINE_1X)
    assert (offline["batch"], offline["max_num_tokens"], offline["tp"]) == (None, 65536, 1)


def test_each_cell_cites_its_harness_line():
    cells = pl.read_csv(HERE / "cells.csv")
    assert cells["name"].str.starts_with("mlperf-inf-v4.1-amd-").all() and cells.height == 27
    assert cells["path"].str.contains(r"^closed/AMD/code/llama2-70b-99\.9/VllmFp8/\w+\.py$").all()
    assert (cells["commit"] == "198fc46799b3328b36ee4bcbdebfa2db5a8e6183").all() and (cells["line"] > 0).all()
    batch = cells.filter(pl.col("column") == "batch")
    assert batch["name"].str.contains("-server").all() and batch.height == 7
    assert set(cells["column"]) == {"batch", "max_num_tokens", "tp"}


def test_replay_is_idempotent(apply, tmp_path):
    shutil.copy(REGISTRY / "measurements.parquet", tmp_path / "measurements.parquet")
    assert apply.apply(tmp_path) == pl.read_csv(HERE / "cells.csv").height
    assert pl.read_parquet(tmp_path / "measurements.parquet").equals(pl.read_parquet(REGISTRY / "measurements.parquet"))
