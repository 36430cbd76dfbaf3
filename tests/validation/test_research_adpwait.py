"""r-adpwait: TensorRT-LLM's attention-DP balancing timeout of the DeepSeek-R1 MLPerf Inference v5.1 Server runs
from their own configs (registry_data/research/r-adpwait/README.md). find_cells reads the timeout beside the enable
flag, validation reads it as the row's admission period (``scheduler_steps``, pipeline.walls.multi_step), and
apply.py replays cells.csv by row name onto a catalog with or without the column, once."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.validation.serving_rows import decode_kernel_of
from tests.catalogs.research import script
from tests.validation.test_research_v50b import HERE as V50B
from tests.walls.test_multi_step import CASE
from tests.walls.test_closed_loop_saturation import _wall7

HERE = V50B.parent / "r-adpwait"
FIND = script(HERE / "find_cells.py", "find_cells_adpwait")
APPLY = script(HERE / "apply.py", "apply_adpwait")

CONFIG = """    llm_fields.trtllm_runtime_flags: {
        "adp_balancing_enable": True,
        "adp_balancing_batching_wait_iters": 3,
        "adp_balancing_timeout_iters": 9,
    },
"""


def test_the_timeout_is_read_beside_the_enable_flag():
    assert FIND.stated(CONFIG, "adp_balancing_timeout_iters") == (4, "9")
    assert FIND.stated(CONFIG, "adp_balancing_enable") == (2, "True")
    with pytest.raises(SystemExit, match="2 lines"):
        FIND.stated(CONFIG + CONFIG, "adp_balancing_timeout_iters")


def test_the_timeout_is_the_rows_admission_period():
    """A stated timeout T admits prompts every T iterations (scheduler_steps T); a stated scheduler_steps is kept;
    neither: no knob, the row as before."""
    assert decode_kernel_of({"adp_balancing_timeout_iters": 9}) == {"serving": {"scheduler_steps": 9}}
    assert decode_kernel_of({"adp_balancing_timeout_iters": 9, "scheduler_steps": 4}) == {
        "serving": {"scheduler_steps": 4}}
    assert decode_kernel_of({"adp_balancing_timeout_iters": None}) == {}
    assert decode_kernel_of({"adp_balancing_timeout_iters": 1}) == {}


def test_the_wait_by_hand():
    """E[C] = 15 ms (test_multi_step's case): a timeout of 9 iterations (NVIDIA's B200 config) waits (9 - 1) / 2 x 15
    = 60 ms on average, one of 6 (its GB300 config) 2.5 x 15 = 37.5 ms."""
    steps = [float(decode_kernel_of({"adp_balancing_timeout_iters": t}).get("serving", {}).get("scheduler_steps", 1))
             for t in (None, 9, 6)]
    out = _wall7(CASE | {"scheduler_steps": (steps, "")}, ["scheduler_block_wait_s"])
    assert out["scheduler_block_wait_s"].to_list() == pytest.approx([0.0, 0.060, 0.0375])


def test_each_cell_cites_a_config_line_and_replays_once(registry):
    cells = pl.read_csv(HERE / "cells.csv")
    assert cells.height == 21 and set(cells["column"]) == {"adp_balancing_timeout_iters"}
    assert cells["path"].str.contains(r"^closed/[^/]+/configs/.+/Server/deepseek-r1\.py$").all()
    assert cells["why"].str.starts_with("attention-DP balancing on (line ").all()
    assert not cells["name"].is_duplicated().any()
    infx = pl.col("name").str.starts_with("infx-") | pl.col("name").str.starts_with("mlperf-inf-v6.0-")  # r-infx's
    # rows state their launch scripts' timeout (test_r_infx), r-v60's their configs' (test_research_v60)
    bundled = read_catalog("measurements")
    assert bundled.filter(pl.col("adp_balancing_timeout_iters").is_not_null() & ~infx)["name"].sort().equals(
        cells["name"].sort())
    blank = pl.read_parquet(registry / "measurements.parquet").drop("adp_balancing_timeout_iters")
    blank.write_parquet(registry / "measurements.parquet")  # as on a tree without the column
    for _ in range(2):  # the second run finds every note and value in place
        assert APPLY.apply(registry) == 21
        assert read_catalog("measurements", registry).filter(~infx).equals(bundled.filter(~infx))
