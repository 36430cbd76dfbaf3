"""Reviewable catalogs (issue 13 item 7): ``mlsys catalog dump`` as a git textconv, and
``mlsys catalog diff A B`` between registries."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.diff import diff_registries
from pipeline.catalogs.dump import cell, dump_lines, table_key, textconv_command
from pipeline.catalogs.io import read_catalog, write_catalog

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "registry_data"


def set_cell(frame: pl.DataFrame, key: str, column: str, value) -> pl.DataFrame:
    return frame.with_columns(pl.when(pl.col("name") == key).then(pl.lit(value, dtype=frame.schema[column]))
                              .otherwise(pl.col(column)).alias(column))


def test_keys_of_the_tables():
    assert table_key("hardware") == ["name"]
    assert table_key("accelerator_costs") == ["accelerator"]
    assert table_key("cloud_prices") == ["accelerator", "cloud", "instance", "pricing", "cloud_region"]
    assert table_key("kernel_efficiency") == ["hardware", "precision", "attention_kernel"]  # attention fits (r-fa2bw)


def test_cells_are_lossless_and_one_line():
    assert cell(None) == "" and cell("") == '""'
    assert cell(0.1 + 0.2) == "0.30000000000000004"  # shortest round trip, not 0.3
    assert cell(85899345920.0) == "85899345920.0" and cell(3) == "3" and cell(True) == "true"
    assert cell(dt.date(2026, 12, 3)) == "2026-12-03"
    assert cell('a, "b"') == '"a, ""b"""'
    assert cell("two\nlines\\") == "two\\nlines\\\\"


def test_dump_sorted_by_key_with_units(registry):
    lines = dump_lines(BUNDLED / "hardware.parquet")
    header, rows = lines[0], lines[1:]
    assert header.startswith("name,") and "memory_bandwidth_bytes_per_s [B/s]" in header
    names = [r.split(",")[0] for r in rows]
    assert names == sorted(names) and len(rows) == pl.read_parquet(BUNDLED / "hardware.parquet").height
    # the row order of the file does not matter
    frame = read_catalog("hardware", registry)
    write_catalog(frame.reverse(), "hardware", registry)
    assert dump_lines(registry / "hardware.parquet") == lines


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                         capture_output=True, text=True, check=True)
    return out.stdout


def test_git_diff_shows_one_cell_change_as_one_row(tmp_path):
    """With the driver configured, a one-cell change is one removed and one added row line."""
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    repo = tmp_path / "repo"
    (repo / "registry_data").mkdir(parents=True)
    git(repo, "init", "-q")
    shutil.copy(REPO / ".gitattributes", repo / ".gitattributes")
    git(repo, "config", "diff.mlsys-catalog.textconv", textconv_command())
    frame = read_catalog("precisions")
    write_catalog(frame, "precisions", repo / "registry_data")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "catalog")
    write_catalog(set_cell(frame, "fp8", "notes", "E4M3 only"), "precisions", repo / "registry_data")
    out = git(repo, "diff", "--unified=0", "--", "registry_data/precisions.parquet")
    removed = [ln for ln in out.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    added = [ln for ln in out.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    assert len(removed) == 1 and len(added) == 1, out
    assert removed[0].startswith("-fp8,") and added[0].startswith("+fp8,") and "E4M3 only" in added[0]
    assert "Binary files" not in out


@pytest.fixture
def two_registries(tmp_path) -> tuple[Path, Path]:
    """A: hardware and storage of the bundled registry; B: hardware with T4's TDP changed, L4
    removed and a copy of T4 named "T4 copy" added, and no storage."""
    a, b = tmp_path / "a", tmp_path / "b"
    hardware = read_catalog("hardware")
    write_catalog(hardware, "hardware", a)
    shutil.copy(BUNDLED / "storage.parquet", a / "storage.parquet")
    edited = set_cell(hardware, "T4", "tdp_w", 75.0).filter(pl.col("name") != "L4")
    edited = pl.concat([edited, set_cell(hardware.filter(pl.col("name") == "T4"), "T4", "name", "T4 copy")])
    write_catalog(edited, "hardware", b)
    return a, b


def test_diff_registries(two_registries):
    a, b = two_registries
    diffs = {d.table: d for d in diff_registries(a, b)}
    assert set(diffs) == {"hardware", "storage"}
    hw = diffs["hardware"]
    assert hw.added == ["T4 copy"] and hw.removed == ["L4"]
    assert hw.changed == [("T4", "tdp_w", "70.0", "75.0")]  # T4 datasheet: 70 W
    assert diffs["storage"].only_in == "A" and diffs["storage"].rows == pl.read_parquet(a / "storage.parquet").height
    assert diff_registries(a, a) == []


def test_diff_cli(mlsys, two_registries):
    a, b = two_registries
    res = mlsys("catalog", "diff", a, b)
    assert res.exit_code == 0, res.stderr
    assert "hardware (key name): 1 added, 1 removed, 1 changed (1 cells)" in res.stdout
    assert "  ~ T4: tdp_w: 70.0 → 75.0" in res.stdout and "  - L4" in res.stdout and "  + T4 copy" in res.stdout
    res = mlsys("catalog", "diff", a / "hardware.parquet", b / "hardware.parquet", "--json", "--exit-code")
    assert res.exit_code == 1
    (hw,) = json.loads(res.stdout)
    assert hw["changed"] == [{"key": "T4", "column": "tdp_w", "old": "70.0", "new": "75.0"}]
    res = mlsys("catalog", "diff", a / "hardware.parquet", b)
    assert res.exit_code == 2 and "expected two registry directories or two Parquet files" in res.stderr


def test_diff_against_bundled_by_default(mlsys, registry):
    res = mlsys("catalog", "diff", registry, "--exit-code")
    assert res.exit_code == 0, res.stdout
    assert res.stdout.startswith("no differences between")
