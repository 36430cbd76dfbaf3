"""The ``mlsys`` command line: help, lazy imports, evaluate/columns JSON, dry runs and the
catalog commands (check, list, show, registry selection)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import import_csv

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "registry_data"
ENTRY_POINT = Path(sys.executable).parent / "mlsys"
TABLES = ("hardware", "models", "precisions", "efficiency_profiles", "clusters", "regions", "accelerator_costs",
          "cloud_prices", "measurements", "storage", "host_pipelines")


def run(argv: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "MLSYS_REGISTRY"}
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=base | (env or {}),
                          capture_output=True, text=True, timeout=120)


def mlsys(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "pipeline", *args], cwd, env)


def flat(text: str) -> str:
    return " ".join(text.split())


def strict_json(text: str):
    """json.loads that refuses NaN/Infinity (not JSON)."""
    def refuse(token):
        raise ValueError(f"non-JSON constant {token}")
    return json.loads(text, parse_constant=refuse)


# -- help and start-up ---------------------------------------------------------------------

def test_help_lists_the_commands(tmp_path):
    exe = [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "pipeline"]
    res = run([*exe, "--help"], tmp_path)
    assert res.returncode == 0, res.stderr
    commands = res.stdout.split("Commands:", 1)[1]
    for name in ("sweep", "evaluate", "query", "columns", "bench", "catalog"):
        assert f"\n  {name} " in commands, name


def test_python_m_pipeline_help(tmp_path):
    res = mlsys("--help", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "Usage:" in res.stdout and "evaluate" in res.stdout
    res = mlsys("catalog", "--help", cwd=tmp_path)
    assert res.returncode == 0
    for sub in ("check", "list", "show", "export", "import"):
        assert sub in res.stdout


def test_importing_the_cli_loads_no_heavy_module(tmp_path):
    code = ("import pipeline.cli, sys; "
            "print([m for m in ('polars','pint','pandera','duckdb') if m in sys.modules])")
    res = run([sys.executable, "-c", code], tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


# -- evaluate and columns ---------------------------------------------------------------------

def test_evaluate_json_is_one_object_with_units(tmp_path):
    res = mlsys("evaluate", "--model", "ResNet-50", "--hardware", "A100 SXM4 80GB", "--batch", "64", "--json",
                cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    row = strict_json(res.stdout)
    assert isinstance(row, dict)
    units = row.pop("units")
    assert isinstance(units, dict)
    assert set(units) == set(row)
    assert units["latency_s"] == "s"
    assert units["memory_bandwidth_bytes_per_s"] == "B/s"
    assert row["model"] == "ResNet-50" and row["hardware"] == "A100 SXM4 80GB" and row["batch"] == 64
    assert row["step"] == "forward"
    assert isinstance(row["latency_s"], float) and row["latency_s"] > 0
    assert list(tmp_path.iterdir()) == []


def test_evaluate_decoder_without_step_gives_prefill_and_decode(tmp_path):
    res = mlsys("evaluate", "--model", "Llama 2 7B", "--hardware", "H100 SXM5 80GB", "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    rows = strict_json(res.stdout)
    assert isinstance(rows, list) and len(rows) == 2
    assert [r["step"] for r in rows] == ["prefill", "decode"]
    for r in rows:
        assert r["units"]["latency_s"] == "s"
        assert r["latency_s"] > 0
    # one decode step is far cheaper than prefilling 2048 tokens
    assert rows[1]["latency_s"] < rows[0]["latency_s"]


def test_evaluate_step_picks_one_row(tmp_path):
    res = mlsys("evaluate", "--model", "Llama 2 7B", "--hardware", "H100 SXM5 80GB", "--step", "decode",
                "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    row = strict_json(res.stdout)
    assert isinstance(row, dict) and row["step"] == "decode"


def test_columns_json_lists_every_output_column_with_a_unit(tmp_path):
    res = mlsys("columns", "--format", "json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    entries = strict_json(res.stdout)
    assert isinstance(entries, list) and entries
    assert all("unit" in e and "column_name" in e for e in entries)
    names = [(e["study"], e["column_name"]) for e in entries]
    assert len(names) == len(set(names))  # unique within each study
    units = {e["column_name"]: e["unit"] for e in entries if e["study"] == "node"}
    assert units["latency_s"] == "s"
    # every column evaluate prints is in the dictionary, with the same unit
    ev = mlsys("evaluate", "--model", "Llama 2 7B", "--hardware", "A100 SXM4 80GB", "--step", "decode",
               "--json", cwd=tmp_path)
    assert ev.returncode == 0, ev.stderr
    row = strict_json(ev.stdout)
    assert set(row["units"]) == set(units)
    assert row["units"] == units


# -- sweep --dry-run ----------------------------------------------------------------------------

def test_sweep_dry_run_prints_rows_and_writes_nothing(tmp_path, registry):
    spec = tmp_path / "s.toml"
    spec.write_text('[axes]\nhardware = ["A100 SXM4 80GB", "H100 SXM5 80GB"]\n'
                    'model = ["ResNet-50", "Llama 2 7B"]\nbatch = [1, 8]\nseq_len = [512]\n'
                    'workload = ["inference"]\n')
    out = tmp_path / "out"
    res = mlsys("sweep", "--spec", spec, "--out", out, "--dry-run", "--registry", registry, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    # 2 accelerators x (ResNet-50: 2 batches x forward + Llama 2 7B: 2 batches x prefill/decode)
    assert "12 configurations" in res.stdout
    assert "Nothing written" in res.stdout
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry", "s.toml"]


# -- catalog commands -------------------------------------------------------------------------------

def test_catalog_check_ok(tmp_path, registry):
    res = mlsys("catalog", "check", "--registry", registry, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == len(TABLES)
    for table, line in zip(TABLES, lines, strict=True):
        n = pl.read_parquet(BUNDLED / f"{table}.parquet").height
        assert line.split() == ["ok", table, str(n), "rows", str(registry / f"{table}.parquet")]


def test_catalog_list_tables_and_hardware(tmp_path, registry):
    res = mlsys("catalog", "list", "--registry", registry, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    for table in TABLES:
        n = pl.read_parquet(BUNDLED / f"{table}.parquet").height
        assert f"{table} {n} rows {registry / (table + '.parquet')}" in flat(res.stdout)
    res = mlsys("catalog", "list", "hardware", "--registry", registry, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    for name in pl.read_parquet(BUNDLED / "hardware.parquet")["name"]:
        assert name in res.stdout
    assert "(B/s)" in res.stdout and "(FLOP/s)" in res.stdout


def test_catalog_show_one_row_with_units(tmp_path, registry):
    res = mlsys("catalog", "show", "H100 SXM5 80GB", "--registry", registry, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    bw = pl.read_parquet(BUNDLED / "hardware.parquet").filter(
        pl.col("name") == "H100 SXM5 80GB")["memory_bandwidth_bytes_per_s"].item()
    line = next(ln for ln in res.stdout.splitlines() if "memory_bandwidth_bytes_per_s" in ln)
    assert f"{bw:.4e}" in line and "B/s" in line
    assert "hardware: H100 SXM5 80GB" in res.stdout
    assert "source_url" in res.stdout


def test_catalog_show_unknown_name_suggests(tmp_path, registry):
    res = mlsys("catalog", "show", "H100 SXM5 80GX", "--registry", registry, cwd=tmp_path)
    assert res.returncode == 2
    assert "did you mean 'H100 SXM5 80GB'" in flat(res.stderr)


@pytest.fixture
def smaller_registry(registry, tmp_path) -> Path:
    """The registry with the A17 Pro row removed, which no other catalog names (imported through CSV)."""
    frame = pl.read_parquet(registry / "hardware.parquet").filter(pl.col("name") != "A17 Pro")
    from pipeline.catalogs.io import schema_units

    units = schema_units("hardware")
    csv = tmp_path / "edit" / "hardware.csv"
    csv.parent.mkdir()
    frame.rename({c: f"{c} [{units[c]}]" for c in frame.columns if units.get(c) is not None}).write_csv(csv)
    import_csv(csv, registry=registry)
    assert pl.read_parquet(registry / "hardware.parquet").height == \
        pl.read_parquet(BUNDLED / "hardware.parquet").height - 1
    return registry


def _hardware_rows(stdout: str) -> int:
    line = next(ln for ln in stdout.splitlines() if ln.startswith("hardware "))
    return int(line.split()[1])


def test_registry_option_and_environment_select_the_user_directory(tmp_path, smaller_registry):
    bundled = pl.read_parquet(BUNDLED / "hardware.parquet").height
    by_option = mlsys("catalog", "list", "--registry", smaller_registry, cwd=tmp_path)
    by_env = mlsys("catalog", "list", cwd=tmp_path, env={"MLSYS_REGISTRY": str(smaller_registry)})
    default = mlsys("catalog", "list", cwd=tmp_path)
    for res in (by_option, by_env, default):
        assert res.returncode == 0, res.stderr
    assert _hardware_rows(by_option.stdout) == bundled - 1
    assert _hardware_rows(by_env.stdout) == bundled - 1
    assert str(smaller_registry / "hardware.parquet") in by_env.stdout
    assert _hardware_rows(default.stdout) == bundled
    # --registry wins over the environment
    both = mlsys("catalog", "list", "--registry", smaller_registry, cwd=tmp_path,
                 env={"MLSYS_REGISTRY": str(BUNDLED)})
    assert _hardware_rows(both.stdout) == bundled - 1


def test_environment_registry_is_used_by_evaluate(tmp_path, smaller_registry):
    res = mlsys("evaluate", "--model", "ResNet-50", "--hardware", "A17 Pro", "--json", cwd=tmp_path,
                env={"MLSYS_REGISTRY": str(smaller_registry)})
    assert res.returncode == 2
    assert "unknown name 'A17 Pro'" in flat(res.stderr)
