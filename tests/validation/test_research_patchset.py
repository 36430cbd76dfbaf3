"""r-patchset's scripts on hand-made inputs: the decision rule (table.verdict) and the common / new / lost split
(compare.compare)."""

from __future__ import annotations

import polars as pl

from tests.catalogs.research import REGISTRY, script

FOLDER = REGISTRY / "research" / "r-patchset"


def test_verdict_is_the_decision_rule_by_hand():
    """Worse by more than 0.2 points fails, by exactly 0.2 passes; fewer rows predicted fails, more pass."""
    table = script(FOLDER / "table.py", "r_patchset_table")
    base = {"itl_s": {"catalog": 17.5, "cv": 17.5, "predicted": 395},
            "ttft_s": {"catalog": 29.5, "cv": 28.1, "predicted": 411}}
    same = {"itl_s": {"catalog": 17.7, "cv": 19.0, "predicted": 400}, "ttft_s": {"catalog": 28.0, "cv": 1.0,
                                                                                  "predicted": 411}}
    assert table.verdict(base, same) == "passes"
    worse = same | {"itl_s": {"catalog": 17.8, "cv": 17.5, "predicted": 395}}
    assert table.verdict(base, worse) == "worse: itl_s"
    lost = same | {"ttft_s": {"catalog": 20.0, "cv": 20.0, "predicted": 410}}
    assert table.verdict(base, lost) == "rows lost: ttft_s"


def test_compare_splits_common_new_and_lost_rows_by_hand():
    """Rows a (10 -> 20 %), b (30 %, then not predicted), c (not predicted, then 50 %): all-rows medians 20 / 35,
    common 10 -> 20 (row a), one new at 50, one lost (line 2)."""
    compare = script(FOLDER / "compare.py", "r_patchset_compare")
    cols = ("name", "metric", "line", "predicted", "abs_error_pct")
    before = pl.DataFrame([("a", "itl_s", 1, 1.0, 10.0), ("b", "itl_s", 2, 1.0, 30.0), ("c", "itl_s", 3, None, None)],
                          schema=cols, orient="row")
    after = pl.DataFrame([("a", "itl_s", 1, 1.0, 20.0), ("b", "itl_s", 2, None, None), ("c", "itl_s", 3, 1.0, 50.0)],
                         schema=cols, orient="row")
    row = compare.compare(before, after, ("itl_s",)).row(0, named=True)
    assert (row["before"], row["after"], row["common"], row["common_before"], row["common_after"]) == (
        20.0, 35.0, 1, 10.0, 20.0)
    assert (row["new"], row["new_median"], row["lost"], row["lost_lines"]) == (1, 50.0, 1, [2])


def test_rtx_fp4_khalf_reproduces_the_cards_kernel_row_by_hand():
    """4096 tiles on 188 SMs: 21.787 of 22 waves = 0.99033; 1629 / 2000 = 0.8145 over it is 0.82245, so K / (K + k_half)
    = 0.82245 at K = 8192 gives k_half = 8192 x 0.21588 = 1768.4 (the fit's 3.364 x ridge, 4212, gives 0.654)."""
    what_if = script(FOLDER / "rtx_fp4_khalf.py", "r_patchset_khalf")
    assert abs(what_if.k_half() - 1768.4) < 0.1
    assert abs(0.99033 * 8192 / (8192 + what_if.k_half()) - 0.8145) < 1e-4
    assert abs(0.99033 * 8192 / (8192 + 4212.38) - 0.654) < 1e-3


def test_moe_tile_row_is_the_bundled_row_and_idempotent():
    """moe_tile_row.py on the bundled profiles writes nothing new: the SGLang H200 FP8 row states 16 rows up to 768
    tokens (SGLang's H200 JSON, keys 1-512 of 16, 1024 of 64: nearest key up to 768), right before the NVIDIA MLPerf
    harness row."""
    from pipeline.catalogs.io import read_catalog

    row_script = script(FOLDER / "moe_tile_row.py", "r_patchset_moe_tile_row")
    bundled = read_catalog("efficiency_profiles", str(REGISTRY))
    again = row_script.with_row(bundled)
    assert again.equals(bundled)
    names = again["profile"].to_list()
    assert names.index(row_script.NAME) + 1 == names.index(row_script.BEFORE)
    row = again.filter(again["profile"] == row_script.NAME).row(0, named=True)
    assert (row["moe_tile_m"], row["moe_tile_max_tokens"], row["framework"], row["hardware_family"]) == (
        16.0, 768.0, "SGLang", "nvidia-hopper")
