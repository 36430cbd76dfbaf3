"""Catalog input checks: CSV import (unit headers, every bad cell at once, nothing written on
rejection) and Parquet unit metadata.

Bad catalogs are built the way a user would: ``mlsys catalog export --csv``, edit cells, then
``mlsys catalog import --csv``.
"""

from __future__ import annotations

import csv
import re
import shutil
from functools import partial
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.catalogs.imports import import_csv
from pipeline.catalogs.io import read_catalog, schema_units
from pipeline.catalogs.load import load_catalogs
from pipeline.errors import InputError

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "registry_data"
BW = "memory_bandwidth_bytes_per_s"
BW_HEADER = f"{BW} [B/s]"


# -- helpers ------------------------------------------------------------------------------

def flat(text: str) -> str:
    """Collapse whitespace: the CLI console may wrap long lines."""
    return " ".join(text.split())


def load_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def save_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def row_of(header: list[str], rows: list[list[str]], name: str) -> int:
    """0-based index of the row called ``name``."""
    names = [r[header.index("name")] for r in rows]
    return names.index(name)


def snapshot(registry: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(registry.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def exported(tmp_path_factory, cli) -> Path:
    """The bundled catalogs exported once with ``mlsys catalog export --csv``."""
    base = tmp_path_factory.mktemp("export")
    reg = base / "registry"
    shutil.copytree(BUNDLED, reg)
    res = cli("catalog", "export", "--csv", base / "csv", "--registry", reg)
    assert res.exit_code == 0, res.stderr
    return base / "csv"


@pytest.fixture
def hardware_csv(exported) -> tuple[list[str], list[list[str]]]:
    header, rows = load_csv(exported / "hardware.csv")
    assert BW_HEADER in header
    return header, rows


def import_rejected(mlsys, registry: Path, tmp_path: Path, header, rows, table: str = "hardware") -> str:
    """Import an edited CSV through the CLI; assert exit 2, one error, and nothing written."""
    path = save_csv(tmp_path / "edited" / f"{table}.csv", header, rows)
    before = snapshot(registry)
    res = mlsys("catalog", "import", "--csv", path, "--registry", registry)
    assert res.exit_code == 2, (res.exit_code, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    assert "wrote" not in res.stdout
    assert res.stderr.count("error:") == 1, res.stderr
    assert snapshot(registry) == before, "a rejected import changed the registry"
    return flat(res.stderr)


def import_rejected_api(registry: Path, tmp_path: Path, header, rows, table: str = "hardware") -> str:
    """The same through ``import_csv`` in-process (faster; the CLI only adds the exit code)."""
    path = save_csv(tmp_path / "edited" / f"{table}.csv", header, rows)
    before = snapshot(registry)
    with pytest.raises(InputError) as exc:
        import_csv(path, registry=registry)
    assert snapshot(registry) == before, "a rejected import changed the registry"
    return flat(str(exc.value))


# -- CSV: one bad cell ---------------------------------------------------------------------

@pytest.mark.parametrize("value, expected, via", [
    ("-1e12", "expected > 0 (B/s)", "cli"),
    ("NaN", "expected a finite number (not NaN or infinity) (B/s)", "cli"),
    ("0", "expected > 0 (B/s)", "cli"),
    ("inf", "expected a finite number (not NaN or infinity) (B/s)", "api"),
])
def test_bad_bandwidth_value_is_rejected_naming_row_and_column(mlsys, registry, tmp_path, hardware_csv,
                                                               value, expected, via):
    header, rows = hardware_csv
    i = row_of(header, rows, "A100 SXM4 80GB")
    rows[i][header.index(BW_HEADER)] = value
    reject = partial(import_rejected, mlsys) if via == "cli" else import_rejected_api
    err = reject(registry, tmp_path, header, rows)
    assert "table 'hardware'" in err
    assert "1 problem" in err
    assert f"row {i + 1} (A100 SXM4 80GB), column {BW}: got " in err
    assert expected in err


def test_missing_unit_in_header_is_rejected(mlsys, registry, tmp_path, hardware_csv):
    header, rows = hardware_csv
    header[header.index(BW_HEADER)] = BW
    err = import_rejected(mlsys, registry, tmp_path, header, rows)
    assert f"column {BW}: missing unit; expected header '{BW} [B/s]'" in err


@pytest.mark.parametrize("given", ["USD", "FLOP/s"])
def test_incompatible_unit_in_header_is_rejected(mlsys, registry, tmp_path, hardware_csv, given):
    header, rows = hardware_csv
    header[header.index(BW_HEADER)] = f"{BW} [{given}]"
    err = import_rejected(mlsys, registry, tmp_path, header, rows)
    assert f"column {BW}: unit [{given}] cannot be converted to [B/s]" in err


def test_unknown_unit_and_unknown_column_are_rejected(registry, tmp_path, hardware_csv):
    header, rows = hardware_csv
    header[header.index(BW_HEADER)] = f"{BW} [furlong/fortnight]"
    header.append("colour")
    rows = [[*r, "red"] for r in rows]
    err = import_rejected_api(registry, tmp_path, header, rows)
    assert f"column {BW}: unknown unit [furlong/fortnight]; expected [B/s]" in err


def test_a_file_not_named_for_its_table_asks_for_table(mlsys, registry, tmp_path, hardware_csv):
    """tryout: hardware_edited.csv said only "catalog table: unknown name 'hardware_edited'", not that the name came
    from the file's and --table gives it."""
    err = import_rejected(mlsys, registry, tmp_path, *hardware_csv, table="hardware_edited")
    assert "CSV " in err and "column --table: not given, and the file's name 'hardware_edited' is not a catalog" in err
    assert "expected --table or a file named <table>.csv, one of accelerator_costs," in err
    assert "did you mean 'hardware'?" in err


def test_a_header_unit_is_never_evaluated(registry, tmp_path, hardware_csv):
    """Issue 14: arithmetic in a header's unit is rejected, not computed (pint evaluates 9**9**9)."""
    header, rows = hardware_csv
    header[header.index(BW_HEADER)] = f"{BW} [9**9**9 B/s]"
    err = import_rejected_api(registry, tmp_path, header, rows)
    assert f"column {BW}: unknown unit [9**9**9 B/s]; expected [B/s]" in err


def test_compatible_unit_is_converted_and_accepted(mlsys, registry, tmp_path, hardware_csv):
    header, rows = hardware_csv
    col = header.index(BW_HEADER)
    header[col] = f"{BW} [GB/s]"
    for r in rows:
        if r[col]:
            r[col] = repr(float(r[col]) / 1e9)
    i = row_of(header, rows, "H100 SXM5 80GB")
    assert rows[i][col] == "3350.0"
    path = save_csv(tmp_path / "edited" / "hardware.csv", header, rows)
    res = mlsys("catalog", "import", "--csv", path, "--registry", registry)
    assert res.exit_code == 0, res.stderr
    assert "wrote" in res.stdout
    got = read_catalog("hardware", registry)
    original = read_catalog("hardware", BUNDLED)
    assert got.filter(pl.col("name") == "H100 SXM5 80GB")[BW].item() == pytest.approx(3.35e12, rel=1e-12)
    a = got.select("name", BW).drop_nulls()
    b = original.select("name", BW).drop_nulls()
    assert a["name"].to_list() == b["name"].to_list()
    assert a[BW].to_list() == pytest.approx(b[BW].to_list(), rel=1e-12)
    # the file stores B/s, not GB/s
    assert pq.read_schema(registry / "hardware.parquet").field(BW).metadata == {b"unit": b"B/s"}


def test_duplicate_name_is_rejected(mlsys, registry, tmp_path, hardware_csv):
    header, rows = hardware_csv
    i = row_of(header, rows, "A100 SXM4 80GB")
    j = row_of(header, rows, "H100 SXM5 80GB")
    rows[j][header.index("name")] = "A100 SXM4 80GB"
    err = import_rejected(mlsys, registry, tmp_path, header, rows)
    for n in (i, j):
        assert f"row {n + 1} (A100 SXM4 80GB), column name: got A100 SXM4 80GB, duplicate value" in err


@pytest.mark.parametrize("value, expected, via", [
    ("", "expected a value, got null", "cli"),
    ("not a url", "expected an http(s) URL", "api"),
])
def test_bad_source_url_is_rejected(mlsys, registry, tmp_path, hardware_csv, value, expected, via):
    header, rows = hardware_csv
    i = row_of(header, rows, "T4")
    rows[i][header.index("source_url")] = value
    reject = partial(import_rejected, mlsys) if via == "cli" else import_rejected_api
    err = reject(registry, tmp_path, header, rows)
    assert f"row {i + 1} (T4), column source_url: " in err
    assert expected in err


# -- CSV: several bad cells ---------------------------------------------------------------

def test_every_bad_cell_is_listed_in_one_message(mlsys, registry, tmp_path, hardware_csv):
    header, rows = hardware_csv
    rows[0][header.index(BW_HEADER)] = "-5"                          # row 1
    rows[4][header.index("source_url")] = ""                         # row 5
    rows[6][header.index("tdp_w [W]")] = "nan"                       # row 7
    rows[9][header.index("memory_capacity_bytes [B]")] = "0"         # row 10
    names = [r[header.index("name")] for r in rows]
    err = import_rejected(mlsys, registry, tmp_path, header, rows)
    assert "4 problems" in err
    assert f"row 1 ({names[0]}), column {BW}: got -5.0, expected > 0 (B/s)" in err
    assert f"row 5 ({names[4]}), column source_url: expected a value, got null" in err
    assert f"row 7 ({names[6]}), column tdp_w: got NaN, expected a finite number" in err
    assert f"row 10 ({names[9]}), column memory_capacity_bytes: got 0.0, expected > 0 (B)" in err


def test_api_reports_problems_with_row_and_column(registry, tmp_path, hardware_csv):
    header, rows = hardware_csv
    i = row_of(header, rows, "MI300X")
    rows[i][header.index(BW_HEADER)] = "-1"
    rows[i][header.index("tdp_w [W]")] = "0"
    path = save_csv(tmp_path / "edited" / "hardware.csv", header, rows)
    before = snapshot(registry)
    with pytest.raises(InputError) as exc:
        import_csv(path, registry=registry)
    found = {(p.row, p.column, p.label) for p in exc.value.problems}
    assert found == {(i + 1, BW, "MI300X"), (i + 1, "tdp_w", "MI300X")}
    assert "2 problems" in str(exc.value)
    assert snapshot(registry) == before


def test_unparsable_and_out_of_range_cells_are_reported_together(registry, tmp_path, hardware_csv):
    header, rows = hardware_csv
    rows[5][header.index("memory_capacity_bytes [B]")] = "-1"
    rows[6][header.index("memory_capacity_bytes [B]")] = "abc"
    path = save_csv(tmp_path / "edited" / "hardware.csv", header, rows)
    with pytest.raises(InputError) as exc:
        import_csv(path, registry=registry)
    assert {p.row for p in exc.value.problems} == {6, 7}


@pytest.mark.parametrize("value", ["NaN", "inf", "1e30"])
def test_non_finite_integer_cell_is_rejected(registry, tmp_path, hardware_csv, value):
    header, rows = hardware_csv
    rows[3][header.index("release_year []")] = value
    path = save_csv(tmp_path / "edited" / "hardware.csv", header, rows)
    with pytest.raises(InputError) as exc:
        import_csv(path, registry=registry)
    assert [(p.row, p.column) for p in exc.value.problems] == [(4, "release_year")]


def test_csv_missing_optional_column_is_rejected(registry, tmp_path, hardware_csv):
    header, rows = hardware_csv
    k = header.index("tdp_w [W]")
    header = header[:k] + header[k + 1:]
    rows = [r[:k] + r[k + 1:] for r in rows]
    path = save_csv(tmp_path / "edited" / "hardware.csv", header, rows)
    before = snapshot(registry)
    with pytest.raises(InputError, match=r"column tdp_w: missing column"):
        import_csv(path, registry=registry)
    assert snapshot(registry) == before


def test_same_column_twice_with_different_units_is_rejected(registry, tmp_path, hardware_csv):
    header, rows = hardware_csv
    col = header.index(BW_HEADER)
    header = [*header, f"{BW} [GB/s]"]
    rows = [[*r, r[col]] for r in rows]
    path = save_csv(tmp_path / "edited" / "hardware.csv", header, rows)
    with pytest.raises(InputError, match=BW):
        import_csv(path, registry=registry)


def test_duplicate_efficiency_key_names_the_key_columns(registry, tmp_path, exported):
    header, rows = load_csv(exported / "efficiency_profiles.csv")
    rows.append(list(rows[0]))
    path = save_csv(tmp_path / "edited" / "efficiency_profiles.csv", header, rows)
    with pytest.raises(InputError) as exc:
        import_csv(path, registry=registry)
    assert {p.row for p in exc.value.problems} == {1, len(rows)}
    for p in exc.value.problems:
        assert p.column == "workload, precision, framework, hardware_family", p.column
        assert "duplicate key (training, any, Megatron-LM, nvidia-ampere)" in p.message


# -- round trip ----------------------------------------------------------------------------

def test_export_then_import_unedited_keeps_every_table(mlsys, registry, tmp_path):
    res = mlsys("catalog", "export", "--csv", tmp_path / "csv", "--registry", registry)
    assert res.exit_code == 0, res.stderr
    tables = ("hardware", "models", "precisions", "efficiency_profiles")
    for t in tables:
        assert (tmp_path / "csv" / f"{t}.csv").exists()
        header = (tmp_path / "csv" / f"{t}.csv").read_text().splitlines()[0]
        for column, u in schema_units(t).items():
            if u is not None:
                assert f"{column} [{u}]" in header
    res = mlsys("catalog", "import", "--csv", tmp_path / "csv" / "hardware.csv", "--registry", registry)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.strip() == f"wrote {registry / 'hardware.parquet'}"
    for t in tables[1:]:  # the other tables in-process (same code path, no interpreter start-up)
        import_csv(tmp_path / "csv" / f"{t}.csv", registry=registry)
    for t in tables:
        after = read_catalog(t, registry)
        original = pl.read_parquet(BUNDLED / f"{t}.parquet")
        assert after.columns == original.columns
        assert after.equals(original), t
        schema = pq.read_schema(registry / f"{t}.parquet")
        for column, u in schema_units(t).items():
            if u is not None:
                assert schema.field(column).metadata == {b"unit": u.encode()}


# -- Parquet unit metadata ------------------------------------------------------------------

def rewrite_hardware(registry: Path, change) -> Path:
    path = registry / "hardware.parquet"
    table = change(pq.read_table(path))
    pq.write_table(table, path)
    return path


def with_field_metadata(column: str, meta: dict | None):
    def change(t: pa.Table) -> pa.Table:
        fields = [(f.with_metadata(meta) if meta else f.remove_metadata()) if f.name == column else f
                  for f in t.schema]
        return t.cast(pa.schema(fields))
    return change


def test_parquet_column_without_unit_metadata_is_rejected(mlsys, registry, tmp_path):
    rewrite_hardware(registry, with_field_metadata(BW, None))
    assert pq.read_schema(registry / "hardware.parquet").field(BW).metadata is None
    with pytest.raises(InputError) as exc:
        read_catalog("hardware", registry)
    msg = str(exc.value)
    assert f"column {BW}: Parquet field has no 'unit' metadata; expected 'B/s'" in msg
    assert [p.column for p in exc.value.problems] == [BW]
    res = mlsys("catalog", "check", "--registry", registry)
    assert res.exit_code == 2
    assert f"column {BW}: Parquet field has no 'unit' metadata" in flat(res.stderr)


def test_parquet_with_all_metadata_dropped_lists_every_unit_column(registry):
    def drop_all(t: pa.Table) -> pa.Table:
        t = t.replace_schema_metadata(None)
        return t.cast(pa.schema([f.remove_metadata() for f in t.schema]))
    rewrite_hardware(registry, drop_all)
    with pytest.raises(InputError) as exc:
        read_catalog("hardware", registry)
    expected = {c for c, u in schema_units("hardware").items() if u is not None}
    assert {p.column for p in exc.value.problems} == expected
    assert all("no 'unit' metadata" in p.message for p in exc.value.problems)


@pytest.mark.parametrize("given", ["GB/s", "USD"])
def test_parquet_with_a_different_unit_is_rejected(registry, given):
    rewrite_hardware(registry, with_field_metadata(BW, {"unit": given}))
    with pytest.raises(InputError, match=re.escape(f"column {BW}: unit '{given}' in the file, expected 'B/s'")):
        read_catalog("hardware", registry)


def test_parquet_with_an_undefined_unit_is_rejected(registry):
    rewrite_hardware(registry, with_field_metadata(BW, {"unit": "furlong"}))
    with pytest.raises(InputError, match=BW):
        read_catalog("hardware", registry)


def test_parquet_missing_an_optional_column_is_rejected(registry):
    rewrite_hardware(registry, lambda t: t.drop_columns([BW]))
    with pytest.raises(InputError, match=rf"column {BW}: missing column"):
        read_catalog("hardware", registry)


def test_cluster_with_an_unknown_accelerator_is_rejected(registry):
    """clusters.accelerator must name a hardware catalog row; the message suggests the closest."""
    import polars as pl

    from pipeline.catalogs.io import write_catalog
    from pipeline.catalogs.load import load_catalogs

    clusters = pl.read_parquet(registry / "clusters.parquet")
    write_catalog(clusters.with_columns(pl.lit("H100 SXM 80GB").alias("accelerator")), "clusters", registry)
    with pytest.raises(InputError, match=r"row 1 \(.*\), column accelerator: got 'H100 SXM 80GB', expected a "
                                         r"hardware catalog name; did you mean 'H100 SXM5 80GB'"):
        load_catalogs(registry)


def test_cluster_fabric_with_zero_bandwidth_is_rejected(registry):
    import polars as pl

    from pipeline.catalogs.io import write_catalog

    clusters = pl.read_parquet(registry / "clusters.parquet")
    with pytest.raises(InputError, match=r"column nic_bandwidth_bits_per_s: got 0.0, expected > 0 \(bit/s\)"):
        write_catalog(clusters.with_columns(pl.lit(0.0).alias("nic_bandwidth_bits_per_s")), "clusters", registry)


# -- issue 14 item 4: implausible values, imports that break another table, empty tables, a mistyped
# --registry and corrupt files are errors that name what is wrong; nothing is written -------------

@pytest.fixture
def own_registry(tmp_path):
    reg = tmp_path / "registry"
    shutil.copytree(BUNDLED, reg)
    return reg


def test_a_gb_per_s_header_over_values_in_b_per_s_is_implausible(registry, tmp_path, hardware_csv):
    """The values are B/s but the header says GB/s: 3.35e12 GB/s = 3.35e21 B/s, beyond 100 TB/s."""
    header, rows = hardware_csv
    header[header.index(BW_HEADER)] = f"{BW} [GB/s]"
    err = import_rejected_api(registry, tmp_path, header, rows)
    i = row_of(header, rows, "H100 SXM5 80GB")
    assert f"row {i + 1} (H100 SXM5 80GB), column {BW}: got 3.35e+21, expected at most 100 TB/s" in err


def test_plausibility_can_be_turned_off(registry, tmp_path, hardware_csv, monkeypatch):
    header, rows = hardware_csv
    i = row_of(header, rows, "H100 SXM5 80GB")
    rows[i][header.index(BW_HEADER)] = "2e14"  # 200 TB/s: no part of 2026
    path = save_csv(tmp_path / "edited" / "hardware.csv", header, rows)
    with pytest.raises(InputError, match="expected at most 100 TB/s"):
        import_csv(path, registry=registry)
    monkeypatch.setenv("MLSYS_PLAUSIBILITY", "off")
    import_csv(path, registry=registry)
    assert load_catalogs(registry).hardware.filter(name="H100 SXM5 80GB")[BW].item() == 2e14


def test_an_empty_table_is_rejected(registry, tmp_path, hardware_csv):
    header, _ = hardware_csv
    assert "no rows; a catalog table holds at least one" in import_rejected_api(registry, tmp_path, header, [])


def test_removing_a_row_another_table_names_is_rejected(registry, tmp_path, hardware_csv):
    """Clusters, prices, costs and measurements name hardware rows: renaming one would leave the
    registry unloadable."""
    header, rows = hardware_csv
    i = row_of(header, rows, "H100 SXM5 80GB")
    rows[i][header.index("name")] = "H100 renamed"
    err = import_rejected_api(registry, tmp_path, header, rows)
    assert "catalog 'clusters' (after importing CSV" in err and "got 'H100 SXM5 80GB', expected a hardware" in err


@pytest.mark.parametrize("kind", ["missing", "file", "csv folder"])
def test_a_mistyped_registry_is_an_error_not_a_fallback(mlsys, tmp_path, kind):
    target = tmp_path / "reg"
    if kind == "file":
        target.write_text("x")
    elif kind == "csv folder":
        target.mkdir()
        (target / "hardware.csv").write_text("name\nx\n")
    res = mlsys("evaluate", "--model", "ResNet-50", "--hardware", "T4", "--registry", target)
    expected = {"missing": "does not exist", "file": "is a file",
                "csv folder": "holds no catalog .parquet file (1 CSV files: import each"}[kind]
    assert res.exit_code == 2 and "--registry" in res.stderr and expected in flat(res.stderr), res.stderr
    res = mlsys("evaluate", "--model", "ResNet-50", "--hardware", "T4", env={"MLSYS_REGISTRY": str(target)})
    assert res.exit_code == 2 and "$MLSYS_REGISTRY" in res.stderr, res.stderr


@pytest.mark.parametrize("damage", ["truncated", "empty", "not parquet"])
def test_a_corrupt_catalog_names_the_file_and_the_fix(own_registry, damage):
    path = own_registry / "models.parquet"
    data = path.read_bytes()
    path.write_bytes({"truncated": data[: len(data) // 2], "empty": b"", "not parquet": b"name,x\n1,2\n"}[damage])
    before = snapshot(own_registry)
    with pytest.raises(InputError) as err:
        load_catalogs(own_registry)
    text = flat(str(err.value))
    assert f"catalog 'models' ({path})" in text and "is not a readable Parquet file" in text
    assert "mlsys catalog import --csv <file> --table models" in text
    assert snapshot(own_registry) == before


# -- issue 14 item 7: cells that are safe to read and to open in a spreadsheet ----------------------

@pytest.mark.parametrize(("name", "what"), [
    ("=HYPERLINK(\"http://x\")", "a first character that spreadsheets run as a formula"),
    ("+1", "a first character that spreadsheets run as a formula"), ("@SUM(A1)", "a first character"),
    ("-2", "a first character"), ("H100\u202eX", "a bidirectional control character"),
    ("A100\x07", "a control character"), ("T4\tx", "a tab or line break"),
])
def test_names_that_deceive_or_run_as_formulas_are_rejected(registry, tmp_path, hardware_csv, name, what):
    header, rows = hardware_csv
    i = row_of(header, rows, "T4")
    rows[i][header.index("name")] = name
    err = import_rejected_api(registry, tmp_path, header, rows)
    assert f"row {i + 1}" in err and "column name: got" in err and what in err


def test_export_escapes_formula_cells_and_import_reads_them_back(mlsys, own_registry, tmp_path):
    """OWASP CSV injection: a text cell beginning with = + - @ is written as '= ... and read back as it was."""
    hw = load_catalogs(own_registry).hardware
    i = hw["name"].to_list().index("T4")
    edited = hw.with_columns(pl.when(pl.col("name") == "T4").then(pl.lit("=1+1 is not run")).otherwise("notes")
                             .alias("notes"))
    from pipeline.catalogs.io import write_catalog

    write_catalog(edited, "hardware", own_registry)
    res = mlsys("catalog", "export", "--csv", tmp_path / "csv", "--table", "hardware", "--registry", own_registry)
    assert res.exit_code == 0, res.stderr
    header, rows = load_csv(tmp_path / "csv" / "hardware.csv")
    assert rows[i][header.index("notes")] == "'=1+1 is not run"
    import_csv(tmp_path / "csv" / "hardware.csv", registry=own_registry)
    assert load_catalogs(own_registry).hardware.equals(edited)


def test_a_column_of_the_wrong_type_is_named_on_every_row(own_registry):
    """A whole column written as text where the schema wants dates fails pandera's frame-level coercion, which
    reports the table instead of the column: each row's problem still names ``as_of``, and nothing is written."""
    from pipeline.catalogs.io import write_catalog

    frame = pl.read_parquet(own_registry / "accelerator_costs.parquet")
    text = frame.with_columns(pl.col("as_of").cast(pl.String))
    first = text["as_of"].drop_nulls()[0]
    before = snapshot(own_registry)
    with pytest.raises(InputError) as exc:
        write_catalog(text, "accelerator_costs", own_registry, source="test")
    named = {p.column for p in exc.value.problems}
    assert named == {"as_of"}
    assert any(p.row is not None and first in p.message for p in exc.value.problems)
    assert snapshot(own_registry) == before


def test_an_efficiency_profile_naming_an_unknown_model_in_its_lists_is_rejected(registry):
    """graphed_models and window_attention_models are comma-separated models catalog names: a typo would silently
    apply nothing, so each item must name a models row (the bundled lists all do: BERT-Large, ResNet-50; GPT-OSS)."""
    import polars as pl

    from pipeline.catalogs.io import write_catalog
    from pipeline.catalogs.load import load_catalogs

    load_catalogs(registry)  # the bundled lists resolve
    profiles = pl.read_parquet(registry / "efficiency_profiles.parquet")
    typo = profiles.with_columns(pl.when(pl.col("window_attention_models").is_not_null())
                                 .then(pl.lit("GPT-OSS 120B, GPT-OSS 12B")).alias("window_attention_models"))
    write_catalog(typo, "efficiency_profiles", registry)
    with pytest.raises(InputError, match=r"column window_attention_models: got 'GPT-OSS 12B', expected a models "
                                         r"catalog name; did you mean 'GPT-OSS 120B'"):
        load_catalogs(registry)
