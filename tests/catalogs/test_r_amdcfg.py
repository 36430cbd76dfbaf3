"""registry_data/research/r-amdcfg: the MLPerf v5.1 Llama 2 70B (99 %) rows run on AMD's vLLM harness state their
engine's settings as their submitters' harness configs do (<scenario>_<gpu>.yaml: max_num_seqs,
max_num_batched_tokens, tensor_parallel_size, num_scheduler_steps), cited once in the notes, and a second replay
changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.catalogs.research import bundled_row, script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-amdcfg"
REGISTRY = HERE.parent.parent
AMD_MI300X = "mlperf-inf-v5.1-amd-8xmi300x-2xepyc-9575f-llama2-70b-99-server"
AMD_MI325X = "mlperf-inf-v5.1-amd-8xmi325x-2xepyc-9575f-1-llama2-70b-99-server-ttft-p50"
MITAC_INTERACTIVE = "mlperf-inf-v5.1-mitac-8xmi325x-2xepyc-9755-llama2-70b-99-interactive-ttft-p50"
DELL_OFFLINE = "mlperf-inf-v5.1-dell-xe9680-mi300x-192gbx8-llama2-70b-99-offline"
MANGOBOOST = "mlperf-inf-v5.1-dell-mangoboost-8xmi300x-2xxeon-8460y-llama2-70b-99-server"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_amdcfg_apply")


def test_rows_state_their_harness_configs():
    """AMD server_mi325x.yaml L32-42: TP1, 9 steps, 40960 batched tokens, 1024 sequences; AMD server_mi300x.yaml
    L20-29: TP1, 9 steps, 40960 tokens (its L30 max_num_seqs 650 held back); MiTAC interactive_mi325x.yaml: 3840
    sequences, 43008 tokens, 1 step (vLLM's default, left unstated); Dell offline_mi300x.yaml: 11 steps, its 1792
    sequences a cap, not the batch; Dell_MangoBoost's LLMBoost run is not read."""
    amd, mi300x = (bundled_row("measurements", n) for n in (AMD_MI325X, AMD_MI300X))
    mitac, dell, mango = (bundled_row("measurements", n) for n in (MITAC_INTERACTIVE, DELL_OFFLINE, MANGOBOOST))
    assert (amd["tp"], amd["scheduler_steps"], amd["max_num_tokens"], amd["batch"]) == (1, 9, 40960, 1024)
    assert (mi300x["tp"], mi300x["scheduler_steps"], mi300x["max_num_tokens"], mi300x["batch"]) == (1, 9, 40960, None)
    assert (mitac["batch"], mitac["max_num_tokens"], mitac["scheduler_steps"]) == (3840, 43008, None)
    assert (dell["batch"], dell["scheduler_steps"], dell["max_num_tokens"]) == (None, 11, 40960)
    assert (mango["batch"], mango["max_num_tokens"]) == (None, None)
    assert amd["notes"].count("llama2-70b/server_mi325x.yaml#L42") == 1
    assert str(amd["last_verified"]) == "2026-12-07"


def test_the_held_cells_are_the_mi300x_server_caps_and_not_in_the_catalog():
    held = pl.read_csv(HERE / "held.csv")
    assert held["column"].unique().to_list() == ["batch"] and held["value"].unique().to_list() == [650]
    assert held["path"].str.ends_with("/server_mi300x.yaml").all() and (held["line"] == 30).all()
    catalog = pl.read_parquet(REGISTRY / "measurements.parquet").filter(pl.col("name").is_in(held["name"].implode()))
    assert catalog.height == held.height == 6 and catalog["batch"].is_null().all()


def test_each_cell_cites_its_yaml_line():
    cells = pl.read_csv(HERE / "cells.csv")
    assert cells["path"].str.contains(r"^closed/[^/]+/code(_AMD)?/llama2-70b-99/harness_llm/models/llama2-70b/"
                                      r"(server|interactive|offline)_mi3(00|25)x\.yaml$").all()
    assert (cells["line"] > 0).all() and cells["commit"].str.len_chars().eq(40).all()
    assert cells.filter(pl.col("column") == "scheduler_steps")["value"].min() > 1
    assert not set(cells["name"]) & set(pl.read_csv(HERE.parent / "r-prefbatch" / "cells.csv")["name"])


def test_replay_is_idempotent(apply, tmp_path):
    shutil.copy(REGISTRY / "measurements.parquet", tmp_path / "measurements.parquet")
    assert apply.apply(tmp_path) == pl.read_csv(HERE / "cells.csv").height
    assert pl.read_parquet(tmp_path / "measurements.parquet").equals(pl.read_parquet(REGISTRY / "measurements.parquet"))
