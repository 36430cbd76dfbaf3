"""The on-disk cache of validated catalogs (issue 11): a hit skips validation, an edit misses it, a bad entry
is rebuilt, an unwritable cache is skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from pipeline.catalogs import cache, io
from pipeline.catalogs.load import TABLES, load_catalogs
from pipeline.catalogs.schemas import CATALOGS
from pipeline.errors import InputError


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """An empty cache of this test's own."""
    monkeypatch.setenv("MLSYS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def validated(monkeypatch) -> list[str]:
    """The tables pandera validates from now on, in order."""
    seen, real = [], io.validate

    def counting(df, table, source=None):
        seen.append(table)
        return real(df, table, source)

    monkeypatch.setattr(io, "validate", counting)
    return seen


def copy_of(registry: Path, name: str) -> Path:
    """Another directory with the same files: a new process's view (the in-process cache is keyed by path)."""
    return Path(shutil.copytree(registry, registry.parent / name))


def test_second_load_reads_the_cache_without_validating(registry, cache_dir, monkeypatch):
    first = load_catalogs(registry)
    assert len(list((cache_dir / "catalogs").glob("*.arrow"))) == len(TABLES) == 14

    def refuse(*_a, **_k):
        raise AssertionError("validated although cached")

    monkeypatch.setattr(io, "validate", refuse)
    second = load_catalogs(copy_of(registry, "again"))
    assert second.hashes == first.hashes
    for table in TABLES:  # the same frames, dtypes included
        assert_frame_equal(second.table(table), first.table(table))


def test_edited_catalog_misses_the_cache_and_only_it_is_validated(registry, cache_dir, validated):
    load_catalogs(registry)
    assert validated == list(TABLES)
    validated.clear()
    edited = copy_of(registry, "edited")
    path = edited / "storage.parquet"
    original = pq.read_table(path)
    changed = pl.from_arrow(original).with_columns(notes=pl.lit("edited"))
    pq.write_table(changed.to_arrow().cast(original.schema), path)

    catalogs = load_catalogs(edited)
    assert validated == ["storage"]
    assert catalogs.storage["notes"].to_list() == ["edited"] * original.num_rows


def test_bad_edit_of_a_cached_catalog_gives_the_validation_error(registry, cache_dir):
    load_catalogs(registry)
    edited = copy_of(registry, "edited")
    path = edited / "hardware.parquet"
    original = pq.read_table(path)
    frame = pl.from_arrow(original)
    first = frame["name"][0]
    bad = frame.with_columns(memory_capacity_bytes=pl.when(pl.int_range(pl.len()) == 0).then(0.0)
                             .otherwise(pl.col("memory_capacity_bytes")))
    pq.write_table(bad.to_arrow().cast(original.schema), path)
    with pytest.raises(InputError) as err:
        load_catalogs(edited)
    assert f"row 1 ({first}), column memory_capacity_bytes: got 0.0, expected > 0" in str(err.value)
    assert "catalog 'hardware'" in str(err.value)


def test_corrupt_entries_are_rebuilt(registry, cache_dir, validated):
    first = load_catalogs(registry)
    entries = sorted((cache_dir / "catalogs").glob("*.arrow"))
    entries[0].write_bytes(b"not arrow")
    entries[1].write_bytes(entries[1].read_bytes()[:100])  # truncated
    for entry in entries[2:]:
        entry.write_bytes(b"")
    validated.clear()

    second = load_catalogs(copy_of(registry, "again"))
    assert sorted(validated) == sorted(TABLES)  # every entry was unreadable: every table validated again
    for table in TABLES:
        assert_frame_equal(second.table(table), first.table(table))
    for entry in entries:  # and stored again, readable
        assert pl.read_ipc(entry).height > 0


def test_a_cache_that_cannot_be_written_is_skipped(registry, tmp_path, monkeypatch, validated):
    blocker = tmp_path / "a file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("MLSYS_CACHE_DIR", str(blocker / "cache"))
    load_catalogs(registry)
    load_catalogs(copy_of(registry, "again"))
    assert validated == list(TABLES) * 2  # no cache, no error
    assert blocker.read_text() == "not a directory"


def test_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MLSYS_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "mlsys-pipeline"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "mlsys-pipeline"
    monkeypatch.setenv("MLSYS_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"


def test_entries_are_keyed_by_content_and_rules(monkeypatch):
    a = cache.entry_path("hardware", "0" * 64)
    assert a == cache.entry_path("hardware", "0" * 64)
    assert a != cache.entry_path("hardware", "1" * 64)
    assert a != cache.entry_path("models", "0" * 64)
    assert cache.rules_version().startswith(f"{metadata.version('mlsys-pipeline')}-1-")  # package, entry format
    monkeypatch.setattr(cache, "rules_version", lambda: "another release")
    assert cache.entry_path("hardware", "0" * 64) != a


def test_tables_are_the_schema_tables_in_order():
    assert TABLES == tuple(CATALOGS)


def test_a_new_process_loads_cached_catalogs_without_pandera_or_pyarrow(registry, cache_dir):
    """The point of the cache: a fresh interpreter skips the validation stack (so a process is needed)."""
    load_catalogs(registry)
    probe = ("import sys; from pipeline.catalogs.load import load_catalogs; c = load_catalogs(sys.argv[1]); "
             "print(c.hardware.height, sorted(m for m in ('pandera', 'pyarrow', 'duckdb') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe, str(registry)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "MLSYS_CACHE_DIR": str(cache_dir)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(pl.read_parquet(registry / "hardware.parquet").height), "[]"]
