"""registry_data/research/r-accwire3/sm_count_apply.py: the SM counts of the SM-clocked NVIDIA parts in the hardware
catalog (the default fit form's units for a graphed step on a part without an int8 kernel fit), against the sources'
figures and the clocks they must agree with."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-accwire3"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "sm_count_apply.py", "r_accwire3_apply")


def test_each_clocked_part_holds_its_sources_sm_count_and_no_other_part_one(apply):
    """L4: deviceQuery's '(058) Multiprocessors, (128) CUDA Cores/MP: 7424 CUDA Cores'; T4: TensorFlow's 'coreCount:
    40'; A40: the datasheet's 84 RT cores (one a GA102 SM; 336 Tensor Cores / 4); A30: 3,584 CUDA cores / 64 = 56;
    A100 108, H100 SXM 132, H100 PCIe 114, L40S 142 from r-kernels/sm_count.csv. Each agrees with the clock's
    derivation: L4 58 x 2,048 int8 ops a clock x 2.041521 GHz = 242.5 TOPS, T4 40 x 2,048 x 1.586914 GHz = 130 TOPS
    (their datasheet peaks). Parts without a clock (MI300X) have none; the script is idempotent."""
    hardware = read_catalog("hardware")
    got = {n: (c, u) for n, c, u in hardware.select("name", "sm_count", "sm_count_source_url").iter_rows()}
    assert {n: c for n, (c, _) in got.items() if c is not None and n in apply.ss.SM_OPS} == {
        "L4": 58, "T4": 40, "A40": 84, "A30": 56, "A100 SXM4 80GB": 108, "A100 PCIe 80GB": 108,
        "H100 SXM5 80GB": 132, "H100 PCIe 80GB": 114, "L40S": 142}
    assert got["MI300X"] == (None, None)
    assert got["L4"][1] == "https://github.com/bottlerocket-os/bottlerocket-kernel-kit/pull/139"
    a40 = hardware.filter(pl.col("name") == "A40").row(0, named=True)
    assert a40["sm_count_source_url"] == a40["source_url"]  # the datasheet the A40's peaks cite
    row = {n: r for n, r in zip(hardware["name"], hardware.iter_rows(named=True))}
    assert 58 * 2048 * row["L4"]["sm_clock_hz"] == pytest.approx(242.5e12, rel=1e-12)
    assert 40 * 2048 * row["T4"]["sm_clock_hz"] == pytest.approx(130e12, rel=1e-12)
    own = hardware.filter(pl.col("name").is_in(list(apply.ss.SM_OPS)) | pl.col("sm_clock_hz").is_null())
    assert apply.with_sm_counts(own).equals(own)  # (r-accdefault gives further parts a clock and a count)


def test_a_clocked_part_without_a_source_or_with_another_count_is_refused(apply):
    """A part given a clock its SMs were not derived with (an MI300X), or a source whose count is not the clock's SMs,
    is an error naming the column (the clock and the SM count must describe one chip); so is a clocked part without
    any SM count source. (Only the parts this script owns: r-accdefault and r-cnnacc clock further parts.)"""
    hardware = read_catalog("hardware")
    hardware = hardware.filter(pl.col("name").is_in(list(apply.ss.SM_OPS)) | pl.col("sm_clock_hz").is_null())
    extra = hardware.with_columns(pl.when(pl.col("name") == "MI300X").then(2.1e9).otherwise(pl.col("sm_clock_hz"))
                                  .alias("sm_clock_hz"))
    with pytest.raises(ValueError, match="MI300X.*sm_count"):
        apply.with_sm_counts(extra)
    wrong = apply.sources().with_columns(pl.when(pl.col("name") == "L4").then(60).otherwise(pl.col("sm_count"))
                                         .alias("sm_count"))
    original = apply.sources
    apply.sources = lambda: wrong
    try:
        with pytest.raises(ValueError, match="L4.*sm_count"):
            apply.with_sm_counts(hardware)
        apply.sources = lambda: wrong.filter(pl.col("name") != "T4")
        with pytest.raises(ValueError, match="no SM count.*T4"):
            apply.with_sm_counts(hardware)
    finally:
        apply.sources = original
