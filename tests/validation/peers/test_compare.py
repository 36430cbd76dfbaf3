"""Running the peer tools (only where their separate venv exists, not in CI)."""

from __future__ import annotations

import polars as pl

from pipeline.validation.peers import run_peers
from pipeline.validation.peers.compare import main

from .peer_rows import PYTHON, ROWS, needs_peers


@needs_peers
def test_run_peers_on_three_rows(rows, catalogs):
    out = run_peers(rows, catalogs, PYTHON)
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
    assert main(["--measured", str(csv), "--python", PYTHON, "--out", str(tmp_path)]) == 0
    table = pl.read_parquet(tmp_path / "peers.parquet")
    assert set(table["tool"]) == {"mlsysim", "llm-analysis", "ours"} and table.height == 3 * len(ROWS)
    text = capsys.readouterr().out
    assert "MLSys·im 0.3.0" in text and "llm-analysis 0.2.2" in text and (tmp_path / "summary.md").exists()
