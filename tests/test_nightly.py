"""``mlsys nightly``: every study of the configuration swept, published, diffed against the previous
night and reported; stale catalog rows are a warning (exit 3); a second nightly after one catalog
edit names the changed rows; two nightlies never overlap (exit 4); a bad configuration exits 2."""

from __future__ import annotations

import fcntl
import json

import polars as pl
import pytest

from pipeline import nightly
from pipeline.catalogs.io import write_catalog
from pipeline.runs import publish

NODE = ('[axes]\nhardware = ["T4", "H100 SXM5 80GB"]\nmodel = ["ResNet-50", "Llama 2 7B"]\nbatch = [1]\n'
        'seq_len = [512]\nworkload = ["inference"]\ncompute_dtype = ["fp16"]\n')
SERVING = ('study = "serving"\n[axes]\nmodel = ["Llama 2 7B"]\nhardware = ["T4", "H100 SXM5 80GB"]\n'
           'precision = ["fp16"]\ntp = [1]\nbatch = [1, 8]\nprompt_len = [512]\noutput_len = [64]\n')


@pytest.fixture
def config(tmp_path):
    (tmp_path / "node.toml").write_text(NODE)
    (tmp_path / "serving.toml").write_text(SERVING)
    path = tmp_path / "nightly.toml"
    path.write_text('studies = ["node.toml", "serving.toml"]\nkeep = 1\nstale_after = "180d"\n')
    return path


def test_two_nights_publish_diff_and_prune(tmp_path, config, registry):
    out = tmp_path / "out"
    first = nightly.run(out, config, registry, say=lambda line: None, reports=False)
    assert [r["study"] for r in first.runs] == ["node", "serving"] and all("diff" not in r for r in first.runs)
    assert set(publish.published(out)) == {"node", "serving"}
    # the bundled catalogs hold rows last verified more than 180 days ago: a warning, exit code 3
    assert first.stale_rows > 0 and first.exit_code == nightly.WARNINGS
    assert json.loads(first.summary.with_suffix(".json").read_text())["exit_code"] == 3

    path = registry / "hardware.parquet"  # one catalog cell edited: T4's memory bandwidth doubled
    hw = pl.read_parquet(path)
    hw = hw.with_columns(memory_bandwidth_bytes_per_s=pl.when(pl.col("name") == "T4")
                         .then(pl.col("memory_bandwidth_bytes_per_s") * 2).otherwise("memory_bandwidth_bytes_per_s"))
    write_catalog(hw, "hardware", registry)
    second = nightly.run(out, config, registry, say=lambda line: None, reports=False)
    for entry in second.runs:
        diff = entry["diff"]
        assert diff["catalogs_changed"] == ["hardware"] and diff["added"] == diff["removed"] == 0
        assert diff["catalog_rows"] == ["hardware T4"] and diff["changed_sample"]  # the rows named
        assert 0 < diff["changed"] <= entry["rows"] // 2  # only the T4 rows (half of each run) can change
        # incremental: the T4 partition is computed again, the H100's reused from last night's run
        assert entry["reused"]["recomputed"] == ["hardware=T4"]
        assert entry["reused"]["partitions"] == ["hardware=H100%20SXM5%2080GB"]
    assert sorted(second.pruned) == sorted(r["run"] for r in first.runs)  # keep = 1: last night's runs go
    assert "hardware" in second.summary.read_text() and "| 1 / 1 |" in second.summary.read_text()
    assert "(rows: hardware T4)" in second.summary.read_text()


def test_a_second_nightly_waits_for_none(tmp_path, config, mlsys):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / nightly.LOCK, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(nightly.NightlyLocked):
            nightly.run(out, config, say=lambda line: None, reports=False)
        result = mlsys("nightly", "--out", out, "--config", config, "--no-report")
    assert result.exit_code == nightly.LOCKED and "another nightly" in result.stderr
    assert [p.name for p in out.iterdir()] == [nightly.LOCK]  # nothing was done


def test_a_bad_configuration_exits_2(tmp_path, mlsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('studies = []\nkeep = 0\nretention = 3\n')
    result = mlsys("nightly", "--out", tmp_path / "out", "--config", bad)
    assert result.exit_code == 2
    assert all(word in result.stderr for word in ("studies", "keep", "retention"))
