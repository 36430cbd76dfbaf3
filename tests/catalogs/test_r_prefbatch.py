"""registry_data/research/r-prefbatch: the MLPerf v5.1 Mixtral 8x7B Server rows on MI300X / MI325X state their vLLM
engine's settings as their submitters' harness configs do (server_<gpu>.yaml: max_num_seqs, max_num_batched_tokens,
tensor_parallel_size, num_scheduler_steps), cited once in the notes, and a second replay changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.catalogs.research import bundled_row, script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-prefbatch"
REGISTRY = HERE.parent.parent
AMD_MI325X = "mlperf-inf-v5.1-amd-8xmi325x-2xepyc-9575f-1-mixtral-8x7b-server-tpot-mean"
VULTR = "mlperf-inf-v5.1-vultr-8xmi325x-2xepyc-9575f-mixtral-8x7b-server-ttft-p50"
DELL_MI300X = "mlperf-inf-v5.1-dell-xe9680-mi300x-192gbx8-mixtral-8x7b-server"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_prefbatch_apply")


def test_rows_state_their_harness_configs():
    """AMD server_mi325x.yaml L17-29: TP1, 10 steps, 32000 batched tokens, 2560 sequences; Vultr's L22: 7 steps;
    Dell server_mi300x.yaml: 4096 sequences, 8 steps."""
    amd, vultr, dell = (bundled_row("measurements", n) for n in (AMD_MI325X, VULTR, DELL_MI300X))
    assert (amd["tp"], amd["scheduler_steps"], amd["max_num_tokens"], amd["batch"]) == (1, 10, 32000, 2560)
    assert (vultr["scheduler_steps"], vultr["batch"]) == (7, 2560)
    assert (dell["batch"], dell["scheduler_steps"], dell["max_num_tokens"]) == (4096, 8, 32000)
    assert amd["notes"].count("server_mi325x.yaml#L29") == 1
    assert str(amd["last_verified"]) == "2026-12-07"


def test_replay_is_idempotent(apply, tmp_path):
    shutil.copy(REGISTRY / "measurements.parquet", tmp_path / "measurements.parquet")
    assert apply.apply(tmp_path) == 96
    assert pl.read_parquet(tmp_path / "measurements.parquet").equals(pl.read_parquet(REGISTRY / "measurements.parquet"))
