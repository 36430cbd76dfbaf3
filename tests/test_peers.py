"""The peers benchmark (MLSys·im, llm-analysis on our measurement rows): how rows map to each tool,
everywhere; running the tools, only where their separate venv exists (not in CI)."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from pipeline import validation
from pipeline.validation import peers
from pipeline.catalogs.load import load_catalogs

PYTHON = os.environ.get("MLSYS_PEERS_PYTHON", peers.PEERS_PYTHON)
needs_peers = pytest.mark.skipif(not Path(PYTHON).exists(),
                                 reason=f"no peers venv at {PYTHON} (optional benchmark; set MLSYS_PEERS_PYTHON)")

from test_validation import HEADER, SELENE, URL  # noqa: E402  (the same measured-CSV layout)

ROWS = [
    f"{URL},resnet-b1,latency_s,0.38,,,ms,ResNet-50,A100 SXM4 80GB,,1,fp16,,default,single-stream,1,,,,,,,,,T1",
    f"{URL},llama-ttft,ttft_s,45,40,50,ms,Llama 2 70B,H100 SXM5 80GB,,8,fp16,,default,offline,1,,2048,128,"
    "8,1,,,,T2",
    f'{URL},gpt3-step,step_time_s,60,,,s,GPT-3 175B,A100 SXM4 80GB,"{SELENE}",384,bf16,,Megatron-LM,training,1536,'
    "2048,,,8,12,4,1,full,T3",
]


@pytest.fixture(scope="module")
def catalogs():
    return load_catalogs()


@pytest.fixture(scope="module")
def csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("peers") / "measured.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n")
    return path


@pytest.fixture(scope="module")
def rows(csv, catalogs) -> pl.DataFrame:
    measured = validation.read_measurements(csv, catalogs)
    assert measured.problems == []
    return measured.rows


def test_rows_map_to_each_tool_from_our_catalogs(rows, catalogs):
    jobs = {(j.name, j.tool): j for j in peers._jobs(rows, catalogs, None, tp_as_one_device=False)}
    assert jobs["resnet-b1", "llm-analysis"].reason.startswith("a cnn model")
    assert jobs["llama-ttft", "mlsysim"].reason.startswith("tp x pp = 8")
    resnet = jobs["resnet-b1", "mlsysim"].request
    assert resnet["model"]["inference_flops"] == pytest.approx(8.178e9)  # the catalog's, not the tool's table
    assert resnet["hardware"]["precision_flops"]["fp16"] == pytest.approx(312e12)
    fleet = jobs["gpt3-step", "mlsysim"].request
    assert fleet["fleet"]["nodes"] * fleet["fleet"]["accelerators_per_node"] == 384
    assert fleet["parallel"]["microbatch_count"] == 384 and fleet["parallel"]["activation_recomputation"]
    llama = jobs["llama-ttft", "llm-analysis"].request
    assert llama["model"]["ffn_embed_dim"] == 28672 * 3 // 2  # gated MLP as the tool's two matrices
    assert llama["parallel"] == {"tp_size": 8, "pp_size": 1} and llama["batches"] == [1]
    one_device = {(j.name, j.tool): j for j in peers._jobs(rows, catalogs, None, tp_as_one_device=True)}
    assert one_device["llama-ttft", "mlsysim"].request["hardware"]["memory_bytes"] == pytest.approx(8 * 80e9)


@needs_peers
def test_run_peers_on_three_rows(rows, catalogs):
    out = peers.run_peers(rows, catalogs, PYTHON)
    assert out.columns == ["name", "tool", "predicted", "seconds", "note"]
    assert out.height == 2 * rows.height and set(out["tool"]) == {"mlsysim", "llm-analysis"}
    missing = out.filter(pl.col("predicted").is_null())
    assert sorted(zip(missing["name"], missing["tool"], strict=True)) == [
        ("llama-ttft", "mlsysim"), ("resnet-b1", "llm-analysis")]
    assert all(note.startswith("cannot express") for note in missing["note"])
    done = out.filter(pl.col("predicted").is_not_null())
    assert (done["predicted"] > 0).all() and (done["seconds"] > 0).all() and (done["seconds"] < 10).all()


@needs_peers
def test_cli_writes_the_table_and_the_summary(csv, tmp_path, capsys):
    assert peers.main(["--measured", str(csv), "--python", PYTHON, "--out", str(tmp_path)]) == 0
    table = pl.read_parquet(tmp_path / "peers.parquet")
    assert set(table["tool"]) == {"mlsysim", "llm-analysis", "ours"} and table.height == 3 * len(ROWS)
    text = capsys.readouterr().out
    assert "MLSys·im 0.3.0" in text and "llm-analysis 0.2.2" in text and (tmp_path / "summary.md").exists()
