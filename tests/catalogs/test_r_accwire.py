"""registry_data/research/r-accwire: SQuAD v1.1's lengths written into the workloads catalog, and the SM clock each
NVIDIA int8 datasheet peak is quoted at, against hand-worked values."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-accwire"


def _load(name: str, file: str):
    return script(HERE / file, name)


def test_the_lengths_need_mlperfs_10833_features_and_take_loadgens_percentiles():
    """LoadGen's percentile is sorted[floor(n x p)] (results.cc): of 1 .. 10,833 the p90 is the 9,750th value
    (index floor(9,749.7) = 9,749), the median the 5,417th, the p99 the 10,725th; mean 5,417, sample std
    sqrt(n (n + 1) / 12) = sqrt(9,780,389.5) = 3,127.36."""
    apply = _load("r_accwire_apply", "squad_lengths_apply.py")
    got = apply.figures(list(range(1, 10834)))
    assert (got["input_tokens_p50"], got["input_tokens_p90"], got["input_tokens_p99"]) == (5417, 9750, 10725)
    assert got["input_tokens_mean"] == 5417 and got["input_tokens_std"] == pytest.approx(3127.36, abs=0.005)
    with pytest.raises(ValueError, match="10,833"):
        apply.figures([100] * 10)


def test_only_the_squad_row_changes_and_it_stays_valid():
    apply = _load("r_accwire_apply2", "squad_lengths_apply.py")
    before = read_catalog("workloads")
    figures = {"input_tokens_mean": 178.49, "input_tokens_std": 68.52, "input_tokens_p50": 164.0,
               "input_tokens_p90": 272.0, "input_tokens_p99": 384.0}
    after = apply.apply(before, figures)
    row = after.filter(pl.col("name") == "SQuAD v1.1").row(0, named=True)
    assert {k: row[k] for k in figures} == figures and row["trust"] == "A" and "0.535" in row["notes"]
    assert after.filter(pl.col("name") != "SQuAD v1.1").equals(before.filter(pl.col("name") != "SQuAD v1.1"))


def test_the_clock_is_the_peak_over_sms_times_int8_ops_a_clock():
    """A100: 624 T / (108 x 4,096) = 1.41059 GHz, the whitepaper's 1,410 MHz boost; L4: 242.5 T / (58 x 2,048) =
    2.0415 GHz (its published 2,040 MHz, r-accnode §3)."""
    clocks = _load("r_accwire_clocks", "clocks.py")
    got = dict(clocks.clocks(read_catalog("hardware")).select("hardware", "sm_clock_hz").iter_rows())
    assert got["A100 SXM4 80GB"] == pytest.approx(1.41059e9, rel=1e-5)
    assert got["L4"] == pytest.approx(2.0415e9, rel=1e-4)
