"""registry_data/research/r-hop70: the MLPerf TensorRT-LLM Llama 2 70B rows on Hopper state the engine settings
their runs' own files state (KV cache precision, the Server batch cap, the token budget, Juniper's layout; four rows'
output length from their logs), each cited once in the notes, none the files leave open, and a second replay changes
nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.catalogs.research import bundled_row, script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-hop70"
REGISTRY = HERE.parent.parent
V40_H200 = "mlperf-inf-v4.0-nvidia-h200-sxm-141gbx8_trt-llama2-70b-99.9-server-tpot-mean"
V40_X8 = "mlperf-inf-v4.0-nvidia-dgx-h100_h100-sxm-80gbx8_trt-llama2-70b-99.9-offline"
V41_DELL = "mlperf-inf-v4.1-dell-xe8640-h100-sxm-80gbx4-trt-llama2-70b-99-offline"
JUNIPER = "mlperf-inf-v4.1-junipernetworks-dgx-h100-h100-sxm-80gbx16-trt-llama2-70b-99-server-ttft-p50"
V50_H100 = "mlperf-inf-v5.0-nvidia-dgx-h100_h100-sxm-80gbx8_trt-llama2-70b-99-offline"
V50_H200 = "mlperf-inf-v5.0-nvidia-h200-sxm-141gbx8_trt-llama2-70b-99-offline"
NEBIUS = "mlperf-inf-v5.1-nebius-h200-sxm-141gbx8-trt-llama2-70b-99-interactive-tpot-mean"
CISCO_X16 = "mlperf-inf-v5.1-cisco-hgx-h100-h100-sxm-80gbx16-trt-llama2-70b-99-server"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_hop70_apply")


def test_rows_state_their_runs_files():
    """v4.0 NVIDIA Server config L144: H200_SXM_141GBx1 gpu_batch_size = 896 (its x8 HighAccuracy class inherits it),
    no v4.0 budget or KV precision in the store; Dell's v4.1 README L33 quantizes with '--kv_cache_dtype fp8';
    Juniper's v4.1 Server config L32-33 TP2 x PP1, L42 gpu_batch_size = 1024, its base L34 max_num_tokens = 4096;
    NVIDIA's v5.0 Offline config L39 'kv_cache_dtype': 'fp8', L103 / L251 runtime max_num_tokens 1024 (H100 PP2) /
    1536 (H200, its layout left open); Nebius' v5.1 Interactive dict config gpu_batch_size 512; Cisco's x16 has no
    config."""
    h200, x8, dell = (bundled_row("measurements", n) for n in (V40_H200, V40_X8, V41_DELL))
    juniper, h100, v50_h200 = (bundled_row("measurements", n) for n in (JUNIPER, V50_H100, V50_H200))
    nebius, cisco = (bundled_row("measurements", n) for n in (NEBIUS, CISCO_X16))
    assert (h200["batch"], h200["tp"], h200["kv_dtype"], h200["max_num_tokens"]) == (896, 1, None, None)
    assert (x8["kv_dtype"], x8["max_num_tokens"], x8["batch"]) == (None, None, None)
    assert (dell["kv_dtype"], dell["batch"]) == ("fp8", None)
    assert (juniper["tp"], juniper["pp"], juniper["batch"], juniper["max_num_tokens"], juniper["kv_dtype"]) == (
        2, 1, 1024, 4096, "fp8")
    assert (h100["kv_dtype"], h100["max_num_tokens"], h100["tp"], h100["pp"]) == ("fp8", 1024, 1, 2)
    assert (v50_h200["kv_dtype"], v50_h200["max_num_tokens"], v50_h200["tp"], v50_h200["pp"]) == (
        "fp8", 1536, None, None)
    assert (nebius["batch"], nebius["kv_dtype"]) == (512, "fp8")
    assert (cisco["batch"], cisco["kv_dtype"], cisco["max_num_tokens"]) == (None, None, None)
    # the v4.1 NVIDIA DGX H100 Offline row citing its results README: its log's L8 / L7, 24524.9 tokens/s /
    # 84.4792 samples/s = 290.3 tokens per sample (the 265 it carried is the accuracy threshold, 0.9 x 294.45)
    assert bundled_row("measurements", "mlperf-inf-v4.1-nvidia-dgxh100x8-llama2-70b-offline")["output_len"] == 290
    assert h200["notes"].count("llama2-70b/Server/__init__.py#L144") == 1
    assert str(juniper["last_verified"]) == "2026-12-07"


def test_each_cell_cites_a_file_line_of_its_round():
    cells = pl.read_csv(HERE / "cells.csv", infer_schema=False)
    assert (cells["line"].cast(pl.Int64) > 0).all() and cells["commit"].str.len_chars().eq(40).all()
    rounds = cells["name"].str.extract(r"^mlperf-inf-(v\d\.\d)-")
    repo = cells["repository"].str.extract(r"inference_results_(v\d\.\d)$")
    # v5.0 Server rows cite Cisco's v5.1 copy of NVIDIA's v5.0 classes (r-cfgs' match by rate)
    assert ((rounds == repo) | ((rounds == "v5.0") & cells["path"].str.starts_with("closed/Cisco/"))).all()
    assert cells.filter(pl.col("column") == "kv_dtype")["value"].unique().to_list() == ["fp8"]
    # a batch cap only on Server / Interactive rows (an Offline batch is the one batch run, not a cap)
    assert not cells.filter(pl.col("column") == "batch")["name"].str.contains("-offline").any()
    assert not set(cells["name"]) - set(pl.read_parquet(REGISTRY / "measurements.parquet")["name"])


def test_what_no_file_states_is_listed_and_null():
    left = pl.read_csv(HERE / "unresolved.csv")
    catalog = pl.read_parquet(REGISTRY / "measurements.parquet")
    for column, names in left.group_by("column").agg("name").iter_rows():
        assert catalog.filter(pl.col("name").is_in(names))[column].is_null().all()
    assert left["why"].is_not_null().all()


def test_replay_is_idempotent(apply, tmp_path):
    shutil.copy(REGISTRY / "measurements.parquet", tmp_path / "measurements.parquet")
    assert apply.apply(tmp_path) == pl.read_csv(HERE / "cells.csv").height
    assert pl.read_parquet(tmp_path / "measurements.parquet").equals(pl.read_parquet(REGISTRY / "measurements.parquet"))
