"""registry_data/research/r-moemix2: the AutoQuantize bits arithmetic by hand, and the what-if's inputs (the rows
restated at fp8, the catalog copy's FP8 peak x 8 / b)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-moemix2"


def _autoquant():
    return script(HERE / "autoquant_rows.py", "r_moemix2_autoquant_rows")


def test_split_by_hand():
    split = _autoquant().split
    # b = 7.25 with no FP16 layer: 4a + 8(1 - a) = 7.25 -> a = 0.75 / 4 = 0.1875
    assert split(7.25, 0.0) == pytest.approx((0.1875, 0.8125, 0.0))
    # 10 % FP16: a = 0.1875 + 0.2 = 0.3875, f = 1 - 0.3875 - 0.1 = 0.5125; 4 x 0.3875 + 8 x 0.5125 + 16 x 0.1 = 7.25
    a, f, h = split(7.25, 0.1)
    assert (a, f, h) == pytest.approx((0.3875, 0.5125, 0.1)) and 4 * a + 8 * f + 16 * h == pytest.approx(7.25)
    # Hopper (FP8 or FP16 only, a = 0): 8.75 bits -> h = 0.75 / 8 = 0.09375, time f + 2h = 1.09375 = 8.75 / 8
    a, f, h = split(8.75, 0.09375)
    assert a == pytest.approx(0.0) and f + 2 * h == pytest.approx(1.09375)
    for h in (0.0, 0.1, 0.27):  # any split at 7.25 bits: 0.5a + f + 2h = 7.25 / 8
        a, f, h = split(7.25, h)
        assert 0.5 * a + f + 2 * h == pytest.approx(0.90625)


def test_what_if_inputs(tmp_path, capsys):
    _autoquant().main(tmp_path)
    b200 = pl.read_csv(tmp_path / "b200_fp8.csv")
    assert b200.height == 4 and set(b200["compute_dtype"]) == {"fp8"} and set(b200["hardware"]) == {"B200 (HGX B200)"}
    # the rows as the catalog states them: fp8 since r-mixbits restated them (the 7.25-bit mix's reference format)
    assert set(pl.read_csv(tmp_path / "b200_fp4.csv")["compute_dtype"]) == {"fp8"}
    mix = pl.read_csv(tmp_path / "mix.csv")
    assert mix.height == 12 and set(mix["model"]) == {"Mixtral 8x7B"} and set(mix["compute_dtype"]) == {"fp8"}
    assert not mix["name"].str.contains("v4.1").any()  # v4.1's checkpoint is plain FP8
    peak = {r["name"]: r["peak_fp8_flop_per_s"] for r in read_catalog("hardware").iter_rows(named=True)}
    copy = {r["name"]: r["peak_fp8_flop_per_s"] for r in read_catalog("hardware", tmp_path / "registry").iter_rows(
        named=True)}
    assert copy["H200 SXM 141GB"] == pytest.approx(peak["H200 SXM 141GB"] * 8 / 8.75)
    assert copy["B200 (HGX B200)"] == pytest.approx(peak["B200 (HGX B200)"] * 8 / 7.25)
    assert copy["H100 SXM5 80GB"] == peak["H100 SXM5 80GB"]
