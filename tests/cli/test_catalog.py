"""``mlsys catalog``: check, list, show, and the registry chosen by option or environment."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.imports import import_csv
from pipeline.catalogs.io import schema_units

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "registry_data"
TABLES = ("hardware", "models", "precisions", "efficiency_profiles", "clusters", "regions", "accelerator_costs",
          "cloud_prices", "measurements", "storage", "host_pipelines", "workloads",
          "kernel_efficiency", "conv_layers")


def flat(text: str) -> str:
    return " ".join(text.split())


def test_check_ok(mlsys, registry):
    res = mlsys("catalog", "check", "--registry", registry)
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == len(TABLES)
    for table, line in zip(TABLES, lines, strict=True):
        n = pl.read_parquet(BUNDLED / f"{table}.parquet").height
        assert line.split() == ["ok", table, str(n), "rows", str(registry / f"{table}.parquet")]


def test_list_tables_and_hardware(mlsys, registry):
    res = mlsys("catalog", "list", "--registry", registry)
    assert res.exit_code == 0, res.stderr
    for table in TABLES:
        n = pl.read_parquet(BUNDLED / f"{table}.parquet").height
        assert f"{table} {n} rows {registry / (table + '.parquet')}" in flat(res.stdout)
    res = mlsys("catalog", "list", "hardware", "--registry", registry)
    assert res.exit_code == 0, res.stderr
    for name in pl.read_parquet(BUNDLED / "hardware.parquet")["name"]:
        assert name in res.stdout  # whole names, never cut
    assert "(B/s)" in res.stdout and "(FLOP/s)" in res.stdout
    h100 = next(ln for ln in res.stdout.splitlines() if "H100 SXM5 80GB" in ln)
    # H100 SXM5 datasheet; its "80 GB" of HBM3 is 80 GiB = 85.9e9 B (issue 12)
    assert "85.9 GB" in h100 and "3.35 TB/s" in h100 and "989 TFLOP/s" in h100


def test_show_one_row_with_units(mlsys, registry):
    res = mlsys("catalog", "show", "H100 SXM5 80GB", "--registry", registry)
    assert res.exit_code == 0, res.stderr
    line = next(ln for ln in res.stdout.splitlines() if "memory_bandwidth_bytes_per_s" in ln)
    assert "3.35 TB/s" in line and "B/s" in line
    assert "hardware: H100 SXM5 80GB" in res.stdout
    assert "source_url" in res.stdout


def test_show_unknown_name_suggests(mlsys, registry):
    res = mlsys("catalog", "show", "H100 SXM5 80GX", "--registry", registry)
    assert res.exit_code == 2
    assert "did you mean 'H100 SXM5 80GB'" in flat(res.stderr)


@pytest.fixture
def smaller_registry(registry, tmp_path) -> Path:
    """The registry with the A17 Pro row removed, which no other catalog names (imported through CSV)."""
    frame = pl.read_parquet(registry / "hardware.parquet").filter(pl.col("name") != "A17 Pro")
    units = schema_units("hardware")
    csv = tmp_path / "edit" / "hardware.csv"
    csv.parent.mkdir()
    frame.rename({c: f"{c} [{units[c]}]" for c in frame.columns if units.get(c) is not None}).write_csv(csv)
    import_csv(csv, registry=registry)
    assert pl.read_parquet(registry / "hardware.parquet").height == \
        pl.read_parquet(BUNDLED / "hardware.parquet").height - 1
    return registry


def hardware_rows(stdout: str) -> int:
    line = next(ln for ln in stdout.splitlines() if ln.startswith("hardware "))
    return int(line.split()[1])


def test_registry_option_and_environment_select_the_user_directory(mlsys, smaller_registry):
    bundled = pl.read_parquet(BUNDLED / "hardware.parquet").height
    by_option = mlsys("catalog", "list", "--registry", smaller_registry)
    by_env = mlsys("catalog", "list", env={"MLSYS_REGISTRY": str(smaller_registry)})
    default = mlsys("catalog", "list")
    for res in (by_option, by_env, default):
        assert res.exit_code == 0, res.stderr
    assert hardware_rows(by_option.stdout) == bundled - 1
    assert hardware_rows(by_env.stdout) == bundled - 1
    assert str(smaller_registry / "hardware.parquet") in by_env.stdout
    assert hardware_rows(default.stdout) == bundled
    both = mlsys("catalog", "list", "--registry", smaller_registry, env={"MLSYS_REGISTRY": str(BUNDLED)})
    assert hardware_rows(both.stdout) == bundled - 1  # --registry wins over the environment


def test_environment_registry_is_used_by_evaluate(mlsys, smaller_registry):
    res = mlsys("evaluate", "--model", "ResNet-50", "--hardware", "A17 Pro", "--json",
                env={"MLSYS_REGISTRY": str(smaller_registry)})
    assert res.exit_code == 2
    assert "unknown name 'A17 Pro'" in flat(res.stderr)


def test_a_filter_matching_no_row_says_which_unit_numbers_compare_in(mlsys):
    """tryout: `catalog list hardware --filter memory_capacity_bytes=80` (80 GB meant) printed an empty table, exit 0,
    and nothing else."""
    res = mlsys("catalog", "list", "hardware", "--filter", "memory_capacity_bytes=80", "--format", "csv")
    assert res.exit_code == 0, res.stderr
    assert len(res.stdout.strip().splitlines()) == 1  # the header only
    assert ("note: no hardware row matches memory_capacity_bytes=80; numbers compare in the column's unit "
            "(memory_capacity_bytes in B)") in flat(res.stderr)
    res = mlsys("catalog", "list", "hardware", "--filter", "memory_capacity_bytes=85899345920", "--format", "csv")
    assert "A100 SXM4 80GB" in res.stdout and "note:" not in res.stderr
